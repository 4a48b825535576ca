// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The seed's IPC table (section 4) filled for a channel: its shared medium,
 * unit of communication and scope, and the bytes it carried. Every output
 * (report, JSON, SVG) takes these facts from here.
 */
#include "model.h"

enum ipc_medium kind_medium(enum ipct_kind k)
{
	switch (k) {
	case IPCT_KIND_PIPE:
	case IPCT_KIND_FIFO:
	case IPCT_KIND_FILE:
		return MEDIUM_FILE;
	case IPCT_KIND_MQUEUE:
	case IPCT_KIND_SYSV_MSG:
	case IPCT_KIND_SHM:
	case IPCT_KIND_SYSV_SHM:
	case IPCT_KIND_SYSV_SEM:
	case IPCT_KIND_FUTEX:
		return MEDIUM_MEMORY;
	case IPCT_KIND_MMAP:
		return MEDIUM_FILE_MEMORY;
	case IPCT_KIND_UNIX_STREAM:
	case IPCT_KIND_UNIX_DGRAM:
	case IPCT_KIND_UNIX_SEQPACKET:
	case IPCT_KIND_TCP:
	case IPCT_KIND_UDP:
		return MEDIUM_SOCKET;
	case IPCT_KIND_SIGNAL:
		return MEDIUM_KERNEL;
	default:
		return MEDIUM_NONE;
	}
}

enum ipc_unit kind_unit(enum ipct_kind k)
{
	switch (k) {
	case IPCT_KIND_PIPE:
	case IPCT_KIND_FIFO:
	case IPCT_KIND_UNIX_STREAM:
	case IPCT_KIND_TCP:
		return UNIT_STREAM;
	case IPCT_KIND_MQUEUE:
	case IPCT_KIND_SYSV_MSG:
	case IPCT_KIND_UNIX_SEQPACKET:
		return UNIT_MESSAGE;
	case IPCT_KIND_UNIX_DGRAM:
	case IPCT_KIND_UDP:
		return UNIT_DATAGRAM;
	case IPCT_KIND_SHM:
	case IPCT_KIND_SYSV_SHM:
		return UNIT_STRUCT;
	case IPCT_KIND_MMAP:
		return UNIT_PAGE;
	case IPCT_KIND_FILE:
		return UNIT_BYTES;
	case IPCT_KIND_SYSV_SEM:
	case IPCT_KIND_FUTEX:
		return UNIT_WORD;
	case IPCT_KIND_SIGNAL:
		return UNIT_SIGNAL;
	default:
		return UNIT_NONE;
	}
}

bool kind_data_in_memory(enum ipct_kind k)
{
	return k == IPCT_KIND_SHM || k == IPCT_KIND_SYSV_SHM || k == IPCT_KIND_MMAP ||
	       k == IPCT_KIND_FUTEX || k == IPCT_KIND_SYSV_SEM;
}

enum ipc_scope channel_scope(const struct model_channel *c)
{
	if (c->across_hosts)
		return SCOPE_BETWEEN_MACHINES;
	return c->remote ? SCOPE_REMOTE : SCOPE_SAME_SYSTEM;
}

uint64_t channel_bytes_received(const struct model_channel *c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->nendpoints; i++)
		n += c->endpoints[i].bytes_received;
	return n;
}

uint64_t channel_bytes(const struct model_channel *c)
{
	uint64_t rcvd = channel_bytes_received(c);

	/* a reader fed by an untraced writer still saw data move */
	return c->bytes > rcvd ? c->bytes : rcvd;
}
