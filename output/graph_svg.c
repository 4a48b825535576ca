// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Drawing the laid-out communication graph with our SVG writer, palette and escaping. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "graph_svg.h"
#include "graph_text.h"
#include "lang.h"
#include "palette.h"
#include "svg_writer.h"

#define MARGIN 20.0
#define TITLE_H 44.0
#define LEGEND_LINE_H 16.0
#define ARROW_LEN 10.0
#define STACK_OFF 4.0          /* offset of the cards behind a group's box */

static void rect(struct svgw *w, const struct gl_box *b, double rx, const char *fill,
		 const char *stroke, double sw, const char *dash)
{
	svgw__open(w, "rect");
	svgw__attr_num(w, "x", b->x);
	svgw__attr_num(w, "y", b->y);
	svgw__attr_num(w, "width", b->w);
	svgw__attr_num(w, "height", b->h);
	svgw__attr_num(w, "rx", rx);
	svgw__attr(w, "fill", "%s", fill);
	svgw__attr(w, "stroke", "%s", stroke);
	svgw__attr(w, "stroke-width", "%.1f", sw);
	if (dash)
		svgw__attr(w, "stroke-dasharray", "%s", dash);
	svgw__close(w);
}

/* Label lines centred on (cx, cy): the first bold, the rest smaller and grey. */
static void label_lines(struct svgw *w, const char *text, double cx, double cy, bool halo,
			const char *color)
{
	size_t n = 1, i = 0;
	double y;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	y = cy - (n - 1) * 13.0 / 2 + 4;
	for (const char *line = text; line; i++) {
		const char *nl = strchr(line, '\n');
		char buf[GRAPH_TEXT_MAX];

		snprintf(buf, sizeof(buf), "%.*s", nl ? (int)(nl - line) : (int)strlen(line), line);
		svgw__open(w, "text");
		svgw__attr_num(w, "x", cx);
		svgw__attr_num(w, "y", y + i * 13.0);
		svgw__attr(w, "text-anchor", "middle");
		svgw__attr(w, "font-size", "%s", i == 0 && !halo ? "11" : "10");
		if (i == 0 && !halo)
			svgw__attr(w, "font-weight", "bold");
		svgw__attr(w, "fill", "%s", i == 0 || halo ? color : "#555555");
		if (halo) {
			svgw__attr(w, "stroke", "#FFFFFF");
			svgw__attr(w, "stroke-width", "3");
			svgw__attr(w, "paint-order", "stroke");
		}
		svgw__text(w, buf);
		svgw__close(w);
		line = nl ? nl + 1 : NULL;
	}
}

static void tooltip(struct svgw *w, const char *text)
{
	svgw__element_text(w, "title", text);
}

static void draw_hosts(struct svgw *w, const struct graph *g, const struct graph_layout *l,
		       const struct lang *lang)
{
	char text[GRAPH_TEXT_MAX];

	for (size_t i = 0; i < g->nhosts; i++) {
		const struct gl_box *b = &l->hosts[i];

		graph_text__host_label(lang, &g->hosts[i], text, sizeof(text));
		svgw__open(w, "g");
		svgw__attr(w, "class", "ghost");
		tooltip(w, text);
		rect(w, b, 10, g->hosts[i].local ? "#FBFBFB" : "#FFFFFF", "#8C8C8C", 1.2,
		     g->hosts[i].local ? NULL : "6 4");
		svgw__open(w, "text");
		svgw__attr_num(w, "x", b->x + 10);
		svgw__attr_num(w, "y", b->y + 16);
		svgw__attr(w, "font-size", "12");
		svgw__attr(w, "font-weight", "bold");
		svgw__attr(w, "fill", "#555555");
		svgw__text(w, text);
		svgw__close(w);
		svgw__close(w);
	}
}

static void cylinder(struct svgw *w, const struct gl_box *b, const char *color)
{
	double ry = fmin(8, b->h / 6);

	svgw__open(w, "path");
	svgw__attr(w, "d", "M%.1f %.1fv%.1fa%.1f %.1f 0 0 0 %.1f 0v%.1fa%.1f %.1f 0 0 0 %.1f 0z"
		   "M%.1f %.1fa%.1f %.1f 0 0 0 %.1f 0", b->x, b->y + ry, b->h - 2 * ry, b->w / 2, ry,
		   b->w, -(b->h - 2 * ry), b->w / 2, ry, -b->w, b->x, b->y + ry, b->w / 2, ry, b->w);
	svgw__attr(w, "fill", "#FFF6E5");
	svgw__attr(w, "stroke", "%s", color);
	svgw__attr(w, "stroke-width", "1.5");
	svgw__close(w);
}

static void draw_node(struct svgw *w, const struct graph *g, const struct graph_layout *l,
		      const struct lang *lang, size_t i)
{
	const struct graph_node *n = &g->nodes[i];
	const struct gl_box *b = &l->nodes[i];
	const char *stroke = n->outside ? "#9A9A9A" : "#333333";
	char text[GRAPH_TEXT_MAX];

	svgw__open(w, "g");
	svgw__attr(w, "class", "gnode %s", n->type == GRAPH_PROCESS ? "gproc" : n->type == GRAPH_THREAD
		   ? "gthread" : n->type == GRAPH_MEMORY ? "gmem" : n->type == GRAPH_REMOTE ? "gremote"
		   : "guntraced");
	/* what scripts and tests read back: the node's members and count */
	svgw__attr(w, "id", "gn%zu", i);
	svgw__attr(w, "data-count", "%u", n->count);
	if (n->type == GRAPH_PROCESS || n->type == GRAPH_THREAD) {
		char ids[512];
		size_t o = 0;

		ids[0] = '\0';
		for (size_t k = 0; k < n->nmembers && o + 12 < sizeof(ids); k++)
			o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%u", k ? "," : "", n->members[k]);
		svgw__attr(w, n->type == GRAPH_PROCESS ? "data-pids" : "data-tids", "%s", ids);
	}
	graph_text__node_tip(lang, n, text, sizeof(text));
	tooltip(w, text);
	graph_text__node_label(lang, n, text, sizeof(text));
	if (n->type == GRAPH_PROCESS && n->has_threads) {
		rect(w, b, 8, "#F1F1F1", stroke, 1.2, NULL);
		/* the process's name sits on its box's top edge; threads fill the rest */
		label_lines(w, text, b->x + b->w / 2, b->y + 16, false, n->outside ? "#777777" : "#222222");
		svgw__close(w);
		return;
	}
	switch (n->type) {
	case GRAPH_PROCESS:
		if (n->count > 1) {
			for (int k = 2; k >= 1; k--) {
				struct gl_box c = { b->x + k * STACK_OFF, b->y - k * STACK_OFF, b->w, b->h };

				rect(w, &c, 6, "#FFFFFF", stroke, 1, NULL);
			}
		}
		rect(w, b, 6, "#FFFFFF", stroke, n->outside ? 1 : 1.5, n->outside ? "3 2" : NULL);
		break;
	case GRAPH_THREAD:
		if (n->count > 1) {
			struct gl_box c = { b->x + STACK_OFF, b->y - STACK_OFF, b->w, b->h };

			rect(w, &c, 10, "#FFFFFF", "#0072B2", 1, NULL);
		}
		rect(w, b, 10, "#EAF3FB", "#0072B2", 1.2, NULL);
		break;
	case GRAPH_MEMORY:
		cylinder(w, b, fam_color[kind_family(n->kind)]);
		break;
	case GRAPH_REMOTE:
	case GRAPH_UNTRACED:
		rect(w, b, 6, "#FFFFFF", "#555555", 1.2, "5 3");
		break;
	}
	label_lines(w, text, b->x + b->w / 2, b->y + b->h / 2 + (n->type == GRAPH_MEMORY ? 4 : 0), false,
		    n->outside ? "#777777" : "#222222");
	svgw__close(w);
}

/* A filled arrowhead with its tip at tip, pointing away from base. */
static void arrowhead(struct svgw *w, const double tip[2], const double base[2], double pen,
		      const char *color)
{
	double dx = tip[0] - base[0], dy = tip[1] - base[1], len = hypot(dx, dy), hw;
	double bx, by, ux, uy;

	if (len < 0.01)
		return;
	ux = dx / len;
	uy = dy / len;
	bx = tip[0] - ux * ARROW_LEN;
	by = tip[1] - uy * ARROW_LEN;
	hw = 3.5 + pen * 0.6;
	svgw__open(w, "path");
	svgw__attr(w, "class", "ahead");
	svgw__attr(w, "d", "M%.1f %.1fL%.1f %.1fL%.1f %.1fz", tip[0], tip[1], bx - uy * hw, by + ux * hw,
		   bx + uy * hw, by - ux * hw);
	svgw__attr(w, "fill", "%s", color);
	svgw__close(w);
}

static void draw_edge(struct svgw *w, const struct graph *g, const struct graph_layout *l,
		      const struct lang *lang, size_t i)
{
	const struct graph_edge *e = &g->edges[i];
	const struct gl_edge *le = &l->edges[i];
	const char *color = e->type == GRAPH_WAKE ? fam_arrow_color[FAM_NONE]
			  : fam_arrow_color[kind_family(e->kind)];
	double pen = graph_layout__pen(e);
	char text[GRAPH_TEXT_MAX * 2], d[64];

	if (!le->npts)
		return;
	svgw__open(w, "g");
	svgw__attr(w, "class", "gedge %s", e->type == GRAPH_DATA ? "gdata" : e->type == GRAPH_SYNC
		   ? "gsync" : e->type == GRAPH_ATTACH ? "gattach" : "gwake");
	svgw__attr(w, "data-kind", "%s", e->type == GRAPH_WAKE ? "wakeup" : kind_name(e->kind));
	svgw__attr(w, "data-from", "gn%d", e->from);
	svgw__attr(w, "data-to", "gn%d", e->to);
	svgw__attr(w, "data-bytes", "%llu", (unsigned long long)e->bytes);
	svgw__attr(w, "data-bytes-back", "%llu", (unsigned long long)e->bytes_back);
	svgw__attr(w, "data-channels", "%u", e->nchans);
	graph_text__edge_tip(lang, g, e, text, sizeof(text));
	tooltip(w, text);
	svgw__open(w, "path");
	{
		/* the curve, built point by point: M x y C ... */
		char path[64 * 64];
		size_t o = 0;

		for (size_t k = 0; k < le->npts && o + 40 < sizeof(path); k++) {
			snprintf(d, sizeof(d), "%s%.1f %.1f", k == 0 ? "M" : k == 1 ? "C" : " ",
				 le->pts[k][0], le->pts[k][1]);
			o += (size_t)snprintf(path + o, sizeof(path) - o, "%s", d);
		}
		svgw__attr(w, "d", "%s", path);
	}
	svgw__attr(w, "fill", "none");
	svgw__attr(w, "stroke", "%s", color);
	svgw__attr(w, "stroke-width", "%.1f", e->type == GRAPH_WAKE ? 1 : pen);
	if (e->type == GRAPH_SYNC || e->type == GRAPH_WAKE)
		svgw__attr(w, "stroke-dasharray", "5 3");
	svgw__close(w);
	if (le->arrow_end)
		arrowhead(w, le->end, le->pts[le->npts - 1], pen, color);
	if (le->arrow_start)
		arrowhead(w, le->start, le->pts[0], pen, color);
	if (le->has_label) {
		graph_text__edge_label(lang, g, e, text, sizeof(text));
		label_lines(w, text, le->label[0], le->label[1], true, "#222222");
	}
	svgw__close(w);
}

static void draw_graph(struct svgw *w, const struct graph *g, const struct graph_layout *l,
		       const struct lang *lang)
{
	draw_hosts(w, g, l, lang);
	/* process boxes around their threads first, so the threads lie on top */
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].type == GRAPH_PROCESS && g->nodes[i].has_threads)
			draw_node(w, g, l, lang, i);
	for (size_t i = 0; i < g->nnodes; i++)
		if (!(g->nodes[i].type == GRAPH_PROCESS && g->nodes[i].has_threads))
			draw_node(w, g, l, lang, i);
	for (size_t i = 0; i < g->nedges; i++)
		draw_edge(w, g, l, lang, i);
}

static double panel_scale(const struct graph_layout *l, double maxw, double maxh)
{
	double s = 1;

	if (l->width > maxw)
		s = maxw / l->width;
	if (l->height * s > maxh)
		s = maxh / l->height;
	return s;
}

double graph_svg__panel_height(const struct graph_layout *l, double maxw, double maxh)
{
	return l->height * panel_scale(l, maxw, maxh);
}

void graph_svg__panel(struct svgw *w, const struct graph *g, const struct graph_layout *l,
		      const struct lang *lang, double x, double y, double maxw, double maxh)
{
	double s = panel_scale(l, maxw, maxh);

	svgw__open(w, "g");
	svgw__attr(w, "class", "graph");
	svgw__attr(w, "transform", "translate(%.1f %.1f) scale(%.4f)", x, y, s);
	draw_graph(w, g, l, lang);
	svgw__close(w);
}

static size_t legend_count(const struct lang *lang)
{
	size_t n = 0;

	while (graph_text__legend(lang, n))
		n++;
	return n;
}

int graph_svg__page(const struct graph *g, const struct graph_layout *l, const struct lang *lang,
		    const char *title, const char *note, FILE *out)
{
	double gw = l ? l->width : 0, gh = l ? l->height : 40;
	double page_w = fmax(gw + 2 * MARGIN, 760), page_h, y;
	char foot[GRAPH_TEXT_MAX];
	struct svgw *w;

	graph_text__footnote(lang, g, foot, sizeof(foot));
	/* the traced command says more than the recorder's own options (as the timeline's title) */
	if (title && strstr(title, " -- ") && strstr(title, " -- ")[4])
		title = strstr(title, " -- ") + 4;
	page_h = TITLE_H + (note ? 16 : 0) + gh + 20 + LEGEND_LINE_H * (legend_count(lang) + (foot[0] ? 1 : 0)) +
		 MARGIN;
	w = svgw__new(out);
	if (!w)
		return -ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	svgw__open(w, "svg");
	svgw__attr(w, "xmlns", "http://www.w3.org/2000/svg");
	svgw__attr_num(w, "width", page_w);
	svgw__attr_num(w, "height", page_h);
	svgw__attr(w, "viewBox", "0 0 %.0f %.0f", page_w, page_h);
	svgw__attr(w, "font-family", "%s", tr_font(lang));
	svgw__open(w, "title");
	svgw__text(w, "ipctrace graph: ");
	svgw__text_trunc(w, title && *title ? title : "trace", 200);
	svgw__close(w);
	svgw__open(w, "desc");
	svgw__textf(w, "The communication graph of a trace: %zu boxes (processes, threads, shared "
		    "memory, remote peers) and %zu lines (channels and wakeups) between them.",
		    g->nnodes, g->nedges);
	svgw__close(w);
	svgw__open(w, "rect");
	svgw__attr(w, "width", "100%%");
	svgw__attr(w, "height", "100%%");
	svgw__attr(w, "fill", "#FFFFFF");
	svgw__close(w);
	svgw__open(w, "text");
	svgw__attr_num(w, "x", MARGIN);
	svgw__attr_num(w, "y", MARGIN + 10);
	svgw__attr(w, "font-size", "18");
	svgw__attr(w, "font-weight", "bold");
	svgw__attr(w, "fill", "#222222");
	svgw__textf(w, "%s: ", tr(lang, T_GRAPH_TITLE));
	/* about 10 px a character at 18 px bold: the title stays on the page */
	svgw__text_trunc(w, title && *title ? title : "trace",
			 (size_t)fmax(20, (page_w - 2 * MARGIN) / 10.5 - utf8_chars(tr(lang, T_GRAPH_TITLE)) - 2));
	svgw__close(w);
	y = TITLE_H;
	if (note) {
		svgw__open(w, "text");
		svgw__attr_num(w, "x", MARGIN);
		svgw__attr_num(w, "y", y);
		svgw__attr(w, "font-size", "12");
		svgw__attr(w, "fill", "#C00000");
		svgw__text_trunc(w, note, 160);
		svgw__close(w);
		y += 16;
	}
	if (l && g->nnodes) {
		svgw__open(w, "g");
		svgw__attr(w, "class", "graph");
		svgw__attr(w, "transform", "translate(%.1f %.1f)", MARGIN, y);
		draw_graph(w, g, l, lang);
		svgw__close(w);
	} else {
		svgw__open(w, "text");
		svgw__attr_num(w, "x", MARGIN);
		svgw__attr_num(w, "y", y + 20);
		svgw__attr(w, "font-size", "12");
		svgw__attr(w, "fill", "#777777");
		svgw__text(w, tr(lang, T_GRAPH_EMPTY));
		svgw__close(w);
	}
	y += gh + 20;
	for (size_t i = 0; graph_text__legend(lang, i); i++, y += LEGEND_LINE_H) {
		svgw__open(w, "text");
		svgw__attr_num(w, "x", MARGIN);
		svgw__attr_num(w, "y", y);
		svgw__attr(w, "font-size", "11");
		svgw__attr(w, "fill", "#444444");
		svgw__text(w, graph_text__legend(lang, i));
		svgw__close(w);
	}
	if (foot[0]) {
		svgw__open(w, "text");
		svgw__attr_num(w, "x", MARGIN);
		svgw__attr_num(w, "y", y);
		svgw__attr(w, "font-size", "11");
		svgw__attr(w, "fill", "#777777");
		svgw__text(w, foot);
		svgw__close(w);
	}
	svgw__close(w);
	return svgw__free(w);
}
