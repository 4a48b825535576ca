/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The communication graph as a panel of the timeline SVG, above the channel
 * table: built from the timeline's first-pass model, laid out by Graphviz,
 * scaled down to the page.
 */
#ifndef IPCTRACE_GRAPH_PANEL_H
#define IPCTRACE_GRAPH_PANEL_H

#include <stdbool.h>
#include "model.h"

struct svgw;
struct model_filter;
struct graph_panel;

/* NULL when there is nothing worth a panel (no line between two boxes) or on failure. */
struct lang;

/* Words in language l (NULL: English). */
struct graph_panel *graph_panel__new(const struct model *m, const struct model_filter *f,
				     const char *host, const struct lang *l, bool no_group);
/* Height it takes at width w, its heading included. */
double graph_panel__height(const struct graph_panel *p, double w);
void graph_panel__draw(struct svgw *sw, const struct graph_panel *p, double x, double y, double w);
void graph_panel__free(struct graph_panel *p);

#endif /* IPCTRACE_GRAPH_PANEL_H */
