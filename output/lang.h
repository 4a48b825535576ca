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
	T_SCOPE_SAME_SYSTEM, T_SCOPE_REMOTE, T_SCOPE_BETWEEN_MACHINES,
	T_DIR_NONE, T_DIR_SIMPLEX, T_DIR_HALF_DUPLEX, T_DIR_FULL_DUPLEX,
	T_DIR_UNSEEN_MEMORY,       /* shared memory: loads and stores make no syscall */
	T_MODE_SYNC_BLOCKING, T_MODE_SYNC_NONBLOCKING, T_MODE_ASYNC_BLOCKING,
	T_MODE_ASYNC_NONBLOCKING,
	T_MODE_NONE,               /* an endpoint that never waited */
	/* --- shared words */
	T_LISTENING,
	T_UNNAMED_CHANNEL,
	T_NO_CHANNEL,
	T_INTERRUPT,
	T_UNTRACED,
	T_EXITED,
	T_NOBODY,
	T_STATE_USER,
	T_STATE_SYSCALL,
	T_STATE_BLOCKED,
	T_STATE_RUNNABLE,
	T_STATE_POLLING,
	T_N_PROCESSES_1,
	T_N_PROCESSES_N,
	T_N_THREADS_1,
	T_N_THREADS_N,
	T_N_CHANNELS_1,
	T_N_CHANNELS_N,
	T_N_ARROWS_1,
	T_N_ARROWS_N,
	T_N_RECORDS_1,
	T_N_RECORDS_N,
	T_N_CALLS_1,
	T_N_CALLS_N,
	/* --- SVG: title */
	T_SVG_DOC_DESC,
	T_NO_CMDLINE,
	T_TRACE_HOLDS_TIP,
	T_TRACE_SUMMARY,
	T_TRACE_WINDOW,
	T_NOTHING_DROPPED_TIP,
	T_LOST_WARN,
	/* --- SVG: lanes */
	T_SPAN_SYSCALL_TIP,
	T_SPAN_BLOCKED_TIP,
	T_SPAN_RUNNABLE_TIP,
	T_SPAN_RUNNABLE_IN,
	T_SPAN_POLLING_TIP,
	T_SPAN_OTHER_TIP,
	T_SPAN_SYSCALL_OPEN_TIP,
	T_SPAN_STILL_AT_STOP,
	T_MERGED_TIP,
	T_THREAD_TIP,
	T_PROCESS_TIP,
	T_PROCESS_EXE,
	T_PROCESS_EXIT_CODE,
	T_PROCESS_CMDLINE,
	T_NO_THREAD_IN_WINDOW,
	T_WIDEN_WINDOW_TIP,
	T_HOST_HEADER,
	T_HOST_HEADER_REF,
	T_HOST_TIP,
	/* --- SVG: axis */
	T_AXIS_TIP,
	T_GRID_TIP,
	T_LOST_MARK_TIP,
	/* --- SVG: arrows */
	T_TRANSFER_TIP,
	T_TRANSFERS_MERGED_TIP,
	T_AND_OTHER_CHANNELS,
	T_WAKEUP_TIP,
	T_WAKEUPS_MERGED_TIP,
	T_CHANNEL_LABEL_TIP,
	/* --- SVG: table */
	T_CHANNEL_TIP,
	T_ENDPOINT_TIP,
	T_MODE_NEVER_WAITED,
	T_DIR_HELP_NONE,
	T_DIR_HELP_SIMPLEX,
	T_DIR_HELP_HALF_DUPLEX,
	T_DIR_HELP_FULL_DUPLEX,
	T_MEMORY_DIR_TIP,
	T_DIRKEY_TIP,
	T_DIRKEY_HEAD,
	T_DIRKEY_SIMPLEX,
	T_DIRKEY_HALF_DUPLEX,
	T_DIRKEY_FULL_DUPLEX,
	T_COL_ID,
	T_COL_KIND,
	T_COL_NAME,
	T_COL_MEDIUM,
	T_COL_UNIT,
	T_COL_DIRECTION,
	T_COL_SCOPE,
	T_COL_BYTES,
	T_COL_MESSAGES,
	T_COL_ENDPOINTS,
	T_TABLE_TIP,
	T_TABLE_HEAD,
	T_NO_CHANNEL_TIP,
	T_NO_CHANNEL_OBSERVED,
	T_TABLE_MORE_TIP,
	T_TABLE_MORE,
	/* --- SVG: modes figure */
	T_MODE_TITLE_SYNC_BLOCKING,
	T_MODE_TITLE_SYNC_NONBLOCKING,
	T_MODE_TITLE_ASYNC_BLOCKING,
	T_MODE_TITLE_ASYNC_NONBLOCKING,
	T_MODE_DESC_SYNC_BLOCKING,
	T_MODE_DESC_SYNC_NONBLOCKING,
	T_MODE_DESC_ASYNC_BLOCKING,
	T_MODE_DESC_ASYNC_NONBLOCKING,
	T_NEVER_WAITED_HEAD,
	T_NEVER_WAITED_ITEM,
	T_NEVER_WAITED_TIP,
	T_N_MORE,
	T_PLUS_N_MORE,
	T_FIG_COL_SYNC,
	T_FIG_COL_ASYNC,
	T_FIG_COL_SYNC_SUB,
	T_FIG_COL_ASYNC_SUB,
	T_FIG_ROW_BLOCKING,
	T_FIG_ROW_NONBLOCKING,
	T_FIG_ROW_BLOCKING_SUB,
	T_FIG_ROW_NONBLOCKING_SUB,
	T_FIG_TIP,
	T_FIG_HEAD,
	T_FIG_SUMS,
	T_FIG_MORE_TIP,
	T_FIG_ENTRY_TIP,
	T_FIG_DOMINANT,
	T_FIG_ENTRY,
	T_FIG_EMPTY_TIP,
	/* --- SVG: legend */
	T_FAM_NONE,
	T_FAM_PIPE,
	T_FAM_MSG,
	T_FAM_SHM,
	T_FAM_SOCK,
	T_FAM_FILE,
	T_FAM_SIGNAL,
	T_LEGEND_TIP,
	T_LEGEND_HEAD,
	T_LG_USER,
	T_LG_BLOCKED,
	T_LG_ASLEEP,
	T_LG_RUNNABLE,
	T_LG_POLLING,
	T_LG_MERGED,
	T_LG_TRANSFER,
	T_LG_WAKE,
	T_LG_LOST,
	T_COUNTS_TIP,
	T_COUNTS_SPANS,
	T_COUNTS_TRANSFERS,
	T_COUNTS_WAKEUPS,
	T_COUNTS_LOST,
	/* --- report (text) */
	T_REPORT_TITLE,
	T_REPORT_HOST,
	T_REPORT_KERNEL,
	T_REPORT_SUMMARY,
	T_REPORT_LOST_WARN,
	T_REPORT_UNKNOWN_CHANS,
	T_REPORT_OUT_OF_WINDOW,
	T_REPORT_UNSEEN_SWITCH_INS,
	T_REPORT_CHANNELS,
	T_REPORT_NONE_OBSERVED,
	T_REPORT_CHANNELS_COLS,
	T_REPORT_ENDPOINTS,
	T_REPORT_ENDPOINTS_COLS,
	T_REPORT_ENDPOINTS_SUMS,
	T_REPORT_WAKEUPS,
	T_REPORT_NO_WAKEUPS,
	T_REPORT_WAKEUPS_COLS,
	T_REPORT_AND_MORE,
	T_REPORT_PROCESSES,
	T_REPORT_PROCESSES_COLS,
	T_REPORT_THREADS,
	T_REPORT_THREADS_COLS,
	T_ANIM_CURSOR_TIP,
	T_SLIDE_NO_IPC,
	T_SLIDE_NO_IPC_TIP,
	T_REPORT_STUCK,
	T_REPORT_STUCK_NONE,
	T_REPORT_STUCK_COLS,
	T_REPORT_DEADLOCK,
	T_REPORT_DEADLOCK_WAITS,   /* comm, pid, call, channel, comm, pid */
	T_REPORT_DEADLOCK_SEP,
	/* --- stuck threads on the SVG */
	T_SVG_STUCK,
	T_SVG_DEADLOCKED,
	T_SVG_STUCK_TIP,
	T_SVG_DEADLOCK_TIP,
	/* --- critical path (text and SVG) */
	T_CP_NEVER_WAITED,
	T_CP_WAITED,
	T_CP_SHARE_VIA,
	T_CP_SHARE,
	T_CP_RUNNING,
	T_CP_RUNNABLE,
	T_CP_TIMER_SLEEP,
	T_CP_TIMER,
	T_CP_INTERRUPT,
	T_CP_UNTRACED,
	T_CP_BLOCKED,
	T_CP_UNKNOWN,
	T_CP_TITLE,
	T_CP_BY_THREAD,
	T_CP_BY_CHANNEL,
	T_CP_PATH,
	T_CP_MORE_STEPS,
	T_CP_HANDOVER,
	T_CP_NONE,
	T_CP_SVG_TITLE,
	T_CP_SVG_THREADS,
	T_CP_SVG_CHANNELS,
	T_CP_SVG_MORE,
	T_CP_SVG_HANDOVER,
	T_CP_SVG_MORE_HANDOVERS,
	T_CP_SVG_VIA,
	T_CP_SVG_KEY,
	/* --- the communication graph (graph_text.c) */
	T_GRAPH_TITLE,
	T_GRAPH_EMPTY,
	T_GRAPH_PANEL_TIP,
	T_GRAPH_LG_BOX,
	T_GRAPH_LG_LINE,
	T_GRAPH_LG_DASHED,
	T_GRAPH_LG_MEMORY,
	T_GRAPH_PID,
	T_GRAPH_BUSIEST_PID,
	T_GRAPH_TID,
	T_GRAPH_BUSIEST_TID,
	T_GRAPH_N_THREADS,
	T_GRAPH_UNTRACED_BOX,
	T_GRAPH_NO_DATA,
	T_GRAPH_WAKEUPS_1,
	T_GRAPH_WAKEUPS_N,
	T_GRAPH_BYTES_MSGS,
	T_GRAPH_HOST_LOCAL,
	T_GRAPH_HOST_LOCAL_NAMED,
	T_GRAPH_HOST_REMOTE,
	T_GRAPH_FOOT_ONE_END,
	T_GRAPH_FOOT_INSIDE,
	T_GRAPH_FOOT_REPORT,
	T_GRAPH_TIP_PROCESS,
	T_GRAPH_TIP_GROUP,
	T_GRAPH_TIP_OUTSIDE,
	T_GRAPH_TIP_THREAD,
	T_GRAPH_TIP_POOL,
	T_GRAPH_TIP_MEMORY,
	T_GRAPH_TIP_REMOTE,
	T_GRAPH_TIP_UNTRACED,
	T_GRAPH_TIP_DATA,
	T_GRAPH_TIP_DATA_BACK,
	T_GRAPH_TIP_SYNC,
	T_GRAPH_TIP_SYNC_BACK,
	T_GRAPH_TIP_WAKE,
	T_GRAPH_TIP_ATTACH,
	T_GRAPH_TIP_MERGED,
	T_GRAPH_TIP_CHANNEL,
	T_POOL_TIP,
	T_SIBLINGS_TIP,
	T_TABLE_ROW_GROUP,
	T_REPORT_HOSTS,
	T_REPORT_HOSTS_COLS,
	T_REPORT_HOST_OWN_PIDS,
	T_REPORT_HOST_PID_BASE,
	T_REPORT_HOST_REFERENCE,
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

/* The CSS font-family list for SVG text in l. */
const char *tr_font(const struct lang *l);
/* Text of one (a "%zu thread" form, T_X_1) for n == 1, else of the next id (T_X_N). */
const char *trn(const struct lang *l, enum text_id one, uint64_t n);
/* A thread state ("blocked", ...) for people. */
const char *tr_state(const struct lang *l, enum span_state s);

/* The IPC table's words for people. */
const char *tr_medium(const struct lang *l, enum ipc_medium md);
const char *tr_unit(const struct lang *l, enum ipc_unit u);
const char *tr_scope(const struct lang *l, enum ipc_scope sc);
/* A channel's direction; shared memory with none seen says why. */
const char *tr_direction(const struct lang *l, const struct model_channel *c);
/* A mode's word ("sync-blocking" in English); MODE_NONE says it never waited. */
const char *tr_mode(const struct lang *l, enum model_mode mo);

#endif /* IPCTRACE_LANG_H */
