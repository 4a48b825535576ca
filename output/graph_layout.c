// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The graph as Graphviz sees it: cgraph objects, the dot layout, positions read back. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gvc.h>
#include <gvplugin.h>
#include "escape.h"
#include "graph_layout.h"
#include "graph_text.h"
#include "palette.h"

/* Graphviz measures text from its own Arial widths; we draw 11 px in a wider sans-serif */
#define FONT_PT "12"

extern gvplugin_library_t gvplugin_dot_layout_LTX_library;

/* The dot engine alone: no plugins loaded from Graphviz's configuration (Makefile says why). */
static lt_symlist_t builtins[] = {
	{ "gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library },
	{ 0, 0 },
};

struct gv {
	Agraph_t *g;
	Agraph_t **hosts;           /* per host: its cluster */
	Agraph_t **procs;           /* per node: its cluster of threads, or NULL */
	Agnode_t **nodes;           /* per node; a process with threads: NULL */
	Agedge_t **edges;
};

/* Text for a DOT string: control bytes as \xNN (escape.h), backslashes doubled, lines as \n. */
static void dot_text(char *out, size_t size, const char *s)
{
	char esc[ESCAPE_BUF(GRAPH_TEXT_MAX)];
	size_t o = 0;

	for (const char *line = s; line && o + 1 < size;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		escape__str(esc, sizeof(esc), line, len);
		for (const char *p = esc; *p && o + 3 < size; p++) {
			if (*p == '\\')
				out[o++] = '\\';
			out[o++] = *p;
		}
		if (nl && o + 3 < size) {
			out[o++] = '\\';
			out[o++] = 'n';
		}
		line = nl ? nl + 1 : NULL;
	}
	out[o < size ? o : size - 1] = '\0';
}

static void set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)name, (char *)value, "");
}

static void set_text(void *obj, const char *name, const char *s)
{
	char buf[GRAPH_TEXT_MAX * 5];

	dot_text(buf, sizeof(buf), s);
	set(obj, name, buf);
}

double graph_layout__pen(const struct graph_edge *e)
{
	double kib = (e->bytes + e->bytes_back) / 1024.0, w;

	if (e->type != GRAPH_DATA)
		return 1;
	w = 1.2 + 1.2 * log10(1 + kib);
	return w > 7 ? 7 : w;
}

/* The node an edge to n is attached to: a process drawn with its threads lends its first one. */
static Agnode_t *anchor(const struct graph *g, const struct gv *v, int n, Agraph_t **cluster)
{
	*cluster = NULL;
	if (v->nodes[n])
		return v->nodes[n];
	*cluster = v->procs[n];
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].parent == n)
			return v->nodes[i];
	return NULL;
}

static const char *edge_dir(const struct graph_edge *e)
{
	bool fwd = e->bytes || e->messages || e->wakeups;
	bool back = e->bytes_back || e->messages_back || e->wakeups_back;

	if (e->type == GRAPH_ATTACH || (!fwd && !back))
		return "none";
	return fwd && back ? "both" : "forward";
}

static void gv_free(struct gv *v)
{
	if (v->g)
		agclose(v->g);
	free(v->hosts);
	free(v->procs);
	free(v->nodes);
	free(v->edges);
}

static int gv_build(const struct graph *g, const struct lang *l, struct gv *v)
{
	char name[48], text[GRAPH_TEXT_MAX];

	memset(v, 0, sizeof(*v));
	v->hosts = calloc(g->nhosts + 1, sizeof(*v->hosts));
	v->procs = calloc(g->nnodes + 1, sizeof(*v->procs));
	v->nodes = calloc(g->nnodes + 1, sizeof(*v->nodes));
	v->edges = calloc(g->nedges + 1, sizeof(*v->edges));
	v->g = agopen("ipctrace", Agdirected, NULL);
	if (!v->hosts || !v->procs || !v->nodes || !v->edges || !v->g)
		return -ENOMEM;
	set(v->g, "rankdir", "LR");
	set(v->g, "compound", "true");
	set(v->g, "fontname", "Helvetica");
	set(v->g, "fontsize", FONT_PT);
	set(v->g, "nodesep", "0.3");
	set(v->g, "ranksep", "0.9");
	agattr(v->g, AGNODE, "fontname", "Helvetica");
	agattr(v->g, AGNODE, "fontsize", FONT_PT);
	agattr(v->g, AGEDGE, "fontname", "Helvetica");
	agattr(v->g, AGEDGE, "fontsize", "10");
	for (size_t i = 0; i < g->nhosts; i++) {
		snprintf(name, sizeof(name), "cluster_host%zu", i);
		v->hosts[i] = agsubg(v->g, name, 1);
		graph_text__host_label(l, &g->hosts[i], text, sizeof(text));
		set_text(v->hosts[i], "label", text);
		set(v->hosts[i], "style", g->hosts[i].local ? "rounded" : "rounded,dashed");
		set(v->hosts[i], "labeljust", "l");
		/* room for the 12 px bold title we draw where Graphviz measured 11 px */
		set(v->hosts[i], "fontsize", "14");
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];
		Agraph_t *in = v->hosts[n->host];
		void *obj;

		if (n->parent >= 0)
			in = v->procs[n->parent];
		graph_text__node_label(l, n, text, sizeof(text));
		if (n->type == GRAPH_PROCESS && n->has_threads) {
			snprintf(name, sizeof(name), "cluster_p%zu", i);
			v->procs[i] = agsubg(in, name, 1);
			obj = v->procs[i];
			set(obj, "style", "rounded,filled");
			set(obj, "fillcolor", "#F4F4F4");
		} else {
			snprintf(name, sizeof(name), "n%zu", i);
			v->nodes[i] = agnode(in, name, 1);
			obj = v->nodes[i];
			set(obj, "shape", n->type == GRAPH_MEMORY ? "cylinder" : "box");
			set(obj, "style", n->type == GRAPH_REMOTE || n->type == GRAPH_UNTRACED
					  ? "rounded,dashed" : "rounded");
			if (n->type == GRAPH_MEMORY)
				set(obj, "color", fam_color[kind_family(n->kind)]);
			if (n->outside)
				set(obj, "color", "#9A9A9A");
		}
		set_text(obj, "label", text);
		graph_text__node_tip(l, n, text, sizeof(text));
		set_text(obj, "tooltip", text);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];
		Agraph_t *cf, *ct;
		Agnode_t *a = anchor(g, v, e->from, &cf), *b = anchor(g, v, e->to, &ct);
		char pen[16];

		if (!a || !b)
			continue;
		snprintf(name, sizeof(name), "e%zu", i);
		v->edges[i] = agedge(v->g, a, b, name, 1);
		if (!v->edges[i])
			return -ENOMEM;
		if (cf)
			set(v->edges[i], "ltail", agnameof(cf));
		if (ct)
			set(v->edges[i], "lhead", agnameof(ct));
		graph_text__edge_label(l, g, e, text, sizeof(text));
		set_text(v->edges[i], "label", text);
		graph_text__edge_tip(l, g, e, text, sizeof(text));
		set_text(v->edges[i], "tooltip", text);
		set(v->edges[i], "dir", edge_dir(e));
		set(v->edges[i], "color", e->type == GRAPH_WAKE ? fam_arrow_color[FAM_NONE]
				      : fam_arrow_color[kind_family(e->kind)]);
		snprintf(pen, sizeof(pen), "%.1f", graph_layout__pen(e));
		set(v->edges[i], "penwidth", pen);
		if (e->type == GRAPH_SYNC || e->type == GRAPH_WAKE)
			set(v->edges[i], "style", "dashed");
		if (e->type == GRAPH_ATTACH)
			set(v->edges[i], "arrowhead", "none");
	}
	return 0;
}

int graph_layout__dot(const struct graph *g, const struct lang *l, FILE *f)
{
	struct gv v;
	int err = gv_build(g, l, &v);

	if (!err && agwrite(v.g, f))
		err = -EIO;
	if (!err && (fflush(f) || ferror(f)))
		err = -EIO;
	gv_free(&v);
	return err;
}

static struct gl_box box_of(boxf b, double top)
{
	return (struct gl_box){ .x = b.LL.x, .y = top - b.UR.y, .w = b.UR.x - b.LL.x,
				.h = b.UR.y - b.LL.y };
}

static int read_edge(struct gl_edge *o, Agedge_t *e, double top)
{
	splines *s = ED_spl(e);
	bezier *bz;

	if (!s || s->size < 1 || s->list[0].size < 1)
		return 0;
	/* dot draws an edge as one Bezier unless it was split by concentrate, which we do not set */
	bz = &s->list[0];
	o->pts = calloc(bz->size, sizeof(*o->pts));
	if (!o->pts)
		return -ENOMEM;
	o->npts = bz->size;
	for (size_t k = 0; k < o->npts; k++) {
		o->pts[k][0] = bz->list[k].x;
		o->pts[k][1] = top - bz->list[k].y;
	}
	o->arrow_start = bz->sflag;
	o->arrow_end = bz->eflag;
	o->start[0] = bz->sp.x;
	o->start[1] = top - bz->sp.y;
	o->end[0] = bz->ep.x;
	o->end[1] = top - bz->ep.y;
	if (ED_label(e)) {
		o->has_label = true;
		o->label[0] = ED_label(e)->pos.x;
		o->label[1] = top - ED_label(e)->pos.y;
	}
	return 0;
}

int graph_layout__new(const struct graph *g, const struct lang *lang, struct graph_layout **out)
{
	static GVC_t *gvc;
	struct graph_layout *l = calloc(1, sizeof(*l));
	struct gv v;
	double top;
	int err;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	err = gv_build(g, lang, &v);
	if (err)
		goto out;
	/* one context for the process: Graphviz 2.42 leaks a little of each one it frees */
	if (!gvc)
		gvc = gvContextPlugins(builtins, 0);
	if (!gvc || gvLayout(gvc, v.g, "dot")) {
		err = -EIO;
		goto out;
	}
	top = GD_bb(v.g).UR.y;
	l->width = GD_bb(v.g).UR.x;
	l->height = top;
	l->nnodes = g->nnodes;
	l->nedges = g->nedges;
	l->nhosts = g->nhosts;
	l->nodes = calloc(g->nnodes + 1, sizeof(*l->nodes));
	l->procs = calloc(g->nnodes + 1, sizeof(*l->procs));
	l->hosts = calloc(g->nhosts + 1, sizeof(*l->hosts));
	l->edges = calloc(g->nedges + 1, sizeof(*l->edges));
	if (!l->nodes || !l->procs || !l->hosts || !l->edges) {
		err = -ENOMEM;
		goto layout_out;
	}
	/* dot lays out (and gives a box record to) only clusters that hold a node */
	for (size_t i = 0; i < g->nhosts; i++)
		if (agnnodes(v.hosts[i]) > 0)
			l->hosts[i] = box_of(GD_bb(v.hosts[i]), top);
	for (size_t i = 0; i < g->nnodes; i++) {
		if (v.procs[i]) {
			if (agnnodes(v.procs[i]) > 0)
				l->procs[i] = box_of(GD_bb(v.procs[i]), top);
			l->nodes[i] = l->procs[i];
			continue;
		}
		l->nodes[i] = (struct gl_box){
			.w = ND_width(v.nodes[i]) * 72, .h = ND_height(v.nodes[i]) * 72,
		};
		l->nodes[i].x = ND_coord(v.nodes[i]).x - l->nodes[i].w / 2;
		l->nodes[i].y = top - ND_coord(v.nodes[i]).y - l->nodes[i].h / 2;
	}
	for (size_t i = 0; i < g->nedges && !err; i++)
		if (v.edges[i])
			err = read_edge(&l->edges[i], v.edges[i], top);
layout_out:
	gvFreeLayout(gvc, v.g);
out:
	gv_free(&v);
	if (err) {
		graph_layout__free(l);
		return err;
	}
	*out = l;
	return 0;
}

void graph_layout__free(struct graph_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nedges; i++)
		free(l->edges[i].pts);
	free(l->nodes);
	free(l->procs);
	free(l->hosts);
	free(l->edges);
	free(l);
}
