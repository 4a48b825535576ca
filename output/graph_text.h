/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The words of the communication graph, from the language tables (lang.h):
 * node and edge labels (lines separated by '\n'), their tooltips, the
 * machine boxes' titles, the legend and footnote. Untrusted names are copied
 * as they are: each output escapes them its own way (svg_writer for SVG,
 * graph_layout for DOT). l NULL is English.
 */
#ifndef IPCTRACE_GRAPH_TEXT_H
#define IPCTRACE_GRAPH_TEXT_H

#include <stddef.h>
#include "graph.h"

#define GRAPH_TEXT_MAX 512

struct lang;

void graph_text__node_label(const struct lang *l, const struct graph_node *n, char *buf,
			    size_t size);
void graph_text__node_tip(const struct lang *l, const struct graph_node *n, char *buf, size_t size);
void graph_text__edge_label(const struct lang *l, const struct graph *g,
			    const struct graph_edge *e, char *buf, size_t size);
void graph_text__edge_tip(const struct lang *l, const struct graph *g, const struct graph_edge *e,
			  char *buf, size_t size);
void graph_text__host_label(const struct lang *l, const struct graph_host *h, char *buf,
			    size_t size);
/* Channels the graph cannot draw as a line, "" when none. */
void graph_text__footnote(const struct lang *l, const struct graph *g, char *buf, size_t size);
/* The legend's i-th line, NULL past the last. */
const char *graph_text__legend(const struct lang *l, size_t i);

#endif /* IPCTRACE_GRAPH_TEXT_H */
