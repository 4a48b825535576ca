/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Grouping, so that big applications stay readable: sibling processes of
 * one role (16 postgres backends, the workers of nginx) and pools of
 * threads of one name stand as one, named by their busiest member. The graph
 * and the timeline group the same way.
 */
#ifndef IPCTRACE_MODEL_GROUP_H
#define IPCTRACE_MODEL_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

/* Siblings of one role: one parent (known), one comm, one role key (role.h). */
bool group__same_role(const struct model_process *a, const struct model_process *b);
/* True when a pipe or FIFO carried data between processes a and b: a shell pipeline. */
bool group__piped(const struct model *m, uint32_t a, uint32_t b);
/* On CPU (user + kernel) over a process's threads. */
uint64_t group__process_cpu(const struct model *m, const struct model_process *p);

/*
 * Sibling groups among the processes with chosen[i] (NULL: all): rep[i] is
 * the index of the process that stands for process i (the busiest of its
 * group; i itself when alone), count[i] the members of the group i stands
 * for (0 for the others). 0 or -ENOMEM.
 */
int group__siblings(const struct model *m, const bool *chosen, size_t *rep, uint32_t *count);
/*
 * Pools among the threads of p (never its main thread): rep[j] is the index
 * into m->threads of the thread that stands for p->threads[j], count[j] the
 * pool's size where p->threads[j] stands for one (0 for the others).
 */
void group__pools(const struct model *m, const struct model_process *p, size_t *rep,
		  uint32_t *count);

#endif /* IPCTRACE_MODEL_GROUP_H */
