// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The communication graph, the shared filters and roles, on synthetic models. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "graph.h"
#include "graph_layout.h"
#include "graph_svg.h"
#include "group.h"
#include "role.h"
#include "synth.h"
#include "trace.h"

#define P1 0x1001
#define P2 0x1002

/* seq | sort | uniq: two pipes, three processes. */
static struct model *pipeline(void)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 10, 10, "seq");
	ev_task(m, 1000, 20, 20, "sort");
	ev_task(m, 1000, 30, 30, "uniq");
	ev_chan(m, 1000, 10, P1, IPCT_KIND_PIPE, 0, 41, NULL);
	ev_chan(m, 1000, 20, P2, IPCT_KIND_PIPE, 0, 42, NULL);
	ev_sys(m, 10, 10, 2000, 2100, IPCT_OP_WRITE, P1, 4096, 0);
	ev_sys(m, 20, 20, 2000, 2200, IPCT_OP_READ, P1, 4096, 0);
	ev_sys(m, 20, 20, 3000, 3100, IPCT_OP_WRITE, P2, 100, 0);
	ev_sys(m, 30, 30, 3000, 3200, IPCT_OP_READ, P2, 100, 0);
	model__finish(m);
	return m;
}

static int node_by_pid(const struct graph *g, uint32_t pid)
{
	for (size_t i = 0; i < g->nnodes; i++)
		for (size_t j = 0; j < g->nodes[i].nmembers; j++)
			if (g->nodes[i].type == GRAPH_PROCESS && g->nodes[i].members[j] == pid)
				return (int)i;
	return -1;
}

static struct graph *build(const struct model *m, const struct graph_opts *o)
{
	struct graph *g = graph__new(o);

	cr_assert_not_null(g);
	cr_assert_eq(graph__build(g, m), 0);
	return g;
}

Test(graph, pipeline_is_two_one_way_edges)
{
	struct model *m = pipeline();
	struct graph *g = build(m, NULL);
	int seq = node_by_pid(g, 10), sort = node_by_pid(g, 20), uniq = node_by_pid(g, 30);

	cr_assert_eq(g->nnodes, 3);
	cr_assert_eq(g->nedges, 2);
	for (size_t i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];

		cr_assert_eq(e->type, GRAPH_DATA);
		cr_assert_eq(e->kind, IPCT_KIND_PIPE);
		cr_assert_eq(e->bytes_back, 0, "one way: nothing back");
		if (e->from == seq) {
			cr_assert_eq(e->to, sort);
			cr_assert_eq(e->bytes, 4096);
		} else {
			cr_assert_eq(e->from, sort);
			cr_assert_eq(e->to, uniq);
			cr_assert_eq(e->bytes, 100);
		}
	}
	graph__free(g);
	model__free(m);
}

/* n workers (siblings, one comm) each writing its own pipe to one collector. */
static struct model *workers(int n, bool talk_to_each_other)
{
	struct model *m = synth_model(NULL, false);

	ev_task(m, 1000, 100, 100, "collector");
	for (int i = 0; i < n; i++) {
		ev_task(m, 1000, 200 + i, 200 + i, "worker");
		ev_chan(m, 1000, 200 + i, 0x2000 + i, IPCT_KIND_PIPE, 0, 500 + i, NULL);
		ev_sys(m, 200 + i, 200 + i, 2000 + i * 100, 2050 + i * 100, IPCT_OP_WRITE,
		       0x2000 + i, 10 * (i + 1), 0);
		ev_sys(m, 100, 100, 2000 + i * 100, 2080 + i * 100, IPCT_OP_READ, 0x2000 + i,
		       10 * (i + 1), 0);
		/* the later a worker, the less it sleeps: the last is the busiest */
		ev_sleep(m, 200 + i, 200 + i, 10000, 10000 + (n - i) * 1000, 10000 + (n - i) * 1000,
			 1, 0, 0, 0, 0);
	}
	if (talk_to_each_other) {
		ev_chan(m, 1000, 200, 0x3000, IPCT_KIND_PIPE, 0, 900, NULL);
		ev_sys(m, 200, 200, 9000, 9050, IPCT_OP_WRITE, 0x3000, 5, 0);
		ev_sys(m, 201, 201, 9000, 9080, IPCT_OP_READ, 0x3000, 5, 0);
	}
	model__finish(m);
	return m;
}

Test(graph, siblings_of_one_role_become_one_node)
{
	struct model *m = workers(5, false);
	struct graph *g = build(m, NULL);
	int w = node_by_pid(g, 200);

	cr_assert_eq(g->nnodes, 2, "the collector and 5 x worker");
	cr_assert_eq(g->nodes[w].count, 5);
	cr_assert_eq(g->nodes[w].pid, 204, "the busiest (least asleep) names the group");
	cr_assert_eq(g->nedges, 1, "five pipes between the same two boxes are one line");
	cr_assert_eq(g->edges[0].nchans, 5);
	cr_assert_eq(g->edges[0].bytes, 10 + 20 + 30 + 40 + 50);
	graph__free(g);

	g = build(m, &(struct graph_opts){ .no_group = true });
	cr_assert_eq(g->nnodes, 6);
	cr_assert_eq(g->nedges, 5);
	graph__free(g);
	model__free(m);
}

Test(graph, siblings_that_talk_to_each_other_stay_apart)
{
	struct model *m = workers(3, true);
	struct graph *g = build(m, NULL);

	cr_assert_neq(node_by_pid(g, 200), node_by_pid(g, 201),
		      "grouping them would hide the pipe between them");
	cr_assert_eq(g->chans_inside, 0);
	graph__free(g);
	model__free(m);
}

Test(graph, kind_filter_draws_only_those_channels_and_their_processes)
{
	struct model *m = pipeline();
	uint32_t pid = 30;
	struct model_filter f = { .kinds = 1u << IPCT_KIND_TCP };
	struct graph *g = build(m, &(struct graph_opts){ .filter = &f });

	cr_assert_eq(g->nnodes, 0);
	cr_assert_eq(g->nedges, 0);
	graph__free(g);

	/* uniq chosen: its channel is drawn, sort as the peer outside the choice */
	f = (struct model_filter){ .pids = &pid, .npids = 1 };
	g = build(m, &(struct graph_opts){ .filter = &f });
	cr_assert_eq(g->nnodes, 2);
	cr_assert_eq(g->nedges, 1);
	cr_assert(g->nodes[node_by_pid(g, 20)].outside);
	cr_assert_not(g->nodes[node_by_pid(g, 30)].outside);
	graph__free(g);
	model__free(m);
}

Test(graph, shared_memory_is_a_node_and_futex_wakes_are_dashed_edges)
{
	struct model *m = synth_model(NULL, false);
	struct graph *g;
	int mem = -1;

	ev_task(m, 1000, 10, 10, "producer");
	ev_task(m, 1000, 20, 20, "consumer");
	ev_chan(m, 1000, 10, 0x50, IPCT_KIND_SHM, 0, 77, "/dev/shm/x");
	ev_sys(m, 10, 10, 1500, 1600, IPCT_OP_MMAP, 0x50, 0x7f0000, 0);
	ev_sys(m, 20, 20, 1500, 1600, IPCT_OP_MMAP, 0x50, 0x7f0000, 0);
	ev_chan(m, 1000, 10, 0x60, IPCT_KIND_FUTEX, 0, 77, NULL);
	ev_sys(m, 20, 20, 2000, 3000, IPCT_OP_FUTEX_WAIT, 0x60, 0, 0);
	ev_sleep(m, 20, 20, 2100, 2900, 2950, 1, IPCT_OP_FUTEX_WAIT, 0x60, 10, 0x60);
	ev_sys(m, 10, 10, 2890, 2910, IPCT_OP_FUTEX_WAKE, 0x60, 1, 0);
	model__finish(m);
	g = build(m, NULL);
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].type == GRAPH_MEMORY)
			mem = (int)i;
	cr_assert_geq(mem, 0, "the mapping is a node");
	for (size_t i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];

		if (e->type == GRAPH_ATTACH)
			cr_assert_eq(e->to, mem);
		if (e->type == GRAPH_SYNC) {
			cr_assert_eq(e->kind, IPCT_KIND_FUTEX);
			cr_assert_eq(e->from, node_by_pid(g, 10), "the waker");
			cr_assert_eq(e->wakeups, 1);
		}
	}
	graph__free(g);
	model__free(m);
}

Test(graph, threads_that_wake_each_other_are_drawn_inside_their_process)
{
	struct model *m = synth_model(NULL, false);
	struct graph *g = graph__new(NULL);
	struct model_wake w = { .chan = 0, .waker_pid = 10, .waker_tid = 11, .wakee_pid = 10,
				.wakee_tid = 12 };
	int proc, threads = 0;

	ev_task(m, 1000, 10, 10, "app");
	ev_task(m, 1000, 10, 11, "producer");
	ev_task(m, 1000, 10, 12, "consumer");
	model__finish(m);
	for (int i = 0; i < 3; i++)
		graph__on_wake(g, &w);
	cr_assert_eq(graph__build(g, m), 0);
	proc = node_by_pid(g, 10);
	cr_assert(g->nodes[proc].has_threads);
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].type == GRAPH_THREAD) {
			threads++;
			cr_assert_eq(g->nodes[i].parent, proc);
		}
	cr_assert_eq(threads, 2);
	cr_assert_eq(g->nedges, 1);
	cr_assert_eq(g->edges[0].wakeups, 3);
	graph__free(g);
	model__free(m);
}

Test(graph, remote_peers_are_a_machine_of_their_own)
{
	struct model *m = synth_model(NULL, false);
	struct graph *g;
	int remote = -1;

	ev_task(m, 1000, 10, 10, "client");
	ev_inet(m, 1000, 10, 0x70, IPCT_KIND_TCP, "10.0.0.1", 40000, "10.9.9.9", 80);
	ev_sys(m, 10, 10, 2000, 2100, IPCT_OP_SEND, 0x70, 300, 0);
	ev_sys(m, 10, 10, 3000, 3100, IPCT_OP_RECV, 0x70, 5000, 0);
	model__finish(m);
	cr_assert(m->nchannels == 1 && m->channels[0].remote);
	g = build(m, NULL);
	cr_assert_eq(g->nhosts, 2);
	cr_assert(g->hosts[0].local);
	cr_assert_str_eq(g->hosts[1].name, "10.9.9.9");
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].type == GRAPH_REMOTE)
			remote = (int)i;
	cr_assert_geq(remote, 0);
	cr_assert_eq(g->nodes[remote].host, 1);
	cr_assert_eq(g->nedges, 1);
	cr_assert_eq(g->edges[0].bytes + g->edges[0].bytes_back, 5300);
	graph__free(g);
	model__free(m);
}

Test(graph, dot_escapes_untrusted_names)
{
	struct model *m = synth_model(NULL, false);
	struct graph *g;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ev_task(m, 1000, 10, 10, "a\"b\\N\x01");
	ev_task(m, 1000, 20, 20, "reader");
	ev_chan(m, 1000, 10, P1, IPCT_KIND_PIPE, 0, 41, NULL);
	ev_sys(m, 10, 10, 2000, 2100, IPCT_OP_WRITE, P1, 1, 0);
	ev_sys(m, 20, 20, 2000, 2200, IPCT_OP_READ, P1, 1, 0);
	model__finish(m);
	g = build(m, NULL);
	cr_assert_eq(graph_layout__dot(g, NULL, f), 0);
	fclose(f);
	/* the quote escaped, the backslash doubled (no \N node-name escape), the control byte spelled */
	cr_assert(strstr(buf, "label=\"a\\\"b\\\\\\\\N\\\\x01\\npid 10\""), "%s", buf);
	free(buf);
	graph__free(g);
	model__free(m);
}

Test(graph, svg_page_draws_arrowheads_for_directions)
{
	struct model *m = pipeline();
	struct graph *g = build(m, NULL);
	struct graph_layout *l = NULL;
	char *buf = NULL, *p;
	size_t len = 0, heads = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(graph_layout__new(g, NULL, &l), 0);
	cr_assert_eq(graph_svg__page(g, l, NULL, "<t>", NULL, f), 0);
	fclose(f);
	for (p = buf; (p = strstr(p, "class=\"ahead\"")); p++)
		heads++;
	cr_assert_eq(heads, 2, "two simplex pipes, one arrowhead each");
	cr_assert(strstr(buf, "&lt;t&gt;"));
	cr_assert_null(strstr(buf, "<script"));
	free(buf);
	graph_layout__free(l);
	graph__free(g);
	model__free(m);
}

Test(filter, view_keeps_the_chosen_and_lookups_still_work)
{
	struct model *m = pipeline(), *v;
	int chan = 2;
	struct model_filter f = { .chans = &chan, .nchans = 1 };

	v = model_filter__view(m, &f);
	cr_assert_not_null(v);
	cr_assert_eq(v->nchannels, 1);
	cr_assert_eq(v->channels[0].id, 2);
	cr_assert_eq(v->nprocesses, 2, "sort and uniq, the ends of channel 2");
	cr_assert_not_null(model__process(v, 30));
	cr_assert_null(model__process(v, 10));
	cr_assert_not_null(model__thread(v, 20));
	cr_assert_eq(model_filter__unknown_chan(&(struct model_filter){ .chans = (int[]){ 9 },
									  .nchans = 1 }, m), 9);
	model__free(v);
	model__free(m);
}

Test(filter, min_bytes_and_kind)
{
	struct model *m = pipeline();

	cr_assert(model_filter__channel(&(struct model_filter){ .min_bytes = 4096 }, &m->channels[0]));
	cr_assert_not(model_filter__channel(&(struct model_filter){ .min_bytes = 4097 },
					    &m->channels[0]));
	cr_assert_not(model_filter__channel(&(struct model_filter){ .kinds = 1u << IPCT_KIND_FIFO },
					    &m->channels[0]));
	cr_assert_eq(model_filter__kind("unix-stream"), IPCT_KIND_UNIX_STREAM);
	cr_assert_eq(model_filter__kind("pipes"), IPCT_KIND_NONE);
	model__free(m);
}

Test(filter, window_clips_a_sleep_and_drops_what_falls_outside)
{
	_Alignas(8) unsigned char buf[IPCT_EVENT_MAX];
	struct ipct_sleep s = { .h = { .ts = 5000, .type = IPCT_EV_SLEEP, .pid = 1, .tid = 1 },
				.out_ts = 1000, .wake_ts = 4500, .state = 1, .waker_pid = 2,
				.waker_tid = 2 };
	struct ipct_syscall c = { .h = { .ts = 900, .type = IPCT_EV_SYSCALL }, .enter_ts = 800 };
	const struct ipct_sleep *o;

	o = (const void *)model_filter__clip(&s.h, 2000, 4000, buf);
	cr_assert_not_null(o);
	cr_assert_eq(o->out_ts, 2000);
	cr_assert_eq(o->h.ts, 4000);
	cr_assert_eq(o->wake_ts, 0, "woken after the window: no wakeup in it");
	cr_assert_eq(o->waker_pid, 0);
	cr_assert_null(model_filter__clip(&c.h, 2000, 4000, buf), "returned before the window");
}

/* Every kind of event named before a window holds in it, whole: a command line, a mapping. */
Test(filter, window_moves_every_earlier_event_whole_to_its_start)
{
	_Alignas(8) unsigned char buf[IPCT_EVENT_MAX], ev[IPCT_EVENT_MAX];
	static const unsigned types[] = { IPCT_EV_CMDLINE, IPCT_EV_MAP, IPCT_EV_CHAN, IPCT_EV_EXEC,
					  IPCT_EV_FORK, IPCT_EV_COMM };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t size = ipct_event_size(types[i]);
		struct ipct_hdr *h = (void *)ev;
		const struct ipct_hdr *o;

		cr_assert_gt(size, sizeof(*h));
		for (size_t j = 0; j < size; j++)
			ev[j] = (unsigned char)(j * 7 + 1);
		h->type = (uint8_t)types[i];
		h->ts = 900;
		memset(buf, 0xa5, sizeof(buf));
		o = model_filter__clip(h, 2000, 4000, buf);
		cr_assert_not_null(o, "type %u before the window dropped", types[i]);
		cr_assert_eq(o->ts, 2000, "type %u not moved to the window's start", types[i]);
		cr_assert(!memcmp((const char *)o + sizeof(*h), ev + sizeof(*h), size - sizeof(*h)),
			  "type %u: its fields were not all copied (%zu bytes)", types[i], size);
	}
}

Test(role, titles_programs_and_comm)
{
	char b[128];

	role__name("postgres: checkpointer", "postgres", b, sizeof(b));
	cr_assert_str_eq(b, "postgres: checkpointer");
	role__key("postgres: alice bank [local] idle", "postgres", b, sizeof(b));
	cr_assert_str_eq(b, "postgres: alice");
	role__key("postgres: alice bank [local] SELECT", "postgres", b, sizeof(b));
	cr_assert_str_eq(b, "postgres: alice", "backends differ only in their state word");
	role__key("nginx: worker process", "nginx", b, sizeof(b));
	cr_assert_str_eq(b, "nginx: worker");
	role__name("/usr/bin/python3 /srv/app.py --port 80", "python3", b, sizeof(b));
	cr_assert_str_eq(b, "python3 /srv/app.py");
	role__key("/usr/bin/python3 /srv/app.py", "python3", b, sizeof(b));
	cr_assert_str_eq(b, "python3");
	role__name("sort -n", "sort", b, sizeof(b));
	cr_assert_str_eq(b, "sort");
	role__name(NULL, "seq", b, sizeof(b));
	cr_assert_str_eq(b, "seq");
}

Test(graph, the_other_ends_nobody_traced_are_one_box)
{
	struct model *m = synth_model(NULL, false);
	struct graph *g;
	int un = -1;

	ev_task(m, 1000, 10, 10, "server");
	ev_chan(m, 1000, 10, 0x80, IPCT_KIND_UNIX_STREAM, 0, 0, "/run/s.sock");
	ev_chan(m, 1000, 10, 0x81, IPCT_KIND_UNIX_STREAM, 0, 0, "/run/s.sock");
	ev_sys(m, 10, 10, 2000, 2100, IPCT_OP_RECV, 0x80, 10, 0);
	ev_sys(m, 10, 10, 2200, 2300, IPCT_OP_SEND, 0x80, 20, 0);
	ev_sys(m, 10, 10, 3000, 3100, IPCT_OP_RECV, 0x81, 30, 0);
	model__finish(m);
	g = build(m, NULL);
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].type == GRAPH_UNTRACED)
			un = (int)i;
	cr_assert_geq(un, 0, "the untraced clients are drawn");
	cr_assert_eq(g->nedges, 1, "both connections on one line");
	cr_assert_eq(g->edges[0].nchans, 2);
	cr_assert_eq(g->edges[0].from == un ? g->edges[0].bytes : g->edges[0].bytes_back, 40,
		     "what the clients sent: 10 + 30");
	cr_assert_eq(g->chans_one_end, 0);
	graph__free(g);
	model__free(m);
}

Test(group, siblings_pools_and_pipelines)
{
	struct model *m = workers(4, false);
	size_t rep[8];
	uint32_t count[8];
	size_t wi = model__process(m, 203) - m->processes;

	cr_assert_eq(group__siblings(m, NULL, rep, count), 0);
	for (size_t i = 0; i < m->nprocesses; i++) {
		if (m->processes[i].pid == 100) {
			cr_assert_eq(rep[i], i, "the collector stands alone");
			cr_assert_eq(count[i], 1);
		} else {
			cr_assert_eq(rep[i], wi, "the least asleep worker stands for the 4");
		}
	}
	cr_assert_eq(count[wi], 4);
	model__free(m);

	/* a pipe between two siblings (grep | grep) keeps them apart */
	m = workers(2, true);
	cr_assert_eq(group__siblings(m, NULL, rep, count), 0);
	cr_assert_neq(rep[model__process(m, 200) - m->processes], rep[model__process(m, 201) - m->processes]);
	model__free(m);
}

Test(group, a_pool_of_threads_of_one_name)
{
	struct model *m = synth_model(NULL, false);
	const struct model_process *p;
	size_t rep[8], busiest = 0;
	uint32_t count[8], pools = 0;

	ev_task(m, 1000, 10, 10, "worker");  /* the main thread keeps its own lane */
	for (uint32_t t = 11; t <= 14; t++)
		ev_task(m, 1000, 10, t, "worker");
	ev_task(m, 1000, 10, 15, "logger");
	/* 13 sleeps least: the busiest */
	for (uint32_t t = 11; t <= 14; t++)
		if (t != 13)
			ev_sleep(m, 10, t, 2000, 9000, 9000, 1, 0, 0, 0, 0);
	model__finish(m);
	p = model__process(m, 10);
	group__pools(m, p, rep, count);
	for (size_t j = 0; j < p->nthreads; j++) {
		const struct model_thread *t = &m->threads[p->threads[j]];

		if (t->tid == 10 || t->tid == 15) {
			cr_assert_eq(rep[j], p->threads[j], "tid %u stands alone", t->tid);
			continue;
		}
		cr_assert_eq(m->threads[rep[j]].tid, 13, "tid %u is stood for by %u", t->tid,
			     m->threads[rep[j]].tid);
		if (count[j] > 1) {
			pools++;
			busiest = j;
		}
	}
	cr_assert_eq(pools, 1);
	cr_assert_eq(count[busiest], 4);
	model__free(m);
}
