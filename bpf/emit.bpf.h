/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The ring buffer: reserve, fill the header, submit; drops counted per CPU. */
#ifndef IPCT_EMIT_BPF_H
#define IPCT_EMIT_BPF_H

#include "kernel_defs.bpf.h"
#include "config.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024); /* the recorder sets it: -b, RECORDER_RING_MIB */
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipct_lost_cnt);
} lost SEC(".maps");

/* Per-CPU submits since the ring's fill level was last queried. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} submits SEC(".maps");

static __always_inline void lost_inc(void)
{
	struct ipct_lost_cnt *c;
	__u32 zero = 0;
	__u64 now;

	c = bpf_map_lookup_elem(&lost, &zero);
	if (!c)
		return;
	now = bpf_ktime_get_ns();
	if (!c->first_ts)
		c->first_ts = now;
	c->last_ts = now;
	c->count++;
}

static __always_inline void *rb_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&rb, size, 0);

	if (!e)
		lost_inc();
	return e;
}

/*
 * A wakeup per event costs more than the tracing: wake the reader only when
 * data piles up, checked every QUERY_EVERY submits per CPU (the query costs
 * as much as the submit); the reader's own timer covers the rest.
 */
#define QUERY_EVERY 32

static __always_inline void rb_submit(void *e)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&submits, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (n && ++*n >= QUERY_EVERY) {
		*n = 0;
		if (bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > wake_bytes)
			flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(e, flags);
}

static __always_inline void hdr_fill(struct ipct_hdr *h, __u8 type, __u32 pid, __u32 tid, __u64 ts)
{
	h->ts = ts;
	h->pid = pid;
	h->tid = tid;
	h->type = type;
	h->flags = 0;
	h->cpu = bpf_get_smp_processor_id();
	h->_pad = 0;
}

static __always_inline void emit_comm(__u32 pid, __u32 tid, __u8 type, __s32 code, __u8 flags, const char *kname)
{
	struct ipct_proc *e = rb_reserve(sizeof(*e));

	if (!e)
		return;
	hdr_fill(&e->h, type, pid, tid, bpf_ktime_get_ns());
	e->h.flags = flags;
	e->exit_code = code;
	e->_pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->name[0] = 0;
	if (kname)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), kname);
	rb_submit(e);
}

#endif /* IPCT_EMIT_BPF_H */
