// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Sibling processes of one role and pools of threads, grouped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "group.h"
#include "role.h"

bool group__same_role(const struct model_process *a, const struct model_process *b)
{
	char ka[160], kb[160];

	if (!a->ppid || a->ppid != b->ppid || strcmp(a->comm, b->comm))
		return false;
	role__key_of_process(a, ka, sizeof(ka));
	role__key_of_process(b, kb, sizeof(kb));
	return !strcmp(ka, kb);
}

bool group__piped(const struct model *m, uint32_t a, uint32_t b)
{
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];
		bool a_in = false, a_out = false, b_in = false, b_out = false;

		if (c->kind != IPCT_KIND_PIPE && c->kind != IPCT_KIND_FIFO)
			continue;
		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_endpoint *e = &c->endpoints[j];
			bool out = e->sends || e->bytes_sent, in = e->recvs || e->bytes_received;

			if (e->pid == a) {
				a_in |= in;
				a_out |= out;
			} else if (e->pid == b) {
				b_in |= in;
				b_out |= out;
			}
		}
		/* many writers of one pipe share it without talking to each other */
		if ((a_out && b_in) || (b_out && a_in))
			return true;
	}
	return false;
}

uint64_t group__process_cpu(const struct model *m, const struct model_process *p)
{
	uint64_t cpu = 0;

	for (size_t j = 0; j < p->nthreads; j++)
		if (p->threads[j] < m->nthreads)
			cpu += m->threads[p->threads[j]].user_ns + m->threads[p->threads[j]].kernel_ns;
	return cpu;
}

int group__siblings(const struct model *m, const bool *chosen, size_t *rep, uint32_t *count)
{
	uint64_t *cpu = calloc(m->nprocesses + 1, sizeof(*cpu));
	size_t *first = calloc(m->nprocesses + 1, sizeof(*first));
	bool *piper = calloc(m->nprocesses + 1, sizeof(*piper));

	if (!cpu || !first || !piper) {
		free(cpu);
		free(first);
		free(piper);
		return -ENOMEM;
	}
	/* only processes with a pipe end can be in a pipeline: the pairwise check is for them */
	for (size_t i = 0; i < m->nchannels; i++) {
		const struct model_channel *c = &m->channels[i];

		if (c->kind != IPCT_KIND_PIPE && c->kind != IPCT_KIND_FIFO)
			continue;
		for (size_t j = 0; j < c->nendpoints; j++) {
			const struct model_process *p = model__process(m, c->endpoints[j].pid);

			if (p)
				piper[p - m->processes] = true;
		}
	}
	for (size_t i = 0; i < m->nprocesses; i++) {
		rep[i] = i;
		first[i] = i;
		cpu[i] = group__process_cpu(m, &m->processes[i]);
	}
	/* first[i]: the earliest process of i's group; a newcomer joins unless a pipe joins it to one */
	for (size_t i = 0; i < m->nprocesses; i++) {
		if (chosen && !chosen[i])
			continue;
		for (size_t k = 0; k < i; k++) {
			bool piped = false;

			if ((chosen && !chosen[k]) || first[k] != k ||
			    !group__same_role(&m->processes[k], &m->processes[i]))
				continue;
			for (size_t j = k; j < i && !piped && piper[i]; j++)
				if (first[j] == k && piper[j])
					piped = group__piped(m, m->processes[j].pid, m->processes[i].pid);
			if (!piped) {
				first[i] = k;
				break;
			}
		}
	}
	/* the busiest member stands for its group, and carries its count */
	for (size_t i = 0; i < m->nprocesses; i++) {
		count[i] = 0;
		if (cpu[i] > cpu[rep[first[i]]])
			rep[first[i]] = i;
	}
	for (size_t i = 0; i < m->nprocesses; i++) {
		if (first[i] != i)
			rep[i] = rep[first[i]];
		count[rep[i]]++;
	}
	free(cpu);
	free(first);
	free(piper);
	return 0;
}

void group__pools(const struct model *m, const struct model_process *p, size_t *rep,
		  uint32_t *count)
{
	for (size_t j = 0; j < p->nthreads; j++) {
		rep[j] = p->threads[j];
		count[j] = 1;
	}
	for (size_t j = 0; j < p->nthreads; j++) {
		const struct model_thread *t = &m->threads[p->threads[j]];

		if (t->tid == p->pid || p->threads[j] >= m->nthreads)
			continue;
		for (size_t k = 0; k < j; k++) {
			const struct model_thread *o = &m->threads[p->threads[k]];

			if (o->tid == p->pid || !count[k] || strcmp(o->comm, t->comm))
				continue;
			/* k leads the pool while it is built; the busiest stands for it at the end */
			count[k]++;
			count[j] = 0;
			rep[j] = p->threads[k];
			break;
		}
	}
	for (size_t k = 0; k < p->nthreads; k++) {
		size_t best = p->threads[k], lead = p->threads[k];
		uint32_t n = count[k];
		uint64_t best_cpu;

		if (n < 2 || rep[k] != lead)
			continue;
		best_cpu = m->threads[best].user_ns + m->threads[best].kernel_ns;
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct model_thread *t = &m->threads[p->threads[j]];

			if (rep[j] == lead && t->user_ns + t->kernel_ns > best_cpu) {
				best = p->threads[j];
				best_cpu = t->user_ns + t->kernel_ns;
			}
		}
		for (size_t j = 0; j < p->nthreads; j++) {
			if (rep[j] != lead)
				continue;
			rep[j] = best;
			count[j] = p->threads[j] == best ? n : 0;
		}
	}
}
