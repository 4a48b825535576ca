/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Inside the timeline SVG (not for other outputs): the drawing state shared by
 * svg*.c, one file per part of the picture, and the helpers they share.
 */
#ifndef IPCTRACE_SVG_DRAW_H
#define IPCTRACE_SVG_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "svg.h"
#include "lang.h"
#include "timeline.h"

#define DEFAULT_WIDTH 1200
#define SLIDE_WIDTH 860     /* --slide: narrower, so the 16:9 frame enlarges it */
#define SLIDE_MIN_PAGE_W (2 * MARGIN + FIG_HDR_W + 2 * FIG_CELL_W + 40 + LEGEND_W)
#define SLIDE_PX_W 1920
#define SLIDE_PX_H 1080
#define ANIM_MIN_S 6.0     /* --animate: the sweep lasts this long at least */
#define ANIM_MAX_S 20.0
#define MIN_PAGE_W 1320
#define MARGIN 20.0
#define LABEL_W 200.0
#define LABEL_W_MAX 360.0  /* the label column widens up to this for processes' roles */
#define LANE_H 22.0        /* lanes of many threads; a few get taller (lane_sizes) */
#define SWATCH_H 12.0
#define UNDER_H 3.0        /* syscall colour left visible under blocked/runnable */
#define PROC_GAP 6.0
#define HOST_HDR_H 22.0    /* a merged trace: the machine's name above its lanes */
#define AXIS_H 30.0
#define ROW_H 18.0
#define TABLE_MAX_ROWS 30
#define FIG_HDR_W 104.0
#define FIG_CELL_W 300.0    /* at least; wider pages get wider cells */
#define LEGEND_W 440.0
#define FIG_LINE_H 14.0
#define FIG_MAX_LINES 7
#define LEGEND_LINE_H 17.0
#define LEGEND_NOTE_H 14.0
#define LEGEND_NOTE_INDENT 10.0
#define LEGEND_NOTE_LINES 6 /* spans, transfers (2), wakeups (2), lost */
#define CHAR_W 6.2         /* rough advance of an 11px sans-serif character */
#define ARROW_LABELS_MAX 40
#define ARROWS_BIG_MAX 200  /* more arrows than this are drawn thin whatever the lane height */
#define LABEL_GAP 120.0
#define LABEL_SLOTS 64
#define LABEL_BOXES 32
#define MARK_BUDGET 20000   /* summary marks over all lanes, at most */

/* Colour families of channel kinds: one colour each (palette.h, shared with the graph). */
#include "palette.h"

/* One drawing: the inputs, the layout computed by svg.c, and what parts picked to draw. */
struct draw {
	const struct model *m;
	const struct trace_meta *meta;
	const struct timeline *tl;
	const struct svg_opts *opts;
	const struct lang *lang;   /* opts->lang: every word drawn comes from it */
	const char *note;
	struct svgw *w;
	double page_w, page_h;
	double lane_h, bar_h;
	size_t title_split;        /* bytes of the title on its first line; 0 = one line */
	double fs;                 /* scale of lane labels: 1 = compact */
	double afs;                /* scale of arrows and their labels: 1 = compact or crowded */
	double cell_w;             /* a quadrant of the modes figure */
	double x0, tw;             /* timeline area */
	double y_axis, y_lanes, y_lanes_end, y_cp, y_table, y_fig, y_legend;
	double *lane_y;
	size_t *table_chans;       /* indexes into m->channels, in id order */
	size_t ntable, table_more;
	struct fig_entry *fig;
	size_t nfig;
	size_t fig_lines;          /* lines per cell */
	bool fam_used[FAM_COUNT];
	uint64_t merged_marks;
	uint32_t mark_group;        /* columns per summary mark, at least */
	uint64_t ts_unit;          /* unit for tooltip times: 1e3, 1e6 or 1e9 ns */
	struct graph_panel *graph; /* who talks to whom, above the table; NULL = none */
	size_t *proc_rep;          /* per m->processes index: the sibling standing for it (group.h); NULL = none */
	uint32_t *proc_count;      /* per m->processes index: siblings it stands for */
	uint32_t *row_chans;       /* per table row: channels merged into it (same kind, same groups) */
	uint64_t *row_bytes, *row_msgs;
	double y_graph;
};

/* svg.c */
const char *svg_fmt_ts(const struct draw *d, char *b, size_t n, uint64_t ts);
double svg_lane_mid(const struct draw *d, size_t lane);
double svg_xpos(const struct draw *d, uint64_t ts);
void svg_rect(struct draw *d, const char *cls, double x, double y, double w, double h);
void svg_text_at(struct draw *d, const char *cls, double x, double y);
const char *svg_listening_suffix(const struct draw *d, const struct model_channel *c);
void svg_chan_desc(const struct draw *d, char *b, size_t n, int id);
bool svg_pid_listed(const struct draw *d, uint32_t pid);
/* A process for people: comm, with "@machine" in a merged trace; *own = the machine's own pid. */
const char *svg_who(const struct draw *d, char *b, size_t n, const char *comm, uint32_t pid,
		    uint32_t *own);
/* Whether lane i is the first of its machine in a merged trace. */
bool svg_host_starts(const struct draw *d, size_t i);
/* The machine a lane's pid is on, NULL outside a merged trace. */
const struct trace_host *svg_host(const struct draw *d, uint32_t pid);
bool svg_chan_listed(const struct draw *d, const struct model_channel *c);

/* svg_critical_path.c: render --critical-path */
size_t svg_cp_summary_lines(const struct draw *d);
const char *svg_cp_css(void);
void svg_draw_critical_path(struct draw *d);

/* svg_stuck.c: threads asleep at the stop, at the end of their lanes */
void svg_draw_stuck(struct draw *d);

/* svg_style.c */
void svg_write_defs(struct draw *d);

/* svg_title.c */
size_t svg_title_split(const struct draw *d);
void svg_draw_title(struct draw *d);

/* svg_lanes.c */
void svg_draw_lanes(struct draw *d);

/* svg_axis.c */
void svg_draw_axis(struct draw *d, double y, bool labels_below);
void svg_draw_grid(struct draw *d);
void svg_draw_lost(struct draw *d);

/* svg_arrows.c */
void svg_draw_arrows(struct draw *d);

/* svg_table.c */
int svg_pick_table(struct draw *d);
void svg_draw_table(struct draw *d);

/* svg_modes.c */
int svg_pick_figure(struct draw *d);
double svg_fig_cell_h(const struct draw *d);
void svg_draw_figure(struct draw *d);

/* svg_slide.c */
int svg_slide_participants(struct timeline *tl);
bool svg_slide_pid_shown(const struct draw *d, uint32_t pid);
bool svg_slide_chan_takes_part(const struct model_channel *c);
/* Is this legend item's mark drawn anywhere? Always, but on a slide. */
bool svg_legend_item_drawn(const struct draw *d, const char *what);
/* The 16:9 viewBox around the page. */
void svg_slide_frame(const struct draw *d, double *x, double *y, double *w, double *h);

/* svg_anim.c: --animate */
void svg_anim_appear(struct draw *d, double x);
void svg_anim_cursor(struct draw *d);

/* svg_legend.c */
size_t svg_legend_lines(const struct draw *d);
void svg_draw_legend(struct draw *d);

#endif /* IPCTRACE_SVG_DRAW_H */
