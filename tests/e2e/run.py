#!/usr/bin/env python3
"""End-to-end tests: run the real ipctrace as root under real BPF on the demo
programs and on real programs, then check the facts of `ipctrace report --json`
against what the programs themselves printed they did.

Environment: IPCTRACE (the binary), IPCTRACE_TOOLS (the demo directory),
IPCTRACE_REQUIRE_BPF=1 turns every skip into a failure, IPCTRACE_E2E=PATTERN
runs only the tests whose name contains PATTERN, IPCTRACE_E2E_KEEP=1 keeps
each test's scratch directory (trace, SVG, output) and prints where it is.

Output: one line per test (PASS/FAIL/SKIP), then `e2e: N passed, N failed,
N skipped`; exit status 1 if any test failed.
"""

import ctypes
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IPCTRACE = os.environ.get("IPCTRACE") or os.path.join(ROOT, "ipctrace")
TOOLS = os.environ.get("IPCTRACE_TOOLS") or os.path.join(ROOT, ".output", "tools")
REQUIRE_BPF = os.environ.get("IPCTRACE_REQUIRE_BPF") == "1"
ONLY = os.environ.get("IPCTRACE_E2E", "")
KEEP = os.environ.get("IPCTRACE_E2E_KEEP") == "1"
RECORD_TIMEOUT = 60


class Fail(Exception):
    pass


class Skip(Exception):
    pass


TESTS = []


def test(needs_bpf=True):
    def register(fn):
        TESTS.append((fn.__name__.removeprefix("test_"), fn, needs_bpf))
        return fn
    return register


def check(cond, msg):
    if not cond:
        raise Fail(msg)


# --- environment -----------------------------------------------------------

def bpf_unavailable():
    """Why BPF recording cannot work here, or None; asked of the kernel, not of ipctrace."""
    if os.geteuid() != 0:
        return "not root (recording needs CAP_BPF and CAP_PERFMON)"
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        return "kernel has no BTF (/sys/kernel/btf/vmlinux missing)"
    # BPF_MAP_CREATE of a 1-entry array map proves the bpf() syscall is allowed.
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint32 * 32)(2, 4, 4, 1)
    fd = libc.syscall(321 if os.uname().machine == "x86_64" else 280, 0, attr, 128)
    if fd < 0:
        return "bpf(BPF_MAP_CREATE) failed: " + os.strerror(ctypes.get_errno())
    os.close(fd)
    return None


def ipctrace_help():
    try:
        p = subprocess.run([IPCTRACE, "--help"], capture_output=True, text=True, timeout=10)
        return p.stdout + p.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""


HELP = ""


def record_flags():
    """-q and --no-report where this ipctrace has them, so stdout is the program's own."""
    flags = ["-q"] if re.search(r"(^|\s)-q\b", HELP) else []
    return flags + (["--no-report"] if "--no-report" in HELP else [])


# --- running things --------------------------------------------------------

class Run:
    def __init__(self, rc, out, err, elapsed):
        self.rc, self.out, self.err, self.elapsed = rc, out, err, elapsed

    def why(self):
        return "exit %s, stderr: %s" % (self.rc, short(self.err))


def short(s, n=300):
    s = s.strip().replace("\n", " | ")
    return s if len(s) <= n else s[:n] + "..."


def run(argv, timeout=RECORD_TIMEOUT, stdout_path=None, preexec=None, env=None):
    """Runs argv in its own session; on timeout kills that session and fails."""
    t0 = time.monotonic()
    out_f = open(stdout_path, "w+") if stdout_path else subprocess.PIPE
    p = subprocess.Popen(argv, stdout=out_f, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         start_new_session=True, preexec_fn=preexec, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise Fail("%s did not finish within %ss" % (" ".join(argv[:6]), timeout))
    finally:
        if stdout_path:
            out_f.close()
    if stdout_path:
        with open(stdout_path, errors="replace") as f:
            out = f.read()
    else:
        out = out.decode(errors="replace")
    return Run(p.returncode, out, err.decode(errors="replace"), time.monotonic() - t0)


class Ctx:
    """A test's scratch directory, removed afterwards."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="ipctrace-e2e-%s." % name)
        os.chmod(self.dir, 0o755)
        self.trace = os.path.join(self.dir, "t.trace")
        self.svg = os.path.join(self.dir, "t.svg")
        self.out = os.path.join(self.dir, "stdout.txt")

    def path(self, name):
        return os.path.join(self.dir, name)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def tool(name):
    path = os.path.join(TOOLS, name)
    if not os.access(path, os.X_OK):
        raise Fail("demo %s not built (make tools)" % path)
    return path


def record(ctx, argv, extra=(), timeout=RECORD_TIMEOUT):
    """Records argv traced; returns the Run (whose out is the program's stdout)."""
    r = run([IPCTRACE] + record_flags() + list(extra) + ["-o", ctx.trace, "-w", ctx.svg, "--"]
            + argv, timeout=timeout, stdout_path=ctx.out)
    if r.rc != 0:
        raise Fail("ipctrace -- %s: %s" % (" ".join(argv), r.why()))
    check(os.path.exists(ctx.trace), "no trace file written at %s" % ctx.trace)
    return r


def report(trace, allow_lost=False):
    r = run([IPCTRACE, "report", "--json", trace], timeout=60)
    if r.rc != 0:
        raise Fail("ipctrace report --json: %s" % r.why())
    try:
        j = json.loads(r.out)
    except ValueError as e:
        raise Fail("report --json is not JSON (%s): %s" % (e, short(r.out)))
    for key in ("trace", "processes", "channels", "wakeups"):
        check(key in j, "report --json has no %r" % key)
    if not allow_lost:
        check(j["trace"].get("lost_events", 0) == 0,
              "kernel dropped %s events, exact counts cannot hold" % j["trace"].get("lost_events"))
    return j


# --- what the demos printed ------------------------------------------------

LINE = re.compile(r"^(\S+) \(pid (\d+)\): (.*)$")


class Said:
    """The demos' own account: role -> (pid, text)."""

    def __init__(self, out):
        self.lines = {}
        for line in out.splitlines():
            m = LINE.match(line)
            if m:
                self.lines.setdefault(m.group(1), []).append((int(m.group(2)), m.group(3)))

    def pid(self, role):
        if role not in self.lines:
            raise Fail("demo printed no line for %r; printed roles: %s"
                       % (role, sorted(self.lines)))
        return self.lines[role][0][0]

    def num(self, role, pattern):
        """The integer captured by pattern in role's lines."""
        self.pid(role)
        for _, text in self.lines[role]:
            m = re.search(pattern, text)
            if m:
                return int(m.group(1))
        raise Fail("demo line for %r does not match %r: %s" % (role, pattern, self.lines[role]))


# --- facts of the JSON report ----------------------------------------------

def excerpt(obj, n=600):
    return short(json.dumps(obj, sort_keys=True), n)


def channels(j, kind, pids=()):
    return [c for c in j["channels"] if c.get("kind") == kind
            and set(pids) <= {e.get("pid") for e in c.get("endpoints", [])}]


def one_channel(j, kind, pids):
    found = channels(j, kind, pids)
    if len(found) != 1:
        kinds = sorted({(c.get("kind"), tuple(sorted(e.get("pid") for e in c.get("endpoints", []))))
                        for c in j["channels"]}, key=str)
        raise Fail("expected one %s channel with endpoints %s, found %d; channels (kind, pids): %s"
                   % (kind, sorted(pids), len(found), short(str(kinds), 500)))
    return found[0]


def endpoint(ch, pid):
    for e in ch.get("endpoints", []):
        if e.get("pid") == pid:
            return e
    raise Fail("channel %s has no endpoint for pid %d: %s" % (ch.get("id"), pid, excerpt(ch)))


def expect(obj, field, want, what):
    got = obj.get(field)
    if got != want:
        raise Fail("%s: %s is %r, expected %r; %s" % (what, field, got, want, excerpt(obj)))


def expect_ge(obj, field, low, what):
    got = obj.get(field)
    if not isinstance(got, int) or got < low:
        raise Fail("%s: %s is %r, expected >= %d; %s" % (what, field, got, low, excerpt(obj)))


def expect_never_waited(ep, what):
    """A reader that never waits for the channel: its non-blocking calls do not sleep. One or
    two sleeps on the pipe's mutex, while the writer holds it, are contention, not waiting."""
    got = ep.get("blocked")
    if not isinstance(got, int) or got > 2:
        raise Fail("%s: blocked is %r, expected 0 (at most 2 for lock contention); %s"
                   % (what, got, excerpt(ep)))


def wakeups(j, waker, wakee, chan=None):
    return sum(w.get("count", 0) for w in j["wakeups"]
               if w.get("waker_pid") == waker and w.get("wakee_pid") == wakee
               and (chan is None or w.get("channel") == chan))


def expect_wakeups(j, waker, wakee, chan, low, what):
    got = wakeups(j, waker, wakee, chan)
    if got < low:
        mine = [w for w in j["wakeups"]
                if {w.get("waker_pid"), w.get("wakee_pid")} & {waker, wakee}]
        raise Fail("%s: %d wakeups %d->%d on channel %s, expected >= %d; wakeups: %s"
                   % (what, got, waker, wakee, chan, low, excerpt(mine)))


def process(j, pid):
    for p in j["processes"]:
        if p.get("pid") == pid:
            return p
    raise Fail("no process %d in report; pids: %s" % (pid, [p.get("pid") for p in j["processes"]]))


def expect_comm(j, pid, comm):
    p = process(j, pid)
    names = {p.get("comm")} | {t.get("comm") for t in p.get("threads", [])}
    check(comm in names, "process %d is named %s, expected %r"
          % (pid, sorted(map(str, names)), comm))


def transfer_facts(j, ch, sender, receiver, total, sends, recvs, what):
    """Exact counts of a one-way transfer between two endpoints of ch."""
    s, r = endpoint(ch, sender), endpoint(ch, receiver)
    expect(s, "bytes_sent", total, what + " sender")
    expect(s, "sends", sends, what + " sender")
    expect(r, "bytes_received", total, what + " receiver")
    expect(r, "recvs", recvs, what + " receiver")
    return s, r


# --- issue 2: pipes and FIFOs ----------------------------------------------

def pipe_pair_test(ctx, demo, args, reader_role, reader_mode):
    r = record(ctx, [tool(demo)] + args)
    said = Said(r.out)
    w, rd = said.pid("writer"), said.pid(reader_role)
    total = said.num("writer", r"wrote (\d+) bytes")
    writes = said.num("writer", r"in (\d+) writes")
    check(said.num(reader_role, r"read (\d+) bytes") == total, "demo read != wrote: " + r.out)
    j = report(ctx.trace)
    expect_comm(j, w, "writer")
    expect_comm(j, rd, reader_role)
    ch = one_channel(j, "pipe", [w, rd])
    expect(ch, "direction", "simplex", "pipe")
    s, rcv = transfer_facts(j, ch, w, rd, total, writes,
                            said.num(reader_role, r"in (\d+) reads"), "pipe")
    expect(s, "bytes_received", 0, "writer")
    expect(rcv, "bytes_sent", 0, "reader")
    expect(rcv, "mode", reader_mode, "reader")
    return j, ch, said, w, rd, writes


@test()
def test_pipe_blocking(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_blocking", ["16", "4096", "5"],
                                                "reader", "sync-blocking")
    expect(endpoint(ch, w), "mode", None, "writer (never waited: 4 KiB writes into a 64 KiB pipe)")
    expect_ge(endpoint(ch, rd), "blocked", writes // 2, "reader")
    expect_ge(endpoint(ch, rd), "blocked_ns", 1, "reader")
    expect_wakeups(j, w, rd, ch["id"], writes // 2, "writer wakes reader")


@test()
def test_pipe_nonblock_poll(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_nonblock_poll",
                                                ["8", "4096", "10", "20"], "poller",
                                                "sync-nonblocking")
    ep = endpoint(ch, rd)
    expect(ep, "eagain", said.num("poller", r"(\d+) EAGAIN"), "poller")
    expect_never_waited(ep, "poller (O_NONBLOCK reads never sleep)")


@test()
def test_pipe_poll(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_poll", ["16", "4096", "5"],
                                                "poll-reader", "async-blocking")
    expect_ge(endpoint(ch, rd), "blocked", writes // 2, "poll-reader")
    expect(endpoint(ch, rd), "eagain", 0, "poll-reader")
    expect_wakeups(j, w, rd, ch["id"], writes // 2, "writer wakes poll-reader")


@test()
def test_pipe_full_writer_blocks(ctx):
    # 256 KiB through a 64 KiB pipe read 16 KiB every 5 ms: the writer waits for room, the
    # reader always finds data (it never waited: mode null).
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_full", [str(256 << 10), "16384", "5"],
                                                "slow-reader", None)
    expect(endpoint(ch, w), "mode", "sync-blocking", "writer")
    expect_ge(endpoint(ch, w), "blocked", 4, "writer")
    expect_wakeups(j, rd, w, ch["id"], 4, "slow-reader wakes writer")


@test()
def test_pipe_zero_timeout_poll(ctx):
    # poll() with a zero timeout in a loop never sleeps: busy-waiting, like EAGAIN retries.
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_poll", ["4", "4096", "5", "0"],
                                                "poll-reader", "sync-nonblocking")
    check(said.num("poll-reader", r"(\d+) empty") > 0, "the reader never polled in vain")
    expect_never_waited(endpoint(ch, rd), "poll-reader (zero-timeout polls never sleep)")


@test()
def test_pipe_splice_relay(ctx):
    r = record(ctx, [tool("pipe_splice"), "16", "4096", "5"])
    said = Said(r.out)
    w, sp, rd = said.pid("writer"), said.pid("splicer"), said.pid("reader")
    total = said.num("writer", r"wrote (\d+) bytes")
    check(said.num("reader", r"read (\d+) bytes") == total, "demo lost data: " + r.out)
    j = report(ctx.trace)
    first = one_channel(j, "pipe", [w, sp])
    second = one_channel(j, "pipe", [sp, rd])
    check(first["id"] != second["id"], "both pipes are one channel")
    splices = said.num("splicer", r"in (\d+) splices")
    # Each splice is a receive on the first pipe and a send on the second.
    transfer_facts(j, first, w, sp, total, said.num("writer", r"in (\d+) writes"), splices,
                   "writer|splicer")
    transfer_facts(j, second, sp, rd, total, splices, said.num("reader", r"in (\d+) reads"),
                   "splicer|reader")
    expect_wakeups(j, w, sp, first["id"], 8, "writer wakes splicer")


@test()
def test_fifo_unrelated(ctx):
    r = record(ctx, [tool("fifo_pair"), "16", "4096", "5"])
    said = Said(r.out)
    w, rd = said.pid("fifo-writer"), said.pid("fifo-reader")
    total = said.num("fifo-writer", r"wrote (\d+) bytes")
    path = re.search(r"to (\S+)$", said.lines["fifo-writer"][0][1]).group(1)
    j = report(ctx.trace)
    expect_comm(j, w, "fifo-writer")
    expect_comm(j, rd, "fifo-reader")
    ch = one_channel(j, "fifo", [w, rd])
    check(path in (ch.get("name") or ""), "fifo name %r does not show its path %s"
          % (ch.get("name"), path))
    expect(ch, "direction", "simplex", "fifo")
    transfer_facts(j, ch, w, rd, total, said.num("fifo-writer", r"in (\d+) writes"),
                   said.num("fifo-reader", r"in (\d+) reads"), "fifo")
    expect(endpoint(ch, rd), "mode", "sync-blocking", "fifo-reader")
    expect_wakeups(j, w, rd, ch["id"], 8, "fifo-writer wakes fifo-reader")


@test()
def test_pingpong(ctx):
    rounds = 2000
    r = record(ctx, [tool("pingpong"), str(rounds)])
    said = Said(r.out)
    ping, pong = said.pid("ping"), said.pid("pong")
    j = report(ctx.trace)
    pipes = channels(j, "pipe", [ping, pong])
    check(len(pipes) == 2, "expected two pipes between ping and pong, found %d" % len(pipes))
    there = [c for c in pipes if endpoint(c, ping).get("bytes_sent")]
    back = [c for c in pipes if endpoint(c, pong).get("bytes_sent")]
    check(len(there) == 1 and len(back) == 1 and there != back,
          "pipes not one each way: %s" % excerpt(pipes))
    for ch, a, b in ((there[0], ping, pong), (back[0], pong, ping)):
        expect(ch, "direction", "simplex", "pingpong pipe")
        transfer_facts(j, ch, a, b, rounds, rounds, rounds, "pingpong pipe")
    expect_ge(endpoint(there[0], pong), "blocked", rounds // 10, "pong")
    expect_wakeups(j, ping, pong, there[0]["id"], rounds // 10, "ping wakes pong")
    expect_wakeups(j, pong, ping, back[0]["id"], rounds // 10, "pong wakes ping")


def pids_named(j, comm):
    return [p["pid"] for p in j["processes"]
            if p.get("comm") == comm or any(t.get("comm") == comm for t in p.get("threads", []))]


@test()
def test_coreutils_pipeline(ctx):
    n = 200000
    size = sum(len(str(i)) + 1 for i in range(1, n + 1))
    record(ctx, ["sh", "-c", "seq 1 %d | sort -n | uniq -c > /dev/null" % n])
    j = report(ctx.trace)
    found = {}
    for comm in ("seq", "sort", "uniq"):
        pids = pids_named(j, comm)
        check(len(pids) == 1, "expected one %s process, found %s" % (comm, pids))
        found[comm] = pids[0]
    first = one_channel(j, "pipe", [found["seq"], found["sort"]])
    second = one_channel(j, "pipe", [found["sort"], found["uniq"]])
    check(first["id"] != second["id"], "seq|sort and sort|uniq are one channel")
    for ch, a, b in ((first, "seq", "sort"), (second, "sort", "uniq")):
        expect(ch, "direction", "simplex", "%s|%s" % (a, b))
        s, r = endpoint(ch, found[a]), endpoint(ch, found[b])
        expect(s, "bytes_sent", size, a)
        expect(r, "bytes_received", size, b)
        expect(s, "bytes_received", 0, a)
        expect(r, "bytes_sent", 0, b)
        expect_ge(s, "sends", 1, a)
        expect_ge(r, "recvs", 1, b)
    # sort writes nothing before it has read all its input: uniq must sleep in read meanwhile.
    u = endpoint(second, found["uniq"])
    expect(u, "mode", "sync-blocking", "uniq")
    expect_ge(u, "blocked", 1, "uniq")
    expect_wakeups(j, found["sort"], found["uniq"], second["id"], 1, "sort wakes uniq")


@test()
def test_attach_pid(ctx):
    # The demo sleeps 2.5 s before it makes its pipe and forks, so the reader
    # is a child started after attaching, which -p must follow.
    out = open(ctx.out, "w")
    demo = subprocess.Popen([tool("pipe_blocking"), "16", "4096", "10", "2500"], stdout=out,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(0.1)
        r = run([IPCTRACE] + record_flags() + ["-p", str(demo.pid), "-d", "20", "-o", ctx.trace,
                                               "-w", ctx.svg], timeout=40)
        check(r.rc == 0, "ipctrace -p %d: %s" % (demo.pid, r.why()))
        check(demo.wait(timeout=20) == 0, "demo failed")
        check(r.elapsed < 15, "recording took %.1fs: it did not stop when the traced "
              "processes exited" % r.elapsed)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        out.close()
    said = Said(open(ctx.out).read())
    w, rd = said.pid("writer"), said.pid("reader")
    check(w == demo.pid, "writer pid %d is not the attached pid %d" % (w, demo.pid))
    j = report(ctx.trace)
    ch = one_channel(j, "pipe", [w, rd])
    transfer_facts(j, ch, w, rd, said.num("writer", r"wrote (\d+) bytes"),
                   said.num("writer", r"in (\d+) writes"), said.num("reader", r"in (\d+) reads"),
                   "attached pipe")
    expect(endpoint(ch, rd), "mode", "sync-blocking", "reader")
    expect_wakeups(j, w, rd, ch["id"], 8, "writer wakes reader")


THREADED = r"""
import os, sys, threading, time
r, w = os.pipe()
tids = []
def writer():
    tids.append(threading.get_native_id())
    for _ in range(300):
        os.write(w, b"t")
        time.sleep(0.01)
threads = [threading.Thread(target=writer) for _ in range(2)]
for t in threads:
    t.start()
time.sleep(0.1)
print("threads (pid %d): tids %d %d %d" % (os.getpid(), threading.get_native_id(), *tids),
      flush=True)
got = 0
while got < 600:
    got += len(os.read(r, 600))
"""


@test()
def test_attach_running_threads(ctx):
    """-p on a process whose threads all exist already: every thread is followed."""
    out = open(ctx.out, "w")
    prog = subprocess.Popen([sys.executable, "-c", THREADED], stdout=out,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    out.close()
    try:
        check(wait_for(lambda: "tids" in open(ctx.out).read(), 10), "program did not start")
        r = run([IPCTRACE] + record_flags() + ["-p", str(prog.pid), "-d", "1", "-o", ctx.trace,
                                               "-w", ctx.svg], timeout=30)
        check(r.rc == 0, "ipctrace -p %d: %s" % (prog.pid, r.why()))
    finally:
        prog.kill()
        prog.wait()
    tids = [int(t) for t in re.search(r"tids (\d+) (\d+) (\d+)", open(ctx.out).read()).groups()]
    j = report(ctx.trace)
    seen = {t.get("tid") for t in process(j, prog.pid).get("threads", [])}
    check(set(tids) <= seen, "threads %s of pid %d, the report has %s"
          % (tids, prog.pid, sorted(seen)))
    ch = one_channel(j, "pipe", [prog.pid])
    e = endpoint(ch, prog.pid)
    expect_ge(e, "sends", 20, "the writer threads")
    expect_ge(e, "recvs", 1, "the main thread")
    # Only bytes in flight when the recording started or stopped may be seen on one side only.
    check(abs(e["bytes_sent"] - e["bytes_received"]) <= 10,
          "a pipe within one process: %d bytes in, %d out" % (e["bytes_sent"], e["bytes_received"]))


@test()
def test_attach_two_pids(ctx):
    """-p A,B follows two unrelated running programs, each with the reader it forks later."""
    outs = [ctx.path("a.txt"), ctx.path("b.txt")]
    demos = []
    try:
        for out in outs:
            with open(out, "w") as f:
                demos.append(subprocess.Popen([tool("pipe_blocking"), "8", "512", "5", "2500"],
                                              stdout=f, stderr=subprocess.DEVNULL,
                                              start_new_session=True))
        time.sleep(0.1)
        pids = ",".join(str(d.pid) for d in demos)
        r = run([IPCTRACE] + record_flags() + ["-p", pids, "-d", "20", "-o", ctx.trace,
                                               "-w", ctx.svg], timeout=40)
        check(r.rc == 0, "ipctrace -p %s: %s" % (pids, r.why()))
        for d in demos:
            check(d.wait(timeout=20) == 0, "demo %d failed" % d.pid)
    finally:
        for d in demos:
            if d.poll() is None:
                d.kill()
                d.wait()
    j = report(ctx.trace)
    for out, d in zip(outs, demos):
        said = Said(open(out).read())
        w, rd = said.pid("writer"), said.pid("reader")
        check(w == d.pid, "writer pid %d is not the attached pid %d" % (w, d.pid))
        ch = one_channel(j, "pipe", [w, rd])
        transfer_facts(j, ch, w, rd, said.num("writer", r"wrote (\d+) bytes"),
                       said.num("writer", r"in (\d+) writes"),
                       said.num("reader", r"in (\d+) reads"), "pipe of %d" % w)


@test()
def test_command_io_and_exit_status(ctx):
    """-- COMMAND gets ipctrace's stdin and stdout, and its exit status is ipctrace's."""
    p = subprocess.run([IPCTRACE] + record_flags() + ["-o", ctx.trace, "-w", ctx.svg, "--", "sh",
                        "-c", "tr a-z A-Z; exit 7"], input=b"hello through ipctrace\n",
                       capture_output=True, timeout=RECORD_TIMEOUT)
    check(p.stdout == b"HELLO THROUGH IPCTRACE\n", "stdout of the command: %r" % p.stdout[:200])
    check(p.returncode == 7, "exit status %d, the command's was 7; stderr: %s"
          % (p.returncode, short(p.stderr.decode(errors="replace"))))
    report(ctx.trace)


@test()
def test_duration_stops_recording(ctx):
    pidfile = ctx.path("pid")
    r = run([IPCTRACE] + record_flags() + ["-d", "1", "-o", ctx.trace, "-w", ctx.svg, "--", "sh",
             "-c", "echo $$ > %s; exec sleep 30" % pidfile], timeout=30)
    try:
        check(r.elapsed < 15, "-d 1 recording of sleep 30 took %.1fs" % r.elapsed)
        check(os.path.exists(ctx.trace), "no trace after -d 1: " + r.why())
        j = report(ctx.trace)
        ns = j["trace"]["duration_ns"]
        check(0.5e9 <= ns <= 10e9, "trace of -d 1 lasts %d ns" % ns)
        process(j, int(open(pidfile).read()))
    finally:
        try:
            os.kill(int(open(pidfile).read()), signal.SIGKILL)
        except (OSError, ValueError):
            pass


@test()
def test_text_report(ctx):
    record(ctx, [tool("pipe_poll"), "8", "1024", "2"])
    r = run([IPCTRACE, "report", ctx.trace], timeout=60)
    check(r.rc == 0, "report: " + r.why())
    for word in ("pipe", "simplex", "async-blocking", "writer", "poll-reader"):
        check(word in r.out, "text report does not mention %r: %s" % (word, short(r.out, 400)))


@test()
def test_trace_mode_0600(ctx):
    old = os.umask(0o022)
    try:
        record(ctx, [tool("pipe_blocking"), "2", "16", "1"])
    finally:
        os.umask(old)
    mode = os.stat(ctx.trace).st_mode & 0o777
    check(mode == 0o600, "trace mode is %o, expected 600" % mode)
    leftovers = [f for f in os.listdir(ctx.dir) if f.startswith("t.trace") and f != "t.trace"]
    check(not leftovers, "temporary files left behind: %s" % leftovers)


@test()
def test_many_tasks_followed(ctx):
    children, threads = 200, 1000
    r = record(ctx, [tool("many_tasks"), str(children), str(threads)], extra=["-b", "64"])
    said = Said(r.out)
    col = said.pid("collector")
    check(said.num("collector", r"(\d+) failed") == 0, "demo failed: " + r.out)
    j = report(ctx.trace)
    ch = [c for c in channels(j, "pipe", [col]) if endpoint(c, col).get("bytes_received")]
    check(len(ch) == 1, "expected one pipe the collector reads, found %d" % len(ch))
    ch = ch[0]
    expect(endpoint(ch, col), "bytes_received", 8 * (children + threads), "collector")
    kids = [e for e in ch["endpoints"] if e.get("pid") != col and e.get("bytes_sent") == 8]
    check(len(kids) == children, "%d child processes sent 8 bytes each, expected %d"
          % (len(kids), children))
    expect(endpoint(ch, col), "bytes_sent", 8 * threads, "collector's threads")
    tids = [t for t in process(j, col).get("threads", []) if t.get("comm") == "task-thread"]
    check(len(tids) == threads, "%d threads named task-thread in the collector, expected %d"
          % (len(tids), threads))


@test()
def test_svg_valid(ctx):
    record(ctx, [tool("pipe_blocking"), "8", "1024", "2"])
    render = ctx.path("render.svg")
    r = run([IPCTRACE, "render", "-o", render, ctx.trace], timeout=60)
    check(r.rc == 0, "render: " + r.why())
    for svg in (ctx.svg, render):
        r = run(["xmllint", "--noout", svg], timeout=60)
        check(r.rc == 0, "%s is not well-formed: %s" % (svg, short(r.err)))
        with open(svg, errors="replace") as f:
            body = f.read()
        for word in ("writer", "reader", "pipe"):
            check(word in body, "%s does not mention %r" % (svg, word))
        if shutil.which("rsvg-convert"):
            png = svg + ".png"
            r = run(["rsvg-convert", "-o", png, svg], timeout=60)
            check(r.rc == 0 and os.path.getsize(png) > 0, "rsvg-convert %s: %s" % (svg, r.why()))


@test()
def test_perfetto_export(ctx):
    record(ctx, [tool("pipe_blocking"), "8", "1024", "2"])
    out = ctx.path("trace.json")
    r = run([IPCTRACE, "export", "--perfetto", "-o", out, ctx.trace], timeout=60)
    check(r.rc == 0, "export --perfetto: " + r.why())
    with open(out) as f:
        try:
            j = json.load(f)
        except ValueError as e:
            raise Fail("Perfetto export is not JSON: %s" % e)
    events = j.get("traceEvents") if isinstance(j, dict) else j
    check(isinstance(events, list) and events, "no traceEvents in the Perfetto export")
    names = {str(e.get("args", {}).get("name", "")) for e in events if e.get("ph") == "M"}
    check(any("writer" in n for n in names) and any("reader" in n for n in names),
          "Perfetto export does not name the writer and reader threads: %s" % sorted(names)[:10])


@test()
def test_report_newer_version(ctx):
    record(ctx, [tool("pipe_blocking"), "2", "16", "1"])
    with open(ctx.trace, "rb") as f:
        data = bytearray(f.read())
    check(data[:8] == b"IPCTRACE", "trace does not start with IPCTRACE: %r" % bytes(data[:8]))
    hlen = int.from_bytes(data[12:16], "little")
    check(24 < hlen <= len(data), "header_len %d out of range" % hlen)
    data[8:12] = (99).to_bytes(4, "little")
    # A valid header CRC, so that only the version is wrong.
    data[hlen - 4:hlen] = (zlib.crc32(bytes(data[:hlen - 4])) & 0xffffffff).to_bytes(4, "little")
    newer = ctx.path("newer.trace")
    with open(newer, "wb") as f:
        f.write(data)
    r = run([IPCTRACE, "report", "--json", newer], timeout=30)
    one_line_error(r, "trace of format version 99", ["version"])
    check("99" in r.err, "the message does not say which version: " + short(r.err))


@test()
def test_lost_events_reported(ctx):
    """A busy-polling reader with a tiny ring buffer: whatever is dropped is counted and shown."""
    record(ctx, [tool("pipe_nonblock_poll"), "20", "4096", "10", "0"], extra=["-b", "1"])
    j = report(ctx.trace, allow_lost=True)
    lost = j["trace"].get("lost_events")
    check(isinstance(lost, int) and lost >= 0, "lost_events is %r" % lost)
    text = run([IPCTRACE, "report", ctx.trace], timeout=60)
    check(text.rc == 0, "report: " + text.why())
    m = re.search(r"(\d+) lost events", text.out)
    check(m and int(m.group(1)) == lost, "text report does not say %d lost events: %s"
          % (lost, short(text.out, 200)))


KINDS = {"pipe", "fifo", "mqueue", "sysv-msg", "shm", "sysv-shm", "mmap", "sysv-sem", "futex",
         "unix-stream", "unix-dgram", "unix-seqpacket", "tcp", "udp", "file", "signal"}
DIRECTIONS = {"simplex", "half-duplex", "full-duplex", "none"}
MODES = {"sync-blocking", "sync-nonblocking", "async-blocking", "async-nonblocking", None}


def check_fields(obj, fields, what):
    for name, types in fields.items():
        check(name in obj, "%s has no %r: %s" % (what, name, excerpt(obj, 300)))
        # bool is an int to Python, not to JSON readers.
        check(isinstance(obj[name], types) and not isinstance(obj[name], bool),
              "%s.%s is %r, not %s" % (what, name, obj[name], types.__name__))


@test()
def test_json_contract(ctx):
    """Every field DESIGN.md promises, with its type and its vocabulary, on a mixed trace."""
    t = TOOLS
    record(ctx, ["sh", "-c", "%s/pipe_blocking 4 64 1; %s/unix_stream 4 64 1; %s/mq_pair 4 64 1; "
                 "%s/pipe_nonblock_poll 2 64 2 20; %s/threads_futex 4 1" % (t, t, t, t, t)])
    j = report(ctx.trace)
    check_fields(j["trace"], {"duration_ns": int, "events": int, "lost_events": int}, "trace")
    check(j["processes"] and j["channels"] and j["wakeups"], "an empty list in a busy trace")
    for p in j["processes"]:
        check_fields(p, {"pid": int, "comm": str, "threads": list}, "process")
        for th in p["threads"]:
            check_fields(th, {"tid": int, "comm": str, "user_ns": int, "kernel_ns": int,
                              "blocked_ns": int, "runnable_ns": int}, "thread")
    ids = set()
    for c in j["channels"]:
        check_fields(c, {"id": int, "kind": str, "name": str, "direction": str,
                         "endpoints": list}, "channel")
        check(c["kind"] in KINDS, "channel kind %r is not in the vocabulary" % c["kind"])
        check(c["direction"] in DIRECTIONS, "direction %r is not in the vocabulary"
              % c["direction"])
        check(c["id"] not in ids, "channel id %d twice" % c["id"])
        ids.add(c["id"])
        for e in c["endpoints"]:
            check_fields(e, {"pid": int, "comm": str, "sends": int, "recvs": int,
                             "bytes_sent": int, "bytes_received": int, "blocked": int,
                             "blocked_ns": int, "eagain": int}, "endpoint")
            check("mode" in e and e["mode"] in MODES, "mode %r is not in the vocabulary"
                  % e.get("mode"))
    for w in j["wakeups"]:
        check_fields(w, {"waker_pid": int, "wakee_pid": int, "count": int}, "wakeup")
        check("channel" in w and (w["channel"] is None or w["channel"] in ids),
              "wakeup on unknown channel %r" % w.get("channel"))
    seen = {c["kind"] for c in j["channels"]}
    check({"pipe", "unix-stream", "mqueue", "futex"} <= seen, "kinds seen: %s" % sorted(seen))
    modes = {e["mode"] for c in j["channels"] for e in c["endpoints"]}
    check({"sync-blocking", "sync-nonblocking"} <= modes,
          "modes seen: %s" % sorted(map(str, modes)))


# --- issue 3: every mechanism of the seed's table, every mode --------------

def named_channel(j, kind, pids, part):
    """The one channel of kind between pids whose name contains part."""
    found = [c for c in channels(j, kind, pids) if part in (c.get("name") or "")]
    if len(found) != 1:
        raise Fail("expected one %s channel named *%s* with endpoints %s, found %d; %s channels: %s"
                   % (kind, part, sorted(pids), len(found), kind,
                      excerpt([(c.get("name"), [e.get("pid") for e in c.get("endpoints", [])])
                               for c in j["channels"] if c.get("kind") == kind])))
    return found[0]


def one_way_test(ctx, demo, args, kind, sender, receiver, unit, recv_mode="sync-blocking",
                 name_part=None):
    """A demo where sender sends N units to a receiver: exact counts, simplex, modes, wakeups."""
    r = record(ctx, [tool(demo)] + args)
    said = Said(r.out)
    s, rc = said.pid(sender), said.pid(receiver)
    sent = said.num(sender, r"(?:sent|wrote) (\d+) bytes")
    count = said.num(sender, r"in (\d+) " + unit)
    check(said.num(receiver, r"(?:received|read) (\d+) bytes") == sent, "demo lost data: " + r.out)
    recvs = said.num(receiver, r"in (\d+) (?:%s|reads)" % unit)
    j = report(ctx.trace)
    expect_comm(j, s, sender)
    expect_comm(j, rc, receiver)
    ch = named_channel(j, kind, [s, rc], name_part) if name_part else one_channel(j, kind, [s, rc])
    expect(ch, "direction", "simplex", kind)
    transfer_facts(j, ch, s, rc, sent, count, recvs, kind)
    expect(endpoint(ch, rc), "mode", recv_mode, receiver)
    return j, ch, said, s, rc, count


@test()
def test_mqueue_blocking(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "mq_pair", ["16", "256", "5"], "mqueue", "mq-sender",
                                        "mq-receiver", "messages")
    check("ipctrace-mq-%d" % s in (ch.get("name") or ""), "mqueue name %r lacks ipctrace-mq-%d"
          % (ch.get("name"), s))
    expect_ge(endpoint(ch, r), "blocked", n // 2, "mq-receiver")
    expect_wakeups(j, s, r, ch["id"], n // 2, "mq-sender wakes mq-receiver")


@test()
def test_mqueue_notify(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "mq_notify", ["16", "256", "5"], "mqueue",
                                        "mq-sender", "mq-notified", "messages",
                                        recv_mode="async-nonblocking")
    expect_never_waited(endpoint(ch, r), "mq-notified (never waits for the queue)")


@test()
def test_sysv_msg(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "sysv_msg", ["16", "256", "5"], "sysv-msg",
                                        "msg-sender", "msg-receiver", "messages")
    expect_ge(endpoint(ch, r), "blocked", n // 2, "msg-receiver")
    expect_wakeups(j, s, r, ch["id"], n // 2, "msg-sender wakes msg-receiver")


def handoff_test(ctx, demo, map_kind, sync_kind, name_of):
    items = 16
    r = record(ctx, [tool(demo), str(items), "1024", "5"])
    said = Said(r.out)
    p, c = said.pid("producer"), said.pid("consumer")
    j = report(ctx.trace)
    expect_comm(j, p, "producer")
    expect_comm(j, c, "consumer")
    part = name_of(said)
    m = named_channel(j, map_kind, [p, c], part) if part else one_channel(j, map_kind, [p, c])
    syncs = channels(j, sync_kind, [p, c])
    check(syncs, "no %s channel between producer %d and consumer %d; kinds: %s"
          % (sync_kind, p, c, sorted({x.get("kind") for x in j["channels"]})))
    woke = sum(wakeups(j, p, c, x["id"]) for x in syncs)
    check(woke >= items // 2, "%d %s wakeups producer->consumer, expected >= %d; wakeups: %s"
          % (woke, sync_kind, items // 2, excerpt(j["wakeups"])))
    blocked = sum(endpoint(x, c).get("blocked", 0) for x in syncs)
    check(blocked >= items // 2, "consumer blocked %d times on %s, expected >= %d"
          % (blocked, sync_kind, items // 2))
    return j, m


@test()
def test_shm_posix_semaphores(ctx):
    handoff_test(ctx, "shm_sem", "shm", "futex",
                 lambda said: "ipctrace-shm-%d" % said.pid("producer"))


@test()
def test_sysv_shm_semop(ctx):
    handoff_test(ctx, "sysv_shm_sem", "sysv-shm", "sysv-sem", lambda said: None)


@test()
def test_mmap_file(ctx):
    r = record(ctx, [tool("mmap_file"), "16", "1024", "5"])
    said = Said(r.out)
    w, rd = said.pid("map-writer"), said.pid("map-reader")
    n = said.num("map-writer", r"in (\d+) records")
    path = re.search(r"in (/\S+)$", said.lines["map-writer"][0][1]).group(1)
    j = report(ctx.trace)
    named_channel(j, "mmap", [w, rd], path)
    tokens = one_channel(j, "pipe", [w, rd])
    transfer_facts(j, tokens, w, rd, n, n, n, "ready pipe")


def two_way_test(ctx, demo, args, kind, a, b, direction):
    r = record(ctx, [tool(demo)] + args)
    said = Said(r.out)
    pa, pb = said.pid(a), said.pid(b)
    j = report(ctx.trace)
    ch = one_channel(j, kind, [pa, pb])
    expect(ch, "direction", direction, kind)
    for x, y in ((a, b), (b, a)):
        ex, ey = endpoint(ch, said.pid(x)), endpoint(ch, said.pid(y))
        expect(ex, "bytes_sent", said.num(x, r"sent (\d+) bytes"), x)
        expect(ex, "sends", said.num(x, r"in (\d+) sends"), x)
        expect(ey, "bytes_received", said.num(x, r"sent (\d+) bytes"), y)
        expect(ey, "recvs", said.num(y, r"in (\d+) recvs"), y)
    return j, ch, said, pa, pb


@test()
def test_unix_stream_half_duplex(ctx):
    j, ch, said, c, s = two_way_test(ctx, "unix_stream", ["16", "512", "2"], "unix-stream",
                                     "client", "server", "half-duplex")
    expect(endpoint(ch, c), "mode", "sync-blocking", "client")
    expect(endpoint(ch, s), "mode", "sync-blocking", "server")
    expect_wakeups(j, c, s, ch["id"], 8, "client wakes server")
    expect_wakeups(j, s, c, ch["id"], 8, "server wakes client")


@test()
def test_unix_stream_full_duplex(ctx):
    two_way_test(ctx, "unix_fullduplex", [str(4 << 20), "16384"], "unix-stream", "side-a",
                 "side-b", "full-duplex")


@test()
def test_unix_dgram(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "unix_dgram", ["16", "512", "5"], "unix-dgram",
                                        "dgram-sender", "dgram-receiver", "datagrams")
    expect_wakeups(j, s, r, ch["id"], n // 2, "dgram-sender wakes dgram-receiver")


@test()
def test_unix_dgram_named_path(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "unix_dgram", ["16", "512", "5", "path"],
                                        "unix-dgram", "dgram-sender", "dgram-receiver",
                                        "datagrams")
    path = re.search(r"on (/\S+)$", said.lines["dgram-receiver"][0][1]).group(1)
    check(path in (ch.get("name") or ""), "unix-dgram channel name %r lacks its path %s"
          % (ch.get("name"), path))
    expect_wakeups(j, s, r, ch["id"], n // 2, "dgram-sender wakes dgram-receiver")


@test()
def test_unix_seqpacket_abstract(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "unix_seqpacket", ["16", "256", "5"],
                                        "unix-seqpacket", "seq-client", "seq-server", "records")
    name = "ipctrace-seqpacket-%d" % said.pid("seq-server")
    check(name in (ch.get("name") or ""), "seqpacket channel name %r lacks %s"
          % (ch.get("name"), name))
    expect_wakeups(j, s, r, ch["id"], n // 2, "seq-client wakes seq-server")


@test()
def test_tcp_loopback(ctx):
    j, ch, said, c, s = two_way_test(ctx, "tcp_echo", ["16", "512", "2"], "tcp", "tcp-client",
                                     "tcp-server", "half-duplex")
    expect(endpoint(ch, s), "mode", "sync-blocking", "tcp-server")


@test()
def test_udp_sendmmsg_recvmmsg(ctx):
    # One sendmmsg moves several datagrams: the bytes count all of them, not the call's result.
    r = record(ctx, [tool("udp_pair"), "18", "300", "2", "mmsg"])
    said = Said(r.out)
    s, rc = said.pid("udp-sender"), said.pid("udp-receiver")
    total = said.num("udp-sender", r"sent (\d+) bytes")
    check(said.num("udp-sender", r"in (\d+) calls") < 18, "sendmmsg sent one datagram per call")
    j = report(ctx.trace)
    ch = one_channel(j, "udp", [s, rc])
    expect(ch, "direction", "simplex", "udp")
    expect(endpoint(ch, s), "bytes_sent", total, "udp-sender")
    expect(endpoint(ch, rc), "bytes_received", said.num("udp-receiver", r"received (\d+) bytes"),
           "udp-receiver")


TCP_CLIENT = r"""
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
n = int(sys.argv[2])
s.sendall(b"c" * n)
got = 0
while got < n:
    got += len(s.recv(65536))
s.close()
print("tcp-client (pid %d): sent %d bytes, received %d bytes" % (os.getpid(), n, got))
"""


@test()
def test_tcp_untraced_peer(ctx):
    """A traced client of a server that is not traced: one endpoint, the peer by its address."""
    n = 20000
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def echo():
        conn, _ = srv.accept()
        with conn:
            left = n
            while left > 0:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
                left -= len(data)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    try:
        r = record(ctx, [sys.executable, "-c", TCP_CLIENT, str(port), str(n)])
    finally:
        srv.close()
    t.join(timeout=10)
    said = Said(r.out)
    c = said.pid("tcp-client")
    j = report(ctx.trace)
    ch = one_channel(j, "tcp", [c])
    check(":%d" % port in (ch.get("name") or ""), "tcp channel name %r does not show the peer's "
          "port %d" % (ch.get("name"), port))
    check(len(ch["endpoints"]) == 1, "an untraced peer has an endpoint: %s" % excerpt(ch))
    expect(endpoint(ch, c), "bytes_sent", n, "tcp-client")
    expect(endpoint(ch, c), "bytes_received", n, "tcp-client")


@test()
def test_udp_loopback(ctx):
    one_way_test(ctx, "udp_pair", ["16", "512", "5"], "udp", "udp-sender", "udp-receiver",
                 "datagrams")


@test()
def test_file_seed_example(ctx):
    r = record(ctx, [tool("file_pair"), "18", "100"])
    said = Said(r.out)
    w, rd = said.pid("writer"), said.pid("reader")
    j = report(ctx.trace)
    ch = named_channel(j, "file", [w, rd], "temp.txt")
    expect(ch, "direction", "simplex", "temp.txt")
    expect(endpoint(ch, w), "bytes_sent", said.num("writer", r"wrote (\d+) bytes"), "writer")
    expect(endpoint(ch, w), "sends", 1, "writer")
    expect(endpoint(ch, rd), "bytes_received", said.num("reader", r"read (\d+) bytes"), "reader")
    expect(endpoint(ch, rd), "bytes_sent", 0, "reader")


@test()
def test_signal_pair(ctx):
    n = 16
    r = record(ctx, [tool("signal_pair"), str(n), "2"])
    said = Said(r.out)
    a, b = said.pid("signaller"), said.pid("signalled")
    j = report(ctx.trace)
    sig = channels(j, "signal", [a, b])
    check(sig, "no signal channel between %d and %d; kinds: %s"
          % (a, b, sorted({c.get("kind") for c in j["channels"]})))
    for pid, role in ((a, "signaller"), (b, "signalled")):
        got = sum(endpoint(c, pid).get("sends", 0) for c in sig)
        check(got == n, "%s sent %d signals per the report, it sent %d; %s"
              % (role, got, n, excerpt(sig)))
    woke = sum(wakeups(j, a, b, c["id"]) for c in sig)
    check(woke >= n // 2, "signaller woke signalled %d times over signal channels, expected >= %d;"
          " wakeups: %s" % (woke, n // 2, excerpt(j["wakeups"])))
    # The signaller sleeps in sigwaitinfo until each answer arrives: a plain blocking wait.
    waited = sum(endpoint(c, a).get("blocked", 0) for c in sig)
    check(waited >= n // 2, "signaller blocked %d times waiting for SIGUSR2, expected >= %d; %s"
          % (waited, n // 2, excerpt(sig)))


@test()
def test_sigio_async(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "sigio_reader", ["16", "4096", "5"],
                                                "sigio-reader", "async-nonblocking")
    expect_never_waited(endpoint(ch, rd), "sigio-reader (never waits for the pipe)")


@test()
def test_io_uring_async(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "io_uring_cat", ["16", "4096", "5"],
                                                "uring-reader", "async-nonblocking")
    expect_never_waited(endpoint(ch, rd), "uring-reader (never waits for the pipe)")


@test()
def test_threads_futex(ctx):
    items = 16
    r = record(ctx, [tool("threads_futex"), str(items), "5"])
    said = Said(r.out)
    pid = said.pid("producer")
    ptid = said.num("producer", r"thread (\d+)")
    ctid = said.num("consumer", r"thread (\d+)")
    j = report(ctx.trace)
    threads = {t.get("tid"): t for t in process(j, pid).get("threads", [])}
    check(ptid in threads and ctid in threads, "threads %d, %d missing: %s"
          % (ptid, ctid, sorted(threads)))
    expect(threads[ptid], "comm", "producer", "thread")
    expect(threads[ctid], "comm", "consumer", "thread")
    expect_ge(threads[ctid], "blocked_ns", 1, "consumer thread")
    futexes = [c for c in channels(j, "futex", [pid])]
    check(futexes, "no futex channel in process %d" % pid)
    woke = sum(wakeups(j, pid, pid, c["id"]) for c in futexes)
    check(woke >= items // 2, "%d futex wakeups inside process %d, expected >= %d; wakeups: %s"
          % (woke, pid, items // 2, excerpt(j["wakeups"])))


@test()
def test_epoll_server(ctx):
    clients, requests, size = 3, 8, 128
    r = record(ctx, [tool("epoll_server"), str(clients), str(requests), str(size), "5"])
    said = Said(r.out)
    srv = said.pid("epoll-server")
    j = report(ctx.trace)
    woke = 0
    for i in range(1, clients + 1):
        name = "client-%d" % i
        c = said.pid(name)
        ch = one_channel(j, "unix-stream", [srv, c])
        expect(ch, "direction", "half-duplex", name)
        expect(endpoint(ch, c), "bytes_sent", requests * size, name)
        expect(endpoint(ch, c), "bytes_received", requests * size, name)
        expect(endpoint(ch, srv), "bytes_received", requests * size, "epoll-server")
        expect(endpoint(ch, srv), "bytes_sent", requests * size, "epoll-server")
        expect(endpoint(ch, srv), "mode", "async-blocking", "epoll-server")
        expect(endpoint(ch, c), "mode", "sync-blocking", name)
        woke += wakeups(j, c, srv, ch["id"])
    # A request may find the server awake already; but it sleeps between rounds.
    check(woke >= requests // 2, "clients woke epoll-server %d times over their sockets, expected "
          ">= %d; wakeups: %s" % (woke, requests // 2, excerpt(j["wakeups"])))


MP_SCRIPT = r"""
import multiprocessing as mp, os, sys
N, SIZE = int(sys.argv[1]), int(sys.argv[2])
def child(conn, q):
    for i in range(N):
        conn.send_bytes(b"x" * SIZE)
    q.put(os.getpid())
    conn.close()
if __name__ == "__main__":
    mp.set_start_method("fork")
    a, b = mp.Pipe()
    q = mp.Queue()
    p = mp.Process(target=child, args=(b, q))
    p.start()
    for i in range(N):
        assert len(a.recv_bytes()) == SIZE
    cpid = q.get()
    p.join()
    print("parent (pid %d): received %d messages of %d bytes over Pipe" % (os.getpid(), N, SIZE))
    print("child (pid %d): sent %d messages" % (cpid, N))
"""


@test()
def test_python_multiprocessing(ctx):
    n, size = 50, 100
    script = ctx.path("mp.py")
    with open(script, "w") as f:
        f.write(MP_SCRIPT)
    r = record(ctx, [sys.executable, script, str(n), str(size)])
    said = Said(r.out)
    parent, child = said.pid("parent"), said.pid("child")
    j = report(ctx.trace)
    # Pipe() is a unix socketpair; each message is a 4-byte length then the payload.
    ch = one_channel(j, "unix-stream", [parent, child])
    expect(endpoint(ch, child), "bytes_sent", n * (4 + size), "child")
    expect(endpoint(ch, parent), "bytes_received", n * (4 + size), "parent")
    expect(ch, "direction", "simplex", "Pipe")
    # Queue() is a pipe fed by a feeder thread of the child.
    q = one_channel(j, "pipe", [parent, child])
    check(endpoint(q, child).get("bytes_sent", 0) > 0, "Queue pipe: child sent nothing: %s"
          % excerpt(q))
    expect(endpoint(q, parent), "bytes_received", endpoint(q, child).get("bytes_sent"), "parent")


def as_user(name):
    pw = pwd.getpwnam(name)

    def drop():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return drop


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise Skip("PostgreSQL is not installed (tools/install-deps.sh installs it)")
    return os.path.dirname(found[-1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@test()
def test_postgres_pgbench_attach(ctx):
    """A real server from Debian traced with -p while its own benchmark client drives it."""
    bindir = postgres_bin()
    pw = pwd.getpwnam("postgres")
    os.chown(ctx.dir, pw.pw_uid, pw.pw_gid)
    data, port, clients, txns = ctx.path("data"), str(free_port()), 2, 100
    pg = as_user("postgres")
    r = run([os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
             "--no-sync"], timeout=120, preexec=pg)
    check(r.rc == 0, "initdb: " + r.why())
    log = open(ctx.path("postgres.log"), "w")
    server = subprocess.Popen([os.path.join(bindir, "postgres"), "-D", data, "-k", ctx.dir,
                               "-p", port, "-c", "listen_addresses=", "-c", "fsync=off"],
                              stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                              start_new_session=True, preexec_fn=pg)
    log.close()
    rec = None
    conn = ["-h", ctx.dir, "-p", port, "-U", "postgres"]
    try:
        ready = lambda: run([os.path.join(bindir, "pg_isready")] + conn, timeout=10).rc == 0
        check(wait_for(ready, 30), "postgres did not start: %s"
              % short(open(ctx.path("postgres.log")).read()))
        r = run([os.path.join(bindir, "pgbench"), "-i", "-s", "1", "-q"] + conn + ["postgres"],
                timeout=120, preexec=pg)
        check(r.rc == 0, "pgbench -i: " + r.why())
        rec = subprocess.Popen([IPCTRACE] + record_flags() + ["-p", str(server.pid), "-d", "90",
                                                             "-o", ctx.trace, "-w", ctx.svg],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, start_new_session=True)
        time.sleep(3)
        if rec.poll() is not None:
            raise Fail("ipctrace -p %d exited early: %s"
                       % (server.pid, short(rec.stderr.read().decode(errors="replace"))))
        bench = run([os.path.join(bindir, "pgbench"), "-n", "-S", "-c", str(clients), "-j", "1",
                     "-t", str(txns)] + conn + ["postgres"], timeout=120, preexec=pg)
        check(bench.rc == 0, "pgbench: " + bench.why())
        m = re.search(r"actually processed: (\d+)/", bench.out)
        check(m and int(m.group(1)) == clients * txns,
              "pgbench did not finish: " + short(bench.out))
        rec.send_signal(signal.SIGINT)
        _, err = rec.communicate(timeout=60)
        check(rec.returncode == 0, "ipctrace -p stopped by SIGINT exited %d: %s"
              % (rec.returncode, short(err.decode(errors="replace"))))
    finally:
        for p in (rec, server):
            if p and p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
    j = report(ctx.trace, allow_lost=True)
    process(j, server.pid)
    # Each pgbench client got a backend forked after attaching, answering it over a unix socket.
    busy = [(c, e) for c in j["channels"] if c.get("kind") == "unix-stream"
            for e in c.get("endpoints", [])
            if e.get("pid") != server.pid and e.get("recvs", 0) >= txns]
    check(len(busy) >= clients, "expected %d backends each with >= %d recvs on a unix socket, "
          "found %d; unix-stream channels: %s" % (clients, txns, len(busy),
                                                 excerpt([c for c in j["channels"]
                                                          if c.get("kind") == "unix-stream"])))
    for c, e in busy:
        what = "backend %d" % e["pid"]
        expect_comm(j, e["pid"], "postgres")
        expect_ge(e, "sends", txns, what)
        expect_ge(e, "bytes_sent", 1, what)
        expect(e, "mode", "async-blocking", what + " (waits for its client in epoll_wait)")
        expect(c, "direction", "half-duplex", what + "'s client socket")


# --- issue 6: bad input, faults, hostile names ----------------------------

def one_line_error(r, what, words=(), single=True):
    """r failed cleanly: non-zero exit (not a signal), a message on stderr naming one of words,
    on one line unless single is False (a recording that failed half-way may add notes)."""
    check(r.rc != 0, "%s: exit 0, expected an error; stdout: %s" % (what, short(r.out)))
    check(0 < r.rc < 128, "%s: exit %d looks like a crash; stderr: %s" % (what, r.rc, short(r.err)))
    msg = r.err.strip()
    check(msg, "%s: exit %d with nothing on stderr" % (what, r.rc))
    check(not single or "\n" not in msg, "%s: the error is not one line: %s" % (what, short(msg)))
    check(not re.search(r"Sanitizer|runtime error:|Segmentation|Traceback", r.err),
          "%s: crashed: %s" % (what, short(r.err)))
    if words:
        check(any(w.lower() in msg.lower() for w in words),
              "%s: message does not mention any of %s: %s" % (what, list(words), short(msg)))
    return msg


def unused_pid():
    pid = 4000000
    while os.path.exists("/proc/%d" % pid):
        pid += 1
    return pid


@test()
def test_error_no_such_pid(ctx):
    pid = unused_pid()
    r = run([IPCTRACE, "-p", str(pid), "-d", "2", "-o", ctx.trace, "-w", ctx.svg], timeout=30)
    one_line_error(r, "-p %d" % pid, [str(pid)])


@test()
def test_error_command_not_found(ctx):
    r = run([IPCTRACE, "-o", ctx.trace, "-w", ctx.svg, "--", "/nonexistent/ipctrace-no-cmd"],
            timeout=30)
    one_line_error(r, "missing command", ["/nonexistent/ipctrace-no-cmd"])


@test(needs_bpf=False)
def test_error_unknown_option(ctx):
    r = run([IPCTRACE, "--no-such-option-xyz"], timeout=10)
    one_line_error(r, "unknown option", ["no-such-option-xyz", "unrecognized", "unknown", "usage"])


@test(needs_bpf=False)
def test_error_bad_duration(ctx):
    r = run([IPCTRACE, "-d", "soon", "-o", ctx.trace, "--", "true"], timeout=10)
    one_line_error(r, "-d soon", ["soon", "-d", "duration", "seconds"])


@test(needs_bpf=False)
def test_error_report_unknown_option(ctx):
    r = run([IPCTRACE, "report", "--xml", ctx.trace], timeout=10)
    one_line_error(r, "report --xml", ["xml", "unrecognized", "unknown", "usage"])


@test()
def test_error_unwritable_output(ctx):
    bad = "/nonexistent-ipctrace-dir/t.trace"
    r = run([IPCTRACE, "-o", bad, "-w", ctx.svg, "--", "true"], timeout=30)
    one_line_error(r, "-o " + bad, [bad, "nonexistent-ipctrace-dir"])


@test()
def test_error_unwritable_svg(ctx):
    bad = "/nonexistent-ipctrace-dir/t.svg"
    r = run([IPCTRACE, "-o", ctx.trace, "-w", bad, "--", "true"], timeout=30)
    one_line_error(r, "-w " + bad, [bad, "nonexistent-ipctrace-dir"])


def as_nobody():
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


@test(needs_bpf=False)
def test_error_not_root(ctx):
    out = ctx.path("open")
    os.mkdir(out)
    os.chmod(out, 0o777)
    r = run([IPCTRACE, "-o", os.path.join(out, "t.trace"), "-w", os.path.join(out, "t.svg"),
             "--", "true"], timeout=30, preexec=as_nobody if os.geteuid() == 0 else None)
    one_line_error(r, "recording as nobody", ["root", "CAP_BPF", "capabilit", "permission"])


@test(needs_bpf=False)
def test_error_report_missing(ctx):
    r = run([IPCTRACE, "report", "--json", ctx.path("missing.trace")], timeout=10)
    one_line_error(r, "report of a missing file", ["missing.trace"])
    check(not r.out.strip(), "report of a missing file printed: %s" % short(r.out))


@test(needs_bpf=False)
def test_error_report_directory(ctx):
    r = run([IPCTRACE, "report", "--json", ctx.dir], timeout=10)
    one_line_error(r, "report of a directory", [ctx.dir, "directory"])


@test(needs_bpf=False)
def test_error_report_empty(ctx):
    open(ctx.trace, "w").close()
    r = run([IPCTRACE, "report", "--json", ctx.trace], timeout=10)
    one_line_error(r, "report of an empty file", ["empty", "t.trace", "trace"])


@test(needs_bpf=False)
def test_error_report_text_file(ctx):
    with open(ctx.trace, "w") as f:
        f.write("this is not an ipctrace trace\n" * 100)
    for cmd in (["report", "--json"], ["report"], ["render", "-o", ctx.svg]):
        r = run([IPCTRACE] + cmd + [ctx.trace], timeout=10)
        one_line_error(r, "%s of a text file" % " ".join(cmd), ["trace", "t.trace"])


@test(needs_bpf=False)
def test_report_unprivileged(ctx):
    """Reading a trace needs no privileges: nobody reads a copy it owns."""
    if bpf_unavailable():
        raise Skip("needs a recorded trace: " + bpf_unavailable())
    record(ctx, [tool("pipe_blocking"), "4", "64", "1"])
    mine = ctx.path("nobody.trace")
    shutil.copy(ctx.trace, mine)
    nobody = pwd.getpwnam("nobody")
    os.chown(mine, nobody.pw_uid, nobody.pw_gid)
    r = run([IPCTRACE, "report", "--json", mine], timeout=30, preexec=as_nobody)
    check(r.rc == 0, "report as nobody: " + r.why())
    json.loads(r.out)


def full_trace(ctx):
    record(ctx, [tool("pipe_blocking"), "64", "512", "1"])
    with open(ctx.trace, "rb") as f:
        return f.read()


def check_damaged_report(r, what, full_events):
    """A damaged trace reads up to its last whole block and says so, or fails with a message."""
    if r.rc != 0:
        one_line_error(r, what)
        return None
    check(r.err.strip(), "%s: exit 0 without a warning on stderr" % what)
    try:
        j = json.loads(r.out)
    except ValueError as e:
        raise Fail("%s: exit 0 but output is not JSON: %s" % (what, e))
    check(j["trace"]["events"] <= full_events, "%s: more events (%d) than the whole trace (%d)"
          % (what, j["trace"]["events"], full_events))
    return j


@test()
def test_report_truncated(ctx):
    data = full_trace(ctx)
    full = report(ctx.trace)["trace"]["events"]
    check(full > 0, "whole trace has no events")
    cut_trace = ctx.path("cut.trace")
    read_some = False
    for cut in sorted({1, 8, 16, 64, len(data) // 4, len(data) // 2, len(data) - 100,
                       len(data) - 1}):
        if cut <= 0 or cut >= len(data):
            continue
        with open(cut_trace, "wb") as f:
            f.write(data[:cut])
        r = run([IPCTRACE, "report", "--json", cut_trace], timeout=30)
        if check_damaged_report(r, "trace cut at %d of %d bytes" % (cut, len(data)), full):
            read_some = True
    check(read_some, "no truncated trace read at all, even one cut 1 byte short")


@test()
def test_report_corrupt(ctx):
    data = full_trace(ctx)
    full = report(ctx.trace)["trace"]["events"]
    bad = ctx.path("bad.trace")
    for at in sorted({len(data) // 3, len(data) // 2, len(data) - 20}):
        flipped = bytearray(data)
        for i in range(at, min(at + 8, len(data))):
            flipped[i] ^= 0x5a
        with open(bad, "wb") as f:
            f.write(flipped)
        r = run([IPCTRACE, "report", "--json", bad], timeout=30)
        check_damaged_report(r, "trace with 8 bytes flipped at %d" % at, full)
        r = run([IPCTRACE, "render", "-o", ctx.path("bad.svg"), bad], timeout=30)
        check(0 <= r.rc < 128 and "Sanitizer" not in r.err, "render of a corrupt trace: " + r.why())


def start_recording(ctx, argv):
    out = open(ctx.out, "w")
    p = subprocess.Popen([IPCTRACE] + record_flags() + ["-o", ctx.trace, "-w", ctx.svg, "--"]
                         + argv, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    out.close()
    return p


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def stop_recording_with(ctx, sig):
    pidfile = ctx.path("pid")
    p = start_recording(ctx, ["sh", "-c", "echo $$ > %s; exec sleep 30" % pidfile])
    try:
        check(wait_for(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 15),
              "traced command did not start within 15s")
        time.sleep(0.5)
        p.send_signal(sig)
        try:
            _, err = p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            raise Fail("ipctrace did not stop within 15s of %s" % signal.Signals(sig).name)
        err = err.decode(errors="replace")
        check(p.returncode >= 0, "ipctrace died of signal %d: %s" % (-p.returncode, short(err)))
        # The command gets the same signal, and its status is ipctrace's (as with time(1)).
        check(p.returncode == 128 + sig, "ipctrace stopped by %s exited %d, expected %d: %s"
              % (signal.Signals(sig).name, p.returncode, 128 + sig, short(err)))
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        try:
            os.kill(int(open(pidfile).read()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    j = report(ctx.trace)
    sleeper = int(open(pidfile).read())
    process(j, sleeper)
    check(j["trace"]["events"] > 0, "trace has no events")


@test()
def test_sigterm_leaves_readable_trace(ctx):
    stop_recording_with(ctx, signal.SIGTERM)


@test()
def test_sigint_leaves_readable_trace(ctx):
    stop_recording_with(ctx, signal.SIGINT)


@test()
def test_sighup_leaves_readable_trace(ctx):
    stop_recording_with(ctx, signal.SIGHUP)


@test()
def test_existing_trace_not_clobbered(ctx):
    old = b"previous trace, must survive until the new one is complete\n"
    with open(ctx.trace, "wb") as f:
        f.write(old)
    pidfile = ctx.path("pid")
    p = start_recording(ctx, ["sh", "-c", "echo $$ > %s; exec sleep 30" % pidfile])
    try:
        check(wait_for(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 15),
              "traced command did not start within 15s")
        time.sleep(0.5)
        with open(ctx.trace, "rb") as f:
            during = f.read()
        check(during == old, "existing %s was overwritten while recording (%d bytes now)"
              % (ctx.trace, len(during)))
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        try:
            os.kill(int(open(pidfile).read()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    report(ctx.trace)


@test()
def test_disk_full_keeps_what_was_recorded(ctx):
    small = ctx.path("small")
    os.mkdir(small)
    r = run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", small], timeout=30)
    if r.rc != 0:
        raise Skip("cannot mount a small tmpfs to fill: " + short(r.err))
    try:
        trace = os.path.join(small, "t.trace")
        r = run([IPCTRACE, "--no-report", "-o", trace, "-w", ctx.svg, "--",
                 tool("pingpong"), "50000"], timeout=RECORD_TIMEOUT, stdout_path=ctx.out)
        one_line_error(r, "recording onto a full disk", ["No space"], single=False)
        check(trace in r.err, "the message does not name %s: %s" % (trace, short(r.err)))
        check("round trips" in r.out, "the traced command did not run to its end: " + short(r.out))
        kept = [f for f in os.listdir(small)]
        check(kept, "nothing recorded was kept on the full disk")
        rep = run([IPCTRACE, "report", "--json", os.path.join(small, kept[0])], timeout=60)
        check(rep.rc == 0, "what was kept does not read: " + rep.why())
        check(rep.err.strip(), "a trace cut off by a full disk reads without a warning")
        check(json.loads(rep.out)["trace"]["events"] > 0, "the kept trace has no events")
    finally:
        run(["umount", "-l", small], timeout=30)


def trace_blocks(data):
    """The decompressed contents of every whole block of a trace file (format version 1)."""
    hlen = int.from_bytes(data[12:16], "little")
    off, out = hlen, []
    while off + 28 <= len(data) and data[off:off + 4] == b"BLK1":
        comp = int.from_bytes(data[off + 4:off + 8], "little")
        out.append(zlib.decompress(data[off + 28:off + 28 + comp]))
        off += 28 + comp
    return out


@test()
def test_no_payload_recorded(ctx):
    # The marker exists only in the bytes that go through the pipe, not in the command line.
    record(ctx, ["sh", "-c", 'printf "%s%s" SECRET-PIPE- PAYLOAD-1234 | cat > /dev/null'])
    with open(ctx.trace, "rb") as f:
        data = f.read()
    blocks = trace_blocks(data)
    check(any(b"cat" in b for b in blocks), "no block names the cat process (format changed?)")
    for i, raw in enumerate([data] + blocks):
        check(b"SECRET-PIPE-PAYLOAD-1234" not in raw, "payload bytes are in the trace (%s)"
              % ("file" if i == 0 else "block %d" % i))
    j = report(ctx.trace)
    sent = sum(e.get("bytes_sent", 0) for c in channels(j, "pipe") for e in c["endpoints"])
    check(sent == len("SECRET-PIPE-PAYLOAD-1234"), "pipe carried %d bytes, expected %d"
          % (sent, len("SECRET-PIPE-PAYLOAD-1234")))


@test()
def test_pid_exits_while_attaching(ctx):
    """Attaching to a process that exits meanwhile: a trace, or a clean error; never a crash."""
    for delay in ("0.05", "0.3"):
        victim = subprocess.Popen(["sleep", delay], start_new_session=True)
        r = run([IPCTRACE] + record_flags() + ["-p", str(victim.pid), "-d", "10", "-o", ctx.trace,
                                               "-w", ctx.svg], timeout=30)
        victim.wait()
        if r.rc == 0:
            report(ctx.trace)
            check(r.elapsed < 9, "recording of an exited pid went on until -d (%.1fs)" % r.elapsed)
        else:
            one_line_error(r, "-p of a pid that exits", [str(victim.pid)])


HOSTILE = '<b>&"\x1b[31m\x07'


@test()
def test_hostile_names_escaped(ctx):
    link = ctx.path(HOSTILE)
    os.symlink(shutil.which("sleep"), link)
    fifo = ctx.path("fifo" + HOSTILE)
    os.mkfifo(fifo)
    record(ctx, ["sh", "-c", 'cat "$1" > /dev/null & echo hi > "$1"; wait; "$2" 0.2',
                 "sh", fifo, link])
    raw = run([IPCTRACE, "report", "--json", ctx.trace], timeout=30)
    check(raw.rc == 0, "report --json: " + raw.why())
    check(not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", raw.out),
          "raw control characters in JSON output: %r" % [c for c in raw.out if ord(c) < 32][:5])
    j = json.loads(raw.out)
    comms = {p.get("comm") for p in j["processes"]} | \
        {t.get("comm") for p in j["processes"] for t in p.get("threads", [])}
    check(any(c and c.startswith("<b>&") for c in comms),
          "no process named %r in the report; names: %r" % (HOSTILE, comms))
    names = [c.get("name") or "" for c in j["channels"]]
    check(any(fifo in n for n in names), "no channel named %r; names: %r" % (fifo, names))
    text = run([IPCTRACE, "report", ctx.trace], timeout=30)
    check(text.rc == 0, "report: " + text.why())
    check(not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text.out),
          "raw control characters reach the terminal in the text report")
    for svg in (ctx.svg, ctx.path("render.svg")):
        if svg != ctx.svg:
            r = run([IPCTRACE, "render", "-o", svg, ctx.trace], timeout=30)
            check(r.rc == 0, "render: " + r.why())
        with open(svg, "rb") as f:
            body = f.read()
        check(b"<b>&" not in body and b"\x1b" not in body, "%s has the raw hostile name" % svg)
        try:
            ET.fromstring(body)
        except ET.ParseError as e:
            raise Fail("%s is not well-formed XML: %s" % (svg, e))


def main():
    global HELP
    HELP = ipctrace_help()
    no_bpf = bpf_unavailable()
    have_tool = os.access(IPCTRACE, os.X_OK)
    passed = failed = skipped = 0
    for name, fn, needs_bpf in TESTS:
        if ONLY and ONLY not in name:
            continue
        ctx = Ctx(name)
        try:
            if not have_tool:
                raise Skip("%s not built (make)" % IPCTRACE)
            if needs_bpf and no_bpf:
                raise Skip(no_bpf)
            fn(ctx)
            print("PASS " + name, flush=True)
            passed += 1
        except Skip as e:
            if REQUIRE_BPF:
                print("FAIL %s: skipped but IPCTRACE_REQUIRE_BPF=1: %s" % (name, e), flush=True)
                failed += 1
            else:
                print("SKIP %s: %s" % (name, e), flush=True)
                skipped += 1
        except Fail as e:
            print("FAIL %s: %s" % (name, e), flush=True)
            failed += 1
        except Exception as e:  # a bug in a test is a failure, not a crash of the run
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            failed += 1
        finally:
            if KEEP:
                print("  kept " + ctx.dir, flush=True)
            else:
                ctx.cleanup()
    print("e2e: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
