// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The timeline SVG's graph panel: one heading, the graph scaled to the page. */
#include <stdlib.h>
#include "graph.h"
#include "graph_layout.h"
#include "graph_panel.h"
#include "graph_svg.h"
#include "graph_text.h"
#include "lang.h"
#include "svg_writer.h"

#define HEADING_H 24.0
#define PANEL_MAX_H 420.0
/* More nodes than this are unreadable in the panel's height, and Graphviz's layout of them superlinear. */
#define PANEL_NODES_MAX 400

struct graph_panel {
	struct graph *g;
	struct graph_layout *l;
	const struct lang *lang;
};

void graph_panel__free(struct graph_panel *p)
{
	if (!p)
		return;
	graph_layout__free(p->l);
	graph__free(p->g);
	free(p);
}

struct graph_panel *graph_panel__new(const struct model *m, const struct model_filter *f,
				     const char *host, const struct lang *l, bool no_group)
{
	struct graph_opts go = { .filter = f, .host = host, .no_group = no_group };
	struct graph_panel *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->lang = l;
	p->g = graph__new(&go);
	if (!p->g || graph__build(p->g, m) || p->g->nedges == 0 || p->g->nnodes < 2 ||
	    p->g->nnodes > PANEL_NODES_MAX || graph_layout__new(p->g, l, &p->l)) {
		graph_panel__free(p);
		return NULL;
	}
	return p;
}

double graph_panel__height(const struct graph_panel *p, double w)
{
	return HEADING_H + graph_svg__panel_height(p->l, w, PANEL_MAX_H);
}

void graph_panel__draw(struct svgw *sw, const struct graph_panel *p, double x, double y, double w)
{
	svgw__open(sw, "g");
	svgw__element_text(sw, "title", tr(p->lang, T_GRAPH_PANEL_TIP));
	svgw__open(sw, "text");
	svgw__attr(sw, "class", "h2");
	svgw__attr_num(sw, "x", x);
	svgw__attr_num(sw, "y", y + 14);
	svgw__text(sw, tr(p->lang, T_GRAPH_TITLE));
	svgw__close(sw);
	svgw__close(sw);
	graph_svg__panel(sw, p->g, p->l, p->lang, x, y + HEADING_H, w, PANEL_MAX_H);
}
