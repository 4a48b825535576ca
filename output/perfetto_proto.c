// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Perfetto's own trace format: a protobuf Trace of TracePackets (TrackEvent
 * with flows), which ui.perfetto.dev opens at sizes where the JSON of
 * perfetto.c is past what a browser tab holds (a 60 s recording: 4.4 GB of
 * JSON). One track per process with a track per thread inside; spans are
 * slices (begin and end), transfers and wakeups are flows between instants
 * on the two threads, lost events are instants on a track of their own.
 * Written field by field on the protobuf wire format (varints, tags,
 * length-prefixed messages), streamed as a model sink.
 *
 * The field numbers are those of perfetto/protos/perfetto/trace:
 *   Trace.packet 1; TracePacket.timestamp 8, .trusted_packet_sequence_id 10,
 *   .track_event 11, .sequence_flags 13, .track_descriptor 60;
 *   TrackDescriptor.uuid 1, .name 2, .process 3, .thread 4, .parent_uuid 5;
 *   ProcessDescriptor.pid 1, .process_name 6; ThreadDescriptor.pid 1, .tid 2,
 *   .thread_name 5; TrackEvent.type 9 (1 begin, 2 end, 3 instant),
 *   .track_uuid 11, .category_iids 3, .name_iid 10, .flow_ids 47,
 *   .terminating_flow_ids 48; TracePacket.interned_data 12: InternedData
 *   .event_categories 1, .event_names 2, each {iid 1, name 2}.
 * Names and categories are interned (sent once, then referred to by a number),
 * so a slice costs about 30 bytes where the JSON spends 200.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "critical_path.h"
#include "escape.h"
#include "model.h"
#include "filter.h"
#include "hmap.h"
#include "perfetto.h"

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2 };
enum { SLICE_BEGIN = 1, SLICE_END = 2, INSTANT = 3 };

#define SEQUENCE_ID 1
/* Track ids: small numbers make short varints, and every event carries one. */
#define UUID_PROCESS(pid) ((uint64_t)(pid) << 2 | 1)
#define UUID_THREAD(tid) ((uint64_t)(tid) << 2 | 2)
#define UUID_LOST 3
#define UUID_CRITICAL_PATH 7

/* A message being built: small, so a fixed buffer; overflowing it drops the field. */
struct pb {
	uint8_t b[1024];
	size_t len;
};

static size_t varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v > 0x7f) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v > 0x7f) {
		v >>= 7;
		n++;
	}
	return n;
}

static void pb_raw(struct pb *p, const void *d, size_t n)
{
	if (p->len + n > sizeof(p->b))
		return;
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

/* A field's tag and value, or nothing when they might not fit. */
static void pb_uint(struct pb *p, unsigned field, uint64_t v)
{
	if (p->len + 20 > sizeof(p->b))
		return;
	p->len += varint(p->b + p->len, (uint64_t)field << 3 | WIRE_VARINT);
	p->len += varint(p->b + p->len, v);
}

static void pb_fixed64(struct pb *p, unsigned field, uint64_t v)
{
	if (p->len + 18 > sizeof(p->b))
		return;
	p->len += varint(p->b + p->len, (uint64_t)field << 3 | WIRE_FIXED64);
	for (int i = 0; i < 8; i++)
		p->b[p->len++] = (uint8_t)(v >> (8 * i));
}

static void pb_bytes(struct pb *p, unsigned field, const void *d, size_t n)
{
	if (p->len + n + 12 > sizeof(p->b))
		return;
	p->len += varint(p->b + p->len, (uint64_t)field << 3 | WIRE_LEN);
	p->len += varint(p->b + p->len, n);
	pb_raw(p, d, n);
}

/* A name from a traced program: valid UTF-8 with its control characters escaped. */
static void pb_name(struct pb *p, unsigned field, const char *s, size_t maxlen)
{
	char buf[ESCAPE_BUF(128)];
	size_t n = escape__str(buf, sizeof(buf), s, maxlen < 128 ? maxlen : 128);

	pb_bytes(p, field, buf, n);
}

static void pb_msg(struct pb *p, unsigned field, const struct pb *sub)
{
	pb_bytes(p, field, sub->b, sub->len);
}

/*
 * The iids of an event's category and name already sent, by what they are
 * made of (name_key), so an event like one before costs neither formatting
 * nor hashing: most of an export's events repeat a few names.
 */
struct known {
	uint32_t cat, name;
};

/* Interned strings: the FNV-1a hash of the text -> its iid (1..n). */
struct intern {
	struct hmap by_hash;
	uint32_t n;
};

/* Packets are written to the stream in blocks of this size: two stdio calls a packet cost more than the encoding. */
#define OUT_BLOCK (1u << 20)

struct perfetto_proto {
	FILE *out;
	uint8_t *buf;              /* OUT_BLOCK bytes not yet written to out */
	size_t used;
	const struct model *names;
	struct model_choice *kept;     /* what the filters keep of names */
	const struct trace_meta *meta;
	uint64_t next_flow;
	unsigned described;        /* track descriptors written */
	struct intern names_in, cats_in;
	struct hmap known_by_key;  /* name_key -> index in known */
	struct known *known;
	size_t nknown, known_cap;
	int err;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h ? h : 1;
}

/* The iid of s in t; *fresh when it is new (the packet must then carry it). 0 when out of memory. */
static uint32_t intern(struct intern *t, const char *s, bool *fresh)
{
	uint64_t h = fnv1a(s);
	uint32_t iid = hmap_get(&t->by_hash, h);

	*fresh = iid == HMAP_NONE;
	if (!*fresh)
		return iid;
	if (hmap_put(&t->by_hash, h, t->n + 1))
		return 0;
	return ++t->n;
}

/* Writes what is buffered to the stream. */
static void out_flush(struct perfetto_proto *p)
{
	if (p->used && fwrite(p->buf, 1, p->used, p->out) != p->used)
		p->err = -EIO;
	p->used = 0;
}

/*
 * Room for a TracePacket of len bytes as one Trace.packet field, its tag and
 * length written: the packet's fields go at the returned pointer.
 */
static uint8_t *packet_start(struct perfetto_proto *p, size_t len)
{
	uint8_t *o;

	if (p->used + len + 11 > OUT_BLOCK)
		out_flush(p);
	o = p->buf + p->used;
	*o++ = 1 << 3 | WIRE_LEN;
	o += varint(o, len);
	p->used = (size_t)(o - p->buf) + len;
	return o;
}

/* One TracePacket as one Trace.packet field on the stream. */
static void put_packet(struct perfetto_proto *p, const struct pb *pkt)
{
	memcpy(packet_start(p, pkt->len), pkt->b, pkt->len);
}

/* An event being built, with the interned strings its packet must introduce. */
struct event {
	struct pb te;        /* the TrackEvent */
	struct pb interned;  /* InternedData, empty when nothing is new */
	uint32_t cat, name;  /* their iids, 0 = none */
};

/* A length-delimited field from a built message, at o; the end of what it wrote. */
static uint8_t *put_msg(uint8_t *o, unsigned field, const struct pb *sub)
{
	*o++ = (uint8_t)(field << 3 | WIRE_LEN);
	o += varint(o, sub->len);
	memcpy(o, sub->b, sub->len);
	return o + sub->len;
}

/*
 * The event's TracePacket written straight to the stream's buffer: its
 * timestamp, sequence, flags, interned strings and TrackEvent (fields 8,
 * 10, 13, 12, 11, each tag one byte).
 */
static void put_event(struct perfetto_proto *p, uint64_t ts, const struct event *ev)
{
	size_t len = 1 + varint_len(ts) + 2 + 2 + 1 + varint_len(ev->te.len) + ev->te.len;
	uint8_t *o;

	if (ev->interned.len)
		len += 1 + varint_len(ev->interned.len) + ev->interned.len;
	o = packet_start(p, len);
	*o++ = 8 << 3 | WIRE_VARINT;
	o += varint(o, ts);
	*o++ = 10 << 3 | WIRE_VARINT;
	*o++ = SEQUENCE_ID;
	*o++ = 13 << 3 | WIRE_VARINT;
	*o++ = 2; /* SEQ_NEEDS_INCREMENTAL_STATE: it refers to interned strings */
	if (ev->interned.len)
		o = put_msg(o, 12, &ev->interned);
	put_msg(o, 11, &ev->te);
}

/* name_field: TrackEvent's iid field; interned_field: InternedData's list of them. */
static uint32_t interned_string(struct perfetto_proto *p, struct event *ev, struct intern *t,
				const char *s, unsigned name_field, unsigned interned_field)
{
	struct pb entry;
	bool fresh;
	uint32_t iid = intern(t, s, &fresh);

	entry.len = 0;
	if (!iid) {
		p->err = -ENOMEM;
		return 0;
	}
	pb_uint(&ev->te, name_field, iid);
	if (!fresh)
		return iid;
	pb_uint(&entry, 1, iid);
	pb_bytes(&entry, 2, s, strlen(s));
	pb_msg(&ev->interned, interned_field, &entry);
	return iid;
}

static void track_event(struct perfetto_proto *p, struct event *ev, unsigned type, uint64_t track,
			const char *cat, const char *name)
{
	ev->te.len = ev->interned.len = 0;
	ev->cat = ev->name = 0;
	pb_uint(&ev->te, 9, type);
	pb_uint(&ev->te, 11, track);
	if (cat)
		ev->cat = interned_string(p, ev, &p->cats_in, cat, 3, 1);
	if (name)
		ev->name = interned_string(p, ev, &p->names_in, name, 10, 2);
}

/* What a span's or flow's category and name are made of: its state (or flow kind), call, channel. */
static uint64_t name_key(unsigned what, unsigned op, int chan)
{
	return (uint64_t)what << 40 | (uint64_t)op << 32 | (uint32_t)chan;
}

/* Starts ev as track_event would with key's category and name; false when key was never sent. */
static bool known_event(const struct perfetto_proto *p, struct event *ev, unsigned type,
			uint64_t track, uint64_t key)
{
	uint32_t i = hmap_get(&p->known_by_key, key);

	if (i == HMAP_NONE)
		return false;
	ev->te.len = ev->interned.len = 0;
	ev->cat = p->known[i].cat;
	ev->name = p->known[i].name;
	pb_uint(&ev->te, 9, type);
	pb_uint(&ev->te, 11, track);
	pb_uint(&ev->te, 3, ev->cat);
	pb_uint(&ev->te, 10, ev->name);
	return true;
}

/* Remembers the iids ev was given for key (a failure only costs the next event the slow way). */
static void remember(struct perfetto_proto *p, uint64_t key, const struct event *ev)
{
	if (!ev->cat || !ev->name)
		return;
	if (p->nknown == p->known_cap) {
		size_t cap = p->known_cap ? 2 * p->known_cap : 64;
		struct known *v = realloc(p->known, cap * sizeof(*v));

		if (!v)
			return;
		p->known = v;
		p->known_cap = cap;
	}
	if (hmap_put(&p->known_by_key, key, (uint32_t)p->nknown))
		return;
	p->known[p->nknown++] = (struct known){ .cat = ev->cat, .name = ev->name };
}

/* A TrackDescriptor's packet; the first packet of the sequence also clears its state. */
static void put_descriptor(struct perfetto_proto *p, const struct pb *td)
{
	struct pb pkt;

	pkt.len = 0;
	pb_uint(&pkt, 10, SEQUENCE_ID);
	if (!p->described++)
		pb_uint(&pkt, 13, 1); /* SEQ_INCREMENTAL_STATE_CLEARED */
	pb_msg(&pkt, 60, td);
	put_packet(p, &pkt);
}

static void describe_tracks(struct perfetto_proto *p)
{
	const struct model *m = p->names;
	struct pb td, desc;

	for (size_t i = 0; i < m->nprocesses; i++) {
		const struct model_process *pr = &m->processes[i];
		char name[sizeof(pr->cmdline) + 300];

		if (!model_choice__pid(p->kept, pr->pid))
			continue;

		perfetto__process_name(p->meta, pr, name, sizeof(name));
		desc.len = td.len = 0;
		pb_uint(&desc, 1, pr->pid);
		pb_name(&desc, 6, name, sizeof(name));
		pb_uint(&td, 1, UUID_PROCESS(pr->pid));
		pb_msg(&td, 3, &desc);
		put_descriptor(p, &td);
		for (size_t j = 0; j < pr->nthreads; j++) {
			const struct model_thread *t;

			if (pr->threads[j] >= m->nthreads)
				continue;
			t = &m->threads[pr->threads[j]];
			desc.len = td.len = 0;
			pb_uint(&desc, 1, pr->pid);
			pb_uint(&desc, 2, t->tid);
			pb_name(&desc, 5, t->comm, sizeof(t->comm));
			pb_uint(&td, 1, UUID_THREAD(t->tid));
			pb_uint(&td, 5, UUID_PROCESS(pr->pid));
			pb_msg(&td, 4, &desc);
			put_descriptor(p, &td);
		}
	}
	td.len = 0;
	pb_uint(&td, 1, UUID_LOST);
	pb_bytes(&td, 2, "lost events", strlen("lost events"));
	put_descriptor(p, &td);
}

static void on_span(void *ctx, const struct model_span *s)
{
	struct perfetto_proto *p = ctx;
	/* a polling span's name counts its calls: never like another's */
	uint64_t key = name_key(s->state + 1, s->op, s->chan);
	bool polling = s->state == SPAN_POLLING;
	char name[128];
	const char *cat;
	struct event ev;

	if (polling || !known_event(p, &ev, SLICE_BEGIN, UUID_THREAD(s->tid), key)) {
		cat = perfetto__span_name(p->names, s, name, sizeof(name));
		if (!cat || !model_choice__pid(p->kept, s->pid))
			return;
		track_event(p, &ev, SLICE_BEGIN, UUID_THREAD(s->tid), cat, name);
		if (!polling)
			remember(p, key, &ev);
	} else if (!model_choice__pid(p->kept, s->pid)) {
		return;
	}
	put_event(p, s->start, &ev);
	track_event(p, &ev, SLICE_END, UUID_THREAD(s->tid), NULL, NULL);
	put_event(p, s->end, &ev);
}

/* Flow kinds for name_key, apart from span states (which it takes + 1). */
#define FLOW_TRANSFER 0x80
#define FLOW_WAKEUP 0x81

/*
 * A flow ("transfer #3 pipe") from an instant on one thread to an instant on
 * another; it never ends before it starts.
 */
static void flow(struct perfetto_proto *p, unsigned kind, int chan, uint32_t stid, uint64_t sts,
		 uint32_t dtid, uint64_t dts)
{
	uint64_t id = ++p->next_flow, key = name_key(kind, 0, chan);
	struct event ev;
	char name[64];

	if (!known_event(p, &ev, INSTANT, UUID_THREAD(stid), key)) {
		perfetto__flow_name(p->names, name, sizeof(name),
				    kind == FLOW_TRANSFER ? "transfer" : "wakeup", chan);
		track_event(p, &ev, INSTANT, UUID_THREAD(stid), "flow", name);
		remember(p, key, &ev);
	}
	pb_fixed64(&ev.te, 47, id);
	put_event(p, sts, &ev);
	if (!known_event(p, &ev, INSTANT, UUID_THREAD(dtid), key))
		track_event(p, &ev, INSTANT, UUID_THREAD(dtid), "flow", name);
	pb_fixed64(&ev.te, 48, id);
	put_event(p, dts < sts ? sts : dts, &ev);
}

static void on_transfer(void *ctx, const struct model_transfer *t)
{
	struct perfetto_proto *p = ctx;

	if (!model_choice__flow(p->kept, t->chan, t->src_pid, t->dst_pid))
		return;
	flow(p, FLOW_TRANSFER, t->chan, t->src_tid, t->src_ts, t->dst_tid, t->dst_ts);
}

static void on_wake(void *ctx, const struct model_wake *w)
{
	struct perfetto_proto *p = ctx;

	if (w->waker_tid == 0 || !model_choice__flow(p->kept, w->chan, w->waker_pid, w->wakee_pid))
		return;
	flow(p, FLOW_WAKEUP, w->chan, w->waker_tid, w->ts, w->wakee_tid, w->ts);
}

static void on_lost(void *ctx, const struct model_lost *l)
{
	struct perfetto_proto *p = ctx;
	char name[64];
	struct event ev;

	snprintf(name, sizeof(name), "LOST %" PRIu64 " events (CPU %u)", l->count, l->cpu);
	track_event(p, &ev, INSTANT, UUID_LOST, "lost", name);
	put_event(p, l->first_ts, &ev);
}

/* The critical path as a track of its own above the processes: one slice per step. */
static void cp_track(struct perfetto_proto *p, const struct critical_path *cp)
{
	char name[160];
	struct event ev;
	struct pb td = { .len = 0 };

	perfetto__cp_track_name(p->names, cp->tid, name, sizeof(name));
	pb_uint(&td, 1, UUID_CRITICAL_PATH);
	pb_bytes(&td, 2, name, strlen(name));
	put_descriptor(p, &td);
	for (size_t i = 0; i < cp->nsteps; i++) {
		const struct cp_step *s = &cp->steps[i];

		perfetto__cp_step_name(p->names, s, name, sizeof(name));
		track_event(p, &ev, SLICE_BEGIN, UUID_CRITICAL_PATH, "critical-path", name);
		put_event(p, s->start, &ev);
		track_event(p, &ev, SLICE_END, UUID_CRITICAL_PATH, NULL, NULL);
		put_event(p, s->end, &ev);
	}
}

struct perfetto_proto *perfetto_proto__new(const struct model *names, const struct trace_meta *meta,
					  const struct model_filter *f, FILE *out)
{
	struct perfetto_proto *p = calloc(1, sizeof(*p));

	if (!p || !(p->kept = model_choice__new(names, f)) || !(p->buf = malloc(OUT_BLOCK))) {
		perfetto_proto__free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->out = out;
	p->names = names;
	p->meta = meta;
	describe_tracks(p);
	return p;
}

void perfetto_proto__sinks(struct perfetto_proto *p, struct model_opts *mo)
{
	mo->ctx = p;
	mo->on_span = on_span;
	mo->on_transfer = on_transfer;
	mo->on_wake = on_wake;
	mo->on_lost = on_lost;
}

int perfetto_proto__finish(struct perfetto_proto *p, const struct critical_path *cp)
{
	if (cp)
		cp_track(p, cp);
	out_flush(p);
	if (fflush(p->out) || p->err)
		return p->err ? p->err : -EIO;
	return 0;
}

void perfetto_proto__free(struct perfetto_proto *p)
{
	if (!p)
		return;
	hmap_free(&p->names_in.by_hash);
	hmap_free(&p->cats_in.by_hash);
	hmap_free(&p->known_by_key);
	free(p->known);
	free(p->buf);
	model_choice__free(p->kept);
	free(p);
}
