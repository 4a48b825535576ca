// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The critical path as text for people and as one JSON object for scripts. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path_report.h"
#include "escape.h"
#include "fmt.h"
#include "json_writer.h"
#include "lang.h"


/* Seconds from the trace's start, as --from and --to take them. */
static void fmt_at(char *buf, size_t sz, const struct model *m, uint64_t ts)
{
	uint64_t rel = ts > m->start_ts ? ts - m->start_ts : 0;

	snprintf(buf, sz, "%" PRIu64 ".%06" PRIu64 " s", rel / 1000000000, rel % 1000000000 / 1000);
}

static const char *thread_comm(const struct model *m, uint32_t tid)
{
	const struct model_thread *t = model__thread(m, tid);

	return t && t->comm[0] ? t->comm : "?";
}

static const char *op_word(unsigned op)
{
	const char *s = op && op < IPCT_OP_MAX ? op_name(op) : NULL;

	return s ? s : "sleep";
}

static int pct(uint64_t part, uint64_t whole)
{
	return whole ? (int)((part * 100 + whole / 2) / whole) : 0;
}

/* What a stretch of the path was, in words: "seq's nanosleep", "sort running". */
static void what(const struct lang *l, const struct model *m, const struct cp_group *g, char *buf,
		 size_t sz)
{
	const char *comm = thread_comm(m, g->tid);

	switch (g->state) {
	case CP_RUNNING:
		snprintf(buf, sz, tr(l, T_CP_RUNNING), comm);
		break;
	case CP_RUNNABLE:
		snprintf(buf, sz, tr(l, T_CP_RUNNABLE), comm);
		break;
	case CP_TIMER:
		snprintf(buf, sz, g->op == IPCT_OP_NANOSLEEP ? tr(l, T_CP_TIMER_SLEEP) : tr(l, T_CP_TIMER), comm,
			 op_word(g->op));
		break;
	case CP_INTERRUPT:
		snprintf(buf, sz, tr(l, T_CP_INTERRUPT), comm, op_word(g->op));
		break;
	case CP_UNTRACED:
		snprintf(buf, sz, tr(l, T_CP_UNTRACED), g->tid);
		break;
	case CP_BLOCKED:
		snprintf(buf, sz, tr(l, T_CP_BLOCKED), comm, op_word(g->op));
		break;
	default:
		snprintf(buf, sz, tr(l, T_CP_UNKNOWN), comm);
		break;
	}
}

char *cp_report__summary(const struct model *m, const struct critical_path *cp,
			 const struct lang *l, char *buf, size_t sz)
{
	const struct cp_group *best = cp->best < cp->ngroups ? &cp->groups[cp->best] : NULL;
	uint64_t win = cp->to - cp->from, waited = win > cp->own_ns ? win - cp->own_ns : 0;
	char a[32], b[32], w[160];
	size_t len;

	fmt_dur(a, sizeof(a), waited);
	fmt_dur(b, sizeof(b), win);
	if (!waited) {
		snprintf(buf, sz, tr(l, T_CP_NEVER_WAITED), thread_comm(m, cp->tid), cp->tid, b);
		return buf;
	}
	snprintf(buf, sz, tr(l, T_CP_WAITED), pct(waited, win), thread_comm(m, cp->tid), a, b);
	if (best) {
		const struct model_channel *c = best->chan ? model__channel(m, best->chan) : NULL;

		what(l, m, best, w, sizeof(w));
		len = strlen(buf);
		if (c)
			snprintf(buf + len, sz - len, tr(l, T_CP_SHARE_VIA), pct(best->ns, win), kind_name(c->kind),
				 c->id, w);
		else
			snprintf(buf + len, sz - len, tr(l, T_CP_SHARE), pct(best->ns, win), w);
	}
	return buf;
}

static void put(FILE *out, const char *s)
{
	escape__fputs(out, s, SIZE_MAX);
}

/* s right-aligned in w columns: durations hold a two-byte "µ". */
static void right(FILE *out, const char *s, size_t w)
{
	size_t n = escape__width(s);

	fprintf(out, "%*s%s", (int)(w > n ? w - n : 0), "", s);
}

static void print_step(FILE *out, const struct lang *l, const struct model *m,
		       const struct cp_step *s)
{
	const struct model_channel *c = s->chan ? model__channel(m, s->chan) : NULL;
	const struct model_channel *v = s->via ? model__channel(m, s->via) : NULL;
	const char *mode = mode_name(s->mode);
	char at[32], len[32], who[80];

	fmt_at(at, sizeof(at), m, s->start);
	fmt_dur(len, sizeof(len), s->end - s->start);
	fprintf(out, "  %14s  ", at);
	right(out, len, 9);
	fprintf(out, "  %*s", (int)s->depth * 2, "");
	snprintf(who, sizeof(who), "%s %u", thread_comm(m, s->tid), s->tid);
	put(out, who);
	fprintf(out, "  %s", cp_state_name(s->state));
	if (s->op && s->op < IPCT_OP_MAX)
		fprintf(out, " in %s", op_name(s->op));
	if (c)
		fprintf(out, " on #%d %s", c->id, kind_name(c->kind));
	if (mode)
		fprintf(out, " (%s)", mode);
	if (s->handover)
		fprintf(out, " [%s]", tr(l, T_CP_HANDOVER));
	if (s->state == CP_UNTRACED)
		fprintf(out, " by tid %u", s->waker_tid);
	if (v && s->depth)
		fprintf(out, " via #%d", v->id);
	fputc('\n', out);
}

int cp_report__text(const struct model *m, const struct critical_path *cp, size_t max_steps,
		    const struct lang *l, FILE *out)
{
	char a[32], b[32], d[32], line[512];
	size_t shown = max_steps && max_steps < cp->nsteps ? max_steps : cp->nsteps;
	uint64_t win = cp->to - cp->from;

	fmt_at(a, sizeof(a), m, cp->from);
	fmt_at(b, sizeof(b), m, cp->to);
	fmt_dur(d, sizeof(d), win);
	snprintf(line, sizeof(line), tr(l, T_CP_TITLE), thread_comm(m, cp->tid), cp->pid, cp->tid, a, b, d);
	put(out, line);
	fputs("\n  ", out);
	put(out, cp_report__summary(m, cp, l, line, sizeof(line)));
	fputc('\n', out);

	fputs(tr(l, T_CP_BY_THREAD), out);
	for (size_t i = 0; i < cp->nby_thread; i++) {
		const struct cp_thread_total *t = &cp->by_thread[i];
		char who[64];

		fmt_dur(d, sizeof(d), t->ns);
		snprintf(who, sizeof(who), "%s", model__thread(m, t->tid) ? thread_comm(m, t->tid) : "?");
		fputs("  ", out);
		right(out, d, 9);
		fprintf(out, " %4d%%  pid %-7u tid %-7u ", pct(t->ns, win), t->pid, t->tid);
		put(out, who);
		fputc('\n', out);
	}
	fputs(tr(l, T_CP_BY_CHANNEL), out);
	if (!cp->nby_channel)
		fputs(tr(l, T_CP_NONE), out);
	for (size_t i = 0; i < cp->nby_channel; i++) {
		const struct model_channel *c = model__channel(m, cp->by_channel[i].chan);

		fmt_dur(d, sizeof(d), cp->by_channel[i].ns);
		fputs("  ", out);
		right(out, d, 9);
		fprintf(out, " %4d%%  #%-4d %-14s ", pct(cp->by_channel[i].ns, win),
			cp->by_channel[i].chan, c ? kind_name(c->kind) : "?");
		put(out, c ? c->name : "");
		fputc('\n', out);
	}
	fprintf(out, tr(l, T_CP_PATH), cp->nsteps);
	for (size_t i = 0; i < shown; i++)
		print_step(out, l, m, &cp->steps[i]);
	if (shown < cp->nsteps)
		fprintf(out, tr(l, T_CP_MORE_STEPS), cp->nsteps - shown);
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}

static void json_chan(struct json_writer *w, const struct model *m, const char *key,
		      const char *kind_key, int id)
{
	const struct model_channel *c = id ? model__channel(m, id) : NULL;

	if (c)
		json_writer__int_field(w, key, c->id);
	else
		json_writer__null_field(w, key);
	if (!kind_key)
		return;
	if (c)
		json_writer__string_field(w, kind_key, kind_name(c->kind));
	else
		json_writer__null_field(w, kind_key);
}

int cp_report__json(const struct model *m, const struct critical_path *cp, FILE *out)
{
	struct json_writer *w = json_writer__new(out, true);
	char line[512];

	if (!w)
		return -ENOMEM;
	json_writer__start_object(w);
	json_writer__uint_field(w, "tid", cp->tid);
	json_writer__uint_field(w, "pid", cp->pid);
	json_writer__string_field(w, "comm", thread_comm(m, cp->tid));
	json_writer__uint_field(w, "from_ns", cp->from);
	json_writer__uint_field(w, "to_ns", cp->to);
	json_writer__uint_field(w, "trace_start_ns", m->start_ts);
	json_writer__uint_field(w, "own_ns", cp->own_ns);
	json_writer__uint_field(w, "waiting_ns", cp->to - cp->from - cp->own_ns);
	json_writer__string_field(w, "summary", cp_report__summary(m, cp, NULL, line, sizeof(line)));
	json_writer__name(w, "path");
	json_writer__start_array(w);
	for (size_t i = 0; i < cp->nsteps; i++) {
		const struct cp_step *s = &cp->steps[i];
		const char *mode = mode_name(s->mode);

		json_writer__start_object(w);
		json_writer__uint_field(w, "tid", s->tid);
		json_writer__uint_field(w, "pid", s->pid);
		json_writer__string_field(w, "comm", thread_comm(m, s->tid));
		json_writer__string_field(w, "state", cp_state_name(s->state));
		json_writer__uint_field(w, "start_ns", s->start);
		json_writer__uint_field(w, "end_ns", s->end);
		json_chan(w, m, "channel", "kind", s->chan);
		if (s->op && s->op < IPCT_OP_MAX)
			json_writer__string_field(w, "op", op_name(s->op));
		else
			json_writer__null_field(w, "op");
		if (mode)
			json_writer__string_field(w, "mode", mode);
		else
			json_writer__null_field(w, "mode");
		json_chan(w, m, "via", NULL, s->via);
		json_writer__uint_field(w, "depth", s->depth);
		json_writer__bool_field(w, "handover", s->handover);
		if (s->state == CP_UNTRACED) {
			json_writer__uint_field(w, "waker_pid", s->waker_pid);
			json_writer__uint_field(w, "waker_tid", s->waker_tid);
		}
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
	json_writer__name(w, "by_thread");
	json_writer__start_array(w);
	for (size_t i = 0; i < cp->nby_thread; i++) {
		json_writer__start_object(w);
		json_writer__uint_field(w, "tid", cp->by_thread[i].tid);
		json_writer__uint_field(w, "pid", cp->by_thread[i].pid);
		json_writer__string_field(w, "comm", thread_comm(m, cp->by_thread[i].tid));
		json_writer__uint_field(w, "ns", cp->by_thread[i].ns);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
	json_writer__name(w, "by_channel");
	json_writer__start_array(w);
	for (size_t i = 0; i < cp->nby_channel; i++) {
		const struct model_channel *c = model__channel(m, cp->by_channel[i].chan);

		json_writer__start_object(w);
		json_writer__int_field(w, "channel", cp->by_channel[i].chan);
		json_writer__string_field(w, "kind", c ? kind_name(c->kind) : "none");
		json_writer__string_field(w, "name", c ? c->name : "");
		json_writer__uint_field(w, "ns", cp->by_channel[i].ns);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
	json_writer__end_object(w);
	return json_writer__free(w);
}
