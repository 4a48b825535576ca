// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Trace Event Format JSON for Perfetto UI and chrome://tracing: names as
 * "M" events, spans as "X" slices, transfers and wakeups as flow events
 * ("s" then "f" bound to the enclosing slices), lost events as instants.
 * Streamed as a model sink through the JSON writer, one event per line:
 * memory does not grow with the trace.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path.h"
#include "json_writer.h"
#include "model.h"
#include "filter.h"
#include "perfetto.h"
#include "trace_meta.h"

struct perfetto_json {
	struct json_writer *w;
	const struct model *names;
	const struct model_filter *filter;
	struct model_choice *kept;     /* what the filters keep of names */
	const struct trace_meta *meta;
	uint64_t base;             /* ns subtracted from every timestamp */
	uint64_t next_flow;
};

/* Microseconds with three decimals, exact from integer nanoseconds. */
static void ts_us(const struct perfetto_json *p, const char *key, uint64_t ts)
{
	json_writer__milli_field(p->w, key, ts > p->base ? ts - p->base : 0);
}

/* Opens an event on its own line; the caller adds its fields and ends the object. */
static void begin(struct perfetto_json *p, const char *ph, uint32_t pid, uint32_t tid)
{
	json_writer__break(p->w);
	json_writer__start_object(p->w);
	json_writer__string_field(p->w, "ph", ph);
	json_writer__uint_field(p->w, "pid", pid);
	json_writer__uint_field(p->w, "tid", tid);
}

/* " #3 pipe" for a span or flow name; "" without a channel. */
static void chan_suffix(const struct model *names, char *b, size_t n, int id)
{
	const struct model_channel *c = id > 0 ? model__channel(names, id) : NULL;

	if (c)
		snprintf(b, n, " #%d %s", c->id, kind_name(c->kind));
	else
		b[0] = '\0';
}

const char *perfetto__span_name(const struct model *names, const struct model_span *s, char *name,
				size_t n)
{
	char ch[48];
	const char *cat;

	chan_suffix(names, ch, sizeof(ch), s->chan);
	switch (s->state) {
	case SPAN_SYSCALL:
		cat = "syscall";
		snprintf(name, n, "%s%s", op_name(s->op), ch);
		break;
	case SPAN_BLOCKED:
		cat = "blocked";
		snprintf(name, n, "blocked in %s%s", op_name(s->op), ch);
		break;
	case SPAN_RUNNABLE:
		cat = "runnable";
		snprintf(name, n, "runnable");
		break;
	case SPAN_POLLING:
		cat = "polling";
		snprintf(name, n, "polling: %u x %s%s", s->calls, op_name(s->op), ch);
		break;
	default:
		return NULL;
	}
	return cat;
}

static void on_span(void *ctx, const struct model_span *s)
{
	struct perfetto_json *p = ctx;
	struct json_writer *w = p->w;
	char name[128];
	const char *cat = perfetto__span_name(p->names, s, name, sizeof(name));

	if (!cat || !model_choice__pid(p->kept, s->pid))
		return;
	begin(p, "X", s->pid, s->tid);
	json_writer__string_field(w, "cat", cat);
	json_writer__string_field(w, "name", name);
	ts_us(p, "ts", s->start);
	json_writer__milli_field(w, "dur", s->end - s->start);
	if (s->state == SPAN_SYSCALL || s->state == SPAN_POLLING) {
		json_writer__name(w, "args");
		json_writer__start_object(w);
		json_writer__uint_field(w, "nr", s->nr);
		json_writer__int_field(w, "ret", s->ret);
		json_writer__uint_field(w, "calls", s->calls);
		json_writer__int_field(w, "channel", s->chan);
		json_writer__end_object(w);
	} else if (s->chan) {
		json_writer__name(w, "args");
		json_writer__start_object(w);
		json_writer__int_field(w, "channel", s->chan);
		json_writer__end_object(w);
	}
	json_writer__end_object(w);
}

/* A flow point just inside the slice that ends at ts, so it binds to it. */
static uint64_t inside(uint64_t ts)
{
	return ts ? ts - 1 : ts;
}

static void flow(struct perfetto_json *p, const char *name, uint32_t spid, uint32_t stid, uint64_t sts,
		 uint32_t dpid, uint32_t dtid, uint64_t dts, int chan, uint64_t bytes, bool xfer)
{
	struct json_writer *w = p->w;
	uint64_t id = ++p->next_flow;

	/* A flow never ends before it starts (a wakeup's end point, pulled inside its slice, did). */
	if (dts < sts)
		dts = sts;
	begin(p, "s", spid, stid);
	json_writer__string_field(w, "cat", "flow");
	json_writer__string_field(w, "name", name);
	json_writer__uint_field(w, "id", id);
	ts_us(p, "ts", sts);
	if (xfer) {
		json_writer__name(w, "args");
		json_writer__start_object(w);
		json_writer__uint_field(w, "bytes", bytes);
		json_writer__int_field(w, "channel", chan);
		json_writer__end_object(w);
	}
	json_writer__end_object(w);
	begin(p, "f", dpid, dtid);
	json_writer__string_field(w, "bp", "e");
	json_writer__string_field(w, "cat", "flow");
	json_writer__string_field(w, "name", name);
	json_writer__uint_field(w, "id", id);
	ts_us(p, "ts", dts);
	json_writer__end_object(w);
}

void perfetto__flow_name(const struct model *names, char *b, size_t n, const char *what, int chan)
{
	char ch[48];

	chan_suffix(names, ch, sizeof(ch), chan);
	snprintf(b, n, "%s%s", what, ch);
}

static void on_transfer(void *ctx, const struct model_transfer *t)
{
	struct perfetto_json *p = ctx;
	char name[64];

	if (!model_choice__flow(p->kept, t->chan, t->src_pid, t->dst_pid))
		return;
	perfetto__flow_name(p->names, name, sizeof(name), "transfer", t->chan);
	flow(p, name, t->src_pid, t->src_tid, inside(t->src_ts), t->dst_pid, t->dst_tid,
	     inside(t->dst_ts), t->chan, t->bytes, true);
}

static void on_wake(void *ctx, const struct model_wake *w)
{
	struct perfetto_json *p = ctx;
	char name[64];

	if (w->waker_tid == 0 || !model_choice__flow(p->kept, w->chan, w->waker_pid, w->wakee_pid))
		return;
	perfetto__flow_name(p->names, name, sizeof(name), "wakeup", w->chan);
	flow(p, name, w->waker_pid, w->waker_tid, w->ts, w->wakee_pid, w->wakee_tid,
	     inside(w->ts), w->chan, 0, false);
}

static void on_lost(void *ctx, const struct model_lost *l)
{
	struct perfetto_json *p = ctx;
	struct json_writer *w = p->w;
	char name[64];

	snprintf(name, sizeof(name), "LOST %" PRIu64 " events (CPU %u)", l->count, l->cpu);
	begin(p, "i", 0, 0);
	json_writer__string_field(w, "s", "g");
	json_writer__string_field(w, "cat", "lost");
	json_writer__string_field(w, "name", name);
	ts_us(p, "ts", l->first_ts);
	json_writer__name(w, "args");
	json_writer__start_object(w);
	json_writer__uint_field(w, "count", l->count);
	json_writer__uint_field(w, "cpu", l->cpu);
	json_writer__uint_field(w, "last_ns", l->last_ts > p->base ? l->last_ts - p->base : 0);
	json_writer__end_object(w);
	json_writer__end_object(w);
}

/* A metadata event: {"name": what, "args": {key: value}}. */
static void meta_event(struct perfetto_json *p, uint32_t pid, uint32_t tid, const char *what, const char *name,
		       size_t maxlen)
{
	begin(p, "M", pid, tid);
	json_writer__string_field(p->w, "name", what);
	json_writer__name(p->w, "args");
	json_writer__start_object(p->w);
	json_writer__stringn_field(p->w, "name", name, maxlen);
	json_writer__end_object(p->w);
	json_writer__end_object(p->w);
}

void perfetto__process_name(const struct trace_meta *meta, const struct model_process *pr, char *b,
			    size_t n)
{
	uint32_t h = model_host_of(pr->pid);

	/* its role where it set one ("postgres: checkpointer"), as the SVG labels it; in a merged
	   trace the viewer's pid is ours, so the name says the machine and its pid */
	if (meta && h < meta->nhosts)
		snprintf(b, n, "%.*s @%s (pid %u)", (int)sizeof(pr->cmdline), model__process_role(pr),
			 meta->hosts[h].name, model_host_pid(pr->pid));
	else
		snprintf(b, n, "%.*s", (int)sizeof(pr->cmdline), model__process_role(pr));
}

static void names_meta(struct perfetto_json *p)
{
	const struct model *m = p->names;

	for (size_t i = 0; i < m->nprocesses; i++) {
		const struct model_process *pr = &m->processes[i];
		char name[sizeof(pr->cmdline) + 300];

		if (!model_choice__pid(p->kept, pr->pid))
			continue;
		perfetto__process_name(p->meta, pr, name, sizeof(name));
		meta_event(p, pr->pid, pr->pid, "process_name", name, sizeof(name));
		begin(p, "M", pr->pid, pr->pid);
		json_writer__string_field(p->w, "name", "process_sort_index");
		json_writer__name(p->w, "args");
		json_writer__start_object(p->w);
		json_writer__uint_field(p->w, "sort_index", i);
		json_writer__end_object(p->w);
		json_writer__end_object(p->w);
		for (size_t j = 0; j < pr->nthreads; j++) {
			const struct model_thread *t;

			if (pr->threads[j] >= m->nthreads)
				continue;
			t = &m->threads[pr->threads[j]];
			meta_event(p, pr->pid, t->tid, "thread_name", t->comm, sizeof(t->comm));
		}
	}
}

static void other_data(struct perfetto_json *p, const struct trace_meta *meta)
{
	const struct model *m = p->names;
	struct json_writer *w = p->w;

	json_writer__name(w, "otherData");
	json_writer__start_object(w);
	json_writer__string_field(w, "tool", "ipctrace");
	json_writer__stringn_field(w, "command", meta ? meta->cmdline : "",
				   meta ? sizeof(meta->cmdline) : 1);
	json_writer__uint_field(w, "events", m->events);
	json_writer__uint_field(w, "lost_events", m->lost_events);
	json_writer__uint_field(w, "start_ns", m->start_ts);
	json_writer__name(w, "channels");
	json_writer__start_array(w);
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (!model_filter__channel(p->filter, c))
			continue;
		json_writer__break(w);
		json_writer__start_object(w);
		json_writer__int_field(w, "id", c->id);
		json_writer__string_field(w, "kind", kind_name(c->kind));
		json_writer__stringn_field(w, "name", c->name, sizeof(c->name));
		json_writer__string_field(w, "direction", direction_name(c->direction));
		json_writer__bool_field(w, "listening", c->listening);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
	json_writer__end_object(w);
}

/* Perfetto groups tracks by pid: one above any real pid holds the critical path. */
#define CP_TRACK_PID 4194305u

/* The critical path as its own track: one slice per step, named for what it was. */
void perfetto__cp_track_name(const struct model *names, uint32_t tid, char *b, size_t n)
{
	const struct model_thread *t = model__thread(names, tid);

	snprintf(b, n, "critical path of %s (tid %u)", t ? t->comm : "?", tid);
}

void perfetto__cp_step_name(const struct model *names, const struct cp_step *s, char *b, size_t n)
{
	const struct model_thread *st = model__thread(names, s->tid);
	char ch[48];

	chan_suffix(names, ch, sizeof(ch), s->chan);
	snprintf(b, n, "%s %u: %s%s%s%s%s", st ? st->comm : "?", s->tid, cp_state_name(s->state),
		 s->op ? " in " : "", s->op ? op_name(s->op) : "", ch,
		 s->handover ? " (hand-over)" : "");
}

static void cp_track(struct perfetto_json *p, const struct critical_path *cp)
{
	struct json_writer *w = p->w;
	char name[160];

	perfetto__cp_track_name(p->names, cp->tid, name, sizeof(name));
	begin(p, "M", CP_TRACK_PID, CP_TRACK_PID);
	json_writer__string_field(w, "name", "process_name");
	json_writer__name(w, "args");
	json_writer__start_object(w);
	json_writer__string_field(w, "name", name);
	json_writer__end_object(w);
	json_writer__end_object(w);
	begin(p, "M", CP_TRACK_PID, CP_TRACK_PID);
	json_writer__string_field(w, "name", "process_sort_index");
	json_writer__name(w, "args");
	json_writer__start_object(w);
	json_writer__int_field(w, "sort_index", -1);
	json_writer__end_object(w);
	json_writer__end_object(w);
	for (size_t i = 0; i < cp->nsteps; i++) {
		const struct cp_step *s = &cp->steps[i];
		const char *mode = mode_name(s->mode);

		perfetto__cp_step_name(p->names, s, name, sizeof(name));
		begin(p, "X", CP_TRACK_PID, CP_TRACK_PID);
		json_writer__string_field(w, "cat", "critical-path");
		json_writer__string_field(w, "name", name);
		ts_us(p, "ts", s->start);
		json_writer__milli_field(w, "dur", s->end - s->start);
		json_writer__name(w, "args");
		json_writer__start_object(w);
		json_writer__uint_field(w, "tid", s->tid);
		json_writer__uint_field(w, "pid", s->pid);
		json_writer__string_field(w, "state", cp_state_name(s->state));
		json_writer__int_field(w, "channel", s->chan);
		json_writer__int_field(w, "via", s->via);
		json_writer__uint_field(w, "depth", s->depth);
		json_writer__string_field(w, "mode", mode ? mode : "");
		json_writer__end_object(w);
		json_writer__end_object(w);
	}
}

struct perfetto_json *perfetto_json__new(const struct model *names, const struct trace_meta *meta,
					const struct model_filter *f, FILE *out)
{
	struct perfetto_json *p = calloc(1, sizeof(*p));

	if (!p || !(p->kept = model_choice__new(names, f)) || !(p->w = json_writer__new(out, false))) {
		perfetto_json__free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->filter = f;
	p->names = names;
	p->meta = meta;
	p->base = names->start_ts;
	json_writer__start_object(p->w);
	json_writer__string_field(p->w, "displayTimeUnit", "ns");
	other_data(p, meta);
	json_writer__break(p->w);
	json_writer__name(p->w, "traceEvents");
	json_writer__start_array(p->w);
	names_meta(p);
	return p;
}

void perfetto_json__sinks(struct perfetto_json *p, struct model_opts *mo)
{
	mo->ctx = p;
	mo->on_span = on_span;
	mo->on_transfer = on_transfer;
	mo->on_wake = on_wake;
	mo->on_lost = on_lost;
}

int perfetto_json__finish(struct perfetto_json *p, const struct critical_path *cp)
{
	int err;

	if (cp)
		cp_track(p, cp);
	json_writer__break(p->w);
	json_writer__end_array(p->w);
	json_writer__end_object(p->w);
	err = json_writer__free(p->w);
	p->w = NULL;
	return err;
}

void perfetto_json__free(struct perfetto_json *p)
{
	if (!p)
		return;
	/* unfinished: what was written is abandoned with its file */
	if (p->w)
		json_writer__free(p->w);
	model_choice__free(p->kept);
	free(p);
}
