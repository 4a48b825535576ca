// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The report: text tables for people, one JSON object for scripts. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "escape.h"
#include "fmt.h"
#include "json_writer.h"
#include "lang.h"
#include "report.h"
#include "stuck.h"

#define MAX_COLS 12
#define TOP_WAKEUPS 20
#define NAME_MAX_W 48   /* columns; a slide still fits the table */

/* Keep the last maxw - 3 code points of an escaped cell: a path's tail says most. */
static void shorten_tail(char *s, size_t maxw)
{
	size_t w = escape__width(s), skip, i = 0;

	if (w <= maxw)
		return;
	skip = w - (maxw - 3);
	while (skip && s[i]) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		skip--;
	}
	memmove(s + 3, s + i, strlen(s + i) + 1);
	memcpy(s, "...", 3);
}

/* The name a reader sees: a server's listening socket says so. */
static const char *chan_label(const struct lang *l, const struct model_channel *c, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%s", c->name[0] ? c->name : "-", c->listening ? tr(l, T_LISTENING) : "");
	return buf;
}

/* A table of already escaped cells, printed with aligned columns. */
struct table {
	int ncols;
	char heads[MAX_COLS][64];
	bool right[MAX_COLS];
	size_t maxw[MAX_COLS];  /* 0 = no limit; longer cells keep their tail */
	char **cells;           /* nrows * ncols */
	size_t nrows, cap;
	bool oom;
};

static void table_init(struct table *t, const char *spec)
{
	/* spec: "ID>|KIND|NAME~": '>' right-aligns the column, '~' caps its width */
	const char *s = spec;

	memset(t, 0, sizeof(*t));
	while (*s && t->ncols < MAX_COLS) {
		size_t n = strcspn(s, "|");
		char *h = t->heads[t->ncols];

		snprintf(h, sizeof(t->heads[0]), "%.*s", (int)n, s);
		if (n && h[strlen(h) - 1] == '>') {
			h[strlen(h) - 1] = '\0';
			t->right[t->ncols] = true;
		}
		if (n && h[strlen(h) - 1] == '~') {
			h[strlen(h) - 1] = '\0';
			t->maxw[t->ncols] = NAME_MAX_W;
		}
		t->ncols++;
		s += n;
		if (*s == '|')
			s++;
	}
}

/* Add a row: ncols cells, each a plain string (escaped here). */
static void table_row(struct table *t, ...)
{
	va_list ap;

	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, ncap * t->ncols * sizeof(*nc));

		if (!nc) {
			t->oom = true;
			return;
		}
		t->cells = nc;
		t->cap = ncap;
	}
	va_start(ap, t);
	for (int i = 0; i < t->ncols; i++) {
		const char *v = va_arg(ap, const char *);
		size_t n = strlen(v ? v : "");
		char *c = malloc(ESCAPE_BUF(n));

		if (c) {
			escape__str(c, ESCAPE_BUF(n), v ? v : "", n);
			if (t->maxw[i])
				shorten_tail(c, t->maxw[i]);
		} else {
			t->oom = true;
		}
		t->cells[t->nrows * t->ncols + i] = c;
	}
	va_end(ap);
	t->nrows++;
}

static void print_cell(FILE *out, const char *s, size_t width, bool right, bool last)
{
	size_t w = escape__width(s), pad = width > w ? width - w : 0;

	if (right)
		fprintf(out, "%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, out);
	else
		fprintf(out, "%s%*s", s, (int)pad, "");
}

static void table_print(struct table *t, FILE *out, const char *indent)
{
	size_t width[MAX_COLS];

	for (int c = 0; c < t->ncols; c++) {
		width[c] = escape__width(t->heads[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t w = s ? escape__width(s) : 0;

			if (w > width[c])
				width[c] = w;
		}
	}
	fputs(indent, out);
	for (int c = 0; c < t->ncols; c++) {
		print_cell(out, t->heads[c], width[c], t->right[c], c == t->ncols - 1);
		fputs(c == t->ncols - 1 ? "\n" : "  ", out);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		fputs(indent, out);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			print_cell(out, s ? s : "?", width[c], t->right[c], c == t->ncols - 1);
			fputs(c == t->ncols - 1 ? "\n" : "  ", out);
		}
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* A section of the report: its title line, then a table. */
static void table_start(struct table *t, FILE *out, const char *title, const char *spec)
{
	fputs(title, out);
	table_init(t, spec);
}

static void table_end(struct table *t, FILE *out)
{
	table_print(t, out, "  ");
	table_free(t);
}

static const char *comm_of(const struct lang *l, const struct model *m, uint32_t pid)
{
	const struct model_process *p;

	if (!pid)
		return tr(l, T_INTERRUPT);
	p = model__process(m, pid);
	if (!p)
		return tr(l, T_UNTRACED);
	return p->comm[0] ? p->comm : "?";
}

static void u64s(char *buf, size_t sz, uint64_t v)
{
	snprintf(buf, sz, "%" PRIu64, v);
}

static void print_header(const struct lang *l, const struct model *m, const struct trace_meta *meta,
			 FILE *out)
{
	char dur[32];

	fmt_dur(dur, sizeof(dur), m->end_ts - m->start_ts);
	fputs(tr(l, T_REPORT_TITLE), out);
	if (meta && meta->cmdline[0]) {
		fputs(": ", out);
		escape__fputs(out, meta->cmdline, sizeof(meta->cmdline));
	}
	fputc('\n', out);
	if (meta && (meta->host[0] || meta->kernel[0])) {
		fputs(tr(l, T_REPORT_HOST), out);
		escape__fputs(out, meta->host, sizeof(meta->host));
		fputs(tr(l, T_REPORT_KERNEL), out);
		escape__fputs(out, meta->kernel, sizeof(meta->kernel));
		fputc('\n', out);
	}
	fprintf(out, tr(l, T_REPORT_SUMMARY), dur, m->events, m->nprocesses, m->nthreads, m->nchannels, m->lost_events);
	if (m->lost_events)
		fprintf(out, tr(l, T_REPORT_LOST_WARN),
			m->lost_events, m->nlost);
	if (m->out_of_window)
		fprintf(out, tr(l, T_REPORT_OUT_OF_WINDOW), m->out_of_window);
	if (m->unknown_chans)
		fprintf(out, tr(l, T_REPORT_UNKNOWN_CHANS),
			m->unknown_chans);
	if (m->unseen_switch_ins)
		fprintf(out, tr(l, T_REPORT_UNSEEN_SWITCH_INS), m->unseen_switch_ins);
}

static void print_channels(const struct lang *l, const struct model *m, FILE *out)
{
	struct table t;

	fputs(tr(l, T_REPORT_CHANNELS), out);
	if (!m->nchannels) {
		fputs(tr(l, T_REPORT_NONE_OBSERVED), out);
		return;
	}
	table_init(&t, tr(l, T_REPORT_CHANNELS_COLS));
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];
		char id[16], bytes[32], msgs[32], neps[16], name[sizeof(c->name) + 16];

		snprintf(id, sizeof(id), "%d", c->id);
		fmt_bytes(bytes, sizeof(bytes), channel_bytes(c));
		u64s(msgs, sizeof(msgs), c->messages);
		snprintf(neps, sizeof(neps), "%zu", c->nendpoints);
		table_row(&t, id, kind_name(c->kind), chan_label(l, c, name, sizeof(name)),
			  tr_medium(l, kind_medium(c->kind)), tr_unit(l, kind_unit(c->kind)), tr_direction(l, c),
			  tr_scope(l, channel_scope(c)), bytes, msgs,
			  neps);
	}
	table_end(&t, out);
}

static void print_endpoints(const struct lang *l, const struct model *m, FILE *out)
{
	struct table t;

	if (!m->nchannels)
		return;
	table_start(&t, out, tr(l, T_REPORT_ENDPOINTS), tr(l, T_REPORT_ENDPOINTS_COLS));
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];
			char id[16], pid[16], sends[32], recvs[32], sent[32], rcvd[32];
			char blk[32], blkns[32], eag[32];

			snprintf(id, sizeof(id), "%d", c->id);
			snprintf(pid, sizeof(pid), "%u", e->pid);
			u64s(sends, sizeof(sends), e->sends);
			u64s(recvs, sizeof(recvs), e->recvs);
			fmt_bytes(sent, sizeof(sent), e->bytes_sent);
			fmt_bytes(rcvd, sizeof(rcvd), e->bytes_received);
			u64s(blk, sizeof(blk), e->blocked);
			fmt_dur(blkns, sizeof(blkns), e->blocked_ns);
			u64s(eag, sizeof(eag), e->eagain);
			table_row(&t, id, pid, e->comm[0] ? e->comm : "?", sends, recvs, sent, rcvd, blk,
				  blkns, eag, tr_mode(l, e->mode));
		}
	}
	table_end(&t, out);
	fputs(tr(l, T_REPORT_ENDPOINTS_SUMS), out);
}

static void print_wakeups(const struct lang *l, const struct model *m, FILE *out)
{
	struct table t;
	size_t n = m->nwakeups < TOP_WAKEUPS ? m->nwakeups : TOP_WAKEUPS;

	fputs(tr(l, T_REPORT_WAKEUPS), out);
	if (!m->nwakeups) {
		fputs(tr(l, T_REPORT_NO_WAKEUPS), out);
		return;
	}
	table_init(&t, tr(l, T_REPORT_WAKEUPS_COLS));
	for (size_t i = 0; i < n; i++) {
		const struct model_wakeup *w = &m->wakeups[i];
		const struct model_channel *c = w->chan ? model__channel(m, w->chan) : NULL;
		char cnt[32], waker[16], wakee[16], chan[IPCT_NAME_LEN * 2 + 64];
		char name[IPCT_NAME_LEN * 2 + 16];

		u64s(cnt, sizeof(cnt), w->count);
		snprintf(waker, sizeof(waker), "%u", w->waker_pid);
		snprintf(wakee, sizeof(wakee), "%u", w->wakee_pid);
		if (c)
			snprintf(chan, sizeof(chan), "%d %s %s", c->id, kind_name(c->kind),
				 chan_label(l, c, name, sizeof(name)));
		else
			snprintf(chan, sizeof(chan), "-");
		table_row(&t, cnt, waker, comm_of(l, m, w->waker_pid), wakee, comm_of(l, m, w->wakee_pid),
			  chan);
	}
	table_end(&t, out);
	if (m->nwakeups > n)
		fprintf(out, tr(l, T_REPORT_AND_MORE), m->nwakeups - n);
}

static void print_processes(const struct lang *l, const struct model *m, FILE *out)
{
	struct table t;

	if (!m->nprocesses)
		return;
	table_start(&t, out, tr(l, T_REPORT_PROCESSES), tr(l, T_REPORT_PROCESSES_COLS));
	for (size_t i = 0; i < m->nprocesses; i++) {
		const struct model_process *p = &m->processes[i];
		char pid[16], ppid[16], nt[16];

		snprintf(pid, sizeof(pid), "%u", p->pid);
		if (p->ppid)
			snprintf(ppid, sizeof(ppid), "%u", p->ppid);
		else
			snprintf(ppid, sizeof(ppid), "-");
		snprintf(nt, sizeof(nt), "%zu", p->nthreads);
		table_row(&t, pid, ppid, p->comm[0] ? p->comm : "?", nt, p->cmdline[0] ? p->cmdline : "-");
	}
	table_end(&t, out);
}

static void print_threads(const struct lang *l, const struct model *m, FILE *out)
{
	struct table t;

	table_start(&t, out, tr(l, T_REPORT_THREADS), tr(l, T_REPORT_THREADS_COLS));
	for (size_t i = 0; i < m->nthreads; i++) {
		const struct model_thread *th = &m->threads[i];
		char pid[16], tid[16], u[32], k[32], b[32], r[32], sc[32];

		snprintf(pid, sizeof(pid), "%u", th->pid);
		snprintf(tid, sizeof(tid), "%u", th->tid);
		fmt_dur(u, sizeof(u), th->user_ns);
		fmt_dur(k, sizeof(k), th->kernel_ns);
		fmt_dur(b, sizeof(b), th->blocked_ns);
		fmt_dur(r, sizeof(r), th->runnable_ns);
		u64s(sc, sizeof(sc), th->syscalls);
		table_row(&t, pid, tid, th->comm[0] ? th->comm : comm_of(l, m, th->pid), u, k, b, r, sc);
	}
	table_end(&t, out);
}

static void stuck_who(const struct lang *l, const struct model *m, const struct stuck_thread *s,
		      char *b, size_t n)
{
	size_t o = 0;

	if (!s->nwaiting_for) {
		snprintf(b, n, "? (%s)", s->unknown ? s->unknown : "?");
		return;
	}
	b[0] = '\0';
	for (size_t i = 0; i < s->nwaiting_for && o < n; i++)
		o += snprintf(b + o, n - o, "%s%s %u", i ? ", " : "", comm_of(l, m, s->waiting_for[i]),
			      s->waiting_for[i]);
}

static void stuck_chan(const struct model *m, int id, char *b, size_t n)
{
	const struct model_channel *c = id ? model__channel(m, id) : NULL;

	if (c)
		snprintf(b, n, "#%d %s", c->id, kind_name(c->kind));
	else
		snprintf(b, n, "-");
}

/* Threads asleep in a call at the stop, whom they wait for, and the loops that never end. */
static void print_stuck(const struct lang *l, const struct model *m, const struct stuck_report *sr,
			FILE *out)
{
	struct table t;

	fputs(tr(l, T_REPORT_STUCK), out);
	if (!sr->nthreads) {
		fputs(tr(l, T_REPORT_STUCK_NONE), out);
		return;
	}
	table_init(&t, tr(l, T_REPORT_STUCK_COLS));
	for (size_t i = 0; i < sr->nthreads; i++) {
		const struct stuck_thread *s = &sr->threads[i];
		const struct model_thread *th = model__thread(m, s->tid);
		char pid[16], tid[16], ch[64], since[32], dur[32], who[256];
		uint64_t at = s->since > m->start_ts ? s->since - m->start_ts : 0;

		snprintf(pid, sizeof(pid), "%u", s->pid);
		snprintf(tid, sizeof(tid), "%u", s->tid);
		stuck_chan(m, s->chan, ch, sizeof(ch));
		snprintf(since, sizeof(since), "%.3f s", at / 1e9);
		fmt_dur(dur, sizeof(dur), m->end_ts > s->since ? m->end_ts - s->since : 0);
		stuck_who(l, m, s, who, sizeof(who));
		table_row(&t, pid, tid, th && th->comm[0] ? th->comm : comm_of(l, m, s->pid),
			  op_name(s->op), ch, since, dur, who);
	}
	table_end(&t, out);
	for (size_t i = 0; i < sr->ncycles; i++) {
		const struct stuck_cycle *c = &sr->cycles[i];

		fputs(tr(l, T_REPORT_DEADLOCK), out);
		for (size_t k = 0; k < c->n; k++) {
			const struct stuck_member *a = &c->members[k], *b = &c->members[(k + 1) % c->n];
			char ch[64], line[256];

			stuck_chan(m, a->chan, ch, sizeof(ch));
			if (k)
				fputs(tr(l, T_REPORT_DEADLOCK_SEP), out);
			snprintf(line, sizeof(line), tr(l, T_REPORT_DEADLOCK_WAITS), comm_of(l, m, a->pid),
				 a->pid, op_name(a->op), ch, comm_of(l, m, b->pid), b->pid);
			escape__fputs(out, line, sizeof(line));
		}
		fputs("\n", out);
	}
}

/* A clock offset, to the microsecond whatever its size. */
static void fmt_signed_ns(char *buf, size_t sz, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	char sign = ns < 0 ? '-' : '+';

	if (a >= 1000000000)
		snprintf(buf, sz, "%c%.6f s", sign, a / 1e9);
	else if (a >= 1000000)
		snprintf(buf, sz, "%c%.3f ms", sign, a / 1e6);
	else
		snprintf(buf, sz, "%c%.1f µs", sign, a / 1e3);
}

/* A merged trace's machines: their clocks against the first's, and how pids tell them apart. */
static void print_hosts(const struct lang *l, const struct trace_meta *meta, FILE *out)
{
	struct table t;

	if (!meta || !meta->nhosts)
		return;
	table_start(&t, out, tr(l, T_REPORT_HOSTS), tr(l, T_REPORT_HOSTS_COLS));
	for (uint32_t i = 0; i < meta->nhosts; i++) {
		const struct trace_host *h = &meta->hosts[i];
		char pids[48], off[40], drift[48], unc[32], most[32], msgs[16];

		if (i)
			snprintf(pids, sizeof(pids), tr(l, T_REPORT_HOST_PID_BASE), i << TRACE_HOST_SHIFT);
		else
			snprintf(pids, sizeof(pids), "%s", tr(l, T_REPORT_HOST_OWN_PIDS));
		if (i) {
			fmt_signed_ns(off, sizeof(off), h->offset_ns);
			snprintf(drift, sizeof(drift), "%+.3f +- %.3f ppm", h->drift_ppm,
				 h->drift_uncertainty_ppm);
			fmt_dur(unc, sizeof(unc), h->uncertainty_ns);
			fmt_dur(most, sizeof(most), h->max_uncertainty_ns);
			snprintf(msgs, sizeof(msgs), "%u", h->messages);
		} else {
			snprintf(off, sizeof(off), "%s", tr(l, T_REPORT_HOST_REFERENCE));
			snprintf(drift, sizeof(drift), "-");
			snprintf(unc, sizeof(unc), "-");
			snprintf(most, sizeof(most), "-");
			snprintf(msgs, sizeof(msgs), "-");
		}
		table_row(&t, h->name, pids, off, drift, unc, most,
			  i ? meta->hosts[h->aligned_to].name : "-", msgs);
	}
	table_end(&t, out);
}

int report__text(const struct model *m, const struct trace_meta *meta, const struct lang *l, FILE *out)
{
	struct stuck_report *sr = stuck__find(m);

	if (!sr)
		return -ENOMEM;
	print_header(l, m, meta, out);
	print_hosts(l, meta, out);
	print_channels(l, m, out);
	print_endpoints(l, m, out);
	print_wakeups(l, m, out);
	print_processes(l, m, out);
	print_threads(l, m, out);
	print_stuck(l, m, sr, out);
	stuck__free(sr);
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}

static void json_trace(struct json_writer *w, const struct model *m, const struct trace_meta *meta,
		       const struct trace_reading *reading)
{
	json_writer__name(w, "trace");
	json_writer__start_object(w);
	json_writer__uint_field(w, "duration_ns", m->end_ts - m->start_ts);
	json_writer__uint_field(w, "events", m->events);
	json_writer__uint_field(w, "lost_events", m->lost_events);
	json_writer__uint_field(w, "out_of_window_events", m->out_of_window);
	json_writer__uint_field(w, "start_ns", m->start_ts);
	json_writer__uint_field(w, "end_ns", m->end_ts);
	json_writer__uint_field(w, "unknown_channels", m->unknown_chans);
	json_writer__uint_field(w, "unseen_switch_ins", m->unseen_switch_ins);
	if (meta) {
		char iso[64] = "";
		time_t sec = meta->start_real_ns / 1000000000ull;
		struct tm tm;

		if (meta->start_real_ns && gmtime_r(&sec, &tm))
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_writer__stringn_field(w, "command", meta->cmdline, sizeof(meta->cmdline));
		json_writer__stringn_field(w, "host", meta->host, sizeof(meta->host));
		json_writer__stringn_field(w, "kernel", meta->kernel, sizeof(meta->kernel));
		json_writer__stringn_field(w, "arch", meta->arch, sizeof(meta->arch));
		json_writer__string_field(w, "start_time", iso);
	}
	if (reading) {
		/* a reader of the JSON learns here, not only on stderr, that the file was cut or damaged */
		json_writer__name(w, "reading");
		json_writer__start_object(w);
		json_writer__string_field(w, "status", reading->status);
		json_writer__string_field(w, "message", reading->message ? reading->message : "");
		json_writer__uint_field(w, "events_read", reading->events_read);
		json_writer__uint_field(w, "duplicate_blocks", reading->duplicate_blocks);
		json_writer__uint_field(w, "reordered_blocks", reading->reordered_blocks);
		json_writer__end_object(w);
	}
	json_writer__name(w, "lost");
	json_writer__start_array(w);
	for (size_t i = 0; i < m->nlost; i++) {
		json_writer__start_object(w);
		json_writer__uint_field(w, "cpu", m->lost[i].cpu);
		json_writer__uint_field(w, "first_ns", m->lost[i].first_ts);
		json_writer__uint_field(w, "last_ns", m->lost[i].last_ts);
		json_writer__uint_field(w, "count", m->lost[i].count);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
	json_writer__end_object(w);
}

/* A merged trace's machine name for pid, NULL for an unmerged trace. */
static const char *host_name(const struct trace_meta *meta, uint32_t pid)
{
	uint32_t h = model_host_of(pid);

	if (!meta || !meta->nhosts)
		return NULL;
	return h < meta->nhosts ? meta->hosts[h].name : "?";
}

static void json_hosts(struct json_writer *w, const struct trace_meta *meta)
{
	if (!meta || !meta->nhosts)
		return;
	json_writer__name(w, "hosts");
	json_writer__start_array(w);
	for (uint32_t i = 0; i < meta->nhosts; i++) {
		const struct trace_host *h = &meta->hosts[i];

		json_writer__start_object(w);
		json_writer__stringn_field(w, "host", h->name, sizeof(h->name));
		json_writer__int_field(w, "offset_ns", h->offset_ns);
		json_writer__float_field(w, "drift_ppm", h->drift_ppm);
		json_writer__float_field(w, "drift_uncertainty_ppm", h->drift_uncertainty_ppm);
		json_writer__uint_field(w, "uncertainty_ns", h->uncertainty_ns);
		json_writer__uint_field(w, "uncertainty_at_ns", h->uncertainty_at_ns);
		json_writer__uint_field(w, "max_uncertainty_ns", h->max_uncertainty_ns);
		json_writer__uint_field(w, "messages", h->messages);
		json_writer__stringn_field(w, "aligned_to", meta->hosts[h->aligned_to].name,
					   sizeof(h->name));
		json_writer__uint_field(w, "pid_base", (uint64_t)i << TRACE_HOST_SHIFT);
		json_writer__stringn_field(w, "boot_id", h->boot_id, sizeof(h->boot_id));
		json_writer__uint_field(w, "netns", h->netns);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
}

static void json_processes(struct json_writer *w, const struct model *m, const struct trace_meta *meta)
{
	json_writer__name(w, "processes");
	json_writer__start_array(w);
	for (size_t i = 0; i < m->nprocesses; i++) {
		const struct model_process *p = &m->processes[i];

		json_writer__start_object(w);
		json_writer__uint_field(w, "pid", p->pid);
		if (host_name(meta, p->pid)) {
			json_writer__string_field(w, "host", host_name(meta, p->pid));
			json_writer__uint_field(w, "host_pid", model_host_pid(p->pid));
		}
		json_writer__uint_field(w, "ppid", p->ppid);
		json_writer__stringn_field(w, "comm", p->comm, sizeof(p->comm));
		json_writer__stringn_field(w, "exe", p->exe, sizeof(p->exe));
		json_writer__stringn_field(w, "cmdline", p->cmdline, sizeof(p->cmdline));
		json_writer__bool_field(w, "exited", p->exited);
		json_writer__int_field(w, "exit_code", p->exit_code);
		json_writer__name(w, "threads");
		json_writer__start_array(w);
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct model_thread *t = &m->threads[p->threads[j]];

			json_writer__start_object(w);
			json_writer__uint_field(w, "tid", t->tid);
			if (host_name(meta, t->tid))
				json_writer__uint_field(w, "host_tid", model_host_pid(t->tid));
			json_writer__stringn_field(w, "comm", t->comm, sizeof(t->comm));
			json_writer__uint_field(w, "user_ns", t->user_ns);
			json_writer__uint_field(w, "kernel_ns", t->kernel_ns);
			json_writer__uint_field(w, "blocked_ns", t->blocked_ns);
			json_writer__uint_field(w, "runnable_ns", t->runnable_ns);
			json_writer__uint_field(w, "syscalls", t->syscalls);
			json_writer__uint_field(w, "first_ns", t->first_ts);
			json_writer__uint_field(w, "last_ns", t->last_ts);
			json_writer__bool_field(w, "exited", t->exited);
			json_writer__end_object(w);
		}
		json_writer__end_array(w);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
}

static void json_endpoint(struct json_writer *w, const struct model_endpoint *e)
{
	const char *mode = mode_name(e->mode);

	json_writer__start_object(w);
	json_writer__uint_field(w, "pid", e->pid);
	json_writer__stringn_field(w, "comm", e->comm, sizeof(e->comm));
	json_writer__uint_field(w, "sends", e->sends);
	json_writer__uint_field(w, "recvs", e->recvs);
	json_writer__uint_field(w, "bytes_sent", e->bytes_sent);
	json_writer__uint_field(w, "bytes_received", e->bytes_received);
	json_writer__uint_field(w, "blocked", e->blocked);
	json_writer__uint_field(w, "blocked_ns", e->blocked_ns);
	json_writer__uint_field(w, "eagain", e->eagain);
	if (mode)
		json_writer__string_field(w, "mode", mode);
	else
		json_writer__null_field(w, "mode");
	json_writer__name(w, "mode_evidence");
	json_writer__start_object(w);
	for (int mo = 0; mo < MODE_COUNT; mo++) {
		json_writer__name(w, mode_name(mo));
		json_writer__start_object(w);
		json_writer__uint_field(w, "calls", e->mode_calls[mo]);
		json_writer__uint_field(w, "ns", e->mode_ns[mo]);
		json_writer__end_object(w);
	}
	json_writer__end_object(w);
	json_writer__uint_field(w, "first_ns", e->first_ts);
	json_writer__uint_field(w, "last_ns", e->last_ts);
	json_writer__end_object(w);
}

static void json_channels(struct json_writer *w, const struct model *m)
{
	json_writer__name(w, "channels");
	json_writer__start_array(w);
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		json_writer__start_object(w);
		json_writer__int_field(w, "id", c->id);
		json_writer__string_field(w, "kind", kind_name(c->kind));
		json_writer__stringn_field(w, "name", c->name, sizeof(c->name));
		json_writer__string_field(w, "direction", direction_name(c->direction));
		json_writer__string_field(w, "medium", medium_name(kind_medium(c->kind)));
		json_writer__string_field(w, "unit", unit_name(kind_unit(c->kind)));
		json_writer__string_field(w, "scope", scope_name(channel_scope(c)));
		json_writer__bool_field(w, "remote", c->remote);
		json_writer__bool_field(w, "across_hosts", c->across_hosts);
		json_writer__bool_field(w, "listening", c->listening);
		json_writer__uint_field(w, "bytes", c->bytes);
		json_writer__uint_field(w, "bytes_received", channel_bytes_received(c));
		json_writer__uint_field(w, "messages", c->messages);
		json_writer__uint_field(w, "first_ns", c->first_ts);
		json_writer__uint_field(w, "last_ns", c->last_ts);
		json_writer__name(w, "endpoints");
		json_writer__start_array(w);
		for (size_t j = 0; j < c->nendpoints; j++)
			json_endpoint(w, &c->endpoints[j]);
		json_writer__end_array(w);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
}

static void json_wakeups(struct json_writer *w, const struct model *m)
{
	json_writer__name(w, "wakeups");
	json_writer__start_array(w);
	for (size_t i = 0; i < m->nwakeups; i++) {
		const struct model_wakeup *wk = &m->wakeups[i];

		json_writer__start_object(w);
		json_writer__uint_field(w, "waker_pid", wk->waker_pid);
		json_writer__uint_field(w, "wakee_pid", wk->wakee_pid);
		if (wk->chan)
			json_writer__int_field(w, "channel", wk->chan);
		else
			json_writer__null_field(w, "channel");
		json_writer__uint_field(w, "count", wk->count);
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
}

static void json_chan_or_null(struct json_writer *w, int id)
{
	if (id)
		json_writer__int_field(w, "channel", id);
	else
		json_writer__null_field(w, "channel");
}

static void json_stuck(struct json_writer *w, const struct model *m, const struct stuck_report *sr)
{
	json_writer__name(w, "stuck");
	json_writer__start_array(w);
	for (size_t i = 0; i < sr->nthreads; i++) {
		const struct stuck_thread *s = &sr->threads[i];
		const struct model_thread *th = model__thread(m, s->tid);

		json_writer__start_object(w);
		json_writer__uint_field(w, "pid", s->pid);
		json_writer__uint_field(w, "tid", s->tid);
		json_writer__stringn_field(w, "comm", th ? th->comm : "", IPCT_COMM_LEN);
		json_chan_or_null(w, s->chan);
		json_writer__string_field(w, "op", op_name(s->op));
		json_writer__uint_field(w, "since_ns", s->since);
		json_writer__name(w, "waiting_for");
		json_writer__start_array(w);
		for (size_t k = 0; k < s->nwaiting_for; k++)
			json_writer__uint(w, s->waiting_for[k]);
		json_writer__end_array(w);
		if (s->unknown)
			json_writer__string_field(w, "waiting_for_unknown", s->unknown);
		else
			json_writer__null_field(w, "waiting_for_unknown");
		json_writer__end_object(w);
	}
	json_writer__end_array(w);
	json_writer__name(w, "cycles");
	json_writer__start_array(w);
	for (size_t i = 0; i < sr->ncycles; i++) {
		json_writer__start_array(w);
		for (size_t k = 0; k < sr->cycles[i].n; k++) {
			const struct stuck_member *a = &sr->cycles[i].members[k];
			const struct model_process *p = model__process(m, a->pid);

			json_writer__start_object(w);
			json_writer__uint_field(w, "pid", a->pid);
			json_writer__stringn_field(w, "comm", p ? p->comm : "", IPCT_COMM_LEN);
			json_chan_or_null(w, a->chan);
			json_writer__uint_field(w, "tid", a->tid);
			json_writer__string_field(w, "op", op_name(a->op));
			json_writer__end_object(w);
		}
		json_writer__end_array(w);
	}
	json_writer__end_array(w);
}

int report__json(const struct model *m, const struct trace_meta *meta, FILE *out)
{
	return report__json_read(m, meta, NULL, out);
}

int report__json_read(const struct model *m, const struct trace_meta *meta,
		      const struct trace_reading *reading, FILE *out)
{
	struct json_writer *w;
	struct stuck_report *sr = stuck__find(m);

	if (!sr)
		return -ENOMEM;
	w = json_writer__new(out, true);
	if (!w) {
		stuck__free(sr);
		return -ENOMEM;
	}
	json_writer__start_object(w);
	json_trace(w, m, meta, reading);
	json_processes(w, m, meta);
	json_channels(w, m);
	json_wakeups(w, m);
	json_stuck(w, m, sr);
	stuck__free(sr);
	json_hosts(w, meta);
	json_writer__end_object(w);
	return json_writer__free(w);
}
