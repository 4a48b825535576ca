/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Syscall arguments read from user memory: timeouts, iovecs, mmsghdrs. */
#ifndef IPCT_USER_ARGS_BPF_H
#define IPCT_USER_ARGS_BPF_H

#include "kernel_defs.bpf.h"

/* timespec in user memory -> ns; -1 when the pointer is NULL (no timeout). */
static __always_inline __s64 user_timespec_ns(__u64 uptr)
{
	struct __kernel_timespec ts;

	if (!uptr)
		return -1;
	if (bpf_probe_read_user(&ts, sizeof(ts), (void *)uptr))
		return -1;
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static __always_inline __s64 user_timeval_ns(__u64 uptr)
{
	struct __kernel_old_timeval tv;

	if (!uptr)
		return -1;
	if (bpf_probe_read_user(&tv, sizeof(tv), (void *)uptr))
		return -1;
	return tv.tv_sec * NS_PER_SEC + tv.tv_usec * 1000;
}

/* Bytes asked by an iovec array (its first 4 entries). */
static __always_inline __s64 iov_bytes(__u64 uiov, __u64 cnt)
{
	struct iovec iov[4] = {};
	__s64 sum = 0;

	if (!uiov || !cnt)
		return 0;
	if (cnt > 4)
		cnt = 4;
	if (bpf_probe_read_user(iov, cnt * sizeof(iov[0]), (void *)uiov))
		return 0;
	for (int i = 0; i < 4; i++)
		sum += iov[i].iov_len;
	return sum;
}

/* Bytes moved by the first n messages of an mmsghdr array (msg_len, set by the kernel). */
static __always_inline __s64 mmsg_bytes(__u64 umsgs, __s64 n)
{
	struct mmsghdr *m = (struct mmsghdr *)umsgs;
	__s64 sum = 0;
	__u32 len;

	for (int i = 0; i < MMSG_MAX; i++) {
		if (i >= n)
			break;
		if (bpf_probe_read_user(&len, sizeof(len), &m[i].msg_len))
			break;
		sum += len;
	}
	return sum;
}

#endif /* IPCT_USER_ARGS_BPF_H */
