/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a process is, for people and for grouping: its process title when it
 * set one (`postgres: checkpointer`, `nginx: worker process`), else its
 * program's name and first argument, else its comm.
 */
#ifndef IPCTRACE_MODEL_ROLE_H
#define IPCTRACE_MODEL_ROLE_H

#include <stddef.h>
#include "model.h"

/* The role shown: from cmdline ("" or NULL = unknown), else comm. */
void role__name(const char *cmdline, const char *comm, char *buf, size_t n);
/*
 * What siblings share to be grouped: the title's first word after "NAME: "
 * (postgres backends differ in their state words), else the program's name.
 */
void role__key(const char *cmdline, const char *comm, char *buf, size_t n);
/* The same for a process of the model. */
void role__of_process(const struct model_process *p, char *buf, size_t n);
void role__key_of_process(const struct model_process *p, char *buf, size_t n);

#endif /* IPCTRACE_MODEL_ROLE_H */
