/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The colours of channel kinds, one palette for the timeline and the graph. */
#ifndef IPCTRACE_PALETTE_H
#define IPCTRACE_PALETTE_H

/* Colour families of channel kinds (Okabe-Ito palette, colour-blind safe). */
enum family {
	FAM_NONE = 0, FAM_PIPE, FAM_MSG, FAM_SHM, FAM_SOCK, FAM_FILE, FAM_SIGNAL, FAM_COUNT
};

extern const char *const fam_color[FAM_COUNT];
/* Arrows without a channel are drawn darker than the neutral syscall grey. */
extern const char *const fam_arrow_color[FAM_COUNT];

/* The family of an enum ipct_kind. */
enum family kind_family(unsigned k);

#endif /* IPCTRACE_PALETTE_H */
