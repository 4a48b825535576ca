/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every ipctrace kernel program sees first: the kernel's types
 * (vmlinux.h), libbpf's helpers, the event format, the kfunc we call, and
 * the UAPI constants and tool limits that vmlinux.h does not carry.
 */
#ifndef IPCT_KERNEL_DEFS_BPF_H
#define IPCT_KERNEL_DEFS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ipctrace.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFIFO 0010000

#define O_NONBLOCK 04000
#define O_ASYNC 020000
#define MSG_DONTWAIT 0x40
#define IPC_NOWAIT 04000
#define SPLICE_F_NONBLOCK 0x02
#define MAP_SHARED 0x01
#define MAP_ANONYMOUS 0x20
#define VM_SHARED 0x08
#define F_DUPFD 0
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define SI_ASYNCIO (-4)
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX2_PRIVATE 128
#define TASK_DEAD 0x80
#define EEXIST 17
#define PF_KTHREAD 0x00200000

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_UDPLITE 136
#define IPPROTO_MPTCP 262

#define PIPEFS_MAGIC 0x50495045
#define MQUEUE_MAGIC 0x19800202
#define TMPFS_MAGIC 0x01021994

#define NR_NONE 0xffff
#define MMSG_MAX 64
#define EARLY_WAKE_NS 50000
#define NS_PER_SEC 1000000000LL
#define GOLDEN 0x9e3779b97f4a7c15ULL /* multiplicative hash constant */

#endif /* IPCT_KERNEL_DEFS_BPF_H */
