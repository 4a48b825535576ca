"""Issue 9 item 1: asleep is not running. Threads asleep when -p attaches, and calls still going
when recording stops, are blocked in them; the trace's window is the recording's."""

import os
import signal
import subprocess
import sys
import time

from lib import *  # noqa: F401,F403 (the test DSL: check, run, report, ...)
from lib import check

NR_READ, NR_RT_SIGTIMEDWAIT, NR_CLOCK_NANOSLEEP = 0, 128, 230

IDLE = """
import os, time
print('idle (pid %d): asleep' % os.getpid(), flush=True)
time.sleep(120)
"""

# The main thread blocks in a read on pipe A at once; the worker waits for SIGUSR1, then blocks
# in a read on pipe B. Nothing is ever written: both are blocked when recording stops.
READER = """
import os, signal, threading
a, _wa = os.pipe()
b, _wb = os.pipe()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
started = threading.Event()
tid = []
def worker():
    tid.append(threading.get_native_id())
    started.set()
    signal.sigwait({signal.SIGUSR1})
    os.read(b, 1)
threading.Thread(target=worker).start()
started.wait()
print('worker (pid %d): tid %d, pipe B %d' % (os.getpid(), tid[0], os.fstat(b).st_ino), flush=True)
print('reader (pid %d): pipe A %d' % (os.getpid(), os.fstat(a).st_ino), flush=True)
os.read(a, 1)
"""


def in_syscall(pid, tid):
    """The syscall number a thread is blocked in, from the kernel (None if running or gone)."""
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
            word = f.read().split()[0]
    except (OSError, IndexError):
        return None
    return int(word) if word.lstrip("-").isdigit() else None


def thread(j, tid):
    __tracebackhide__ = True
    for p in j["processes"]:
        for t in p["threads"]:
            if t["tid"] == tid:
                return t
    raise Fail("no thread %d in the report: %s" % (tid, excerpt(j["processes"])))


def pipe_of(j, ino, pid):
    __tracebackhide__ = True
    chans = [c for c in j["channels"] if c["kind"] == "pipe" and c["name"] == "pipe:[%d]" % ino]
    check(len(chans) == 1, "pipe:[%d] (the program's own fstat) is not one channel: %s"
          % (ino, excerpt(j["channels"])))
    return endpoint(chans[0], pid)


def test_threads_asleep_at_attach_and_at_stop_are_blocked(ctx):
    idle = subprocess.Popen([sys.executable, "-c", IDLE], stdout=subprocess.PIPE, text=True)
    reader = subprocess.Popen([sys.executable, "-c", READER], stdout=subprocess.PIPE, text=True)
    rec = None
    try:
        said = Said(idle.stdout.readline() + reader.stdout.readline() + reader.stdout.readline())
        ipid, rpid = said.pid("idle"), said.pid("reader")
        wtid = said.num("worker", r"tid (\d+)")
        ino_a, ino_b = said.num("reader", r"pipe A (\d+)"), said.num("worker", r"pipe B (\d+)")
        # the kernel's own view before attaching: each thread asleep in its call
        check(wait_for(lambda: in_syscall(ipid, ipid) == NR_CLOCK_NANOSLEEP and
                       in_syscall(rpid, rpid) == NR_READ and
                       in_syscall(rpid, wtid) == NR_RT_SIGTIMEDWAIT, 10),
              "the programs are not asleep in their calls: %s %s %s" % (
                  in_syscall(ipid, ipid), in_syscall(rpid, rpid), in_syscall(rpid, wtid)))
        rec = subprocess.Popen([IPCTRACE, "-q", "--no-report", "-p", "%d,%d" % (ipid, rpid),
                                "-d", "2", "-o", ctx.trace, "-w", ctx.svg],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        check(wait_for(lambda: any(os.path.getsize(t) > 0 for t in
                                   glob.glob(ctx.trace + ".tmp.*")), 30), "recording did not start")
        time.sleep(0.4)
        os.kill(rpid, signal.SIGUSR1)
        check(wait_for(lambda: in_syscall(rpid, wtid) == NR_READ, 10), "the worker did not read")
        err = rec.communicate(timeout=60)[1]
        check(rec.returncode == 0, "ipctrace -p: %s" % err)
    finally:
        for p in (idle, reader, rec):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    j = report(ctx.trace)
    dur = j["trace"]["duration_ns"]
    check(1.9e9 <= dur <= 4e9, "-d 2 recorded %d ns: the window is the recording's, not "
          "first-to-last event" % dur)
    for tid, what in ((ipid, "idle in time.sleep"), (rpid, "reader in read"),
                      (wtid, "worker in sigwait, then read")):
        t = thread(j, tid)
        check(t["blocked_ns"] >= 0.9 * dur and t["user_ns"] <= 0.05 * dur,
              "%s (tid %d) was asleep all along, yet: %s of %d ns" % (what, tid, excerpt(t), dur))
    a = pipe_of(j, ino_a, rpid)
    check(a["blocked"] >= 1 and a["blocked_ns"] >= 0.9 * dur and a["mode"] == "sync-blocking",
          "the reader was blocked on pipe A from the first instant to the stop: %s" % excerpt(a))
    check(a["recvs"] == 0 and a["bytes_received"] == 0, "nothing was read: %s" % excerpt(a))
    b = pipe_of(j, ino_b, rpid)
    check(b["blocked"] >= 1 and 0 < b["blocked_ns"] < a["blocked_ns"] and
          b["mode"] == "sync-blocking",
          "the worker blocked on pipe B after SIGUSR1, until the stop: %s" % excerpt(b))
