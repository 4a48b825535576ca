// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ipctrace.h"
#include "ipctrace.skel.h"
#include "msg.h"
#include "outpath.h"
#include "procfs.h"
#include "hostinfo.h"
#include "recorder.h"
#include "stop_signal.h"
#include "title_watch.h"
#include "trace.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define POLL_MS 50
#define LOST_EVERY_NS (100 * NSEC_PER_MSEC)
#define FLUSH_EVERY_NS (1000 * NSEC_PER_MSEC)
#define STATUS_EVERY_NS (250 * NSEC_PER_MSEC)
#define ALIVE_EVERY_NS (250 * NSEC_PER_MSEC)
/* How long a command may take to exit after being told to stop. */
#define GRACE_NS (2 * NSEC_PER_SEC)
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

/* Open-addressing set of live tgids; 0 is empty, TOMB a deleted slot. */
#define TOMB UINT32_MAX
struct tgid_set {
	uint32_t *slot;
	size_t cap, used, live;
};

struct recorder {
	struct recorder_opts opts;
	pid_t *pids;               /* the -p processes (tgids), deduplicated */
	size_t npids;
	struct outpath out;        /* the trace's target (common/outpath.h: temporary name or in place) */
	int fd;
	bool completed;            /* the trace is kept, under its final name or kept_tmp */
	bool stopped;              /* stop_tracing ran: the trace's window is closed */
	bool kept_tmp;

	struct ipctrace_bpf *skel;
	struct bpf_link **links;
	size_t nlinks;
	struct ring_buffer *rb;
	struct trace_writer *tw;
	int write_err;
	uint64_t bad_events;

	int ncpus;
	struct ipct_lost_cnt *lost_prev, *lost_cur;
	uint64_t lost_total;
	bool lost_unreadable;

	struct tgid_set live;
	struct title_watch titles; /* processes whose title may still come (title_watch.h) */
	pid_t child;
	int child_status;
	bool child_reaped;
	int exec_errno;

	uint64_t start_ns, end_ns;
	uint64_t events_written, bytes_written;
	bool status_shown;
};

static int verbosity;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg__vline(fmt, ap);
	va_end(ap);
}

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static int set_grow(struct tgid_set *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64, i, j;
	uint32_t *ns;

	/* Rehash in place of tombstones when the live count is small. */
	while (ncap / 2 > 64 && s->live * 4 < ncap)
		ncap /= 2;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++) {
		uint32_t k = s->slot[i];

		if (!k || k == TOMB)
			continue;
		for (j = hash32(k) & (ncap - 1); ns[j]; j = (j + 1) & (ncap - 1))
			;
		ns[j] = k;
	}
	free(s->slot);
	s->slot = ns;
	s->cap = ncap;
	s->used = s->live;
	return 0;
}

static size_t set_find(const struct tgid_set *s, uint32_t k)
{
	size_t i;

	if (!s->cap)
		return SIZE_MAX;
	for (i = hash32(k) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return i;
	return SIZE_MAX;
}

static int set_add(struct tgid_set *s, uint32_t k)
{
	size_t i;

	if (!k || k == TOMB || set_find(s, k) != SIZE_MAX)
		return 0;
	if ((s->used + 1) * 4 > s->cap * 3 && set_grow(s))
		return -ENOMEM;
	for (i = hash32(k) & (s->cap - 1); s->slot[i] && s->slot[i] != TOMB; i = (i + 1) & (s->cap - 1))
		;
	if (!s->slot[i])
		s->used++;
	s->slot[i] = k;
	s->live++;
	return 0;
}

static void set_del(struct tgid_set *s, uint32_t k)
{
	size_t i = set_find(s, k);

	if (i == SIZE_MAX)
		return;
	s->slot[i] = TOMB;
	s->live--;
}

/* A stop signal during setup: nothing is recorded, and nothing is left behind. */
static bool stopped_early(void)
{
	int sig;

	if (!stop_signal__asked(&sig, NULL))
		return false;
	fail("stopped by SIG%s before recording began: nothing recorded",
	     sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	return true;
}

/* The program the kernel's verifier rejected, from libbpf's warning, for the error message. */
static char rejected_prog[64];

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[256];
	const char *p, *q;
	va_list copy;

	if (level == LIBBPF_WARN) {
		va_copy(copy, args);
		vsnprintf(line, sizeof(line), fmt, copy);
		va_end(copy);
		p = strstr(line, "prog '");
		q = p ? strstr(p + 6, "': failed to load") : NULL;
		if (q && !rejected_prog[0])
			snprintf(rejected_prog, sizeof(rejected_prog), "%.*s", (int)(q - p - 6), p + 6);
	}
	if (verbosity <= 0 || (level == LIBBPF_DEBUG && verbosity < 2))
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON, in the effective set. */
static bool has_bpf_caps(void)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	if (eff & (1ull << 21))
		return true;
	return (eff & (1ull << 38)) && (eff & (1ull << 39));
}

static int check_pids(struct recorder *r)
{
	size_t i, j;
	pid_t tgid;
	int err;

	if (!r->opts.npids)
		return 0;
	r->pids = calloc(r->opts.npids, sizeof(*r->pids));
	if (!r->pids)
		return -ENOMEM;
	for (i = 0; i < r->opts.npids; i++) {
		pid_t pid = r->opts.pids[i];

		err = procfs__tgid(pid, &tgid);
		if (err || !procfs__alive(tgid)) {
			fail("no process with pid %d: check the pid (ps -e, pgrep NAME)", (int)pid);
			return -ESRCH;
		}
		if (tgid == getpid()) {
			fail("pid %d is ipctrace itself: give the pid of another process", (int)pid);
			return -EINVAL;
		}
		if (tgid != pid && !r->opts.quiet)
			fail("note: %d is a thread of process %d: tracing all of process %d",
			     (int)pid, (int)tgid, (int)tgid);
		for (j = 0; j < r->npids && r->pids[j] != tgid; j++)
			;
		if (j == r->npids)
			r->pids[r->npids++] = tgid;
	}
	return 0;
}

/* The trace's target, by the one output policy; a new file is 0600 and the sudo user's. */
static int open_output(struct recorder *r)
{
	const char *path = r->opts.trace_path, *why;
	int err;

	err = outpath__open(&r->out, path, 0600, &why);
	if (err) {
		if (why)
			fail("cannot write trace %s: %s (with -o)", path, why);
		else
			fail("cannot write trace %s: %s: choose a writable path with -o", path,
			     strerror(-err));
		return err;
	}
	r->fd = r->out.fd;
	/* Under sudo the trace belongs to the user, who then reads it without root. */
	if (outpath__pending(&r->out) && r->opts.owner_uid != (uid_t)-1 &&
	    fchown(r->fd, r->opts.owner_uid, r->opts.owner_gid)) {
		err = -errno;
		fail("warning: cannot give trace %s to uid %u (%s): it stays root's",
		     path, (unsigned)r->opts.owner_uid, strerror(-err));
	}
	return 0;
}

/* What each optional tracepoint's events are; any other one is needed. */
static const char *optional_tracepoint(const char *name)
{
	static const struct { const char *prefix, *what; } opt[] = {
		{ "io_uring_", "io_uring transfers" },
		{ "signal_deliver", "signal handler spans" },
		{ "hrtimer_", "timer wakeups" },
		{ "timer_", "timer wakeups" },
		{ "irq_handler_", "interrupt wakeups" },
		{ "softirq_", "interrupt wakeups" },
		{ "irq_work_", "interrupt wakeups" },
		{ "call_function", "interrupt wakeups" },
		{ "task_rename", "thread renames" },
	};
	size_t i;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (!strncmp(name, opt[i].prefix, strlen(opt[i].prefix)))
			return opt[i].what;
	return NULL;
}

static bool is_iterator(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__section_name(prog), "iter", 4);
}

static bool skel_uses_tracefs(const struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		if (!bpf_program__autoload(prog))
			continue;
		if (!strncmp(sec, "tp/", 3) || !strncmp(sec, "tracepoint/", 11))
			return true;
	}
	return false;
}

/*
 * libbpf finds a tracepoint's id through tracefs, which fresh machines do
 * not mount. Mount it for the attach only; the links outlive the mount.
 */
static int ensure_tracefs(struct recorder *r, bool *mounted)
{
	int err;

	*mounted = false;
	if (!access(TRACEFS "/events", F_OK) || !access(DEBUGFS_TRACING "/events", F_OK))
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL)) {
		err = -errno;
		fail("tracefs is not mounted and mounting it on %s failed (%s): "
		     "mount it (mount -t tracefs tracefs %s)", TRACEFS, strerror(-err), TRACEFS);
		return err;
	}
	*mounted = true;
	if (!r->opts.quiet)
		fail("note: tracefs was not mounted: mounted it on %s to attach tracepoints, "
		     "unmounted it after", TRACEFS);
	return 0;
}

static int attach_programs(struct recorder *r)
{
	struct bpf_object *obj = r->skel->obj;
	struct bpf_program *prog;
	size_t n = 0;
	bool mounted;
	int err = 0;

	bpf_object__for_each_program(prog, obj)
		n++;
	r->links = calloc(n ? n : 1, sizeof(*r->links));
	if (!r->links)
		return -ENOMEM;
	if (skel_uses_tracefs(obj)) {
		err = ensure_tracefs(r, &mounted);
		if (err)
			return err;
	} else {
		mounted = false;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;

		/* iterators run on demand (snapshots when tracing begins and ends), not attached here */
		if (!bpf_program__autoload(prog) || is_iterator(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			const char *sec = bpf_program__section_name(prog);
			const char *tp = strchr(sec, '/') ? strchr(sec, '/') + 1 : sec;
			const char *what = optional_tracepoint(tp);

			err = -errno;
			if (!what) {
				fail("attaching to tracepoint %s failed (%s): ipctrace needs it; run with -v "
				     "for libbpf's reason", tp, strerror(-err));
				break;
			}
			fail("warning: cannot attach to tracepoint %s (%s): recording without %s", tp,
			     strerror(-err), what);
			err = 0;
			continue;
		}
		r->links[r->nlinks++] = link;
	}
	if (mounted)
		umount2(TRACEFS, MNT_DETACH);
	if (err)
		return err;
	if (!r->nlinks) {
		fail("attaching the BPF programs failed (%s): run with -v for libbpf's reason",
		     strerror(err ? -err : ENOENT));
		return err ? err : -ENOENT;
	}
	return 0;
}

static int write_cmdline(struct recorder *r, pid_t pid, bool with_exe, uint64_t ts);
static int retitled(struct recorder *r, pid_t pid, uint64_t ts);

static int on_event(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	const struct ipct_hdr *h = data;
	size_t need;
	int err;

	if (size < sizeof(*h)) {
		r->bad_events++;
		return 0;
	}
	need = ipct_event_size(h->type);
	if (!need || size < need) {
		r->bad_events++;
		return 0;
	}
	if (h->type == IPCT_EV_FORK) {
		const struct ipct_task *t = data;

		if (!(h->flags & IPCT_F_THREAD)) {
			set_add(&r->live, t->child_pid);
			/* a forked server child sets its title (setproctitle) just after the fork */
			if (title_watch__add(&r->titles, t->child_pid, now_ns(), NULL, 0))
				return r->write_err = -ENOMEM;
		}
	} else if (h->type == IPCT_EV_EXIT && (h->flags & IPCT_F_GROUP_DEAD)) {
		set_del(&r->live, h->pid);
	}
	err = trace_writer__add(r->tw, h);
	if (err) {
		r->write_err = err;
		return err;
	}
	/* a process renaming itself often rewrote its argv too (setproctitle) */
	if (h->type == IPCT_EV_COMM && h->tid == h->pid)
		return retitled(r, h->pid, h->ts);
	return 0;
}

/* Turns increases of the kernel's per-CPU drop counters into LOST events. */
static int read_lost(struct recorder *r)
{
	size_t vsz = sizeof(struct ipct_lost_cnt) * r->ncpus;
	__u32 key = 0;
	int cpu, err;

	err = bpf_map__lookup_elem(r->skel->maps.lost, &key, sizeof(key), r->lost_cur, vsz, 0);
	if (err) {
		/* Drops are never hidden: if they cannot be counted, say so once. */
		if (!r->lost_unreadable)
			fail("warning: reading the kernel's count of dropped events failed (%s): "
			     "drops may be missing from the trace", strerror(-err));
		r->lost_unreadable = true;
		return err;
	}
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		const struct ipct_lost_cnt *cur = &r->lost_cur[cpu], *prev = &r->lost_prev[cpu];
		struct ipct_lost ev = { 0 };

		if (cur->count <= prev->count)
			continue;
		ev.h.type = IPCT_EV_LOST;
		ev.h.cpu = cpu;
		ev.h.ts = cur->last_ts;
		/* The new drops happened after the last ones already reported. */
		ev.first_ts = prev->count && prev->last_ts > cur->first_ts ? prev->last_ts : cur->first_ts;
		ev.count = cur->count - prev->count;
		r->lost_total += ev.count;
		err = trace_writer__add(r->tw, &ev.h);
		if (err) {
			r->write_err = err;
			return err;
		}
	}
	memcpy(r->lost_prev, r->lost_cur, vsz);
	return 0;
}

static int write_task(struct recorder *r, pid_t pid, pid_t tid, pid_t parent,
		      const char *comm, uint64_t ts)
{
	struct ipct_task t;
	int err;

	memset(&t, 0, sizeof(t));
	t.h.ts = ts;
	t.h.pid = pid;
	t.h.tid = tid;
	t.h.type = IPCT_EV_TASK;
	t.h.flags = tid != pid ? IPCT_F_THREAD : 0;
	t.child_pid = parent;
	t.child_tid = parent;
	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	err = trace_writer__add(r->tw, &t.h);
	if (err)
		r->write_err = err;
	return err;
}

static int write_event(struct recorder *r, struct ipct_hdr *h)
{
	int err = trace_writer__add(r->tw, h);

	if (err)
		r->write_err = err;
	return err;
}

/* The recording's window: its start before anything is traced, its stop after everything. */
static int write_window(struct recorder *r, uint8_t flag, uint64_t ts)
{
	struct ipct_window w;

	memset(&w, 0, sizeof(w));
	w.h.type = IPCT_EV_WINDOW;
	w.h.flags = flag;
	w.h.ts = ts;
	return write_event(r, &w.h);
}

/* A CMDLINE event: n bytes of process pid's argv, and its executable if exe is not NULL. */
static int write_args(struct recorder *r, pid_t pid, const char *args, size_t n, const char *exe,
		      uint64_t ts)
{
	struct ipct_cmdline c;

	memset(&c, 0, sizeof(c));
	if (n > sizeof(c.args))
		n = sizeof(c.args);
	memcpy(c.args, args, n);
	if (exe)
		snprintf(c.exe, sizeof(c.exe), "%s", exe);
	c.h.type = IPCT_EV_CMDLINE;
	c.h.ts = ts;
	c.h.pid = pid;
	c.h.tid = pid;
	c.len = n;
	return write_event(r, &c.h);
}

/*
 * What /proc says a process runs as: its argv (a server's role after
 * setproctitle) and, if with_exe, its executable. A process gone is no error.
 */
static int write_cmdline(struct recorder *r, pid_t pid, bool with_exe, uint64_t ts)
{
	char args[IPCT_ARGS_LEN], exe[IPCT_NAME_LEN] = "";
	size_t n;

	if (procfs__cmdline(pid, args, sizeof(args), &n) || !n)
		return 0;
	if (with_exe)
		procfs__exe(pid, exe, sizeof(exe));
	return write_args(r, pid, args, n, with_exe ? exe : NULL, ts);
}

/*
 * Process pid renamed itself: its argv now, and watched, in case the argv is
 * rewritten after the name.
 */
static int retitled(struct recorder *r, pid_t pid, uint64_t ts)
{
	char args[IPCT_ARGS_LEN];
	size_t n;
	int err = 0;

	if (procfs__cmdline(pid, args, sizeof(args), &n))
		n = 0;
	if (n)
		err = write_args(r, pid, args, n, NULL, ts);
	if (!err && title_watch__add(&r->titles, pid, now_ns(), n ? args : NULL, n))
		err = r->write_err = -ENOMEM;
	return err;
}

static int trace_pid(struct recorder *r, pid_t pid, bool *gone)
{
	int fd = bpf_map__fd(r->skel->maps.traced);
	uint64_t ts = now_ns();
	__u32 key = pid;
	__u8 one = 1;
	pid_t *tids, ppid = 0;
	size_t n, i;
	int err;

	*gone = false;
	if (bpf_map_update_elem(fd, &key, &one, BPF_ANY)) {
		err = -errno;
		fail("adding process %d to the traced set failed (%s): run with -v", (int)pid,
		     strerror(-err));
		return err;
	}
	/* Listed after the insert: a thread started in between shows up as FORK too. */
	err = procfs__threads(pid, &tids, &n);
	if (err) {
		*gone = true;
		return 0;
	}
	procfs__ppid(pid, &ppid);
	for (i = 0; i < n && !err; i++) {
		char comm[IPCT_COMM_LEN] = "";

		if (procfs__comm(pid, tids[i], comm, sizeof(comm)))
			continue;
		err = write_task(r, pid, tids[i], ppid, comm, ts);
	}
	free(tids);
	if (!err)
		err = write_cmdline(r, pid, true, ts);
	if (!err)
		err = set_add(&r->live, pid);
	return err;
}

static int write_meta(struct recorder *r)
{
	struct trace_meta *meta;
	struct utsname u;

	meta = calloc(1, sizeof(*meta));
	if (!meta)
		return -ENOMEM;
	meta->start_mono_ns = now_ns();
	meta->start_real_ns = real_ns();
	if (!uname(&u)) {
		snprintf(meta->kernel, sizeof(meta->kernel), "%s", u.release);
		snprintf(meta->host, sizeof(meta->host), "%s", u.nodename);
		snprintf(meta->arch, sizeof(meta->arch), "%.*s", (int)sizeof(meta->arch) - 1, u.machine);
	}
	snprintf(meta->cmdline, sizeof(meta->cmdline), "%s", r->opts.cmdline ? r->opts.cmdline : "");
	/* a COMMAND runs in our network namespace */
	hostinfo__fill(meta, r->pids, r->npids, r->opts.argv || !r->npids);
	r->start_ns = meta->start_mono_ns;
	r->tw = trace_writer__open_fd(r->fd, meta, r->opts.zlevel);
	free(meta);
	if (!r->tw) {
		int err = errno ? -errno : -EIO;

		fail("cannot write trace %s: %s: choose a writable path with -o",
		     r->opts.trace_path, strerror(-err));
		return err;
	}
	return 0;
}

int recorder__check(const struct recorder_opts *opts)
{
	size_t i;
	pid_t tgid;

	for (i = 0; i < opts->npids; i++) {
		if (procfs__tgid(opts->pids[i], &tgid) || !procfs__alive(tgid)) {
			fail("no process with pid %d: check the pid (ps -e, pgrep NAME)",
			     (int)opts->pids[i]);
			return -ESRCH;
		}
	}
	if (!has_bpf_caps()) {
		fail("recording needs root or CAP_BPF and CAP_PERFMON: run as root (sudo ipctrace ...)");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fail("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): "
		     "use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return -ENOTSUP;
	}
	return 0;
}

/*
 * Kernels differ in their tracepoints: one this kernel lacks is switched
 * off with a warning if its events are extras, and is an error if needed.
 */
static int probe_tracepoints(struct recorder *r)
{
	struct bpf_program *prog;
	struct btf *btf;
	char type[128];
	int err = 0;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		err = -errno;
		fail("reading the kernel's BTF failed (%s): use a kernel built with "
		     "CONFIG_DEBUG_INFO_BTF=y", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, r->skel->obj) {
		const char *sec = bpf_program__section_name(prog), *name, *what;

		if (strncmp(sec, "tp_btf/", 7) || !bpf_program__autoload(prog))
			continue;
		name = sec + 7;
		snprintf(type, sizeof(type), "btf_trace_%s", name);
		if (btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF) >= 0)
			continue;
		what = optional_tracepoint(name);
		if (!what) {
			fail("this kernel has no tracepoint %s, which ipctrace needs: use a newer kernel "
			     "(5.5 or later, with BTF)", name);
			err = -ENOTSUP;
			break;
		}
		fail("warning: this kernel has no tracepoint %s: recording without %s", name, what);
		bpf_program__set_autoload(prog, false);
	}
	btf__free(btf);
	return err;
}

static void report_load_error(int err, uint64_t ring_bytes)
{
	const char *more = verbosity ? "see libbpf's messages above" : "run with -v for the kernel's reason";

	switch (err) {
	case -ENOSYS:
		fail("this kernel has no BPF (bpf(2): %s): use a kernel built with CONFIG_BPF_SYSCALL=y",
		     strerror(-err));
		break;
	case -EACCES:
		/* With the rights to load, EACCES from a program's load is its verifier's no. */
		if (rejected_prog[0]) {
			fail("the kernel's verifier rejected BPF program %s (%s): this ipctrace does not "
			     "fit this kernel; run with -v for the verifier's log", rejected_prog,
			     strerror(-err));
			break;
		}
		/* fallthrough */
	case -EPERM:
		fail("the kernel refused to load the BPF programs (%s): run as root with CAP_BPF and "
		     "CAP_PERFMON, outside a restricted container; %s", strerror(-err), more);
		break;
	case -ENOMEM:
	case -E2BIG:
		fail("loading the BPF programs failed (%s): the %llu MiB ring buffer may be too big "
		     "for this machine: give a smaller -b; %s", strerror(-err),
		     (unsigned long long)(ring_bytes >> 20), more);
		break;
	default:
		fail("loading the BPF programs failed (%s): %s", strerror(-err), more);
	}
}

struct recorder *recorder__new(const struct recorder_opts *opts, int *errp)
{
	struct recorder *r;
	uint64_t ring_bytes, key;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r) {
		*errp = -ENOMEM;
		return NULL;
	}
	r->opts = *opts;
	r->fd = r->out.fd = -1;
	r->child = -1;
	verbosity = opts->verbose;
	libbpf_set_print(libbpf_print_fn);
	stop_signal__finish();

	err = recorder__check(opts);
	if (err)
		goto fail;
	err = check_pids(r);
	if (err)
		goto fail;
	err = open_output(r);
	if (err)
		goto fail;

	r->skel = ipctrace_bpf__open();
	if (!r->skel) {
		err = -errno;
		fail("opening the BPF object failed (%s): run with -v for libbpf's reason",
		     strerror(-err));
		goto fail;
	}
	if (getrandom(&key, sizeof(key), 0) != sizeof(key))
		key = real_ns() ^ ((uint64_t)getpid() << 32);
	ring_bytes = (uint64_t)(opts->ring_mib ? opts->ring_mib : RECORDER_RING_MIB) << 20;
	r->skel->rodata->chan_key = key;
	r->skel->rodata->self_pid = getpid();
	r->skel->rodata->wake_bytes = opts->wake_bytes ? opts->wake_bytes : ring_bytes / 8;
	r->skel->rodata->trace_all_syscalls = !opts->ipc_only;
	err = probe_tracepoints(r);
	if (err)
		goto fail;
	err = bpf_map__set_max_entries(r->skel->maps.rb, ring_bytes);
	if (err) {
		fail("setting the ring buffer to %llu MiB failed (%s): give -b a power of two",
		     (unsigned long long)(ring_bytes >> 20), strerror(-err));
		goto fail;
	}
	err = ipctrace_bpf__load(r->skel);
	if (stopped_early()) {
		err = -EINTR;
		goto fail;
	}
	if (err) {
		report_load_error(err, ring_bytes);
		goto fail;
	}
	err = attach_programs(r);
	if (!err && stopped_early())
		err = -EINTR;
	if (err)
		goto fail;
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.rb), on_event, r, NULL);
	if (!r->rb) {
		err = -errno;
		fail("opening the ring buffer failed (%s): run with -v", strerror(-err));
		goto fail;
	}
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0) {
		err = r->ncpus ? r->ncpus : -EINVAL;
		fail("counting CPUs failed (%s): check /sys/devices/system/cpu/possible", strerror(-err));
		goto fail;
	}
	r->lost_prev = calloc(r->ncpus, sizeof(*r->lost_prev));
	r->lost_cur = calloc(r->ncpus, sizeof(*r->lost_cur));
	if (!r->lost_prev || !r->lost_cur) {
		err = -ENOMEM;
		goto fail;
	}
	return r;
fail:
	if (err == -ENOMEM)
		fail("out of memory: free some memory and retry");
	recorder__free(r);
	*errp = err;
	return NULL;
}

static void reap_child(struct recorder *r, bool block)
{
	pid_t p;

	if (r->child <= 0 || r->child_reaped)
		return;
	do {
		p = waitpid(r->child, &r->child_status, block ? 0 : WNOHANG);
	} while (p < 0 && errno == EINTR);
	if (p == r->child) {
		r->child_reaped = true;
		set_del(&r->live, r->child);
	} else if (p < 0 && errno == ECHILD) {
		/* Someone else reaped it (SIGCHLD ignored by our parent): status unknown. */
		r->child_reaped = true;
		r->child_status = 0;
		set_del(&r->live, r->child);
	}
}

enum { GO_WAIT = 0, GO_EXEC = 1, GO_ABORT = 2 };

/*
 * Waits for the parent's word without a syscall: the child is traced from
 * the parent's insert on, and a read on a pipe there would show up in the
 * trace as a channel of the command's own.
 */
static void child_exec(char *const *argv, volatile int *go, pid_t parent, int err_fd)
{
	unsigned spins = 0;
	int e, v;

	while ((v = __atomic_load_n(go, __ATOMIC_ACQUIRE)) == GO_WAIT) {
		if (++spins % 4096)
			continue;
		if (getppid() != parent)
			_exit(127);
		sched_yield();
	}
	if (v != GO_EXEC)
		_exit(127);
	execvp(argv[0], argv);
	e = errno;
	while (write(err_fd, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Fork the command, hold it until its pid is traced, then let it exec. */
static int start_command(struct recorder *r)
{
	char *const *argv = r->opts.argv;
	pid_t parent = getpid();
	sigset_t stop, old;
	volatile int *go;
	int ep[2], e = 0, err;
	const char *name;
	ssize_t n;
	__u32 key;
	__u8 one = 1;

	go = mmap(NULL, sizeof(*go), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (go == MAP_FAILED)
		return -errno;
	*go = GO_WAIT;
	if (pipe2(ep, O_CLOEXEC)) {
		err = -errno;
		munmap((void *)go, sizeof(*go));
		return err;
	}
	fflush(NULL);
	/* The command gets the default stop signals; one sent meanwhile waits for it. */
	stop_signal__set(&stop);
	sigprocmask(SIG_BLOCK, &stop, &old);
	r->child = fork();
	err = r->child < 0 ? -errno : 0;
	if (r->child == 0)
		stop_signal__default();
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r->child < 0) {
		fail("starting the command failed (fork: %s): free some resources and retry",
		     strerror(-err));
		close(ep[0]);
		close(ep[1]);
		munmap((void *)go, sizeof(*go));
		return err;
	}
	if (r->child == 0) {
		close(ep[0]);
		child_exec(argv, go, parent, ep[1]);
	}
	close(ep[1]);

	key = r->child;
	err = 0;
	if (bpf_map_update_elem(bpf_map__fd(r->skel->maps.traced), &key, &one, BPF_ANY)) {
		err = -errno;
		fail("adding the command to the traced set failed (%s): run with -v", strerror(-err));
	}
	if (!err) {
		/* The name it will have once exec'd, until its EXEC event says so. */
		name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
		err = write_task(r, r->child, r->child, parent, name, now_ns());
	}
	if (!err)
		err = set_add(&r->live, r->child);
	__atomic_store_n(go, err ? GO_ABORT : GO_EXEC, __ATOMIC_RELEASE);
	munmap((void *)go, sizeof(*go));
	if (err) {
		close(ep[0]);
		reap_child(r, true);
		return err;
	}
	/* EOF: exec succeeded (the pipe was close-on-exec); an int: its errno. */
	do {
		n = read(ep[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == sizeof(e)) {
		reap_child(r, true);
		r->exec_errno = e;
		if (e == ENOENT && !strchr(argv[0], '/'))
			fail("%s: command not found: check its name and PATH", argv[0]);
		else if (e == ENOENT)
			fail("cannot run %s: no such file: check the path", argv[0]);
		else
			fail("cannot run %s: %s: check that it is an executable file", argv[0], strerror(e));
		return -e;
	}
	return 0;
}

static bool title_alive(void *ctx, pid_t pid)
{
	struct recorder *r = ctx;

	return set_find(&r->live, (uint32_t)pid) != SIZE_MAX;
}

static int title_read(void *ctx, pid_t pid, char *buf, size_t len, size_t *n)
{
	return procfs__cmdline(pid, buf, len, n);
}

static int title_emit(void *ctx, pid_t pid, const char *args, size_t n, uint64_t now)
{
	return write_args(ctx, pid, args, n, NULL, now);
}

/*
 * Reads again the command lines of the processes forked or renamed lately: the
 * read on the event itself can come before the process rewrites its argv (a
 * PostgreSQL backend's "postgres: user db [local] idle"); the latest read is its role.
 */
static void read_titles_again(struct recorder *r)
{
	static const struct title_watch_ops ops = { title_alive, title_read, title_emit };

	title_watch__tick(&r->titles, now_ns(), &ops, r);
}

/* EXIT events can be lost; /proc is the fallback truth. */
static void check_alive(struct recorder *r)
{
	size_t i;

	for (i = 0; i < r->npids; i++)
		if (!procfs__alive(r->pids[i]))
			set_del(&r->live, r->pids[i]);
	for (i = 0; i < r->live.cap; i++) {
		uint32_t k = r->live.slot[i];

		if (!k || k == TOMB || (pid_t)k == r->child)
			continue;
		if (kill((pid_t)k, 0) && errno == ESRCH)
			set_del(&r->live, k);
	}
}

static void show_status(struct recorder *r, uint64_t now, bool clear)
{
	if (clear) {
		if (r->status_shown)
			fputs("\r\033[K", stderr);
		r->status_shown = false;
		return;
	}
	fprintf(stderr, "\r\033[Kipctrace: %.1f s, %llu events, %llu lost, %llu KiB",
		(now - r->start_ns) / 1e9,
		(unsigned long long)trace_writer__events(r->tw),
		(unsigned long long)r->lost_total,
		(unsigned long long)(trace_writer__bytes(r->tw) >> 10));
	fflush(stderr);
	r->status_shown = true;
}

static bool child_running(const struct recorder *r)
{
	return r->child > 0 && !r->child_reaped;
}

/* After the stop: the command has GRACE_NS to end on the signal it was sent, then SIGKILL. */
static void end_command(struct recorder *r)
{
	uint64_t grace_end = now_ns() + GRACE_NS;

	while (child_running(r) && now_ns() < grace_end) {
		reap_child(r, false);
		if (child_running(r))
			usleep(10 * 1000);
	}
	if (child_running(r)) {
		kill(r->child, SIGKILL);
		reap_child(r, true);
	}
}

static int stop_tracing(struct recorder *r);

static int collect(struct recorder *r)
{
	uint64_t now = now_ns(), deadline = 0;
	uint64_t next_lost = now + LOST_EVERY_NS, next_flush = now + FLUSH_EVERY_NS;
	uint64_t next_status = now, next_alive = now + ALIVE_EVERY_NS;
	bool status = !r->opts.quiet && isatty(STDERR_FILENO);
	bool asked, from_tty;
	int sig;
	int err = 0;

	if (r->opts.duration_ns)
		deadline = r->start_ns + r->opts.duration_ns;
	for (;;) {
		err = ring_buffer__poll(r->rb, POLL_MS);
		/* The kernel wakes us only past wake_bytes: a timed-out poll may leave data. */
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(r->rb);
		if (err == -EINTR)
			err = 0;
		if (r->write_err)
			return r->write_err;
		if (err < 0) {
			fail("reading the ring buffer failed (%s): run with -v", strerror(-err));
			return err;
		}
		now = now_ns();
		if (now >= next_lost) {
			read_lost(r);
			if (r->write_err)
				return r->write_err;
			next_lost = now + LOST_EVERY_NS;
		}
		if (now >= next_flush) {
			err = trace_writer__flush(r->tw);
			if (err)
				return r->write_err = err;
			next_flush = now + FLUSH_EVERY_NS;
		}
		if (status && now >= next_status) {
			show_status(r, now, false);
			next_status = now + STATUS_EVERY_NS;
		}
		reap_child(r, false);
		if (now >= next_alive) {
			read_titles_again(r);
			check_alive(r);
			next_alive = now + ALIVE_EVERY_NS;
		}
		asked = stop_signal__asked(&sig, &from_tty);
		if (asked || (deadline && now >= deadline) || !r->live.live) {
			if (!asked)
				sig = SIGTERM;
			if (!child_running(r) || !r->live.live)
				break;
			/*
			 * The recording ends before the command is told to stop: what it was
			 * doing then (a deadlock's two blocked reads) is the trace's last word,
			 * not the calls our signal breaks.
			 */
			if (status)
				show_status(r, now, true);
			err = stop_tracing(r);
			/* Ctrl-C from the terminal already reached the command's process group. */
			if (!(asked && from_tty))
				kill(r->child, sig);
			end_command(r);
			return err;
		}
	}
	ring_buffer__consume(r->rb);
	read_lost(r);
	if (status)
		show_status(r, now, true);
	return r->write_err;
}

static int finish_trace(struct recorder *r, bool complete)
{
	struct stat st;
	int err = 0, e;

	r->events_written = trace_writer__events(r->tw);
	r->bytes_written = trace_writer__bytes(r->tw);
	if (complete) {
		err = trace_writer__close(r->tw);
	} else {
		trace_writer__flush(r->tw);
		trace_writer__free(r->tw);
	}
	r->tw = NULL;
	/* A FIFO or a terminal cannot be synced; a file on a full disk says so here. */
	if (fsync(r->fd) && errno != EINVAL && errno != EROFS && !err)
		err = -errno;
	if (!fstat(r->fd, &st) && S_ISREG(st.st_mode))
		r->bytes_written = st.st_size;
	if (close(r->fd) && !err)
		err = -errno;
	r->fd = r->out.fd = -1;
	/* A cut-off trace still reads up to its last whole block: keep it. */
	e = outpath__commit(&r->out);
	if (e) {
		/* What was recorded stays under its temporary name rather than being lost. */
		fail("naming the trace %s failed (%s): it is kept as %s", r->out.path, strerror(-e),
		     r->out.tmp);
		r->kept_tmp = true;
		if (!err)
			err = e;
	}
	r->completed = true;
	return err;
}

/*
 * Runs BPF iterator prog to its end (over one process when pid is not 0):
 * what it finds goes into the ring buffer like any event. A snapshot that
 * fails loses its facts, not the recording: say so and go on.
 */
static void run_iter(struct recorder *r, struct bpf_program *prog, pid_t pid, const char *what)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info li;
	struct bpf_link *link;
	char buf[256];
	int fd, err = 0;
	ssize_t n;

	if (pid > 0) {
		memset(&li, 0, sizeof(li));
		li.task.pid = pid;
		opts.link_info = &li;
		opts.link_info_len = sizeof(li);
	}
	link = bpf_program__attach_iter(prog, pid > 0 ? &opts : NULL);
	if (!link) {
		err = -errno;
	} else {
		fd = bpf_iter_create(bpf_link__fd(link));
		if (fd < 0) {
			err = -errno;
		} else {
			while ((n = read(fd, buf, sizeof(buf))) != 0) {
				if (n < 0 && errno != EINTR) {
					err = -errno;
					break;
				}
			}
			close(fd);
		}
		bpf_link__destroy(link);
	}
	if (err && !r->opts.quiet)
		fail("warning: scanning %s failed (%s): the report may miss it", what, strerror(-err));
}

/*
 * What tracing cannot see begin: the traced threads asleep right now were
 * asleep since the start (in the call they are in), and the -p processes'
 * shared mappings made before it.
 */
static void snapshot_attach(struct recorder *r)
{
	size_t i;

	r->skel->bss->snap_ts = r->start_ns;
	run_iter(r, r->skel->progs.snap_attach, 0, "the threads' state at attach");
	for (i = 0; i < r->npids; i++)
		run_iter(r, r->skel->progs.snap_maps, r->pids[i], "shared mappings made before tracing");
}

/*
 * The end of the recording. Tracing stops first (the links go, the maps
 * stay), then what each thread was still doing (asleep, runnable, inside a
 * call) is written as of that moment, the live processes' command lines
 * (servers rewrite them), and the window's end: nothing recorded is later.
 */
static int stop_tracing(struct recorder *r)
{
	uint64_t titles_read, stop;
	size_t i;
	int err;

	if (r->stopped)
		return r->write_err;
	r->stopped = true;
	/*
	 * The live processes' titles, read while still traced: one that exits after
	 * its read has its argv read by the kernel at its exit, and none exits
	 * unseen between the detach and a read that would find it gone. The ring
	 * is read first: an exec's CMDLINE still in it would come after the title.
	 */
	ring_buffer__consume(r->rb);
	titles_read = now_ns();
	for (i = 0; i < r->live.cap && !r->write_err; i++) {
		uint32_t k = r->live.slot[i];

		if (k && k != TOMB)
			write_cmdline(r, (pid_t)k, false, titles_read);
	}
	for (i = 0; i < r->nlinks; i++)
		bpf_link__destroy(r->links[i]);
	r->nlinks = 0;
	ring_buffer__consume(r->rb);
	stop = now_ns();
	r->skel->bss->snap_ts = stop;
	run_iter(r, r->skel->progs.snap_stop, 0, "the threads' state at stop");
	err = ring_buffer__consume(r->rb);
	if (r->write_err)
		return r->write_err;
	if (err < 0)
		fail("reading the ring buffer failed (%s): run with -v", strerror(-err));
	read_lost(r);
	if (!r->write_err)
		write_window(r, IPCT_F_STOP, stop);
	r->end_ns = stop;
	return r->write_err;
}

/* Stop tracing: the programs cost the traced processes nothing from here on. */
static void detach(struct recorder *r)
{
	size_t i;

	ring_buffer__free(r->rb);
	r->rb = NULL;
	for (i = 0; i < r->nlinks; i++)
		bpf_link__destroy(r->links[i]);
	r->nlinks = 0;
	ipctrace_bpf__destroy(r->skel);
	r->skel = NULL;
}

int recorder__run(struct recorder *r)
{
	bool gone;
	size_t i, alive = 0;
	int err;

	stop_signal__finish();
	if (stopped_early())
		return -EINTR;
	err = write_meta(r);
	if (!err)
		err = write_window(r, IPCT_F_START, r->start_ns);
	if (err)
		return err;
	for (i = 0; i < r->npids; i++) {
		err = trace_pid(r, r->pids[i], &gone);
		if (err)
			goto out;
		if (gone && !r->opts.quiet)
			fail("warning: process %d exited before tracing began", (int)r->pids[i]);
		alive += !gone;
	}
	if (r->npids && !alive && !r->opts.argv) {
		fail("every process given with -p exited before tracing began: nothing to record");
		err = -ESRCH;
		goto out;
	}
	if (r->npids)
		snapshot_attach(r);
	if (r->opts.argv) {
		err = start_command(r);
		if (err)
			goto out;
	}
	/* Stop signals stay caught until the trace is closed: the caller decides after that. */
	err = collect(r);
	if (!r->stopped)
		r->end_ns = now_ns();
	if (!err)
		err = stop_tracing(r);
	if (child_running(r) && !r->live.live)
		reap_child(r, true);
	if (err) {
		finish_trace(r, false);
		if (r->write_err)
			fail("writing trace %s failed (%s): free disk space or choose another path "
			     "with -o; what was recorded is kept", r->opts.trace_path, strerror(-err));
		detach(r);
		/* Like time(1): the command is not killed because recording failed. */
		if (child_running(r)) {
			if (!r->opts.quiet)
				fail("note: %s is no longer traced; waiting for it to exit", r->opts.argv[0]);
			/* What was recorded is kept: a stop signal may now end the wait. */
			stop_signal__default();
			reap_child(r, true);
		}
		return err;
	}
	err = finish_trace(r, true);
	if (err && !r->kept_tmp)
		fail("writing trace %s failed (%s): free disk space or choose another path with -o",
		     r->opts.trace_path, strerror(-err));
	return err;
out:
	r->end_ns = now_ns();
	if (child_running(r)) {
		kill(r->child, SIGKILL);
		reap_child(r, true);
	}
	return err;
}

void recorder__stats(const struct recorder *r, struct recorder_stats *st)
{
	struct rusage ru;

	memset(st, 0, sizeof(*st));
	if (r->tw) {
		st->events = trace_writer__events(r->tw);
		st->bytes = trace_writer__bytes(r->tw);
	} else {
		st->events = r->events_written;
		st->bytes = r->bytes_written;
	}
	st->lost = r->lost_total;
	st->duration_ns = r->end_ns > r->start_ns ? r->end_ns - r->start_ns : 0;
	if (!getrusage(RUSAGE_SELF, &ru)) {
		st->cpu_user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		st->cpu_sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	}
	st->bad_events = r->bad_events;
	st->cmd_exec_failed = r->exec_errno != 0;
	st->cmd_ran = r->child > 0;
	st->cmd_reaped = r->child_reaped;
	st->cmd_status = r->child_status;
}

int recorder__exit_code(const struct recorder *r)
{
	if (r->exec_errno)
		return r->exec_errno == ENOENT ? 127 : 126;
	if (r->child <= 0 || !r->child_reaped)
		return 0;
	if (WIFEXITED(r->child_status))
		return WEXITSTATUS(r->child_status);
	if (WIFSIGNALED(r->child_status))
		return 128 + WTERMSIG(r->child_status);
	return 0;
}

void recorder__free(struct recorder *r)
{
	if (!r)
		return;
	detach(r);
	free(r->links);
	if (r->tw)
		trace_writer__free(r->tw);
	/* An unfinished recording leaves nothing behind (fd is out.fd until then). */
	if (!r->completed)
		outpath__discard(&r->out);
	outpath__free(&r->out);
	free(r->pids);
	free(r->live.slot);
	title_watch__free(&r->titles);
	free(r->lost_prev);
	free(r->lost_cur);
	free(r);
}
