/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every word a person reads, in one table per language (lang_en.c,
 * lang_ko.c): the vocabulary of the IPC table, headings, legends, tooltips.
 * A third language is a new table and a line in lang.c, not a code change.
 * Identifiers that scripts read (JSON keys and values, --kind words) are not
 * here: they are model/names.c's and never change with the language.
 *
 *   const struct lang *l = lang_find("ko");     NULL if unknown
 *   fputs(tr(l, T_CHANNELS_HEADING), out);      tr(NULL, ...) is English
 *
 * Entries with printf conversions take the same arguments in the same order
 * in every language (a unit test compares them); where word order differs a
 * translation uses positional conversions ("%2$s ... %1$s").
 */
#ifndef IPCTRACE_LANG_H
#define IPCTRACE_LANG_H

#include "model.h"

enum text_id {
	/* the IPC table's values, in the order of their enums (model.h) */
	T_MEDIUM_NONE, T_MEDIUM_FILE, T_MEDIUM_MEMORY, T_MEDIUM_FILE_MEMORY, T_MEDIUM_SOCKET,
	T_MEDIUM_KERNEL,
	T_UNIT_NONE, T_UNIT_STREAM, T_UNIT_MESSAGE, T_UNIT_DATAGRAM, T_UNIT_STRUCT, T_UNIT_PAGE,
	T_UNIT_BYTES, T_UNIT_WORD, T_UNIT_SIGNAL,
	T_SCOPE_SAME_SYSTEM, T_SCOPE_REMOTE,
	T_DIR_NONE, T_DIR_SIMPLEX, T_DIR_HALF_DUPLEX, T_DIR_FULL_DUPLEX,
	T_DIR_UNSEEN_MEMORY,       /* shared memory: loads and stores make no syscall */
	T_MODE_SYNC_BLOCKING, T_MODE_SYNC_NONBLOCKING, T_MODE_ASYNC_BLOCKING,
	T_MODE_ASYNC_NONBLOCKING,
	T_MODE_NONE,               /* an endpoint that never waited */
	T_COUNT
};

struct lang {
	const char *code;          /* "en", "ko": the --lang word */
	const char *name;          /* in its own language */
	const char *font_family;   /* CSS font-family for SVG text */
	const char *const *text;   /* T_COUNT entries */
};

extern const struct lang lang_en, lang_ko;

/* The language of a --lang word, NULL if there is none. */
const struct lang *lang_find(const char *code);
/* The --lang words known, e.g. "en, ko", for a usage message. */
const char *lang_codes(void);
/* Text of id in l; English where l is NULL or lacks it. */
const char *tr(const struct lang *l, enum text_id id);

/* The IPC table's words for people. */
const char *tr_medium(const struct lang *l, enum ipc_medium md);
const char *tr_unit(const struct lang *l, enum ipc_unit u);
const char *tr_scope(const struct lang *l, enum ipc_scope sc);
/* A channel's direction; shared memory with none seen says why. */
const char *tr_direction(const struct lang *l, const struct model_channel *c);
/* A mode's word ("sync-blocking" in English); MODE_NONE says it never waited. */
const char *tr_mode(const struct lang *l, enum model_mode mo);

#endif /* IPCTRACE_LANG_H */
