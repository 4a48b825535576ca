#!/usr/bin/env python3
"""`make bench`: ipctrace's overhead, lost events, trace size and analysis
cost, side by side with strace and perf, against the goals of issue 5.

Timings on a shared VM are noisy, so only ratios of medians of alternating
runs are reported. Prints a readable table per section and one
`BENCH {json}` line per metric; writes results.json beside the tools.

Environment: IPCTRACE, IPCTRACE_DEMOS (set by make), BENCH_QUICK=1 (a few
minutes), BENCH_RUNS=N (alternating runs per variant), BENCH_KEEP=1 (keep the
work directory with its traces), BENCH_ONLY=a,b (only these sections:
overhead, servers, loss_ramp, analysis, memory, zlib_levels, bpf_costs,
hooks_cost, recorder_profile).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import servers as server_bench

HERE = os.path.dirname(os.path.abspath(__file__))
TIMED = os.path.join(HERE, "timed.sh")
IPCTRACE = os.environ.get("IPCTRACE", os.path.abspath("ipctrace"))
TOOLS = os.environ.get("IPCTRACE_DEMOS", os.path.abspath(".output/demos"))
BENCH_BIN = os.environ.get("BENCH_BIN", os.path.join(os.path.dirname(TOOLS), "bench"))
GEN = os.path.join(BENCH_BIN, "gen_trace")
FORGE = os.path.join(BENCH_BIN, "forge_scale")
PINGPONG = os.path.join(TOOLS, "pingpong")
QUICK = os.environ.get("BENCH_QUICK") == "1"

# memory: each dimension at two sizes; the cost of one more is the slope between them
MEM_SIZES = {"threads": (2000, 20000), "channels": (10000, 100000), "endpoints": (1000, 10000)}
if QUICK:
    CFG = dict(runs=3, pp_rounds=30000, strace_rounds=3000, seq=500000,
               gen_sizes=[1000000], ramp_pairs=[2], report_runs=1, server_runs=2,
               server_secs=3)
else:
    CFG = dict(runs=7, pp_rounds=200000, strace_rounds=20000, seq=3000000,
               gen_sizes=[1000000, 10000000], ramp_pairs=[2, 4, 8], report_runs=3,
               server_runs=7, server_secs=3)
if os.environ.get("BENCH_RUNS"):
    CFG["runs"] = CFG["server_runs"] = max(1, int(os.environ["BENCH_RUNS"]))

# The same IPC-relevant syscalls for strace and perf as ipctrace records.
SYSCALLS = ["read", "write", "readv", "writev", "pread64", "pwrite64", "splice", "tee",
            "pipe", "pipe2", "close", "dup", "dup2", "dup3", "openat", "poll", "ppoll",
            "select", "pselect6", "epoll_wait", "epoll_pwait", "futex"]
SCHED_EVENTS = ["sched:sched_switch", "sched:sched_waking", "sched:sched_process_fork",
                "sched:sched_process_exec", "sched:sched_process_exit"]
TRACEFS = "/sys/kernel/tracing"

GOALS = {
    "pingpong.overhead.ipctrace": ("<=", 1.2),
    "pingpong.cpu_overhead.ipctrace": ("<=", 1.2),
    "pipeline.overhead.ipctrace": ("<", 1.05),
    "pipeline.cpu_overhead.ipctrace": ("<", 1.05),
    "pingpong.lost_events": ("==", 0),
    "pingpong.bytes_per_event": ("<=", 8.0),
    "report.1e6.seconds": ("<", 2.0),
    "render.1e6.seconds": ("<", 2.0),
    "critical-path.1e6.seconds": ("<", 1.0),
    "report.memory_growth_1e6_to_1e7": ("<=", 1.5),
    "render.memory_growth_1e6_to_1e7": ("<=", 1.5),
    "report.1e7.seconds": ("<", 1.0),
    "render.1e7.seconds": ("<", 2.0),
    # issue 13: graph and critical-path "in the same budget": both read the trace once, as
    # report does (the critical path walks while it reads, a second read only where the
    # trace changed something it had walked)
    "graph.1e7.seconds": ("<", 1.0),
    "critical-path.1e7.seconds": ("<", 2.0),
    "graph.memory_growth_1e6_to_1e7": ("<=", 1.5),
    "critical-path.memory_growth_1e6_to_1e7": ("<=", 1.5),
    # a tenth of the trace drawn (--from/--to): the window's model and the whole trace's ids
    # come from one read, the drawing from a second
    "report-window.1e7.seconds": ("<", 1.0),
    "render-window.1e7.seconds": ("<", 2.0),
    "nginx.throughput_ratio.ipctrace": (">=", 0.95),
    "postgres.throughput_ratio.ipctrace": (">=", 0.95),
    "nginx.lost_events": ("==", 0),
    "postgres.lost_events": ("==", 0),
}

results = {}
notes = []


def goal_met(metric, value):
    if metric not in GOALS or value is None:
        return None
    op, lim = GOALS[metric]
    return {"<=": value <= lim, "<": value < lim, "==": value == lim, ">=": value >= lim}[op]


def goal_text(metric):
    if metric not in GOALS:
        return ""
    op, lim = GOALS[metric]
    return f"{op} {lim}"


def metric(name, value, unit, **extra):
    """Record one metric and print its machine-readable line."""
    met = goal_met(name, value)
    rec = {"metric": name, "value": value, "unit": unit, "goal": goal_text(name) or None,
           "met": met}
    rec.update(extra)
    results[name] = rec
    print("BENCH " + json.dumps(rec, sort_keys=False), flush=True)
    return value


def say(*a):
    print(*a, flush=True)


def table(header, rows):
    cols = [header] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cols) for i in range(len(header))]
    for j, r in enumerate(cols):
        say("  " + "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                             for i, c in enumerate(r)))
        if j == 0:
            say("  " + "  ".join("-" * w for w in widths))


def fmt(v, spec=".2f", unit=""):
    if v is None:
        return "n/a"
    return format(v, spec) + unit


def run(argv, log, env=None, cwd=None):
    """Run argv to completion; (exit code, wall seconds, rusage of it and its children)."""
    t0 = time.monotonic()
    with open(log or os.devnull, "ab") as f:
        if log:
            f.write(("$ " + " ".join(argv) + "\n").encode())
            f.flush()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f, env=env,
                             cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.monotonic() - t0, ru


def timed_out(path):
    """timed.sh's output: workload wall s, recorder CPU s during it (schedstat), workload CPU s."""
    def secs(t):
        m, rest = t.rstrip("s").split("m")
        return int(m) * 60 + float(rest)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
        wall_ns, tb, ta, hz = (int(x) for x in lines[0].split())
        cpu = sum(secs(t) for t in lines[2].split()) if len(lines) > 2 else None
    except (OSError, ValueError, IndexError):
        return None, None, None
    return wall_ns / 1e9, ((ta - tb) / hz if tb else None), cpu


def ipctrace_json(trace, log):
    try:
        out = subprocess.run([IPCTRACE, "report", "--json", trace], capture_output=True,
                             check=True, timeout=600).stdout
        return json.loads(out)
    except (subprocess.SubprocessError, ValueError, OSError) as e:
        with open(log, "a") as f:
            f.write(f"report --json {trace} failed: {e}\n")
        return None


def bpf_stats_sum(progs, ids):
    """{program name: (run_cnt, run_time_ns)} over the programs whose id is in ids."""
    out = {}
    for p in progs:
        if p.get("id") in ids and p.get("run_cnt"):
            c, t = out.get(p.get("name", "?"), (0, 0))
            out[p.get("name", "?")] = (c + p["run_cnt"], t + p.get("run_time_ns", 0))
    return out


def bpf_stats_delta(after, before):
    return {k: (c - before.get(k, (0, 0))[0], t - before.get(k, (0, 0))[1])
            for k, (c, t) in after.items() if c > before.get(k, (0, 0))[0]}


BPF_STATS_KEY = "/proc/sys/kernel/bpf_stats_enabled"


def bpf_stats_enable():
    """kernel.bpf_stats_enabled=1 (it slows every program: never in timed runs); returns the
    old value for bpf_stats_restore. OSError when it cannot be set."""
    with open(BPF_STATS_KEY) as f:
        old = f.read().strip()
    with open(BPF_STATS_KEY, "w") as f:
        f.write("1")
    return old


def bpf_stats_restore(old):
    with open(BPF_STATS_KEY, "w") as f:
        f.write(old)


def bpf_stats_read(dump):
    """The recorder's programs over the workload only, from timed.sh's dumps
    (bpftool -j prog show before and after it, and the recorder's prog ids)."""
    try:
        with open(dump + ".before") as f:
            before = json.load(f)
        with open(dump) as f:
            after = json.load(f)
        with open(dump + ".ids") as f:
            ids = {int(x) for x in f.read().split()}
    except (OSError, ValueError):
        return {}
    return bpf_stats_delta(bpf_stats_sum(after, ids), bpf_stats_sum(before, ids))


def bpf_stats_now(pid):
    """The same, now, for the recorder running as pid (ids from its fdinfo)."""
    ids = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                ids.update(int(l.split()[1]) for l in f if l.startswith("prog_id:"))
        progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"],
                                          capture_output=True, text=True).stdout)
    except (OSError, ValueError):
        return {}
    return bpf_stats_sum(progs, ids)


def foreign_tracers():
    """BPF tracing programs loaded before a run: another tracer on the machine
    (say, a test suite's ipctrace) whose hooks slow every process, baseline too."""
    try:
        progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"],
                                          capture_output=True, text=True).stdout)
    except (OSError, ValueError):
        return 0
    return sum(p.get("type") in ("tracing", "raw_tracepoint", "tracepoint", "kprobe",
                                 "perf_event") for p in progs)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio(a, b):
    return a / b if a is not None and b else None


class Bench:
    def __init__(self, work):
        self.work = work
        self.log = os.path.join(work, "bench.log")
        self.seq = 0
        self.has_strace = shutil.which("strace") is not None
        self.has_perf = shutil.which("perf") is not None
        h = subprocess.run([IPCTRACE, "--help"], capture_output=True, text=True)
        self.help = h.stdout + h.stderr
        self.perf_events = None
        self.pp, self.pl = {}, {}
        self.wait_budget = 20 if QUICK else 90

    def wait_alone(self):
        """Another tracer's hooks slow every process, the baseline too: give it a
        few seconds to go away before a run (within a budget for the whole bench).
        Returns how many foreign tracing programs are still loaded."""
        n = foreign_tracers()
        while n and self.wait_budget > 0:
            time.sleep(1)
            self.wait_budget -= 1
            n = foreign_tracers()
        return n

    def path(self, stem):
        self.seq += 1
        return os.path.join(self.work, f"{self.seq:03d}-{stem}")

    def tracer_argv(self, tracer, out, trace, extra=()):
        t = [TIMED, out]
        if tracer == "none":
            return t
        if tracer == "ipctrace":
            quiet = ["--no-svg", "--no-report"] if "--no-svg" in self.help else \
                ["-w", trace + ".svg"]
            return [IPCTRACE, *extra, *quiet, "-o", trace, "--"] + t
        if tracer == "strace":
            return ["strace", "-f", "-qq", "-e", "trace=" + ",".join(SYSCALLS),
                    "-o", "/dev/null"] + t
        if tracer == "perf":
            return ["perf", "record", "-q", "-e", ",".join(self.perf_events), "-o",
                    trace + ".perf", "--"] + t
        raise ValueError(tracer)

    def one(self, tracer, workload, stem, extra=(), env=None):
        """One run; returns a dict with wall, recorder cpu, and the trace's facts."""
        out = self.path(stem + ".time")
        trace = out[:-5] + ".trace"
        foreign = self.wait_alone()
        rc, total, ru = run(self.tracer_argv(tracer, out, trace, extra) + workload, self.log,
                            env=env)
        wall, rec_cpu, cpu = timed_out(out)
        r = {"rc": rc, "wall": wall, "rec_cpu": rec_cpu, "cpu": cpu, "total": total,
             "foreign": foreign}
        if rc != 0 or wall is None:
            notes.append(f"{tracer} run {stem} failed (exit {rc}); see {self.log}")
            r["wall"] = None
        if tracer == "ipctrace" and os.path.exists(trace):
            j = ipctrace_json(trace, self.log)
            t = (j or {}).get("trace", {})
            r.update(events=t.get("events"), lost=t.get("lost_events"),
                     duration_ns=t.get("duration_ns"), size=os.path.getsize(trace),
                     trace=trace)
        for suffix in (".perf", ".svg"):
            if os.path.exists(trace + suffix):
                os.unlink(trace + suffix)
        return r

    def alternate(self, variants):
        """variants: name -> (tracer, workload). Runs them in rotating order, runs times."""
        names = list(variants)
        res = {n: [] for n in names}
        for i in range(CFG["runs"]):
            order = names[i % len(names):] + names[:i % len(names)]
            for n in order:
                tracer, workload = variants[n]
                res[n].append(self.one(tracer, workload, n))
            say(f"  run {i + 1}/{CFG['runs']}: " + "  ".join(
                f"{n} {fmt(res[n][-1]['wall'], '.3f', 's')}" for n in names))
        return res

    def perf_setup(self):
        if not self.has_perf:
            return
        self.tracefs_mounted_by_us = False
        if not os.path.exists(os.path.join(TRACEFS, "events")):
            if subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS]).returncode == 0:
                self.tracefs_mounted_by_us = True
                notes.append("mounted tracefs for perf's syscall tracepoints; unmounted after")
        evs = []
        for s in SYSCALLS:
            for d in ("enter", "exit"):
                if os.path.exists(f"{TRACEFS}/events/syscalls/sys_{d}_{s}"):
                    evs.append(f"syscalls:sys_{d}_{s}")
        evs += [e for e in SCHED_EVENTS
                if os.path.exists(f"{TRACEFS}/events/{e.replace(':', '/')}")]
        if not evs:
            notes.append("perf: no syscall tracepoints found; perf skipped")
            self.has_perf = False
        self.perf_events = evs

    def perf_teardown(self):
        if getattr(self, "tracefs_mounted_by_us", False):
            subprocess.run(["umount", TRACEFS])
            self.tracefs_mounted_by_us = False

    def overhead(self):
        n, ns = CFG["pp_rounds"], CFG["strace_rounds"]
        # Pinned: across two vCPUs each round trip waits ~40 us for the idle vCPU to
        # wake, which hides the tracer's cost; on one CPU the ping-pong is CPU-bound,
        # the worst case. The tracers themselves are not pinned.
        pp = ["taskset", "-c", "0", PINGPONG, str(n)]
        pp_small = ["taskset", "-c", "0", PINGPONG, str(ns)]
        pipeline = ["sh", "-c", f"seq 1 {CFG['seq']} | sort -n | uniq -c | wc -l"]

        say(f"\n== Overhead: pipe ping-pong, {n} round trips pinned to CPU 0 "
            f"(strace: {ns}), {CFG['runs']} alternating runs, medians ==")
        v = {"untraced": ("none", pp), "ipctrace": ("ipctrace", pp)}
        if self.has_perf:
            v["perf"] = ("perf", pp)
        if self.has_strace:
            v["untraced-small"] = ("none", pp_small)
            v["strace"] = ("strace", pp_small)
        self.pp = self.alternate(v)
        self.report_overhead("pingpong", self.pp, n, ns)

        say(f"\n== Overhead: realistic pipeline `{pipeline[2]}`, "
            f"{CFG['runs']} alternating runs, medians ==")
        v = {"untraced": ("none", pipeline), "ipctrace": ("ipctrace", pipeline)}
        if self.has_perf:
            v["perf"] = ("perf", pipeline)
        if self.has_strace:
            v["strace"] = ("strace", pipeline)
        self.pl = self.alternate(v)
        self.report_overhead("pipeline", self.pl, None, None)

    def report_overhead(self, wl, res, n, ns):
        med = {k: median(r["wall"] for r in runs) for k, runs in res.items()}
        rows = []
        base = med["untraced"]
        rows.append(["untraced", fmt(base, ".3f", " s"), "1.00x", "", "", "", ""])
        for tracer in ("ipctrace", "perf", "strace"):
            if tracer not in res:
                continue
            b = med.get("untraced-small") if tracer == "strace" and wl == "pingpong" else base
            r = ratio(med[tracer], b)
            goal = goal_text(f"{wl}.overhead.{tracer}")
            metric(f"{wl}.overhead.{tracer}", r and round(r, 3), "x",
                   traced_s=med[tracer], untraced_s=b, runs=len(res[tracer]))
            spread = [x["wall"] for x in res[tracer] if x["wall"]]
            bkey = "untraced-small" if tracer == "strace" and wl == "pingpong" else "untraced"
            paired = median(ratio(t["wall"], u["wall"]) for t, u in zip(res[tracer], res[bkey]))
            cpu_r = ratio(median(x["cpu"] for x in res[tracer]), median(x["cpu"] for x in res[bkey]))
            metric(f"{wl}.cpu_overhead.{tracer}", cpu_r and round(cpu_r, 3), "x",
                   note="workload CPU time (user+sys) traced / untraced")
            rows.append([tracer, fmt(med[tracer], ".3f", " s"), fmt(r, ".2f", "x"),
                         fmt(paired, ".2f", "x"), fmt(cpu_r, ".2f", "x"), goal,
                         f"{min(spread):.3f}-{max(spread):.3f}" if spread else ""])
        table(["tracer", "median", "ratio", "paired", "CPU ratio", "goal", "range (s)"], rows)
        say("  ratio: median wall traced / median wall untraced (the goal); paired: median of "
            "each run's ratio to the untraced run beside it; CPU ratio: the same for the "
            "workload's own user+sys time, which other load on the machine disturbs less")

        busy = sum(1 for runs in res.values() for r in runs if r.get("foreign"))
        if busy:
            say(f"  warning: another BPF tracer was loaded during {busy} of "
                f"{sum(len(v) for v in res.values())} runs (its hooks slow the untraced runs too)")
            notes.append(f"{wl}: another BPF tracer was loaded during {busy} runs")
        ip = res["ipctrace"]
        lost = [r.get("lost") for r in ip if r.get("lost") is not None]
        events = [r.get("events") for r in ip if r.get("events") is not None]
        rates = [(r["events"] + (r["lost"] or 0)) / r["wall"] for r in ip
                 if r.get("events") is not None and r["wall"]]
        cpu = [r["rec_cpu"] / r["wall"] for r in ip if r.get("rec_cpu") is not None and r["wall"]]
        sizes = [r["size"] / r["events"] for r in ip if r.get("events")]
        per_ev = [r["rec_cpu"] * 1e9 / r["events"] for r in ip
                  if r.get("rec_cpu") is not None and r.get("events")]
        metric(f"{wl}.lost_events", max(lost) if lost else None, "events",
               runs=len(lost))
        metric(f"{wl}.events", median(events), "events")
        metric(f"{wl}.event_rate", median(rates) and round(median(rates)), "events/s")
        metric(f"{wl}.recorder_cpu", median(cpu) and round(100 * median(cpu), 2),
               "% of workload wall")
        metric(f"{wl}.bytes_per_event", median(sizes) and round(median(sizes), 2), "bytes")
        metric(f"{wl}.recorder_ns_per_event", median(per_ev) and round(median(per_ev)), "ns",
               note="recorder CPU (user+sys) per event written")
        say(f"  ipctrace: {fmt(median(events), '.0f')} events per run at "
            f"{fmt(median(rates) and median(rates) / 1e6, '.2f')} M events/s; lost "
            f"{max(lost) if lost else 'n/a'} (max of {len(lost)} runs); recorder CPU "
            f"{fmt(median(cpu) and 100 * median(cpu), '.1f')}% of the workload's wall time "
            f"({fmt(median(per_ev), '.0f')} ns per event); "
            f"{fmt(median(sizes), '.2f')} bytes/event")
        if n:
            base_rt = ratio(med["untraced"], n)
            ip_rt = ratio(med["ipctrace"], n)
            if base_rt and ip_rt:
                say(f"  per round trip: untraced {base_rt * 1e9:.0f} ns, ipctrace "
                    f"{ip_rt * 1e9:.0f} ns (+{(ip_rt - base_rt) * 1e9:.0f} ns)")

    def ring_option(self):
        for opt in ("-b", "--ring"):
            if f"{opt} " in self.help or f"{opt}=" in self.help or f"{opt}," in self.help:
                return opt
        return None

    def loss_ramp(self):
        say("\n== Lost events: ramping the event rate (parallel unpinned ping-pong pairs), "
            "default ring and the smallest ==")
        rows = []
        best_clean, worst_lossy = None, None
        ring = self.ring_option()
        rings = [None] + ([1] if ring else [])
        if not ring:
            notes.append("ipctrace --help shows no ring size option (-b): ring not ramped")
        steps = []
        for p in CFG["ramp_pairs"]:
            per = max(1000, CFG["pp_rounds"] // p)
            wl = ["sh", "-c", f"for i in $(seq {p}); do {PINGPONG} {per} & done; wait"]
            for mib in rings:
                steps.append((f"{p} pairs x {per}" + (f", {ring} {mib}" if mib else ""),
                              [ring, str(mib)] if mib else [], wl))
        for label, extra, wl in steps:
            r = self.one("ipctrace", wl, "ramp", extra=list(extra))
            if r.get("events") is None or not r["wall"]:
                rows.append([label, "failed", "", "", "", ""])
                continue
            total = r["events"] + (r["lost"] or 0)
            if not total:
                rows.append([label, "no events", 0, r["lost"], "", ""])
                continue
            rate = total / r["wall"]
            cpu = r["rec_cpu"] / r["wall"] if r.get("rec_cpu") is not None else None
            rows.append([label, f"{rate / 1e6:.2f} M/s", r["events"], r["lost"], total,
                         f"{100 * (r['lost'] or 0) / total:.2f}%", fmt(cpu and 100 * cpu, ".0f", "%")])
            metric("ramp." + label.replace(" ", "_").replace(",", ""), round(rate), "events/s",
                   events=r["events"], lost=r["lost"])
            if not r["lost"] and not extra:
                best_clean = max(best_clean or 0, rate)
            if r["lost"] and not extra:
                worst_lossy = min(worst_lossy or rate, rate)
        for runs in (self.pp.get("ipctrace", []), self.pl.get("ipctrace", [])):
            for r in runs:
                if r.get("events") is not None and r["wall"] and not r["lost"]:
                    best_clean = max(best_clean or 0, (r["events"]) / r["wall"])
        table(["load", "event rate", "events", "lost", "events+lost", "lost %", "recorder CPU"],
              rows)
        metric("max_rate_without_loss", best_clean and round(best_clean), "events/s",
               note="highest rate measured with no loss (default ring)")
        if worst_lossy:
            metric("min_rate_with_loss", round(worst_lossy), "events/s")
        else:
            say("  no loss at any rate reached with the default ring")

    def zlib_levels(self):
        say("\n== Trace size: bytes per event by zlib level (same events re-encoded) ==")
        srcs = []
        pp = [r for r in self.pp.get("ipctrace", []) if r.get("trace")]
        if pp:
            srcs.append(("ping-pong", pp[0]["trace"]))
        if getattr(self, "gen1", None):
            srcs.append(("generated 1e6", self.gen1))
        rows = []
        for label, src in srcs:
            for lvl in (0, 1, 6, 9):
                out = self.path(f"z{lvl}.trace")
                rc, wall, _ = run([GEN, "-r", src, "-z", str(lvl), "-o", out], self.log)
                if rc:
                    rows.append([label, lvl, "failed", "", ""])
                    continue
                with open(self.log) as f:
                    last = [l for l in f if l.startswith("gen_trace:")][-1].split()
                events, size = int(last[1]), int(last[3])
                rows.append([label, lvl, f"{size / events:.2f}", f"{size / 2**20:.1f} MiB",
                             f"{wall * 1e9 / events:.0f} ns"])
                metric(f"zlib.{label.split()[0]}.z{lvl}.bytes_per_event",
                       round(size / events, 3), "bytes")
                metric(f"zlib.{label.split()[0]}.z{lvl}.encode_ns_per_event",
                       round(wall * 1e9 / events, 1), "ns")
                os.unlink(out)
        table(["trace", "level", "bytes/event", "file", "read+encode per event"], rows)

        if "-z" not in self.help:
            return
        say(f"\n  recording the ping-pong ({CFG['pp_rounds']} round trips) at each level:")
        rows = []
        pp = ["taskset", "-c", "0", PINGPONG, str(CFG["pp_rounds"])]
        for lvl in (0, 1, 6, 9):
            r = self.one("ipctrace", pp, f"z{lvl}", extra=["-z", str(lvl)])
            if r.get("events") is None or not r["wall"]:
                rows.append([lvl, "failed", "", "", ""])
                continue
            cpu = r["rec_cpu"] / r["wall"] if r.get("rec_cpu") is not None else None
            rows.append([lvl, f"{r['size'] / r['events']:.2f}", fmt(cpu and 100 * cpu, ".1f", "%"),
                         r["lost"], f"{r['wall']:.3f} s"])
            metric(f"record.z{lvl}.bytes_per_event", round(r["size"] / r["events"], 3), "bytes")
            metric(f"record.z{lvl}.recorder_cpu", cpu and round(100 * cpu, 2),
                   "% of workload wall")
            metric(f"record.z{lvl}.lost_events", r["lost"], "events")
        table(["level", "bytes/event", "recorder CPU", "lost", "workload wall"], rows)

    def analysis(self):
        say("\n== report and render on generated traces (wall time, peak RSS) ==")
        rows = []
        mem = {}
        for n in CFG["gen_sizes"]:
            tag = f"1e{len(str(n)) - 1}"
            trace = os.path.join(self.work, f"gen-{tag}.trace")
            rc, wall, _ = run([GEN, "-n", str(n), "-o", trace], self.log)
            if rc:
                notes.append(f"gen_trace -n {n} failed; see {self.log}")
                continue
            size = os.path.getsize(trace)
            if n == 1000000:
                self.gen1 = trace
            say(f"  generated {tag} events: {size / 2**20:.1f} MiB, {size / n:.2f} bytes/event, "
                f"in {wall:.1f} s")
            cmds = [("report", [IPCTRACE, "report", trace]),
                    ("render", [IPCTRACE, "render", "-o", trace + ".svg", trace]),
                    ("graph", [IPCTRACE, "graph", "-o", trace + ".graph.svg", trace]),
                    # no goal of the issue's; what a user opening the trace in Perfetto waits for
                    ("export", [IPCTRACE, "export", "--perfetto", "-o", trace + ".pftrace",
                                trace])]
            # the critical path of the thread that waited most: the deepest walk
            j = ipctrace_json(trace, self.log)
            waiter = j and max((t for p in j["processes"] for t in p["threads"]),
                               key=lambda t: t["blocked_ns"], default=None)
            if waiter:
                cmds.append(("critical-path", [IPCTRACE, "critical-path", "--tid",
                                               str(waiter["tid"]), trace]))
                # the same path drawn: its steps (a million at 1e7) are the output's size
                cmds.append(("render+path", [IPCTRACE, "render", "-o", trace + ".svg",
                                             "--critical-path", str(waiter["tid"]), trace]))
            # a tenth of the trace, from 40% of it: what a user zooming in asks
            span = j and j["trace"].get("duration_ns", 0) / 1e9
            if span:
                win = ["--from", f"{span * 0.4:.3f}", "--to", f"{span * 0.5:.3f}"]
                cmds.append(("report-window", [IPCTRACE, "report"] + win + [trace]))
                cmds.append(("render-window", [IPCTRACE, "render", "-o", trace + ".svg"] + win
                             + [trace]))
            for cmd, argv in cmds:
                times, rss = [], []
                runs = CFG["report_runs"] if n <= 1000000 else 1
                for _ in range(runs):
                    rc, wall, ru = run(argv, None if cmd == "report" else self.log)
                    if rc:
                        notes.append(f"ipctrace {cmd} on {tag} failed (exit {rc})")
                        break
                    times.append(wall)
                    rss.append(ru.ru_maxrss)
                t, m = median(times), median(rss)
                svg = os.path.getsize(trace + ".svg") if cmd.startswith("render") and \
                    os.path.exists(trace + ".svg") else None
                metric(f"{cmd}.{tag}.seconds", t and round(t, 3), "s", events=n)
                metric(f"{cmd}.{tag}.peak_rss", m and round(m / 1024, 1), "MiB", events=n)
                if svg:
                    metric(f"{cmd}.{tag}.svg_bytes", svg, "bytes")
                pf = os.path.getsize(trace + ".pftrace") if cmd == "export" and \
                    os.path.exists(trace + ".pftrace") else None
                if pf:
                    metric(f"{cmd}.{tag}.bytes_per_event", round(pf / n, 1), "bytes")
                mem[(cmd, tag)] = m
                rows.append([f"{cmd} {tag}", fmt(t, ".2f", " s"),
                             fmt(m and m / 1024, ".0f", " MiB"),
                             fmt(t and n / t / 1e6, ".2f", " M ev/s"),
                             f"{svg / 2**20:.1f} MiB svg" if svg else
                             f"{pf / 2**20:.0f} MiB trace" if pf else ""])
                for out in (trace + ".svg", trace + ".graph.svg", trace + ".pftrace"):
                    if os.path.exists(out):
                        os.unlink(out)
            if n != 1000000 and not os.environ.get("BENCH_KEEP"):
                os.unlink(trace)
        table(["command", "wall", "peak RSS", "throughput", ""], rows)
        for cmd in ("report", "render", "graph", "export", "critical-path", "render+path",
                    "report-window", "render-window"):
            a, b = mem.get((cmd, "1e6")), mem.get((cmd, "1e7"))
            if a and b:
                metric(f"{cmd}.memory_growth_1e6_to_1e7", round(b / a, 2), "x")

    def memory(self):
        say("\n== memory per thread, channel and endpoint (peak RSS, forged traces) ==")
        rows = []
        for dim, sizes in MEM_SIZES.items():
            peaks = {}
            for n in sizes:
                trace = os.path.join(self.work, f"forge-{dim}-{n}.trace")
                # threads talk in pairs 20 times; channels and endpoints once each
                argv = [FORGE, dim, str(n), "-r", "20" if dim == "threads" else "1", "-o", trace]
                rc, _, _ = run(argv, self.log)
                if rc:
                    notes.append(f"forge_scale {dim} {n} failed; see {self.log}")
                    break
                for cmd, args in (("report", ["report", trace]),
                                  ("render", ["render", "-o", trace + ".svg", trace])):
                    rc, wall, ru = run([IPCTRACE] + args, self.log)
                    if rc:
                        notes.append(f"ipctrace {cmd} on {dim} {n} failed (exit {rc})")
                        continue
                    peaks[(cmd, n)] = ru.ru_maxrss
                    metric(f"memory.{cmd}.{dim}_{n}.peak_rss", round(ru.ru_maxrss / 1024, 1),
                           "MiB", seconds=round(wall, 2))
                if os.path.exists(trace + ".svg"):
                    os.unlink(trace + ".svg")
                if not os.environ.get("BENCH_KEEP"):
                    os.unlink(trace)
            lo, hi = sizes
            for cmd in ("report", "render"):
                a, b = peaks.get((cmd, lo)), peaks.get((cmd, hi))
                if a is None or b is None:
                    continue
                per = (b - a) * 1024 / (hi - lo)
                metric(f"memory.{cmd}.bytes_per_{dim[:-1]}", round(per), "bytes",
                       sizes=[lo, hi])
                rows.append([f"{cmd} {dim}", f"{a / 1024:.0f} MiB at {lo}",
                             f"{b / 1024:.0f} MiB at {hi}", f"{per / 1024:.1f} KiB each"])
        table(["command", "small", "large", "per one more"], rows)

    def bpf_costs(self):
        say("\n== Where the time goes: per BPF program cost on the ping-pong "
            "(kernel.bpf_stats_enabled=1, two extra runs) ==")
        n = CFG["pp_rounds"]
        pp = ["taskset", "-c", "0", PINGPONG, str(n)]
        try:
            old = bpf_stats_enable()
        except OSError as e:
            say(f"  cannot enable BPF stats: {e}")
            return
        try:
            dump = self.path("bpfstats.json")
            self.one("ipctrace", pp, "bpfstats", env=dict(os.environ, BENCH_BPFSTATS=dump))
            traced = bpf_stats_read(dump)
            hooked = {}
            self.hooked_run(pp, stats=hooked.update)
        finally:
            bpf_stats_restore(old)
        if not traced:
            say("  no bpftool dump (bpftool missing or failed)")
            return
        rows = []
        tot_t = tot_h = 0
        for name, (cnt, ns) in sorted(traced.items(), key=lambda kv: -kv[1][1]):
            hc, hns = hooked.get(name, (0, 0))
            tot_t += ns
            tot_h += hns
            rows.append([name, f"{cnt / n:.2f}", f"{ns / cnt:.0f}" if cnt else "-",
                         f"{ns / n:.0f}", f"{hc / n:.2f}" if hooked else "n/a",
                         f"{hns / hc:.0f}" if hc else "-", f"{hns / n:.0f}" if hooked else "n/a"])
            metric(f"bpf.{name}.ns_per_run", cnt and round(ns / cnt, 1), "ns",
                   runs_per_round_trip=round(cnt / n, 3))
            if hc:
                metric(f"bpf.{name}.filtered_ns_per_run", round(hns / hc, 1), "ns",
                       runs_per_round_trip=round(hc / n, 3))
        rows.append(["all programs", "", "", f"{tot_t / n:.0f}", "", "",
                     f"{tot_h / n:.0f}" if hooked else "n/a"])
        say("  columns: per ping-pong round trip, when the ping-pong is traced, and when "
            "ipctrace traces another process (calls filtered out in the kernel)")
        table(["program", "runs/RT", "ns/run", "ns/RT", "filtered runs/RT", "ns/run",
               "ns/RT"], rows)
        metric("bpf.total_ns_per_round_trip", round(tot_t / n, 1), "ns")
        if hooked:
            metric("bpf.filtered_total_ns_per_round_trip", round(tot_h / n, 1), "ns")
        say("  counted over the ping-pong's run only, but for every process's calls (other "
            "work on this machine too); bpf_stats itself adds ~20 ns a run")

    def recorder_profile(self):
        """Where the recorder's own CPU goes: perf samples of it during the ping-pong."""
        if not self.has_perf:
            return
        # the traced ping-pong's length, from the overhead section when it ran
        pp = getattr(self, "pp", {}).get("ipctrace")
        ipt = (median(x["wall"] for x in pp) if pp else None) or 1.0
        trace, data = self.path("profile.trace"), self.path("profile.perf")
        with open(self.log, "ab") as f:
            rec = subprocess.Popen([IPCTRACE, "-q", "--no-svg", "--no-report", "-o", trace, "--",
                                    "taskset", "-c", "0", PINGPONG, str(CFG["pp_rounds"])],
                                   stdout=f, stderr=f)
            time.sleep(min(0.5, ipt / 4))
            subprocess.run(["perf", "record", "-q", "-F", "1999", "-p", str(rec.pid), "-o", data,
                            "--", "sleep", f"{ipt / 2:.2f}"], stdout=f, stderr=f)
            rec.wait()
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                              "--sort", "dso"], capture_output=True, text=True).stdout
        rows = []
        for line in rep.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].endswith("%") and not line.startswith("#"):
                rows.append([parts[1], parts[0]])
                metric(f"recorder_profile.{parts[1]}", float(parts[0].rstrip("%")), "%")
        say("\n  the recorder's CPU by library (perf record -p on it during the ping-pong):")
        table(["library", "share"], rows[:6])
        for p in (data, trace):
            if os.path.exists(p):
                os.unlink(p)

    def hooked_run(self, workload, stats=None):
        """The workload untraced while ipctrace is attached to another process:
        the cost every process pays for the hooks and the in-kernel filter."""
        sleeper = subprocess.Popen(["sleep", "600"])
        trace = self.path("hooked.trace")
        with open(self.log, "ab") as f:
            rec = subprocess.Popen([IPCTRACE, "-q", "--no-svg", "--no-report", "-p",
                                    str(sleeper.pid), "-o", trace], stdout=f, stderr=f)
        try:
            # attached once its BPF programs are there and their count settles
            last, stable, deadline = -1, 0, time.monotonic() + 20
            while time.monotonic() < deadline and rec.poll() is None and stable < 3:
                n = 0
                try:
                    for fd in os.listdir(f"/proc/{rec.pid}/fdinfo"):
                        with open(f"/proc/{rec.pid}/fdinfo/{fd}") as fi:
                            n += "link_id:" in fi.read()
                except OSError:
                    pass
                stable = stable + 1 if n and n == last else 0
                last = n
                time.sleep(0.1)
            if rec.poll() is not None or not last:
                notes.append("ipctrace -p did not attach for the hooks-only runs")
                return None
            before = bpf_stats_now(rec.pid) if stats else None
            r = self.one("none", workload, "hooked")
            if stats:
                stats(bpf_stats_delta(bpf_stats_now(rec.pid), before))
            return r
        finally:
            rec.send_signal(2)
            try:
                rec.wait(timeout=30)
            except subprocess.TimeoutExpired:
                rec.kill()
                rec.wait()
            sleeper.kill()
            sleeper.wait()

    def hooks_cost(self):
        n = CFG["pp_rounds"]
        pp = ["taskset", "-c", "0", PINGPONG, str(n)]
        plain, hooked = [], []
        for i in range(max(3, CFG["runs"] // 2)):
            plain.append(self.one("none", pp, "plain"))
            h = self.hooked_run(pp)
            if h:
                hooked.append(h)
        say(f"  hooks attached, ping-pong not traced (filtered out in the kernel), "
            f"{len(plain)} alternating runs:")
        for key, what in (("wall", "wall"), ("cpu", "workload CPU")):
            p = median(x[key] for x in plain)
            h = median(x[key] for x in hooked)
            r = ratio(h, p)
            metric(f"pingpong.overhead.hooks_only{'' if key == 'wall' else '.cpu'}",
                   r and round(r, 3), "x",
                   note="ipctrace attached to another process; the ping-pong is not traced")
            if p and h:
                say(f"    {what}: {r:.2f}x, {(h - p) * 1e9 / n:+.0f} ns per round trip")
        for key, what in (("wall", "wall"), ("cpu", "workload CPU")):
            ipt = median(x[key] for x in self.pp["ipctrace"])
            base = median(x[key] for x in self.pp["untraced"])
            if base and ipt:
                say(f"  fully traced ({what}, overhead runs above): {ipt / base:.2f}x, "
                    f"{(ipt - base) * 1e9 / n:+.0f} ns per round trip")

    def servers(self):
        self.perf_setup()
        try:
            server_bench.servers(self, IPCTRACE, CFG["server_runs"], CFG["server_secs"], say=say,
                                 metric=metric, table=table, notes=notes, median=median,
                                 ratio=ratio, ipctrace_json=ipctrace_json,
                                 bpf_stats_now=bpf_stats_now, bpf_stats_delta=bpf_stats_delta,
                                 bpf_stats_enable=bpf_stats_enable,
                                 bpf_stats_restore=bpf_stats_restore)
        finally:
            self.perf_teardown()

    def goals(self):
        say("\n== Goals (issues 5 and 13) ==")
        rows = []
        labels = {
            "pingpong.overhead.ipctrace": "ping-pong overhead (wall)",
            "pingpong.cpu_overhead.ipctrace": "ping-pong overhead (workload CPU)",
            "pipeline.overhead.ipctrace": "realistic pipeline overhead (wall)",
            "pipeline.cpu_overhead.ipctrace": "realistic pipeline overhead (workload CPU)",
            "pingpong.lost_events": "lost events at ping-pong rate",
            "pingpong.bytes_per_event": "trace bytes per event (ping-pong)",
            "report.1e6.seconds": "report, 1e6 events",
            "render.1e6.seconds": "render, 1e6 events",
            "report.memory_growth_1e6_to_1e7": "report peak RSS, 1e7 / 1e6",
            "render.memory_growth_1e6_to_1e7": "render peak RSS, 1e7 / 1e6",
            "report.1e7.seconds": "report, 1e7 events",
            "render.1e7.seconds": "render, 1e7 events",
            "graph.1e7.seconds": "graph, 1e7 events",
            "critical-path.1e7.seconds": "critical-path, 1e7 events",
            "graph.memory_growth_1e6_to_1e7": "graph peak RSS, 1e7 / 1e6",
            "critical-path.memory_growth_1e6_to_1e7": "critical-path peak RSS, 1e7 / 1e6",
            "nginx.throughput_ratio.ipctrace": "nginx under wrk, throughput kept",
            "postgres.throughput_ratio.ipctrace": "PostgreSQL under pgbench, throughput kept",
            "nginx.lost_events": "lost events, nginx",
            "postgres.lost_events": "lost events, PostgreSQL",
        }
        for k, label in labels.items():
            rec = results.get(k)
            v = rec["value"] if rec else None
            met = rec["met"] if rec else None
            rows.append([label, "n/a" if v is None else v, goal_text(k),
                         {True: "met", False: "MISSED", None: "n/a"}[met]])
        rec = results.get("pingpong.recorder_cpu")
        rows.append(["recorder CPU (ping-pong)", "n/a" if not rec or rec["value"] is None
                     else f"{rec['value']}%", "reported", ""])
        table(["goal", "measured", "target", ""], rows)


def snapshot(work):
    """Copy the binaries under test: a rebuild during the bench must not change them."""
    global IPCTRACE, PINGPONG, GEN
    d = os.path.join(work, "bin")
    os.makedirs(d)
    for name in ("IPCTRACE", "PINGPONG", "GEN"):
        src = globals()[name]
        dst = os.path.join(d, os.path.basename(src))
        shutil.copy2(src, dst)
        globals()[name] = dst


def main():
    if os.geteuid() != 0:
        sys.exit("bench: must run as root (ipctrace and perf attach to tracepoints): sudo make bench")
    for p, what in ((IPCTRACE, "ipctrace (make)"), (PINGPONG, "pingpong (make demos)"),
                    (GEN, "gen_trace (make bench builds it)"),
                    (FORGE, "forge_scale (make bench builds it)")):
        if not os.access(p, os.X_OK):
            sys.exit(f"bench: {p} missing: build {what}")
    base = os.environ.get("BENCH_DIR", "/var/tmp")
    work = tempfile.mkdtemp(prefix="ipctrace-bench.", dir=base)
    t0 = time.monotonic()
    load = os.getloadavg()[0]
    say(f"ipctrace bench ({'quick' if QUICK else 'full'}): {os.uname().release}, "
        f"{os.cpu_count()} CPUs, load average {load:.2f}; work dir {work}")
    if load > 0.5:
        say("  the machine is busy: wall-time ratios will be noisy; the CPU ratio column "
            "is the steadier one")
    snapshot(work)
    b = Bench(work)
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
    try:
        if not only or "overhead" in only:
            b.perf_setup()
            try:
                b.overhead()
            finally:
                b.perf_teardown()
        for section in (b.servers, b.loss_ramp, b.analysis, b.memory, b.zlib_levels, b.bpf_costs,
                        b.hooks_cost, b.recorder_profile):
            if only and section.__name__ not in only:
                continue
            try:
                section()
            except Exception as e:  # one broken section must not hide the others
                notes.append(f"{section.__name__} failed: {e!r}")
                say(f"  {section.__name__} failed: {e!r}")
        b.goals()
    finally:
        b.perf_teardown()
        notes.append(f"load average at the end: {os.getloadavg()[0]:.2f}")
        for n in notes:
            say("note: " + n)
        os.makedirs(BENCH_BIN, exist_ok=True)
        with open(os.path.join(BENCH_BIN, "results.json"), "w") as f:
            json.dump({"quick": QUICK, "config": CFG, "kernel": os.uname().release,
                       "metrics": results, "notes": notes}, f, indent=1)
        if os.environ.get("BENCH_KEEP"):
            say(f"kept {work}")
        else:
            shutil.copy(b.log, os.path.join(BENCH_BIN, "bench.log"))
            shutil.rmtree(work, ignore_errors=True)
        say(f"bench: {time.monotonic() - t0:.0f} s; results in "
            f"{os.path.join(BENCH_BIN, 'results.json')}, log in {os.path.join(BENCH_BIN, 'bench.log')}")


if __name__ == "__main__":
    main()
