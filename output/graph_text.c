// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The words of the communication graph (labels, tooltips, legend), from the language tables. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "graph_text.h"
#include "lang.h"

static void add(char *buf, size_t size, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, size - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + (size_t)n < size ? *o + (size_t)n : size - 1;
}

/* "1, 2, 3" of the first members, "…" past 16. */
static void member_list(const struct graph_node *n, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n->nmembers && i < 16; i++)
		add(buf, size, &o, "%s%u", i ? ", " : "", n->members[i]);
	if (n->nmembers > 16)
		add(buf, size, &o, ", \xe2\x80\xa6");
}

static const char *times(uint32_t count)
{
	return count > 1 ? " \xc3\x97 " : "";
}

void graph_text__node_label(const struct lang *l, const struct graph_node *n, char *buf,
			    size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	switch (n->type) {
	case GRAPH_PROCESS:
		if (n->count > 1)
			add(buf, size, &o, "%u%s", n->count, times(n->count));
		add(buf, size, &o, "%s\n", n->name);
		if (strcmp(n->role, n->name))
			add(buf, size, &o, "%.60s\n", n->role);
		add(buf, size, &o, tr(l, n->count > 1 ? T_GRAPH_BUSIEST_PID : T_GRAPH_PID),
		    model_host_pid(n->pid));
		if (n->nthreads > n->count)
			add(buf, size, &o, tr(l, T_GRAPH_N_THREADS), n->nthreads);
		break;
	case GRAPH_THREAD:
		if (n->count > 1)
			add(buf, size, &o, "%u%s", n->count, times(n->count));
		add(buf, size, &o, "%s\n", n->name);
		add(buf, size, &o, tr(l, n->count > 1 ? T_GRAPH_BUSIEST_TID : T_GRAPH_TID),
		    model_host_pid(n->tid));
		break;
	case GRAPH_MEMORY:
		add(buf, size, &o, "%s #%d\n%.40s", kind_name(n->kind), n->chan, n->name);
		break;
	case GRAPH_REMOTE:
		add(buf, size, &o, "%s\n%s", n->name, tr(l, T_UNTRACED));
		break;
	case GRAPH_UNTRACED:
		add(buf, size, &o, "%s", tr(l, T_GRAPH_UNTRACED_BOX));
		break;
	}
}

void graph_text__node_tip(const struct lang *l, const struct graph_node *n, char *buf, size_t size)
{
	char cpu[32], blk[32], ids[160];
	size_t o = 0;

	fmt_dur(cpu, sizeof(cpu), n->cpu_ns);
	fmt_dur(blk, sizeof(blk), n->blocked_ns);
	member_list(n, ids, sizeof(ids));
	buf[0] = '\0';
	switch (n->type) {
	case GRAPH_PROCESS:
		if (n->count > 1)
			add(buf, size, &o, tr(l, T_GRAPH_TIP_GROUP), n->name, n->role, n->count, ids, model_host_pid(n->pid),
			    n->nthreads, cpu, blk);
		else
			add(buf, size, &o, tr(l, T_GRAPH_TIP_PROCESS), n->name, n->role, model_host_pid(n->pid),
			    n->nthreads, cpu, blk);
		if (n->outside)
			add(buf, size, &o, "%s", tr(l, T_GRAPH_TIP_OUTSIDE));
		break;
	case GRAPH_THREAD:
		if (n->count > 1)
			add(buf, size, &o, tr(l, T_GRAPH_TIP_POOL), n->name, model_host_pid(n->pid), n->count, ids,
			    model_host_pid(n->tid),
			    cpu, blk);
		else
			add(buf, size, &o, tr(l, T_GRAPH_TIP_THREAD), n->name, model_host_pid(n->pid),
			    model_host_pid(n->tid), cpu, blk);
		break;
	case GRAPH_MEMORY:
		add(buf, size, &o, tr(l, T_GRAPH_TIP_MEMORY), n->chan, kind_name(n->kind), n->name);
		break;
	case GRAPH_REMOTE:
		add(buf, size, &o, tr(l, T_GRAPH_TIP_REMOTE), n->name);
		break;
	case GRAPH_UNTRACED:
		add(buf, size, &o, "%s", tr(l, T_GRAPH_TIP_UNTRACED));
		break;
	}
}

static uint64_t wakeups(const struct graph_edge *e)
{
	return e->wakeups + e->wakeups_back;
}

void graph_text__edge_label(const struct lang *l, const struct graph *g,
			    const struct graph_edge *e, char *buf, size_t size)
{
	char a[32], b[32];
	size_t o = 0;

	buf[0] = '\0';
	if (e->type == GRAPH_WAKE) {
		add(buf, size, &o, trn(l, T_GRAPH_WAKEUPS_1, wakeups(e)), wakeups(e));
		return;
	}
	if (e->nchans > 1)
		add(buf, size, &o, "%u%s", e->nchans, times(e->nchans));
	add(buf, size, &o, "%s", kind_name(e->kind));
	switch (e->type) {
	case GRAPH_DATA:
		if (e->bytes && e->bytes_back)
			add(buf, size, &o, "\n\xe2\x86\x92 %s \xc2\xb7 \xe2\x86\x90 %s",
			    fmt_bytes(a, sizeof(a), e->bytes), fmt_bytes(b, sizeof(b), e->bytes_back));
		else if (e->bytes || e->messages) {
			add(buf, size, &o, "\n");
			add(buf, size, &o, tr(l, T_GRAPH_BYTES_MSGS), fmt_bytes(a, sizeof(a), e->bytes),
			    e->messages + e->messages_back);
		} else {
			add(buf, size, &o, "\n%s", tr(l, T_GRAPH_NO_DATA));
		}
		break;
	case GRAPH_SYNC:
		if (wakeups(e)) {
			add(buf, size, &o, "\n");
			add(buf, size, &o, trn(l, T_GRAPH_WAKEUPS_1, wakeups(e)), wakeups(e));
		}
		break;
	case GRAPH_WAKE:
	case GRAPH_ATTACH:
		break;
	}
}

void graph_text__edge_tip(const struct lang *l, const struct graph *g, const struct graph_edge *e,
			  char *buf, size_t size)
{
	const struct graph_node *f = &g->nodes[e->from], *t = &g->nodes[e->to];
	const char *fn = f->type == GRAPH_UNTRACED ? tr(l, T_UNTRACED) : f->name;
	const char *tn = t->type == GRAPH_UNTRACED ? tr(l, T_UNTRACED) : t->name;
	char a[32], b[32];
	size_t o = 0;

	buf[0] = '\0';
	switch (e->type) {
	case GRAPH_DATA:
		add(buf, size, &o, tr(l, T_GRAPH_TIP_DATA), kind_name(e->kind),
		    tr(l, T_DIR_NONE + e->direction), fn, tn, fmt_bytes(a, sizeof(a), e->bytes),
		    e->messages);
		if (e->bytes_back || e->messages_back)
			add(buf, size, &o, tr(l, T_GRAPH_TIP_DATA_BACK), tn, fn,
			    fmt_bytes(b, sizeof(b), e->bytes_back), e->messages_back);
		break;
	case GRAPH_SYNC:
		add(buf, size, &o, tr(l, T_GRAPH_TIP_SYNC), kind_name(e->kind), fn, tn, e->wakeups);
		if (e->wakeups_back)
			add(buf, size, &o, tr(l, T_GRAPH_TIP_SYNC_BACK), tn, fn, e->wakeups_back);
		break;
	case GRAPH_WAKE:
		add(buf, size, &o, tr(l, T_GRAPH_TIP_WAKE), fn, tn, e->wakeups);
		break;
	case GRAPH_ATTACH:
		add(buf, size, &o, tr(l, T_GRAPH_TIP_ATTACH), fn, tn);
		break;
	}
	if (e->nchans > 1)
		add(buf, size, &o, tr(l, T_GRAPH_TIP_MERGED), e->nchans, e->chan);
	else if (e->chan)
		add(buf, size, &o, tr(l, T_GRAPH_TIP_CHANNEL), e->chan);
}

void graph_text__host_label(const struct lang *l, const struct graph_host *h, char *buf,
			    size_t size)
{
	if (h->local && !h->name[0])
		snprintf(buf, size, "%s", tr(l, T_GRAPH_HOST_LOCAL));
	else
		snprintf(buf, size, tr(l, h->local ? T_GRAPH_HOST_LOCAL_NAMED : T_GRAPH_HOST_REMOTE),
			 h->name);
}

void graph_text__footnote(const struct lang *l, const struct graph *g, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	if (g->chans_one_end)
		add(buf, size, &o, tr(l, T_GRAPH_FOOT_ONE_END), g->chans_one_end);
	if (g->chans_inside)
		add(buf, size, &o, tr(l, T_GRAPH_FOOT_INSIDE), g->chans_inside);
	if (o)
		add(buf, size, &o, "%s", tr(l, T_GRAPH_FOOT_REPORT));
}

const char *graph_text__legend(const struct lang *l, size_t i)
{
	static const enum text_id lines[] = {
		T_GRAPH_LG_BOX, T_GRAPH_LG_LINE, T_GRAPH_LG_DASHED, T_GRAPH_LG_MEMORY,
	};

	return i < sizeof(lines) / sizeof(lines[0]) ? tr(l, lines[i]) : NULL;
}
