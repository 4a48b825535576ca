/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The filters every reading subcommand takes (--pid, --kind, --chan,
 * --min-bytes, --from, --to), with one meaning everywhere:
 *   - the window keeps the events inside [from, to] (spans clipped to it), so
 *     every count, byte and nanosecond is what happened in the window;
 *   - --kind, --chan and --min-bytes choose channels; --pid chooses processes
 *     and the channels they have an end on;
 *   - a process is shown when listed (--pid), else when it has an end on a
 *     chosen channel (a channel filter given), else always.
 *
 *   l = model_load__open(r, &f, &mopts);             the window applied (load.h)
 *   if (model_filter__channel(&f, c)) ...             the choice applied
 *   v = model_filter__view(m, &f);                    a model of only what is chosen
 */
#ifndef IPCTRACE_MODEL_FILTER_H
#define IPCTRACE_MODEL_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "model.h"

struct model_filter {
	const uint32_t *pids;     /* only these processes; NULL = all */
	size_t npids;
	const int *chans;         /* only these channel ids; NULL = all */
	size_t nchans;
	uint32_t kinds;           /* a bit (1 << enum ipct_kind) per kind kept; 0 = all */
	uint64_t min_bytes;       /* channels that moved at least this many bytes */
	uint64_t from_ns, to_ns;  /* window from the trace's first event; to_ns 0 = its end */
};

bool model_filter__windowed(const struct model_filter *f);
/* --kind, --chan or --min-bytes given. */
bool model_filter__chooses_channels(const struct model_filter *f);
bool model_filter__any(const struct model_filter *f);

bool model_filter__pid_listed(const struct model_filter *f, uint32_t pid);
bool model_filter__channel(const struct model_filter *f, const struct model_channel *c);
bool model_filter__process(const struct model_filter *f, const struct model *m, uint32_t pid);
bool model_filter__wakeup(const struct model_filter *f, const struct model *m,
			  const struct model_wakeup *w);

/* The first listed pid (channel id) the model has no process (channel) for; 0 if none. */
uint32_t model_filter__unknown_pid(const struct model_filter *f, const struct model *m);
int model_filter__unknown_chan(const struct model_filter *f, const struct model *m);

/*
 * The event as the window keeps it: ev itself, a clipped copy in buf, or
 * NULL when it falls outside. from/to are absolute; to 0 = no end.
 */
const struct ipct_hdr *model_filter__clip(const struct ipct_hdr *ev, uint64_t from, uint64_t to,
					  void *buf);

/* A new model holding copies of the chosen processes (their threads), channels and wakeups. */
struct model *model_filter__view(const struct model *m, const struct model_filter *f);

/*
 * What a filter keeps of one model, for per-event checks in a streaming pass
 * (the exporters): the kept pids sorted, the channel test. NULL f keeps all.
 */
struct model_choice;
struct model_choice *model_choice__new(const struct model *m, const struct model_filter *f);
bool model_choice__pid(const struct model_choice *c, uint32_t pid);
/* A transfer or wakeup on chan (0 = none) between pids a and b. */
bool model_choice__flow(const struct model_choice *c, int chan, uint32_t a, uint32_t b);
void model_choice__free(struct model_choice *c);

/* The kind named by word ("pipe", "unix-stream", ...), IPCT_KIND_NONE if none. */
enum ipct_kind model_filter__kind(const char *word);

#endif /* IPCTRACE_MODEL_FILTER_H */
