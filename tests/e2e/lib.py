#!/usr/bin/env python3
"""End-to-end test library: run the real ipctrace as root under real BPF on the demo
programs and on real programs, then check the facts of `ipctrace report --json`
against what the programs themselves printed they did. The tests are test_*.py, one
file per concern, run by pytest (conftest.py holds the fixtures and the no-skip rule).

Environment: IPCTRACE (the binary), IPCTRACE_DEMOS (the demo directory), IPCTRACE_HELPERS
(the programs only tests drive, tests/e2e/helpers),
IPCTRACE_REQUIRE_BPF=1 turns every skip into a failure, IPCTRACE_E2E_KEEP=1 keeps
each test's scratch directory (trace, SVG, output) and lists where they are.
"""

import ctypes
import functools
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

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IPCTRACE = os.environ.get("IPCTRACE") or os.path.join(ROOT, "ipctrace")
TOOLS = os.environ.get("IPCTRACE_DEMOS") or os.path.join(ROOT, ".output", "demos")
HELPERS = os.environ.get("IPCTRACE_HELPERS") or os.path.join(ROOT, ".output", "helpers")
REQUIRE_BPF = os.environ.get("IPCTRACE_REQUIRE_BPF") == "1"
KEEP = os.environ.get("IPCTRACE_E2E_KEEP") == "1"
RECORD_TIMEOUT = 60
SVG = "{http://www.w3.org/2000/svg}"   # ElementTree's tag prefix for SVG elements


class Fail(AssertionError):
    """A fact that does not hold: the test fails with this one message."""


# A test raises Skip("why") where it cannot run here (conftest.py fails it in CI).
Skip = pytest.skip.Exception


def check(cond, msg):
    __tracebackhide__ = True
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


@functools.cache
def ipctrace_help():
    try:
        p = subprocess.run([IPCTRACE, "--help"], capture_output=True, text=True, timeout=10)
        return p.stdout + p.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""


def record_flags():
    """-q and --no-report where this ipctrace has them, so stdout is the program's own."""
    HELP = ipctrace_help()
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
    __tracebackhide__ = True
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


def run_counting_reads(argv, log, timeout=RECORD_TIMEOUT, stdout_path=None):
    """Runs argv (ipctrace) under strace: its Run, and the bytes all its threads' pread64 calls
    got (the trace reader reads with pread64 alone). log: strace's output file."""
    # an ASan build's LeakSanitizer cannot run under ptrace: leaks are checked by every other test
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = dict(os.environ, ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0")
    r = run(["strace", "-f", "-qq", "-e", "trace=pread64", "-e", "signal=none", "-o", log] + argv,
            timeout=timeout, stdout_path=stdout_path, env=env)
    total = 0
    if os.path.exists(log):
        with open(log) as f:
            for line in f:
                m = re.search(r"pread64\(.*\)\s+=\s+(\d+)$", line.strip())
                if m:
                    total += int(m.group(1))
    return r, total


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
    __tracebackhide__ = True
    path = os.path.join(TOOLS, name)
    if not os.access(path, os.X_OK):
        raise Fail("demo %s not built (make demos)" % path)
    return path


def helper(name):
    """A program of tests/e2e/helpers, built by make e2e."""
    __tracebackhide__ = True
    path = os.path.join(HELPERS, name)
    if not os.access(path, os.X_OK):
        raise Fail("test helper %s not built (make e2e builds it)" % path)
    return path


def record(ctx, argv, extra=(), timeout=RECORD_TIMEOUT):
    """Records argv traced; returns the Run (whose out is the program's stdout)."""
    __tracebackhide__ = True
    r = run([IPCTRACE] + record_flags() + list(extra) + ["-o", ctx.trace, "-w", ctx.svg, "--"]
            + argv, timeout=timeout, stdout_path=ctx.out)
    if r.rc != 0:
        raise Fail("ipctrace -- %s: %s" % (" ".join(argv), r.why()))
    check(os.path.exists(ctx.trace), "no trace file written at %s" % ctx.trace)
    return r


def report(trace, allow_lost=False):
    __tracebackhide__ = True
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
        __tracebackhide__ = True
        if role not in self.lines:
            raise Fail("demo printed no line for %r; printed roles: %s"
                       % (role, sorted(self.lines)))
        return self.lines[role][0][0]

    def num(self, role, pattern):
        """The integer captured by pattern in role's lines."""
        __tracebackhide__ = True
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
    __tracebackhide__ = True
    found = channels(j, kind, pids)
    if len(found) != 1:
        kinds = sorted({(c.get("kind"), tuple(sorted(e.get("pid") for e in c.get("endpoints", []))))
                        for c in j["channels"]}, key=str)
        raise Fail("expected one %s channel with endpoints %s, found %d; channels (kind, pids): %s"
                   % (kind, sorted(pids), len(found), short(str(kinds), 500)))
    return found[0]


def endpoint(ch, pid):
    __tracebackhide__ = True
    for e in ch.get("endpoints", []):
        if e.get("pid") == pid:
            return e
    raise Fail("channel %s has no endpoint for pid %d: %s" % (ch.get("id"), pid, excerpt(ch)))


def expect(obj, field, want, what):
    __tracebackhide__ = True
    got = obj.get(field)
    if got != want:
        raise Fail("%s: %s is %r, expected %r; %s" % (what, field, got, want, excerpt(obj)))


def expect_ge(obj, field, low, what):
    __tracebackhide__ = True
    got = obj.get(field)
    if not isinstance(got, int) or got < low:
        raise Fail("%s: %s is %r, expected >= %d; %s" % (what, field, got, low, excerpt(obj)))


def expect_never_waited(ep, what):
    """A reader that never waits for the channel: its non-blocking calls do not sleep. One or
    two sleeps on the pipe's mutex, while the writer holds it, are contention, not waiting."""
    __tracebackhide__ = True
    got = ep.get("blocked")
    if not isinstance(got, int) or got > 2:
        raise Fail("%s: blocked is %r, expected 0 (at most 2 for lock contention); %s"
                   % (what, got, excerpt(ep)))


def wakeups(j, waker, wakee, chan=None):
    return sum(w.get("count", 0) for w in j["wakeups"]
               if w.get("waker_pid") == waker and w.get("wakee_pid") == wakee
               and (chan is None or w.get("channel") == chan))


def expect_wakeups(j, waker, wakee, chan, low, what):
    __tracebackhide__ = True
    got = wakeups(j, waker, wakee, chan)
    if got < low:
        mine = [w for w in j["wakeups"]
                if {w.get("waker_pid"), w.get("wakee_pid")} & {waker, wakee}]
        raise Fail("%s: %d wakeups %d->%d on channel %s, expected >= %d; wakeups: %s"
                   % (what, got, waker, wakee, chan, low, excerpt(mine)))


def process(j, pid):
    __tracebackhide__ = True
    for p in j["processes"]:
        if p.get("pid") == pid:
            return p
    raise Fail("no process %d in report; pids: %s" % (pid, [p.get("pid") for p in j["processes"]]))


def expect_comm(j, pid, comm):
    __tracebackhide__ = True
    p = process(j, pid)
    names = {p.get("comm")} | {t.get("comm") for t in p.get("threads", [])}
    check(comm in names, "process %d is named %s, expected %r"
          % (pid, sorted(map(str, names)), comm))


def transfer_facts(j, ch, sender, receiver, total, sends, recvs, what):
    """Exact counts of a one-way transfer between two endpoints of ch."""
    __tracebackhide__ = True
    s, r = endpoint(ch, sender), endpoint(ch, receiver)
    expect(s, "bytes_sent", total, what + " sender")
    expect(s, "sends", sends, what + " sender")
    expect(r, "bytes_received", total, what + " receiver")
    expect(r, "recvs", recvs, what + " receiver")
    return s, r


# --- shared by several test files ------------------------------------------

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
    # a callable decides from what the demo said it did (a mode that depends on the timing)
    expect(rcv, "mode", reader_mode(said) if callable(reader_mode) else reader_mode, "reader")
    return j, ch, said, w, rd, writes


def one_line_error(r, what, words=(), single=True):
    """r failed cleanly: non-zero exit (not a signal), a message on stderr naming one of words,
    on one line unless single is False (a recording that failed half-way may add notes)."""
    __tracebackhide__ = True
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


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def bpf_traced_map(recorder):
    """The id of the recorder process's BPF map named traced (its set of traced tgids), found
    through its descriptors (/proc fdinfo) and bpftool; None while it has none."""
    fdinfo = "/proc/%d/fdinfo" % recorder
    try:
        fds = os.listdir(fdinfo)
    except OSError:
        return None
    for fd in fds:
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                m = re.search(r"^map_id:\s+(\d+)", f.read(), re.M)
        except OSError:
            continue
        if not m:
            continue
        r = subprocess.run(["bpftool", "-j", "map", "show", "id", m.group(1)],
                           capture_output=True, text=True)
        if r.returncode == 0 and json.loads(r.stdout).get("name") == "traced":
            return int(m.group(1))
    return None


def wait_traced(recorder, pid, timeout=RECORD_TIMEOUT):
    """Waits until the kernel's copy of the recorder's traced set holds pid (bpftool reads the
    BPF map): from then on everything pid does, and every process it starts, is followed.
    False if the recorder exits or the timeout passes first."""
    key = ["%d" % b for b in pid.to_bytes(4, sys.byteorder)]
    found = {}

    def traced():
        if "id" not in found:
            found["id"] = bpf_traced_map(recorder)
            if found["id"] is None:
                del found["id"]
                return False
        r = subprocess.run(["bpftool", "map", "lookup", "id", str(found["id"]), "key"] + key,
                           capture_output=True, text=True)
        return r.returncode == 0
    def alive():  # not exited (a zombie until its parent waits: that wait is the caller's)
        return proc_state(recorder) not in ("Z", "X", None)
    return wait_for(lambda: not alive() or traced(), timeout) and alive()


def proc_state(pid):
    """The process's state letter in /proc (R, S, T for stopped, Z...); None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None
