// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Trace Event Format JSON for Perfetto UI and chrome://tracing: names as
 * "M" events, spans as "X" slices, transfers and wakeups as flow events
 * ("s" then "f" bound to the enclosing slices), lost events as instants.
 * Streamed in a second pass, one event per line: memory does not grow with
 * the trace.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "model.h"
#include "perfetto.h"
#include "svg_writer.h"

struct pf {
	FILE *out;
	const struct model *names;
	uint64_t base;             /* ns subtracted from every timestamp */
	uint64_t next_flow;
	bool first;
};

/* A JSON string literal; invalid UTF-8 becomes U+FFFD, controls \u00XX. */
static void json_str(FILE *f, const char *s)
{
	uint32_t cp;

	fputc('"', f);
	while (s && *s) {
		int len = utf8_decode(s, &cp);

		if (len == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (len == 1) {
			if (cp == '"' || cp == '\\')
				fprintf(f, "\\%c", (char)cp);
			else if (cp < 0x20 || cp == 0x7f)
				fprintf(f, "\\u%04x", cp);
			else
				fputc((int)cp, f);
		} else {
			fwrite(s, 1, (size_t)len, f);
		}
		s += len;
	}
	fputc('"', f);
}

/* Microseconds with three decimals, exact from integer nanoseconds. */
static void ts_us(const struct pf *p, const char *key, uint64_t ts)
{
	uint64_t rel = ts > p->base ? ts - p->base : 0;

	fprintf(p->out, ",\"%s\":%" PRIu64 ".%03" PRIu64, key, rel / 1000, rel % 1000);
}

static void begin(struct pf *p, const char *ph, uint32_t pid, uint32_t tid)
{
	fputs(p->first ? "\n" : ",\n", p->out);
	p->first = false;
	fprintf(p->out, "{\"ph\":\"%s\",\"pid\":%u,\"tid\":%u", ph, pid, tid);
}

static const char *op_word(unsigned op)
{
	const char *s = op < IPCT_OP_MAX ? op_name(op) : NULL;

	return s ? s : "syscall";
}

/* " #3 pipe" for a span or flow name; "" without a channel. */
static void chan_suffix(const struct pf *p, char *b, size_t n, int id)
{
	const struct model_channel *c = id > 0 ? model__channel(p->names, id) : NULL;

	if (c)
		snprintf(b, n, " #%d %s", c->id, kind_name(c->kind));
	else
		b[0] = '\0';
}

static void on_span(void *ctx, const struct model_span *s)
{
	struct pf *p = ctx;
	char name[128], ch[48];
	const char *cat;

	chan_suffix(p, ch, sizeof(ch), s->chan);
	switch (s->state) {
	case SPAN_SYSCALL:
		cat = "syscall";
		snprintf(name, sizeof(name), "%s%s", op_word(s->op), ch);
		break;
	case SPAN_BLOCKED:
		cat = "blocked";
		snprintf(name, sizeof(name), "blocked in %s%s", op_word(s->op), ch);
		break;
	case SPAN_RUNNABLE:
		cat = "runnable";
		snprintf(name, sizeof(name), "runnable");
		break;
	case SPAN_POLLING:
		cat = "polling";
		snprintf(name, sizeof(name), "polling: %u x %s%s", s->calls, op_word(s->op), ch);
		break;
	default:
		return;
	}
	begin(p, "X", s->pid, s->tid);
	fprintf(p->out, ",\"cat\":\"%s\",\"name\":", cat);
	json_str(p->out, name);
	ts_us(p, "ts", s->start);
	fprintf(p->out, ",\"dur\":%" PRIu64 ".%03" PRIu64, (s->end - s->start) / 1000,
		(s->end - s->start) % 1000);
	if (s->state == SPAN_SYSCALL || s->state == SPAN_POLLING)
		fprintf(p->out, ",\"args\":{\"nr\":%u,\"ret\":%" PRId64 ",\"calls\":%u,\"channel\":%d}",
			s->nr, s->ret, s->calls, s->chan);
	else if (s->chan)
		fprintf(p->out, ",\"args\":{\"channel\":%d}", s->chan);
	fputc('}', p->out);
}

/* A flow point just inside the slice that ends at ts, so it binds to it. */
static uint64_t inside(uint64_t ts)
{
	return ts ? ts - 1 : ts;
}

static void flow(struct pf *p, const char *name, uint32_t spid, uint32_t stid, uint64_t sts,
		 uint32_t dpid, uint32_t dtid, uint64_t dts, int chan, uint64_t bytes, bool xfer)
{
	uint64_t id = ++p->next_flow;

	begin(p, "s", spid, stid);
	fputs(",\"cat\":\"flow\",\"name\":", p->out);
	json_str(p->out, name);
	fprintf(p->out, ",\"id\":%" PRIu64, id);
	ts_us(p, "ts", sts);
	if (xfer)
		fprintf(p->out, ",\"args\":{\"bytes\":%" PRIu64 ",\"channel\":%d}", bytes, chan);
	fputc('}', p->out);
	begin(p, "f", dpid, dtid);
	fputs(",\"bp\":\"e\",\"cat\":\"flow\",\"name\":", p->out);
	json_str(p->out, name);
	fprintf(p->out, ",\"id\":%" PRIu64, id);
	ts_us(p, "ts", dts);
	fputc('}', p->out);
}

static void flow_name(const struct pf *p, char *b, size_t n, const char *what, int chan)
{
	char ch[48];

	chan_suffix(p, ch, sizeof(ch), chan);
	snprintf(b, n, "%s%s", what, ch);
}

static void on_transfer(void *ctx, const struct model_transfer *t)
{
	struct pf *p = ctx;
	char name[64];

	flow_name(p, name, sizeof(name), "transfer", t->chan);
	flow(p, name, t->src_pid, t->src_tid, inside(t->src_ts), t->dst_pid, t->dst_tid,
	     inside(t->dst_ts), t->chan, t->bytes, true);
}

static void on_wake(void *ctx, const struct model_wake *w)
{
	struct pf *p = ctx;
	char name[64];

	if (w->waker_tid == 0)
		return;
	flow_name(p, name, sizeof(name), "wakeup", w->chan);
	flow(p, name, w->waker_pid, w->waker_tid, w->ts, w->wakee_pid, w->wakee_tid,
	     inside(w->ts), w->chan, 0, false);
}

static void on_lost(void *ctx, const struct model_lost *l)
{
	struct pf *p = ctx;
	char name[64];

	snprintf(name, sizeof(name), "LOST %" PRIu64 " events (CPU %u)", l->count, l->cpu);
	begin(p, "i", 0, 0);
	fputs(",\"s\":\"g\",\"cat\":\"lost\",\"name\":", p->out);
	json_str(p->out, name);
	ts_us(p, "ts", l->first_ts);
	fprintf(p->out, ",\"args\":{\"count\":%" PRIu64 ",\"cpu\":%u,\"last_ns\":%" PRIu64 "}}",
		l->count, l->cpu, l->last_ts > p->base ? l->last_ts - p->base : 0);
}

static void names_meta(struct pf *p)
{
	const struct model *m = p->names;

	for (size_t i = 0; i < m->nprocesses; i++) {
		const struct model_process *pr = &m->processes[i];

		begin(p, "M", pr->pid, pr->pid);
		fputs(",\"name\":\"process_name\",\"args\":{\"name\":", p->out);
		json_str(p->out, pr->comm);
		fputs("}}", p->out);
		begin(p, "M", pr->pid, pr->pid);
		fprintf(p->out, ",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":%zu}}", i);
		for (size_t j = 0; j < pr->nthreads; j++) {
			const struct model_thread *t;

			if (pr->threads[j] >= m->nthreads)
				continue;
			t = &m->threads[pr->threads[j]];
			begin(p, "M", pr->pid, t->tid);
			fputs(",\"name\":\"thread_name\",\"args\":{\"name\":", p->out);
			json_str(p->out, t->comm);
			fputs("}}", p->out);
		}
	}
}

int perfetto__export(struct trace_reader *r, FILE *out)
{
	struct model_opts mo = { 0 };
	struct model *names, *pass2 = NULL;
	struct pf p = { .out = out, .first = true };
	int err;

	names = model__from_reader(r, NULL);
	if (!names)
		return errno ? -errno : -ENOMEM;
	err = trace_reader__rewind(r);
	if (err)
		goto out;
	p.names = names;
	p.base = names->start_ts;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"ipctrace\",\"command\":", out);
	json_str(out, trace_reader__meta(r) ? trace_reader__meta(r)->cmdline : "");
	fprintf(out, ",\"events\":%" PRIu64 ",\"lost_events\":%" PRIu64 ",\"start_ns\":%" PRIu64 ",\"channels\":[",
		names->events, names->lost_events, names->start_ts);
	for (size_t i = 0; i < names->nchannels; i++) {
		const struct model_channel *c = &names->channels[i];

		fprintf(out, "%s\n{\"id\":%d,\"kind\":", i ? "," : "", c->id);
		json_str(out, kind_name(c->kind));
		fputs(",\"name\":", out);
		json_str(out, c->name);
		fprintf(out, ",\"direction\":\"%s\",\"listening\":%s}", direction_name(c->direction),
			c->listening ? "true" : "false");
	}
	fputs("]},\n\"traceEvents\":[", out);
	names_meta(&p);
	mo.ctx = &p;
	mo.on_span = on_span;
	mo.on_transfer = on_transfer;
	mo.on_wake = on_wake;
	mo.on_lost = on_lost;
	pass2 = model__from_reader(r, &mo);
	if (!pass2) {
		err = errno ? -errno : -ENOMEM;
		goto out;
	}
	fputs("\n]}\n", out);
	if (fflush(out) || ferror(out))
		err = -EIO;
out:
	model__free(pass2);
	model__free(names);
	return err;
}
