/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The communication graph drawn as our own SVG from a Graphviz layout:
 * machine boxes, process boxes ("N x" for groups, a stack), threads inside
 * their process, shared memory as cylinders, channels as coloured curves
 * with one arrowhead (simplex) or two (both ways), tooltips as <title>, no
 * scripts. A page of its own, or a panel inside the timeline SVG.
 */
#ifndef IPCTRACE_GRAPH_SVG_H
#define IPCTRACE_GRAPH_SVG_H

#include <stdio.h>
#include "graph.h"
#include "graph_layout.h"

struct svgw;

/* A whole SVG: title (untrusted: escaped), the graph, legend and footnote. 0 or -errno. */
struct lang;

int graph_svg__page(const struct graph *g, const struct graph_layout *l, const struct lang *lang,
		    const char *title, const char *note, FILE *out);
/* Height a panel of at most maxw x maxh takes (the graph scaled down to fit, never up). */
double graph_svg__panel_height(const struct graph_layout *l, double maxw, double maxh);
/* The graph into an open SVG, its top left at (x, y), at most maxw x maxh. */
void graph_svg__panel(struct svgw *w, const struct graph *g, const struct graph_layout *l,
		      const struct lang *lang, double x, double y, double maxw, double maxh);

#endif /* IPCTRACE_GRAPH_SVG_H */
