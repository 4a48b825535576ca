/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pixel bucketing for the timeline SVG: a pass's spans, transfers, wakeups
 * and lost records, reduced to what can be drawn in `width` columns.
 * Spans at least a pixel wide are kept one by one (up to a budget: past it
 * the narrowest merge too); narrower ones add their time and count to the
 * lane's column (drawn as one summary mark); arrows between the same lanes
 * that leave in the same column (or run of columns, past a budget) merge. Memory and output
 * grow with lanes x width, never with the number of events.
 *
 * Its lanes come from a finished model. Either the model first, then a
 * second pass over the same events:
 *
 *   struct timeline *tl = timeline__new(model, &opts);
 *   struct model_opts mo = {0};  timeline__sinks(tl, &mo);
 *   ... a second model with mo, fed the same events ...
 *   timeline__finish(tl);        then read tl's lanes and arrows
 *   timeline__free(tl);
 *
 * or ahead, riding the model's own pass (opts' window known before it,
 * e.g. from trace_reader__scan_times): one lane per thread as first seen,
 * settled into the model's lanes when it is finished. Settling gives
 * -EAGAIN (then a second pass as above) when what was held ahead cannot
 * make exactly that timeline: more spans or arrows than a fold or merge
 * allows before the lanes are known, more lanes than one column per cell,
 * or a channel whose kind changed after narrow calls voted with it.
 *
 *   tl = timeline__new_ahead(&opts);  timeline__sinks(tl, &mo);
 *   ... the model's pass with mo ...
 *   timeline__settle(tl, model);  timeline__finish(tl);  ...
 */
#ifndef IPCTRACE_TIMELINE_H
#define IPCTRACE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "model.h"

struct timeline_opts {
	unsigned width;             /* columns (px) */
	uint64_t from, to;          /* absolute ns window, to > from */
	const uint32_t *pids;       /* only these processes; NULL = all */
	size_t npids;
	const int *chans;           /* only these channels; NULL = all */
	size_t nchans;
	bool group;                 /* siblings of one role and pools of threads as one lane (group.h) */
};

/* A span wide enough to be drawn on its own. */
struct tl_span {
	uint64_t start, end;
	int64_t ret;
	int chan;
	uint32_t calls;
	uint16_t nr;
	uint8_t state;              /* enum span_state */
	uint8_t op;                 /* enum ipct_op */
	bool unfinished;            /* still going when recording stopped */
};

/* Cells over all lanes, at most: thousands of lanes then share memory, not each take a row. */
#define TL_CELL_BUDGET 80000

/* What was too narrow to draw in one pixel column (or cell_cols of them) of one lane. */
struct tl_cell {
	uint64_t ns[SPAN_STATE_COUNT];
	uint32_t n[SPAN_STATE_COUNT];
	uint64_t kind_weight;       /* majority vote of syscall time by kind */
	uint8_t kind;               /* enum ipct_kind, NONE = not IPC */
};

struct tl_lane {
	uint32_t pid, tid;
	const struct model_thread *thread;
	const struct model_process *process;
	bool first_of_process;
	uint32_t threads;           /* threads this lane stands for: a pool's size, else 1 */
	uint32_t processes;         /* first lane of a process: sibling processes it stands for */
	uint64_t sum_ns[SPAN_STATE_COUNT];  /* user, syscall (kernel), blocked, runnable over them */
	struct tl_span *spans;
	size_t nspans, cap;
	struct tl_cell *cells;      /* cells [cell0, cell0 + ncells), NULL until a narrow span */
	uint32_t cell0, ncells;     /* only the cells the lane's narrow spans touch */
};

enum tl_arrow_type { TL_TRANSFER = 0, TL_WAKE = 1 };

struct tl_arrow {
	uint8_t type;               /* enum tl_arrow_type */
	bool mixed;                 /* merged arrows on more than one channel */
	uint32_t src, dst;          /* lane indexes */
	uint32_t scol, dcol;
	int chan;                   /* of the first arrow merged */
	uint64_t src_ts, dst_ts;    /* of the first arrow merged */
	uint64_t last_ts;           /* latest src_ts merged */
	uint64_t min_lat, max_lat;  /* dst_ts - src_ts over the arrows merged */
	uint64_t count, bytes;
};

struct tl_lost {
	uint32_t col;
	uint16_t cpu;
	uint64_t first_ts, last_ts, count;
};

struct timeline_stats {
	uint64_t spans, spans_drawn, spans_merged, spans_outside;
	uint64_t spans_grouped;     /* of threads a group's busiest member stands for: summed, not drawn */
	uint64_t transfers, transfers_hidden, transfers_self;
	uint64_t wakes, wakes_irq, wakes_hidden, wakes_self;
	uint64_t lost_records, lost_events;
};

struct timeline {
	struct timeline_opts opts;
	const struct model *model;
	struct tl_lane *lanes;
	size_t nlanes;
	struct tl_arrow *arrows;    /* after finish: sorted, narrows merged */
	size_t narrows;
	uint32_t arrow_cols;        /* columns one arrow may stand for (1, 2, 4, ...) */
	uint32_t cell_cols;         /* columns one cell stands for: past TL_CELL_BUDGET cells, more than 1 */
	struct tl_lost *lost;
	size_t nlost;
	struct timeline_stats stats;
	struct timeline_priv *priv;
	int err;                    /* first allocation failure, -ENOMEM */
};

struct timeline *timeline__new(const struct model *m, const struct timeline_opts *opts);
/* A timeline fed before its model exists (see above); NULL without memory. */
struct timeline *timeline__new_ahead(const struct timeline_opts *opts);
/* After the pass that built m: the lanes held ahead become m's. 0, -EAGAIN or -ENOMEM. */
int timeline__settle(struct timeline *tl, const struct model *m);
/* Point mo's callbacks and ctx at tl. */
void timeline__sinks(struct timeline *tl, struct model_opts *mo);
/* Sort the arrows and lost marks for drawing. 0 or -ENOMEM. */
int timeline__finish(struct timeline *tl);
void timeline__free(struct timeline *tl);

/*
 * Keep only the lanes with keep[i] (indexes as before the call), after
 * finish: arrows between kept lanes are renumbered, others dropped.
 * 0 or -ENOMEM (then tl is only fit to be freed).
 */
int timeline__keep_lanes(struct timeline *tl, const bool *keep);
/* Pixel column of ts (may be outside [0, width)) and x of ts in px. */
double timeline__x(const struct timeline *tl, uint64_t ts);
/* What a lane merged in column col, NULL if nothing. */
/* The cell holding pixel column col (cell_cols columns from col / cell_cols * cell_cols), or NULL. */
const struct tl_cell *timeline__cell(const struct timeline *tl, const struct tl_lane *l, uint32_t col);
/* Lane index of a thread, -1 if it has none. */
int timeline__lane(const struct timeline *tl, uint32_t tid);
bool timeline__chan_shown(const struct timeline *tl, int chan);

/* Sink callbacks (ctx = the timeline), public for tests that feed spans. */
void timeline__on_span(void *ctx, const struct model_span *s);
void timeline__on_transfer(void *ctx, const struct model_transfer *t);
void timeline__on_wake(void *ctx, const struct model_wake *w);
void timeline__on_lost(void *ctx, const struct model_lost *l);

#endif /* IPCTRACE_TIMELINE_H */
