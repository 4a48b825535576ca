// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Trace file writer and reader; the layout is in trace.h. header_len counts
 * the whole header, CRC included; tagged fields between the last string and
 * the CRC are added without a new version (readers skip tags they do not know).
 * A block's first_ts equals its first event's ts and is checked on reading:
 * the block CRC covers only the compressed bytes.
 *
 * A block's raw bytes are two streams, so that deflate finds the repetitive
 * fields repeating and the noisy timestamps do not break its matches:
 *   varint main_len, main stream (main_len bytes), time stream (the rest).
 * All coding state resets at each block, so every block decodes on its own.
 * Each event puts into the main stream: u8 type, u8 flags, varint
 * zigzag(pid - prev_pid), varint zigzag(tid - pid), varint cpu, then the
 * type's fields other than timestamps; and into the time stream: varint
 * zigzag(ts - prev_ts) (prev_ts starts at 0, so the first event carries its
 * full ts and the block header's first_ts can be checked against it), then
 * the type's timestamps in field order. Field coding:
 *   - other timestamps relative to ts: (ts - v) mod 2^64, with 0 kept as 0;
 *   - other pids relative to a pid of the same event, zigzag;
 *   - chan ids through a 16-entry move-to-front table: u8 0 = id 0,
 *     1..16 = table slot, 17 = 8-byte literal that then enters the table;
 *   - strings: varint length (trailing NULs dropped) + bytes; CMDLINE argv:
 *     varint length + bytes, its inner NULs kept;
 *   - u8 fields as one byte, other integers as LEB128 varints.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#include "trace.h"

#define BLK_MAGIC "BLK1"
#define END_MAGIC "END1"
/* zlib's compressBound: no block longer than this was ever written, whatever the level */
#define ZLIB_BOUND(n) ((n) + ((n) >> 12) + ((n) >> 14) + ((n) >> 25) + 13)
#define BLK_HDR_LEN 28		/* magic, comp_len, raw_len, nevents, first_ts, crc */
#define END_LEN 20		/* magic, u32 12, u64 total, crc */
#define HDR_FIXED_LEN 36	/* magic, version, header_len, 2 x u64, flags */
#define HDR_MIN_LEN (HDR_FIXED_LEN + 4 * 2 + 4)
#define HDR_MAX_LEN (64u << 10)	/* room for fields a later v1 may append */
#define ENC_EVENT_MAX 512	/* no encoded event comes close to this */
#define CHAN_SLOTS 16
#define CHAN_LITERAL (CHAN_SLOTS + 1)
#define VARINT_MAX 10

_Static_assert(sizeof(struct ipct_chan) <= IPCT_EVENT_MAX, "IPCT_EVENT_MAX too small");
_Static_assert(sizeof(struct ipct_proc) <= IPCT_EVENT_MAX, "IPCT_EVENT_MAX too small");
_Static_assert(sizeof(struct ipct_cmdline) <= IPCT_EVENT_MAX, "IPCT_EVENT_MAX too small");
_Static_assert(VARINT_MAX + TRACE_BLOCK_TARGET + ENC_EVENT_MAX <= TRACE_BLOCK_RAW_MAX,
	       "a full block must stay readable");

size_t ipct_event_size(unsigned type)
{
	switch (type) {
	case IPCT_EV_SYSCALL:
		return sizeof(struct ipct_syscall);
	case IPCT_EV_SLEEP:
		return sizeof(struct ipct_sleep);
	case IPCT_EV_WAKEUP:
		return sizeof(struct ipct_wakeup);
	case IPCT_EV_FORK:
	case IPCT_EV_TASK:
		return sizeof(struct ipct_task);
	case IPCT_EV_EXEC:
	case IPCT_EV_EXIT:
	case IPCT_EV_COMM:
		return sizeof(struct ipct_proc);
	case IPCT_EV_CHAN:
		return sizeof(struct ipct_chan);
	case IPCT_EV_LOST:
		return sizeof(struct ipct_lost);
	case IPCT_EV_WINDOW:
		return sizeof(struct ipct_window);
	case IPCT_EV_MAP:
		return sizeof(struct ipct_map);
	case IPCT_EV_CMDLINE:
		return sizeof(struct ipct_cmdline);
	default:
		return 0;
	}
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static uint16_t get_le16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static uint64_t zz64(uint64_t v)
{
	return (v << 1) ^ (0 - (v >> 63));
}

static uint64_t unzz64(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

static uint32_t zz32(uint32_t v)
{
	return (v << 1) ^ (0u - (v >> 31));
}

static uint32_t unzz32(uint32_t z)
{
	return (z >> 1) ^ (0u - (z & 1));
}

/* Bijection on u64 that sends z0 to 0 and shifts the values below it up by one. */
static uint64_t swap0_enc(uint64_t z, uint64_t z0)
{
	if (z == z0)
		return 0;
	return z < z0 ? z + 1 : z;
}

static uint64_t swap0_dec(uint64_t g, uint64_t z0)
{
	if (g == 0)
		return z0;
	return g <= z0 ? g - 1 : g;
}

/* Per-block coding state, identical on both sides. */
struct blk_state {
	uint64_t prev_ts;
	uint32_t prev_pid;
	unsigned nchans;
	uint64_t chans[CHAN_SLOTS];
};

static void chan_to_front(struct blk_state *st, unsigned i, uint64_t id)
{
	memmove(&st->chans[1], &st->chans[0], i * sizeof(st->chans[0]));
	st->chans[0] = id;
}

struct enc {
	uint8_t *p;		/* main stream */
	uint8_t *tp;		/* time stream */
	struct blk_state *st;
};

static void put_u8(struct enc *e, uint8_t v)
{
	*e->p++ = v;
}

static uint8_t *put_var_at(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static void put_var(struct enc *e, uint64_t v)
{
	e->p = put_var_at(e->p, v);
}

static void put_tvar(struct enc *e, uint64_t v)
{
	e->tp = put_var_at(e->tp, v);
}

static void put_rel_ts(struct enc *e, uint64_t ts, uint64_t v)
{
	put_tvar(e, swap0_enc(ts - v, ts));
}

static void put_chan(struct enc *e, uint64_t id)
{
	struct blk_state *st = e->st;
	unsigned i;

	if (id == 0) {
		put_u8(e, 0);
		return;
	}
	for (i = 0; i < st->nchans; i++) {
		if (st->chans[i] == id) {
			put_u8(e, i + 1);
			chan_to_front(st, i, id);
			return;
		}
	}
	put_u8(e, CHAN_LITERAL);
	put_le64(e->p, id);
	e->p += 8;
	if (st->nchans < CHAN_SLOTS)
		st->nchans++;
	chan_to_front(st, st->nchans - 1, id);
}

static void put_str(struct enc *e, const char *s, size_t size)
{
	size_t n = size;

	while (n > 0 && s[n - 1] == '\0')
		n--;
	put_var(e, n);
	memcpy(e->p, s, n);
	e->p += n;
}

static void encode_event(struct enc *e, const struct ipct_hdr *h)
{
	struct blk_state *st = e->st;

	put_u8(e, h->type);
	put_u8(e, h->flags);
	put_tvar(e, zz64(h->ts - st->prev_ts));
	st->prev_ts = h->ts;
	put_var(e, zz32(h->pid - st->prev_pid));
	st->prev_pid = h->pid;
	put_var(e, zz32(h->tid - h->pid));
	put_var(e, h->cpu);

	switch (h->type) {
	case IPCT_EV_SYSCALL: {
		const struct ipct_syscall *s = (const void *)h;

		put_var(e, zz64(s->ret));
		put_chan(e, s->chan);
		put_chan(e, s->chan2);
		put_var(e, zz64(s->arg));
		put_var(e, zz32(s->fd));
		put_var(e, s->nr);
		put_u8(e, s->op);
		put_tvar(e, h->ts - s->enter_ts);
		break;
	}
	case IPCT_EV_SLEEP: {
		const struct ipct_sleep *s = (const void *)h;

		put_chan(e, s->chan);
		put_chan(e, s->waker_chan);
		put_var(e, zz32(s->waker_pid - h->pid));
		put_var(e, zz32(s->waker_tid - s->waker_pid));
		put_var(e, s->state);
		put_var(e, s->nr);
		put_u8(e, s->op);
		put_u8(e, s->waker_op);
		put_rel_ts(e, h->ts, s->out_ts);
		put_rel_ts(e, h->ts, s->wake_ts);
		break;
	}
	case IPCT_EV_WAKEUP: {
		const struct ipct_wakeup *w = (const void *)h;

		put_chan(e, w->chan);
		put_var(e, zz32(w->wakee_pid - h->pid));
		put_var(e, zz32(w->wakee_tid - w->wakee_pid));
		put_str(e, w->wakee_comm, sizeof(w->wakee_comm));
		put_u8(e, w->op);
		break;
	}
	case IPCT_EV_FORK:
	case IPCT_EV_TASK: {
		const struct ipct_task *t = (const void *)h;

		put_var(e, zz32(t->child_pid - h->pid));
		put_var(e, zz32(t->child_tid - t->child_pid));
		put_str(e, t->comm, sizeof(t->comm));
		break;
	}
	case IPCT_EV_EXEC:
	case IPCT_EV_EXIT:
	case IPCT_EV_COMM: {
		const struct ipct_proc *p = (const void *)h;

		put_var(e, zz32(p->exit_code));
		put_str(e, p->comm, sizeof(p->comm));
		put_str(e, p->name, sizeof(p->name));
		break;
	}
	case IPCT_EV_CHAN: {
		const struct ipct_chan *c = (const void *)h;

		put_chan(e, c->chan);
		put_chan(e, c->peer);
		put_var(e, c->ino);
		put_var(e, c->dev);
		put_var(e, c->kind);
		put_var(e, c->family);
		for (int i = 0; i < 4; i++)
			put_var(e, c->saddr[i]);
		for (int i = 0; i < 4; i++)
			put_var(e, c->daddr[i]);
		put_var(e, c->sport);
		put_var(e, c->dport);
		put_str(e, c->name, sizeof(c->name));
		break;
	}
	case IPCT_EV_LOST: {
		const struct ipct_lost *l = (const void *)h;

		put_rel_ts(e, h->ts, l->first_ts);
		put_var(e, l->count);
		break;
	}
	case IPCT_EV_MAP: {
		const struct ipct_map *mp = (const void *)h;

		put_chan(e, mp->chan);
		put_var(e, mp->addr);
		put_var(e, mp->len);
		put_var(e, mp->prot);
		break;
	}
	case IPCT_EV_CMDLINE: {
		const struct ipct_cmdline *c = (const void *)h;
		size_t n = c->len < sizeof(c->args) ? c->len : sizeof(c->args);

		put_str(e, c->exe, sizeof(c->exe));
		/* argv keeps its inner NULs: length and bytes, not a string */
		put_var(e, n);
		memcpy(e->p, c->args, n);
		e->p += n;
		break;
	}
	}
}

/* Decoding: every read is bounded by the end of its stream. */
struct dec {
	const uint8_t *p, *end;		/* main stream */
	const uint8_t *tp, *tend;	/* time stream */
	struct blk_state *st;
	bool bad;
};

static uint8_t get_u8(struct dec *d)
{
	if (d->p >= d->end) {
		d->bad = true;
		return 0;
	}
	return *d->p++;
}

static uint64_t get_var_long(struct dec *d, const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;

	/* room for the longest varint: no bounds check per byte */
	if (end - p >= VARINT_MAX) {
		for (int i = 0; i < VARINT_MAX - 1; i++) {
			v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
			if (!(p[i] & 0x80)) {
				*pp = p + i + 1;
				return v;
			}
		}
		if (p[VARINT_MAX - 1] <= 1) {
			*pp = p + VARINT_MAX;
			return v | (uint64_t)p[VARINT_MAX - 1] << (7 * (VARINT_MAX - 1));
		}
		d->bad = true;
		return 0;
	}
	for (int i = 0; i < VARINT_MAX; i++) {
		uint8_t b;

		if (p >= end)
			break;
		b = *p++;
		if (i == VARINT_MAX - 1 && b > 1)
			break;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*pp = p;
			return v;
		}
	}
	d->bad = true;
	return 0;
}

/* Most varints (deltas, small ids, lengths) are one byte: that case skips the loop. */
static inline uint64_t get_var_at(struct dec *d, const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;

	if (p < end && *p < 0x80) {
		*pp = p + 1;
		return *p;
	}
	return get_var_long(d, pp, end);
}

static uint64_t get_var(struct dec *d)
{
	return get_var_at(d, &d->p, d->end);
}

static uint64_t get_tvar(struct dec *d)
{
	return get_var_at(d, &d->tp, d->tend);
}

static uint64_t get_var_max(struct dec *d, uint64_t max)
{
	uint64_t v = get_var(d);

	if (v > max) {
		d->bad = true;
		return 0;
	}
	return v;
}

static uint32_t get_var32(struct dec *d)
{
	return get_var_max(d, UINT32_MAX);
}

static uint16_t get_var16(struct dec *d)
{
	return get_var_max(d, UINT16_MAX);
}

static uint64_t get_rel_ts(struct dec *d, uint64_t ts)
{
	return ts - swap0_dec(get_tvar(d), ts);
}

static uint64_t get_chan(struct dec *d)
{
	struct blk_state *st = d->st;
	uint8_t code = get_u8(d);
	uint64_t id;

	if (code == 0)
		return 0;
	if (code <= st->nchans) {
		id = st->chans[code - 1];
		chan_to_front(st, code - 1, id);
		return id;
	}
	if (code != CHAN_LITERAL || d->end - d->p < 8) {
		d->bad = true;
		return 0;
	}
	id = get_le64(d->p);
	d->p += 8;
	if (st->nchans < CHAN_SLOTS)
		st->nchans++;
	chan_to_front(st, st->nchans - 1, id);
	return id;
}

static void get_str(struct dec *d, char *s, size_t size)
{
	uint64_t n = get_var_max(d, size);

	if (d->bad || (uint64_t)(d->end - d->p) < n) {
		d->bad = true;
		return;
	}
	memcpy(s, d->p, n);
	d->p += n;
}

/* Decode one event into *ev (IPCT_EVENT_MAX bytes). 0, or -1 if malformed. */
static int decode_event(struct dec *d, struct ipct_hdr *ev)
{
	struct blk_state *st = d->st;
	struct ipct_hdr *h = ev;
	uint8_t type = get_u8(d);
	size_t size = ipct_event_size(type);

	if (d->bad || size == 0)
		return -1;
	memset(ev, 0, size);
	h->type = type;
	h->flags = get_u8(d);
	h->ts = st->prev_ts + unzz64(get_tvar(d));
	st->prev_ts = h->ts;
	h->pid = st->prev_pid + unzz32(get_var32(d));
	st->prev_pid = h->pid;
	h->tid = h->pid + unzz32(get_var32(d));
	h->cpu = get_var16(d);

	switch (type) {
	case IPCT_EV_SYSCALL: {
		struct ipct_syscall *s = (void *)h;

		s->ret = unzz64(get_var(d));
		s->chan = get_chan(d);
		s->chan2 = get_chan(d);
		s->arg = unzz64(get_var(d));
		s->fd = unzz32(get_var32(d));
		s->nr = get_var16(d);
		s->op = get_u8(d);
		s->enter_ts = h->ts - get_tvar(d);
		break;
	}
	case IPCT_EV_SLEEP: {
		struct ipct_sleep *s = (void *)h;

		s->chan = get_chan(d);
		s->waker_chan = get_chan(d);
		s->waker_pid = h->pid + unzz32(get_var32(d));
		s->waker_tid = s->waker_pid + unzz32(get_var32(d));
		s->state = get_var32(d);
		s->nr = get_var16(d);
		s->op = get_u8(d);
		s->waker_op = get_u8(d);
		s->out_ts = get_rel_ts(d, h->ts);
		s->wake_ts = get_rel_ts(d, h->ts);
		break;
	}
	case IPCT_EV_WAKEUP: {
		struct ipct_wakeup *w = (void *)h;

		w->chan = get_chan(d);
		w->wakee_pid = h->pid + unzz32(get_var32(d));
		w->wakee_tid = w->wakee_pid + unzz32(get_var32(d));
		get_str(d, w->wakee_comm, sizeof(w->wakee_comm));
		w->op = get_u8(d);
		break;
	}
	case IPCT_EV_FORK:
	case IPCT_EV_TASK: {
		struct ipct_task *t = (void *)h;

		t->child_pid = h->pid + unzz32(get_var32(d));
		t->child_tid = t->child_pid + unzz32(get_var32(d));
		get_str(d, t->comm, sizeof(t->comm));
		break;
	}
	case IPCT_EV_EXEC:
	case IPCT_EV_EXIT:
	case IPCT_EV_COMM: {
		struct ipct_proc *p = (void *)h;

		p->exit_code = unzz32(get_var32(d));
		get_str(d, p->comm, sizeof(p->comm));
		get_str(d, p->name, sizeof(p->name));
		break;
	}
	case IPCT_EV_CHAN: {
		struct ipct_chan *c = (void *)h;

		c->chan = get_chan(d);
		c->peer = get_chan(d);
		c->ino = get_var(d);
		c->dev = get_var32(d);
		c->kind = get_var16(d);
		c->family = get_var16(d);
		for (int i = 0; i < 4; i++)
			c->saddr[i] = get_var32(d);
		for (int i = 0; i < 4; i++)
			c->daddr[i] = get_var32(d);
		c->sport = get_var16(d);
		c->dport = get_var16(d);
		get_str(d, c->name, sizeof(c->name));
		break;
	}
	case IPCT_EV_LOST: {
		struct ipct_lost *l = (void *)h;

		l->first_ts = get_rel_ts(d, h->ts);
		l->count = get_var(d);
		break;
	}
	case IPCT_EV_MAP: {
		struct ipct_map *mp = (void *)h;

		mp->chan = get_chan(d);
		mp->addr = get_var(d);
		mp->len = get_var(d);
		mp->prot = get_var32(d);
		break;
	}
	case IPCT_EV_CMDLINE: {
		struct ipct_cmdline *c = (void *)h;

		get_str(d, c->exe, sizeof(c->exe));
		c->len = get_var_max(d, sizeof(c->args));
		if (d->bad || (uint64_t)(d->end - d->p) < c->len) {
			d->bad = true;
			break;
		}
		memcpy(c->args, d->p, c->len);
		d->p += c->len;
		break;
	}
	}
	return d->bad ? -1 : 0;
}

struct trace_writer {
	int fd;
	int err;		/* sticky: after a failed write nothing more is written */
	uint64_t events;
	uint64_t bytes;
	uint8_t *raw;		/* VARINT_MAX bytes for main_len, then the main stream */
	size_t main_len;
	uint8_t *times;
	size_t times_len;
	uint8_t *comp;
	size_t comp_cap;
	struct libdeflate_compressor *deflater;
	uint32_t nevents;
	uint64_t first_ts;
	struct blk_state st;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static int writer_write(struct trace_writer *w, const void *buf, size_t len)
{
	int err;

	if (w->err)
		return w->err;
	err = write_all(w->fd, buf, len);
	if (err) {
		w->err = err;
		return err;
	}
	w->bytes += len;
	return 0;
}

enum hdr_tag {
	HDR_TAG_BOOT_ID = 1,
	HDR_TAG_NETNS = 2,
	HDR_TAG_ADDRS = 3,
	HDR_TAG_HOSTS = 4,
};

/* Header bytes being built, bounded by HDR_MAX_LEN (room for the CRC kept). */
struct hbuf {
	uint8_t *p;
	size_t len;
	bool over;
};

static void hb_put(struct hbuf *b, const void *src, size_t n)
{
	if (b->over || n > HDR_MAX_LEN - 4 - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void hb_u16(struct hbuf *b, uint16_t v)
{
	uint8_t x[2] = { v, v >> 8 };

	hb_put(b, x, 2);
}

static void hb_u32(struct hbuf *b, uint32_t v)
{
	uint8_t x[4];

	put_le32(x, v);
	hb_put(b, x, 4);
}

static void hb_u64(struct hbuf *b, uint64_t v)
{
	uint8_t x[8];

	put_le64(x, v);
	hb_put(b, x, 8);
}

static void hb_str(struct hbuf *b, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	hb_u16(b, n);
	hb_put(b, s, n);
}

/* Start a field; hb_field_end fills in its length. */
static size_t hb_field(struct hbuf *b, uint16_t tag)
{
	size_t at;

	hb_u16(b, tag);
	at = b->len;
	hb_u32(b, 0);
	return at;
}

static void hb_field_end(struct hbuf *b, size_t at)
{
	if (!b->over)
		put_le32(b->p + at, b->len - at - 4);
}

static void hb_fields(struct hbuf *b, const struct trace_meta *m)
{
	size_t at;

	if (m->boot_id[0]) {
		at = hb_field(b, HDR_TAG_BOOT_ID);
		hb_put(b, m->boot_id, strnlen(m->boot_id, sizeof(m->boot_id) - 1));
		hb_field_end(b, at);
	}
	if (m->nnetns) {
		at = hb_field(b, HDR_TAG_NETNS);
		for (uint32_t i = 0; i < m->nnetns && i < TRACE_NETNS_MAX; i++)
			hb_u64(b, m->netns[i]);
		hb_field_end(b, at);
	}
	if (m->naddrs) {
		at = hb_field(b, HDR_TAG_ADDRS);
		for (uint32_t i = 0; i < m->naddrs && i < TRACE_ADDRS_MAX; i++) {
			hb_u16(b, m->addrs[i].family);
			hb_put(b, m->addrs[i].addr, 16);
		}
		hb_field_end(b, at);
	}
	if (m->nhosts) {
		uint32_t n = m->nhosts < TRACE_HOSTS_MAX ? m->nhosts : TRACE_HOSTS_MAX;

		at = hb_field(b, HDR_TAG_HOSTS);
		hb_u32(b, n);
		for (uint32_t i = 0; i < n; i++) {
			const struct trace_host *h = &m->hosts[i];
			uint64_t drift;

			memcpy(&drift, &h->drift_ppm, sizeof(drift));
			hb_str(b, h->name, sizeof(h->name));
			hb_str(b, h->boot_id, sizeof(h->boot_id));
			hb_u64(b, h->netns);
			hb_u64(b, h->start_real_ns);
			hb_u64(b, (uint64_t)h->offset_ns);
			hb_u64(b, drift);
			memcpy(&drift, &h->drift_uncertainty_ppm, sizeof(drift));
			hb_u64(b, drift);
			hb_u64(b, h->uncertainty_ns);
			hb_u64(b, h->uncertainty_at_ns);
			hb_u64(b, h->max_uncertainty_ns);
			hb_u32(b, h->messages);
			hb_u32(b, h->aligned_to);
		}
		hb_field_end(b, at);
	}
}

struct trace_writer *trace_writer__open_fd(int fd, const struct trace_meta *meta, int level)
{
	static const struct trace_meta no_meta;
	struct hbuf hb = { 0 };
	struct trace_writer *w;
	int err;

	if (fd < 0 || level < -1 || level > 9) {
		errno = EINVAL;
		return NULL;
	}
	if (!meta)
		meta = &no_meta;

	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = fd;
	/* each stream may hold nearly a whole block; the time stream is appended to raw */
	w->raw = malloc(VARINT_MAX + TRACE_BLOCK_TARGET + ENC_EVENT_MAX);
	w->times = malloc(TRACE_BLOCK_TARGET + ENC_EVENT_MAX);
	w->deflater = libdeflate_alloc_compressor(level < 0 ? 6 : level);
	if (w->deflater) {
		w->comp_cap = libdeflate_zlib_compress_bound(w->deflater, VARINT_MAX + TRACE_BLOCK_TARGET +
							     ENC_EVENT_MAX);
		w->comp = malloc(BLK_HDR_LEN + w->comp_cap);
	}
	hb.p = malloc(HDR_MAX_LEN);
	if (!w->raw || !w->times || !w->comp || !hb.p) {
		trace_writer__free(w);
		free(hb.p);
		errno = ENOMEM;
		return NULL;
	}

	hb_put(&hb, TRACE_MAGIC, 8);
	hb_u32(&hb, TRACE_VERSION);
	hb_u32(&hb, 0);		/* header_len, filled in below */
	hb_u64(&hb, meta->start_mono_ns);
	hb_u64(&hb, meta->start_real_ns);
	hb_u32(&hb, meta->flags);
	hb_str(&hb, meta->kernel, sizeof(meta->kernel));
	hb_str(&hb, meta->host, sizeof(meta->host));
	hb_str(&hb, meta->cmdline, sizeof(meta->cmdline));
	hb_str(&hb, meta->arch, sizeof(meta->arch));
	hb_fields(&hb, meta);
	if (hb.over) {
		trace_writer__free(w);
		free(hb.p);
		errno = E2BIG;
		return NULL;
	}
	put_le32(hb.p + 12, hb.len + 4);
	put_le32(hb.p + hb.len, libdeflate_crc32(0, hb.p, hb.len));
	hb.len += 4;

	err = writer_write(w, hb.p, hb.len);
	free(hb.p);
	if (err) {
		trace_writer__free(w);
		errno = -err;
		return NULL;
	}
	return w;
}

int trace_writer__flush(struct trace_writer *w)
{
	uint8_t *b = w->comp, *raw, len_buf[VARINT_MAX];
	size_t vlen, raw_len, comp_len;
	int err;

	if (w->err)
		return w->err;
	if (w->nevents == 0)
		return 0;
	vlen = put_var_at(len_buf, w->main_len) - len_buf;
	raw = w->raw + VARINT_MAX - vlen;
	memcpy(raw, len_buf, vlen);
	memcpy(w->raw + VARINT_MAX + w->main_len, w->times, w->times_len);
	raw_len = vlen + w->main_len + w->times_len;
	comp_len = libdeflate_zlib_compress(w->deflater, raw, raw_len, b + BLK_HDR_LEN, w->comp_cap);
	if (comp_len == 0) {
		w->err = -ENOMEM;
		return w->err;
	}
	memcpy(b, BLK_MAGIC, 4);
	put_le32(b + 4, comp_len);
	put_le32(b + 8, raw_len);
	put_le32(b + 12, w->nevents);
	put_le64(b + 16, w->first_ts);
	put_le32(b + 24, libdeflate_crc32(0, b + BLK_HDR_LEN, comp_len));
	err = writer_write(w, b, BLK_HDR_LEN + comp_len);
	w->main_len = 0;
	w->times_len = 0;
	w->nevents = 0;
	memset(&w->st, 0, sizeof(w->st));
	return err;
}

int trace_writer__add(struct trace_writer *w, const struct ipct_hdr *ev)
{
	struct enc e = { .st = &w->st };

	if (!ipct_event_size(ev->type))
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->nevents == 0)
		w->first_ts = ev->ts;
	e.p = w->raw + VARINT_MAX + w->main_len;
	e.tp = w->times + w->times_len;
	encode_event(&e, ev);
	w->main_len = e.p - (w->raw + VARINT_MAX);
	w->times_len = e.tp - w->times;
	w->nevents++;
	w->events++;
	if (w->main_len + w->times_len >= TRACE_BLOCK_TARGET)
		return trace_writer__flush(w);
	return 0;
}

int trace_writer__close(struct trace_writer *w)
{
	uint8_t end[END_LEN];
	int err;

	if (!w)
		return -EINVAL;
	err = trace_writer__flush(w);
	if (!err) {
		memcpy(end, END_MAGIC, 4);
		put_le32(end + 4, 12);
		put_le64(end + 8, w->events);
		put_le32(end + 16, libdeflate_crc32(0, end + 4, 12));
		err = writer_write(w, end, sizeof(end));
	}
	trace_writer__free(w);
	return err;
}

void trace_writer__free(struct trace_writer *w)
{
	if (!w)
		return;
	free(w->raw);
	free(w->times);
	free(w->comp);
	libdeflate_free_compressor(w->deflater);
	free(w);
}

uint64_t trace_writer__events(const struct trace_writer *w)
{
	return w->events;
}

uint64_t trace_writer__bytes(const struct trace_writer *w)
{
	return w->bytes;
}

#define READ_THREADS_MAX 8
/* Less data than this is decoded in the caller: threads would cost more than they save. */
#define READ_AHEAD_MIN (4 * TRACE_BLOCK_TARGET)

/* What the scan found where the next block should start. */
enum slot_kind {
	SLOT_BLOCK,		/* a block; why says what is wrong with it, if anything */
	SLOT_END,		/* an end record: read_end_record judges it */
	SLOT_TRUNCATED,
	SLOT_CORRUPT,		/* why */
	SLOT_IO,		/* err */
};

/*
 * A block read ahead: found and fetched in file order (under the reader's
 * lock), then checked, inflated and decoded on any core, and read out by the
 * caller in file order. Its events are decoded once, into evs.
 */
struct slot {
	uint64_t seq;		/* which block of the scan it holds */
	bool busy;		/* holds seq until the caller is done with it */
	bool ready;		/* decoded, or found to be no block */
	enum slot_kind kind;
	const char *why;
	int err;
	uint64_t off;		/* where it starts */
	uint64_t next_off;
	uint32_t comp_len, raw_len, nevents, crc;
	uint64_t first_ts;
	uint64_t max_ts;	/* its newest event */
	const uint8_t *comp;
	uint8_t *comp_buf;	/* file mode: its compressed bytes */
	size_t comp_cap;
	uint8_t *raw;
	size_t raw_cap;
	struct libdeflate_decompressor *inflater;	/* allocated once per slot, not per block */
	uint8_t *evs;		/* the decoded events, each at an 8-byte aligned offset */
	size_t evs_cap;
};

struct trace_reader {
	/* source: a caller's buffer, or a file streamed with pread */
	const uint8_t *mem;
	uint8_t *owned;		/* read-all copy of a non-seekable input */
	int fd;
	uint64_t size;
	uint64_t data_off;	/* first block */
	struct trace_meta meta;

	uint64_t off;		/* the block being read out, or the next one */
	uint64_t blocks;
	uint64_t events;
	bool done;
	enum trace_status status;
	char status_msg[192];
	/* the last block read out, to notice one repeated or put back out of order */
	bool have_prev;
	uint32_t prev_comp_len, prev_raw_len, prev_nevents, prev_crc;
	uint64_t prev_first_ts;
	uint64_t dup_blocks;	/* skipped: a copy of the block before them */
	uint64_t back_blocks;	/* read: wholly older than the block before them began */

	/* read-ahead: nthreads decode blocks while the caller reads events */
	int nthreads;		/* 0: the caller decodes each block itself */
	bool nthreads_set;	/* by trace_reader__set_threads, whatever the size */
	int started;		/* threads running */
	pthread_t threads[READ_THREADS_MAX];
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a slot got ready or free, or quit */
	bool quit;
	struct slot *slots;
	unsigned nslots;
	uint64_t scan_off;	/* where the next block starts */
	uint64_t scan_seq;
	bool scan_done;		/* the scan met something that is no block */
	uint64_t take_seq;	/* the block the caller reads next */
	struct slot *cur;
	size_t cur_pos;
	uint32_t ev_left;
};

static _Thread_local char open_msg[128];

static void set_open_err(int *err, const char **msg, int e, const char *m)
{
	if (err)
		*err = e;
	if (msg)
		*msg = m;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (*cap >= need)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = need;
	return 0;
}

/*
 * Make up to n bytes at off available in *out; returns how many (fewer at
 * the end of the input) or -errno. In file mode they land in scratch.
 */
static ssize_t src_fetch(struct trace_reader *r, uint64_t off, size_t n,
			 uint8_t *scratch, const uint8_t **out)
{
	size_t got = 0;

	if (off >= r->size)
		return 0;
	if (n > r->size - off)
		n = r->size - off;
	if (r->mem) {
		*out = r->mem + off;
		return n;
	}
	while (got < n) {
		ssize_t k = pread(r->fd, scratch + got, n - got, off + got);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		got += k;
	}
	*out = scratch;
	return got;
}

static size_t get_hdr_str(const uint8_t *p, size_t avail, char *s, size_t size)
{
	size_t n;

	if (avail < 2)
		return 0;
	n = get_le16(p);
	if (n > size - 1 || n > avail - 2)
		return 0;
	memcpy(s, p + 2, n);
	s[n] = '\0';
	return 2 + n;
}

/* Header fields after the strings, bounded by end; -1 if one is malformed. */
struct hrd {
	const uint8_t *p, *end;
	bool bad;
};

static const uint8_t *hr_take(struct hrd *d, size_t n)
{
	const uint8_t *p = d->p;

	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = true;
		return NULL;
	}
	d->p += n;
	return p;
}

static uint16_t hr_u16(struct hrd *d)
{
	const uint8_t *p = hr_take(d, 2);

	return p ? get_le16(p) : 0;
}

static uint32_t hr_u32(struct hrd *d)
{
	const uint8_t *p = hr_take(d, 4);

	return p ? get_le32(p) : 0;
}

static uint64_t hr_u64(struct hrd *d)
{
	const uint8_t *p = hr_take(d, 8);

	return p ? get_le64(p) : 0;
}

static void hr_str(struct hrd *d, char *s, size_t size)
{
	uint16_t n = hr_u16(d);
	const uint8_t *p;

	if (n > size - 1) {
		d->bad = true;
		return;
	}
	p = hr_take(d, n);
	if (p) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
}

static void parse_hosts(struct hrd *d, struct trace_meta *m)
{
	uint32_t n = hr_u32(d);

	if (n > TRACE_HOSTS_MAX) {
		d->bad = true;
		return;
	}
	for (uint32_t i = 0; i < n && !d->bad; i++) {
		struct trace_host *h = &m->hosts[i];
		uint64_t drift;

		hr_str(d, h->name, sizeof(h->name));
		hr_str(d, h->boot_id, sizeof(h->boot_id));
		h->netns = hr_u64(d);
		h->start_real_ns = hr_u64(d);
		h->offset_ns = (int64_t)hr_u64(d);
		drift = hr_u64(d);
		memcpy(&h->drift_ppm, &drift, sizeof(drift));
		drift = hr_u64(d);
		memcpy(&h->drift_uncertainty_ppm, &drift, sizeof(drift));
		h->uncertainty_ns = hr_u64(d);
		h->uncertainty_at_ns = hr_u64(d);
		h->max_uncertainty_ns = hr_u64(d);
		h->messages = hr_u32(d);
		h->aligned_to = hr_u32(d);
		if (h->aligned_to >= n)
			d->bad = true;
	}
	m->nhosts = n;
	if (d->p != d->end)
		d->bad = true;
}

static int parse_fields(struct trace_meta *m, const uint8_t *p, const uint8_t *end)
{
	struct hrd all = { .p = p, .end = end };

	while (all.p < all.end) {
		uint16_t tag = hr_u16(&all);
		uint32_t len = hr_u32(&all);
		const uint8_t *body = hr_take(&all, len);
		struct hrd d;

		if (all.bad)
			return -1;   /* body is NULL: no end to compute */
		d = (struct hrd){ .p = body, .end = body + len };
		switch (tag) {
		case HDR_TAG_BOOT_ID:
			if (len >= sizeof(m->boot_id))
				return -1;
			memcpy(m->boot_id, body, len);
			m->boot_id[len] = '\0';
			break;
		case HDR_TAG_NETNS:
			if (len % 8 || len / 8 > TRACE_NETNS_MAX)
				return -1;
			m->nnetns = len / 8;
			for (uint32_t i = 0; i < m->nnetns; i++)
				m->netns[i] = hr_u64(&d);
			break;
		case HDR_TAG_ADDRS:
			if (len % 18 || len / 18 > TRACE_ADDRS_MAX)
				return -1;
			m->naddrs = len / 18;
			for (uint32_t i = 0; i < m->naddrs; i++) {
				const uint8_t *a;

				m->addrs[i].family = hr_u16(&d);
				a = hr_take(&d, 16);
				if (a)
					memcpy(m->addrs[i].addr, a, 16);
			}
			break;
		case HDR_TAG_HOSTS:
			parse_hosts(&d, m);
			break;
		default:
			break;	/* a field from a later ipctrace */
		}
		if (d.bad)
			return -1;
	}
	return 0;
}

/* Parse a whole header of len bytes (len already bounded). */
static int parse_header(struct trace_reader *r, const uint8_t *h, size_t len)
{
	struct trace_meta *m = &r->meta;
	size_t body = len - 4, pos = HDR_FIXED_LEN, n;
	char *strs[] = { m->kernel, m->host, m->cmdline, m->arch };
	size_t sizes[] = { sizeof(m->kernel), sizeof(m->host), sizeof(m->cmdline), sizeof(m->arch) };

	if (libdeflate_crc32(0, h, body) != get_le32(h + body))
		return -1;
	m->start_mono_ns = get_le64(h + 16);
	m->start_real_ns = get_le64(h + 24);
	m->flags = get_le32(h + 32);
	for (int i = 0; i < 4; i++) {
		n = get_hdr_str(h + pos, body - pos, strs[i], sizes[i]);
		if (n == 0)
			return -1;
		pos += n;
	}
	return parse_fields(m, h + pos, h + body);
}

static bool is_prefix_of(const uint8_t *p, size_t n, const char *magic)
{
	return memcmp(p, magic, n) == 0;
}

static int open_header(struct trace_reader *r, int *err, const char **msg)
{
	uint8_t fixed[HDR_FIXED_LEN];
	uint8_t *buf = NULL;
	const uint8_t *p;
	uint32_t version, hlen;
	ssize_t n;

	n = src_fetch(r, 0, sizeof(fixed), fixed, &p);
	if (n < 0) {
		set_open_err(err, msg, n, strerror(-n));
		return -1;
	}
	if (n == 0) {
		set_open_err(err, msg, -ENODATA, "the trace file is empty");
		return -1;
	}
	if (!is_prefix_of(p, n < 8 ? n : 8, TRACE_MAGIC)) {
		set_open_err(err, msg, -EINVAL, "not an ipctrace trace file");
		return -1;
	}
	if (n < 16) {
		set_open_err(err, msg, -EBADMSG, "the trace file is cut off inside its header");
		return -1;
	}
	version = get_le32(p + 8);
	hlen = get_le32(p + 12);
	if (version > TRACE_VERSION) {
		snprintf(open_msg, sizeof(open_msg),
			 "trace format version %u is newer than this ipctrace (%u): upgrade ipctrace",
			 version, TRACE_VERSION);
		set_open_err(err, msg, -EPROTONOSUPPORT, open_msg);
		return -1;
	}
	if (version == 0 || hlen < HDR_MIN_LEN || hlen > HDR_MAX_LEN) {
		set_open_err(err, msg, -EBADMSG, "the trace header is corrupt");
		return -1;
	}
	if (hlen > r->size) {
		set_open_err(err, msg, -EBADMSG, "the trace file is cut off inside its header");
		return -1;
	}
	if (!r->mem) {
		buf = malloc(hlen);
		if (!buf) {
			set_open_err(err, msg, -ENOMEM, strerror(ENOMEM));
			return -1;
		}
	}
	n = src_fetch(r, 0, hlen, buf, &p);
	if (n != (ssize_t)hlen || parse_header(r, p, hlen)) {
		free(buf);
		if (n < 0)
			set_open_err(err, msg, n, strerror(-n));
		else if (n != (ssize_t)hlen)
			set_open_err(err, msg, -EBADMSG, "the trace file is cut off inside its header");
		else
			set_open_err(err, msg, -EBADMSG, "the trace header is corrupt (bad CRC or lengths)");
		return -1;
	}
	free(buf);
	r->data_off = hlen;
	r->off = hlen;
	r->scan_off = hlen;
	return 0;
}

static struct trace_reader *reader_new(void)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (!r)
		return NULL;
	r->fd = -1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	/*
	 * The caller (the model) keeps a CPU of its own: a decode thread per other CPU. On
	 * 2 CPUs two decoders preempted the caller, the bound (report of 1e7 events 1.13-1.22
	 * -> 0.85-0.97 s, same CPU). One core: nothing to overlap with, decode in the caller.
	 */
	r->nthreads = cpus <= 1 ? 0 : cpus - 1 > READ_THREADS_MAX ? READ_THREADS_MAX : (int)cpus - 1;
	return r;
}

struct trace_reader *trace_reader__open_mem(const void *buf, size_t len, int *err, const char **msg)
{
	static const uint8_t empty;
	struct trace_reader *r = reader_new();

	if (!r) {
		set_open_err(err, msg, -ENOMEM, strerror(ENOMEM));
		return NULL;
	}
	r->mem = buf ? buf : &empty;
	r->size = buf ? len : 0;
	if (open_header(r, err, msg)) {
		trace_reader__free(r);
		return NULL;
	}
	return r;
}

/* For a pipe or other stream that pread cannot seek in. */
/* A pipe or device is read into memory: at most this much, or a file is the way. */
#define STREAM_MAX (256u << 20)

/* The bytes so far cannot start a trace that open_header would take: stop reading. */
static bool stream_hopeless(const uint8_t *p, size_t n)
{
	uint32_t version, hlen;

	if (!is_prefix_of(p, n < 8 ? n : 8, TRACE_MAGIC))
		return true;
	if (n < 16)
		return false;
	version = get_le32(p + 8);
	hlen = get_le32(p + 12);
	return version == 0 || version > TRACE_VERSION || hlen < HDR_MIN_LEN || hlen > HDR_MAX_LEN;
}

static int read_all(int fd, uint8_t **out, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t k;

		if (n == cap) {
			if (cap >= STREAM_MAX) {
				free(buf);
				return -EFBIG;
			}
			if (grow(&buf, &cap, cap ? cap * 2 : 1 << 16)) {
				free(buf);
				return -ENOMEM;
			}
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			k = -errno;
			free(buf);
			return k;
		}
		if (k == 0)
			break;
		n += k;
		/* /dev/zero or a stream of garbage: open_header says what is wrong with it. */
		if (stream_hopeless(buf, n))
			break;
	}
	*out = buf;
	*len = n;
	return 0;
}

struct trace_reader *trace_reader__open_path(const char *path, int *err, const char **msg)
{
	struct trace_reader *r;
	struct stat st;
	int e;

	r = reader_new();
	if (!r) {
		set_open_err(err, msg, -ENOMEM, strerror(ENOMEM));
		return NULL;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st)) {
		e = errno;
		set_open_err(err, msg, -e, strerror(e));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		set_open_err(err, msg, -EISDIR, "it is a directory, not a trace file");
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		r->size = st.st_size;
	} else {
		size_t len = 0;

		e = read_all(r->fd, &r->owned, &len);
		if (e == -EFBIG) {
			set_open_err(err, msg, e, "more than 256 MiB from a pipe or device");
			goto fail;
		}
		if (e) {
			set_open_err(err, msg, e, strerror(-e));
			goto fail;
		}
		r->mem = r->owned;
		r->size = len;
	}
	if (open_header(r, err, msg))
		goto fail;
	return r;
fail:
	trace_reader__free(r);
	return NULL;
}

const struct trace_meta *trace_reader__meta(const struct trace_reader *r)
{
	return &r->meta;
}

static void reader_stop(struct trace_reader *r, enum trace_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reader_stop(struct trace_reader *r, enum trace_status status, const char *fmt, ...)
{
	va_list ap;

	r->done = true;
	r->status = status;
	r->status_msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->status_msg, sizeof(r->status_msg), fmt, ap);
		va_end(ap);
	}
}

static void reader_truncated(struct trace_reader *r)
{
	if (r->blocks == 0)
		reader_stop(r, TRACE_TRUNCATED,
			    "trace cut off after its header (no end record): read 0 events");
	else
		reader_stop(r, TRACE_TRUNCATED,
			    "trace cut off after block %llu (no end record): read %llu events",
			    (unsigned long long)r->blocks, (unsigned long long)r->events);
}

static void reader_corrupt(struct trace_reader *r, const char *why)
{
	reader_stop(r, TRACE_CORRUPT,
		    "block %llu at offset %llu is corrupt (%s): read the %llu events before it",
		    (unsigned long long)r->blocks + 1, (unsigned long long)r->off, why,
		    (unsigned long long)r->events);
}

static void reader_io_error(struct trace_reader *r, int err)
{
	reader_stop(r, TRACE_CORRUPT, "read error at offset %llu (%s): read %llu events",
		    (unsigned long long)r->off, strerror(-err), (unsigned long long)r->events);
}

static void read_end_record(struct trace_reader *r, uint64_t rem)
{
	uint8_t buf[END_LEN];
	const uint8_t *p;
	ssize_t n;
	uint64_t total;

	if (rem < END_LEN) {
		reader_truncated(r);
		return;
	}
	n = src_fetch(r, r->off, END_LEN, buf, &p);
	if (n < 0) {
		reader_io_error(r, n);
		return;
	}
	if (n < END_LEN) {
		reader_truncated(r);
		return;
	}
	total = get_le64(p + 8);
	if (get_le32(p + 4) != 12 || libdeflate_crc32(0, p + 4, 12) != get_le32(p + 16)) {
		reader_stop(r, TRACE_CORRUPT,
			    "the end record at offset %llu is corrupt (bad CRC): read %llu events",
			    (unsigned long long)r->off, (unsigned long long)r->events);
	} else if (total != r->events) {
		reader_stop(r, TRACE_CORRUPT,
			    "the end record says %llu events but the blocks hold %llu: read %llu events",
			    (unsigned long long)total, (unsigned long long)r->events,
			    (unsigned long long)r->events);
	} else if (rem > END_LEN) {
		reader_stop(r, TRACE_CORRUPT,
			    "%llu byte%s of unknown data after the end record at offset %llu: read all %llu events",
			    (unsigned long long)(rem - END_LEN), rem - END_LEN == 1 ? "" : "s",
			    (unsigned long long)r->off,
			    (unsigned long long)r->events);
	} else {
		reader_stop(r, TRACE_OK, NULL);
	}
}

/* Back to the first block, threads stopped: the next read starts the scan again. */
static void reset_reading(struct trace_reader *r)
{
	for (unsigned i = 0; i < r->nslots; i++)
		r->slots[i].busy = r->slots[i].ready = false;
	r->cur = NULL;
	r->ev_left = 0;
	r->scan_off = r->data_off;
	r->scan_seq = 0;
	r->scan_done = false;
	r->take_seq = 0;
	r->off = r->data_off;
	r->have_prev = false;
	r->dup_blocks = 0;
	r->back_blocks = 0;
}

static void free_slots(struct trace_reader *r)
{
	for (unsigned i = 0; i < r->nslots; i++) {
		free(r->slots[i].comp_buf);
		free(r->slots[i].raw);
		free(r->slots[i].evs);
		libdeflate_free_decompressor(r->slots[i].inflater);
	}
	free(r->slots);
	r->slots = NULL;
	r->nslots = 0;
}

/* Find what starts at r->scan_off: a block, whose compressed bytes are fetched, or why none. */
static void scan_slot(struct trace_reader *r, struct slot *s)
{
	uint8_t hdr[BLK_HDR_LEN];
	const uint8_t *p;
	uint64_t rem = r->size - r->scan_off;
	ssize_t n;

	s->off = r->scan_off;
	s->why = NULL;
	s->kind = SLOT_TRUNCATED;
	if (rem == 0)
		return;
	n = src_fetch(r, s->off, BLK_HDR_LEN, hdr, &p);
	if (n <= 0) {
		if (n < 0) {
			s->kind = SLOT_IO;
			s->err = n;
		}
		return;
	}
	if (n < 4 && (is_prefix_of(p, n, BLK_MAGIC) || is_prefix_of(p, n, END_MAGIC)))
		return;
	if (n >= 4 && memcmp(p, END_MAGIC, 4) == 0) {
		s->kind = SLOT_END;
		return;
	}
	if (memcmp(p, BLK_MAGIC, n < 4 ? n : 4) != 0) {
		s->kind = SLOT_CORRUPT;
		s->why = "not a block";
		return;
	}
	if (n < BLK_HDR_LEN)
		return;
	s->comp_len = get_le32(p + 4);
	s->raw_len = get_le32(p + 8);
	s->nevents = get_le32(p + 12);
	s->first_ts = get_le64(p + 16);
	s->crc = get_le32(p + 24);
	if (s->comp_len == 0 || s->comp_len > ZLIB_BOUND(TRACE_BLOCK_RAW_MAX) ||
	    s->raw_len == 0 || s->raw_len > TRACE_BLOCK_RAW_MAX ||
	    s->nevents == 0 || s->nevents > s->raw_len) {
		s->kind = SLOT_CORRUPT;
		s->why = "lengths out of range";
		return;
	}
	if (s->comp_len > rem - BLK_HDR_LEN)
		return;
	if (!r->mem && grow(&s->comp_buf, &s->comp_cap, s->comp_len)) {
		s->kind = SLOT_IO;
		s->err = -ENOMEM;
		return;
	}
	n = src_fetch(r, s->off + BLK_HDR_LEN, s->comp_len, s->comp_buf, &s->comp);
	if (n < 0) {
		s->kind = SLOT_IO;
		s->err = n;
		return;
	}
	if (n < s->comp_len)
		return;
	s->kind = SLOT_BLOCK;
	s->next_off = s->off + BLK_HDR_LEN + s->comp_len;
}

/*
 * Inflate s->comp (a zlib stream) into exactly s->raw_len bytes of s->raw: 0,
 * or -1 when the data is bad or of another length. libdeflate inflates a whole
 * buffer at once, 2-3x faster than zlib's streaming inflate; same format.
 */
static int inflate_block(struct slot *s)
{
	size_t got = 0;

	if (!s->inflater && !(s->inflater = libdeflate_alloc_decompressor()))
		return -1;
	if (libdeflate_zlib_decompress(s->inflater, s->comp, s->comp_len, s->raw, s->raw_len,
				       &got) != LIBDEFLATE_SUCCESS)
		return -1;
	return got == s->raw_len ? 0 : -1;
}

/*
 * Check, inflate and decode a fetched block: exactly nevents well-formed
 * events, the first at first_ts, into s->evs. s->why says what is wrong.
 */
static void decode_slot(struct slot *s)
{
	struct blk_state st = { 0 };
	struct dec d = { .st = &st };
	uint64_t main_len;
	size_t pos = 0;

	if (libdeflate_crc32(0, s->comp, s->comp_len) != s->crc) {
		s->why = "bad CRC";
		return;
	}
	if (grow(&s->raw, &s->raw_cap, s->raw_len)) {
		s->kind = SLOT_IO;
		s->err = -ENOMEM;
		return;
	}
	if (inflate_block(s)) {
		s->why = "bad compressed data or raw length";
		return;
	}
	d.p = s->raw;
	d.end = s->raw + s->raw_len;
	main_len = get_var(&d);
	if (d.bad || main_len > (uint64_t)(d.end - d.p)) {
		s->why = "bad stream lengths";
		return;
	}
	d.tp = d.p + main_len;
	d.tend = d.end;
	d.end = d.tp;
	for (uint32_t i = 0; i < s->nevents; i++) {
		struct ipct_hdr *h;

		/* room for the largest event, growing by doubling */
		if (s->evs_cap < pos + IPCT_EVENT_MAX &&
		    grow(&s->evs, &s->evs_cap, 2 * (pos + IPCT_EVENT_MAX))) {
			s->kind = SLOT_IO;
			s->err = -ENOMEM;
			return;
		}
		h = (struct ipct_hdr *)(s->evs + pos);
		if (decode_event(&d, h)) {
			s->why = "bad event encoding";
			return;
		}
		if (i == 0 && h->ts != s->first_ts) {
			s->why = "first_ts does not match its first event";
			return;
		}
		if (i == 0 || h->ts > s->max_ts)
			s->max_ts = h->ts;
		pos += (ipct_event_size(h->type) + 7) & ~(size_t)7;
	}
	if (d.p != d.end || d.tp != d.tend)
		s->why = "event count does not match its contents";
}

static void *read_ahead(void *arg)
{
	struct trace_reader *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->quit) {
		struct slot *s = &r->slots[r->scan_seq % r->nslots];

		if (r->scan_done || s->busy) {
			pthread_cond_wait(&r->cond, &r->lock);
			continue;
		}
		s->busy = true;
		s->ready = false;
		s->seq = r->scan_seq++;
		scan_slot(r, s);
		if (s->kind == SLOT_BLOCK) {
			r->scan_off = s->next_off;
			pthread_mutex_unlock(&r->lock);
			decode_slot(s);
			pthread_mutex_lock(&r->lock);
		} else {
			r->scan_done = true;
		}
		s->ready = true;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void stop_threads(struct trace_reader *r)
{
	if (!r->started)
		return;
	pthread_mutex_lock(&r->lock);
	r->quit = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	for (int i = 0; i < r->started; i++)
		pthread_join(r->threads[i], NULL);
	r->started = 0;
	r->quit = false;
}

/* Slots and threads at the first read; without threads the caller decodes. */
static int start_reading(struct trace_reader *r)
{
	sigset_t all, old;
	unsigned n;

	if (!r->nthreads_set && r->size - r->data_off < READ_AHEAD_MIN)
		r->nthreads = 0;
	/*
	 * Blocks decoded ahead absorb the model's uneven pace (a block of sleeps costs it more
	 * than a block of calls): with 5 spare slots the decoder rarely waits for a free one.
	 * report of 1e7 events 0.84-0.88 -> 0.76-0.82 s on 2 CPUs, +4.7 MiB, flat in events.
	 */
	n = r->nthreads ? r->nthreads + 5 : 1;
	if (!r->slots) {
		r->slots = calloc(n, sizeof(*r->slots));
		if (!r->slots)
			return -ENOMEM;
		r->nslots = n;
	}
	/* signals stay with the caller's thread, whose handlers expect them there */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (r->started < r->nthreads) {
		if (pthread_create(&r->threads[r->started], NULL, read_ahead, r))
			break;
		r->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* no thread at all: decode in the caller, with the one slot it needs */
	if (r->nthreads && !r->started)
		r->nthreads = 0;
	return 0;
}

/*
 * A block equal to the one before it (lengths, first_ts and CRC) is a copy:
 * true, and it is skipped. One whose every event is older than the block
 * before it began went back in time: counted, and read. (A block may start a
 * little before the last one ended: the recorder's LOST events carry the
 * drops' own time.)
 */
static bool note_order(struct trace_reader *r, const struct slot *s)
{
	bool dup = r->have_prev && s->comp_len == r->prev_comp_len && s->raw_len == r->prev_raw_len &&
		   s->nevents == r->prev_nevents && s->crc == r->prev_crc &&
		   s->first_ts == r->prev_first_ts;

	if (dup) {
		r->dup_blocks++;
		return true;
	}
	if (r->have_prev && s->max_ts < r->prev_first_ts)
		r->back_blocks++;
	r->have_prev = true;
	r->prev_comp_len = s->comp_len;
	r->prev_raw_len = s->raw_len;
	r->prev_nevents = s->nevents;
	r->prev_crc = s->crc;
	r->prev_first_ts = s->first_ts;
	return false;
}

/* The caller's next block, in file order; false at the end of the data (status then set). */
static bool take_block(struct trace_reader *r)
{
	struct slot *s;

	if (!r->slots || (r->nthreads && !r->started)) {
		int err = start_reading(r);

		if (err) {
			reader_io_error(r, err);
			return false;
		}
	}
	s = &r->slots[r->take_seq % r->nslots];
	if (!r->nthreads) {
		s->seq = r->take_seq;
		scan_slot(r, s);
		if (s->kind == SLOT_BLOCK) {
			r->scan_off = s->next_off;
			decode_slot(s);
		}
	} else {
		pthread_mutex_lock(&r->lock);
		while (!s->ready || s->seq != r->take_seq)
			pthread_cond_wait(&r->cond, &r->lock);
		pthread_mutex_unlock(&r->lock);
	}
	r->off = s->off;
	switch (s->kind) {
	case SLOT_BLOCK:
		if (!s->why) {
			r->cur = s;
			r->cur_pos = 0;
			r->off = s->next_off;
			r->ev_left = note_order(r, s) ? 0 : s->nevents;
			if (r->ev_left)
				r->blocks++;
			return true;
		}
		/* fall through */
	case SLOT_CORRUPT:
		reader_corrupt(r, s->why);
		break;
	case SLOT_END:
		read_end_record(r, r->size - r->off);
		break;
	case SLOT_TRUNCATED:
		reader_truncated(r);
		break;
	case SLOT_IO:
		reader_io_error(r, s->err);
		break;
	}
	return false;
}

/* The caller is done with the block it read out: its slot may take another. */
static void release_block(struct trace_reader *r)
{
	struct slot *s = r->cur;

	r->cur = NULL;
	r->take_seq++;
	if (!s || !r->nthreads)
		return;
	pthread_mutex_lock(&r->lock);
	s->busy = false;
	s->ready = false;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

const struct ipct_hdr *trace_reader__next(struct trace_reader *r)
{
	const struct ipct_hdr *h;
	size_t size;

	while (r->ev_left == 0) {
		if (r->cur)
			release_block(r);
		if (r->done || !take_block(r))
			return NULL;
	}
	/* decode_slot checked the whole block; its slot stays ours until the next call */
	h = (const struct ipct_hdr *)(r->cur->evs + r->cur_pos);
	size = ipct_event_size(h->type);
	r->cur_pos += (size + 7) & ~(size_t)7;
	r->ev_left--;
	r->events++;
	return h;
}

void trace_reader__set_threads(struct trace_reader *r, int n)
{
	stop_threads(r);
	free_slots(r);
	r->nthreads = n < 0 ? 0 : n > READ_THREADS_MAX ? READ_THREADS_MAX : n;
	r->nthreads_set = true;
	reset_reading(r);
}

int trace_reader__rewind(struct trace_reader *r)
{
	stop_threads(r);
	reset_reading(r);
	r->blocks = 0;
	r->events = 0;
	r->done = false;
	return 0;
}

enum trace_status trace_reader__status(const struct trace_reader *r)
{
	return r->status;
}

const char *trace_reader__status_msg(const struct trace_reader *r)
{
	return r->status == TRACE_OK ? "" : r->status_msg;
}

void trace_reader__reading(const struct trace_reader *r, struct trace_reading *out)
{
	static const char *const names[] = {
		[TRACE_OK] = "complete", [TRACE_TRUNCATED] = "truncated", [TRACE_CORRUPT] = "corrupt",
	};

	out->status = (unsigned)r->status < sizeof(names) / sizeof(names[0]) ? names[r->status] : "corrupt";
	out->message = trace_reader__status_msg(r);
	out->events_read = r->events;
	out->duplicate_blocks = r->dup_blocks;
	out->reordered_blocks = r->back_blocks;
}

uint64_t trace_reader__blocks(const struct trace_reader *r)
{
	return r->blocks;
}

uint64_t trace_reader__duplicate_blocks(const struct trace_reader *r)
{
	return r->dup_blocks;
}

uint64_t trace_reader__reordered_blocks(const struct trace_reader *r)
{
	return r->back_blocks;
}

uint64_t trace_reader__events_read(const struct trace_reader *r)
{
	return r->events;
}

void trace_reader__free(struct trace_reader *r)
{
	if (!r)
		return;
	stop_threads(r);
	free_slots(r);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	if (r->fd >= 0)
		close(r->fd);
	free(r->owned);
	free(r);
}

/* A block at off fetched into s (its own buffers) and decoded: true when whole. */
static bool scan_decode_at(struct trace_reader *r, struct slot *s, uint64_t off)
{
	uint8_t hdr[BLK_HDR_LEN];
	const uint8_t *p;

	if (src_fetch(r, off, BLK_HDR_LEN, hdr, &p) != BLK_HDR_LEN)
		return false;
	s->kind = SLOT_BLOCK;
	s->why = NULL;
	s->comp_len = get_le32(p + 4);
	s->raw_len = get_le32(p + 8);
	s->nevents = get_le32(p + 12);
	s->first_ts = get_le64(p + 16);
	s->crc = get_le32(p + 24);
	if (!r->mem && grow(&s->comp_buf, &s->comp_cap, s->comp_len))
		return false;
	if (src_fetch(r, off + BLK_HDR_LEN, s->comp_len, s->comp_buf, &s->comp) != s->comp_len)
		return false;
	decode_slot(s);
	return s->kind == SLOT_BLOCK && !s->why;
}

/* The oldest event of the block s holds (decode_slot keeps only the newest). */
static uint64_t slot_min_ts(const struct slot *s)
{
	uint64_t min = s->first_ts;
	size_t pos = 0;

	for (uint32_t i = 0; i < s->nevents; i++) {
		const struct ipct_hdr *h = (const struct ipct_hdr *)(s->evs + pos);

		if (h->ts < min)
			min = h->ts;
		pos += (ipct_event_size(h->type) + 7) & ~(size_t)7;
	}
	return min;
}

int trace_reader__scan_times(struct trace_reader *r, uint64_t *first, uint64_t *last)
{
	struct slot s = { 0 };
	uint64_t *offs = NULL, off = r->data_off;
	size_t n = 0, cap = 0;
	bool have_first = false;
	int err = -ENODATA;

	/* headers only, as the reader's scan walks them: up to the end record or the first misfit */
	while (r->size - off >= BLK_HDR_LEN) {
		uint8_t hdr[BLK_HDR_LEN];
		const uint8_t *p;
		uint32_t comp_len, raw_len, nevents;

		if (src_fetch(r, off, BLK_HDR_LEN, hdr, &p) != BLK_HDR_LEN || memcmp(p, BLK_MAGIC, 4))
			break;
		comp_len = get_le32(p + 4);
		raw_len = get_le32(p + 8);
		nevents = get_le32(p + 12);
		if (comp_len == 0 || comp_len > ZLIB_BOUND(TRACE_BLOCK_RAW_MAX) || raw_len == 0 ||
		    raw_len > TRACE_BLOCK_RAW_MAX || nevents == 0 || nevents > raw_len ||
		    comp_len > r->size - off - BLK_HDR_LEN)
			break;
		if (n == cap) {
			uint64_t *v = realloc(offs, (cap = cap ? 2 * cap : 256) * sizeof(*v));

			if (!v) {
				err = -ENOMEM;
				goto out;
			}
			offs = v;
		}
		offs[n++] = off;
		off += BLK_HDR_LEN + comp_len;
	}
	/* the reader stops at the first block that fails its checks: the first and last whole ones */
	if (n && scan_decode_at(r, &s, offs[0])) {
		*first = slot_min_ts(&s);
		*last = s.max_ts;
		have_first = true;
		err = 0;
	}
	while (have_first && n > 1) {
		if (scan_decode_at(r, &s, offs[--n])) {
			*last = s.max_ts;
			break;
		}
	}
out:
	free(offs);
	free(s.comp_buf);
	free(s.raw);
	free(s.evs);
	libdeflate_free_decompressor(s.inflater);
	return err;
}
