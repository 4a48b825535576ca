// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The colours of channel kinds. */
#include <linux/types.h>
#include "ipctrace.h"
#include "palette.h"

const char *const fam_color[FAM_COUNT] = {
	"#8C8C8C", "#0072B2", "#CC79A7", "#E69F00", "#56B4E9", "#009E73", "#000000",
};

/* Arrows without a channel are drawn darker than the neutral syscall grey. */
const char *const fam_arrow_color[FAM_COUNT] = {
	"#555555", "#0072B2", "#CC79A7", "#E69F00", "#56B4E9", "#009E73", "#000000",
};

enum family kind_family(unsigned k)
{
	switch (k) {
	case IPCT_KIND_PIPE: case IPCT_KIND_FIFO:
		return FAM_PIPE;
	case IPCT_KIND_MQUEUE: case IPCT_KIND_SYSV_MSG:
		return FAM_MSG;
	case IPCT_KIND_SHM: case IPCT_KIND_SYSV_SHM: case IPCT_KIND_MMAP:
	case IPCT_KIND_FUTEX: case IPCT_KIND_SYSV_SEM:
		return FAM_SHM;
	case IPCT_KIND_UNIX_STREAM: case IPCT_KIND_UNIX_DGRAM:
	case IPCT_KIND_UNIX_SEQPACKET: case IPCT_KIND_TCP: case IPCT_KIND_UDP:
		return FAM_SOCK;
	case IPCT_KIND_FILE:
		return FAM_FILE;
	case IPCT_KIND_SIGNAL:
		return FAM_SIGNAL;
	default:
		return FAM_NONE;
	}
}
