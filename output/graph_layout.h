/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The communication graph handed to Graphviz (libcgraph + libgvc, the dot
 * engine): as DOT text, or laid out and read back as positions and edge
 * splines in SVG coordinates (y down, points = px), for our own SVG.
 *
 *   struct graph_layout *l;
 *   err = graph_layout__new(g, &l);   ...   graph_layout__free(l);
 *   err = graph_layout__dot(g, f);
 */
#ifndef IPCTRACE_GRAPH_LAYOUT_H
#define IPCTRACE_GRAPH_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "graph.h"

struct gl_box {
	double x, y, w, h;          /* top left and size */
};

struct gl_edge {
	double (*pts)[2];           /* cubic Bezier: a start point, then 3 per segment */
	size_t npts;
	bool arrow_start, arrow_end;
	double start[2], end[2];    /* arrow tips, when there are arrows */
	double label[2];            /* centre of the label */
	bool has_label;
};

struct graph_layout {
	double width, height;
	struct gl_box *nodes;       /* per graph node */
	struct gl_box *procs;       /* per graph node: its box around its threads (w 0: none) */
	struct gl_box *hosts;       /* per graph host */
	struct gl_edge *edges;      /* per graph edge */
	size_t nnodes, nedges, nhosts;
};

struct lang;

/* Lay g out with dot, its labels in language l (NULL: English). 0, -ENOMEM, or -EIO if Graphviz failed. */
int graph_layout__new(const struct graph *g, const struct lang *l, struct graph_layout **out);
void graph_layout__free(struct graph_layout *l);
/* g as DOT for `dot -Tsvg`. 0 or -errno. */
int graph_layout__dot(const struct graph *g, const struct lang *l, FILE *f);

/* Line width of an edge that moved this many bytes (thicker for more). */
double graph_layout__pen(const struct graph_edge *e);

#endif /* IPCTRACE_GRAPH_LAYOUT_H */
