"""Issue 9 items 2, 6 and 8: what each process is and holds. Shared memory inherited across fork
(or held before -p attached) makes every holder an endpoint; threads renamed by another thread
carry their new name; processes carry their command line (a server's role) and executable."""

import os
import re
import signal
import subprocess
import time

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check


def maps_of(pid):
    """The shared mappings of pid, from the kernel: (perms, path) of lines with 's' perms."""
    with open("/proc/%d/maps" % pid) as f:
        rows = [line.split(None, 5) for line in f]
    return [(r[1], r[5].strip()) for r in rows if len(r) == 6 and r[1][3] == "s"]


def shm_channels(j, pids, name_re):
    __tracebackhide__ = True
    chans = [c for c in j["channels"] if c["kind"] == "shm" and re.search(name_re, c["name"])]
    check(len(chans) == 1, "one shm channel named like %r: %s" % (name_re, excerpt(j["channels"])))
    got = sorted(e["pid"] for e in chans[0]["endpoints"])
    check(got == sorted(pids), "%s: endpoints %s, want every holder %s"
          % (chans[0]["name"], got, sorted(pids)))
    return chans[0]


def test_shared_memory_inherited_across_fork_has_every_holder(ctx):
    record(ctx, [helper("shm_inherit"), "200"])
    said = Said(open(ctx.out).read())
    parent, child = said.pid("parent"), said.pid("child")
    check(said.num("parent", r"(\d+) turns taken") == 400, "the program's own count is off")
    j = report(ctx.trace)
    shm_channels(j, [parent, child], r"^shm:\[\d+\]$")
    shm_channels(j, [parent, child], r"ipctrace-inherit-%d$" % parent)
    futexes = [c for c in j["channels"] if c["kind"] == "futex"]
    check(futexes and all(re.match(r"futex in shm:\[\d+\] \+0x[0-9a-f]+$", c["name"]) for c in futexes),
          "the mutex and condition variable live in the anonymous mapping: %s" % excerpt(futexes))


def test_shared_memory_held_before_attach_has_every_holder(ctx):
    prog = subprocess.Popen([helper("shm_inherit"), "1000000", "2"], stdout=subprocess.PIPE,
                            text=True)
    try:
        said = Said(prog.stdout.readline() + prog.stdout.readline())
        parent, child = said.pid("parent"), said.pid("child")
        # the kernel's view: the child holds both mappings though it mapped nothing
        held = maps_of(child)
        check(any(p.endswith("/dev/zero (deleted)") for _, p in held) and
              any(p.endswith("ipctrace-inherit-%d" % parent) for _, p in held),
              "the child's maps do not show the inherited memory: %s" % held)
        r = run([IPCTRACE] + record_flags() + ["-p", "%d,%d" % (parent, child), "-d", "1",
                                               "-o", ctx.trace, "-w", ctx.svg], timeout=60)
        check(r.rc == 0, "ipctrace -p: " + r.why())
    finally:
        prog.kill()
        prog.wait()
        os.kill(child, signal.SIGKILL) if os.path.exists("/proc/%d" % child) else None
    j = report(ctx.trace)
    shm_channels(j, [parent, child], r"^shm:\[\d+\]$")
    shm_channels(j, [parent, child], r"ipctrace-inherit-%d$" % parent)
    futexes = [c for c in j["channels"] if c["kind"] == "futex" and c["endpoints"]]
    check(futexes, "the turns go through futexes: %s" % excerpt(j["channels"]))
    check(all(re.match(r"futex in shm:\[\d+\] \+0x[0-9a-f]+$", c["name"]) for c in futexes),
          "futexes in memory mapped before attach are named by mapping and offset: %s"
          % [c["name"] for c in futexes])


def test_threads_renamed_by_another_thread_carry_the_new_name(ctx):
    record(ctx, [helper("thread_rename")])
    said = Said(open(ctx.out).read())
    pid = said.pid("main")
    worker = said.num("worker", r"thread (\d+) is named")
    j = report(ctx.trace)
    threads = {t["tid"]: t["comm"] for p in j["processes"] if p["pid"] == pid for t in p["threads"]}
    want_worker = re.search(r"is named (\S+)", said.lines["worker"][0][1]).group(1)
    want_main = re.search(r"is named (\S+)", said.lines["main"][0][1]).group(1)
    check(threads.get(worker) == want_worker == "my-worker",
          "the worker renamed by the main thread: %s, /proc said %s" % (threads, want_worker))
    check(threads.get(pid) == want_main == "renamed-main",
          "the main thread renamed by prctl: %s, /proc said %s" % (threads, want_main))


def test_processes_carry_their_command_line_and_executable(ctx):
    exe = os.path.realpath(helper("proc_title"))
    prog = subprocess.Popen([helper("proc_title"), "6"], stdout=subprocess.PIPE, text=True)
    rec = None
    try:
        master = Said(prog.stdout.readline()).pid("master")
        with open("/proc/%d/cmdline" % master, "rb") as f:
            title = f.read().split(b"\0")[0].decode()
        check(title == "ipct-title: master", "/proc says the master is titled %r" % title)
        rec = subprocess.Popen([IPCTRACE, "-q", "-p", str(master), "-d", "2", "-o", ctx.trace,
                                "-w", ctx.svg], stdout=open(ctx.out, "w"), stderr=subprocess.PIPE,
                               text=True)
        check(wait_for(lambda: any(os.path.getsize(t) > 0 for t in
                                   glob.glob(ctx.trace + ".tmp.*")), 30), "recording did not start")
        time.sleep(0.3)
        os.kill(master, signal.SIGUSR1)
        worker = Said(prog.stdout.readline()).pid("worker")
        err = rec.communicate(timeout=60)[1]
        check(rec.returncode == 0, "ipctrace -p: %s" % err)
    finally:
        for p in (prog, rec):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    j = report(ctx.trace)
    m, w = process(j, master), process(j, worker)
    check(m["cmdline"] == "ipct-title: master" and m["exe"] == exe,
          "the attached process: %s" % excerpt(m))
    check(w["exe"] == exe, "a child forked while traced runs its parent's program: %s" % excerpt(w))
    check(w["cmdline"] == "ipct-title: worker 1",
          "the worker retitled itself after its fork (read at the stop): %s" % excerpt(w))
    text = run([IPCTRACE, "report", ctx.trace], timeout=60)
    check(text.rc == 0 and re.search(r"^\s+%d\s+%d\s+\S+\s+1\s+ipct-title: worker 1$" % (worker, master),
                                     text.out, re.M),
          "the text report's Processes table shows the worker's role: " + short(text.out, 2000))
    svg = open(ctx.svg).read()
    for pid, role in ((master, "ipct-title: master"), (worker, "ipct-title: worker 1")):
        check(">%s %d<" % (role, pid) in svg, "the lane label of %d shows its role %r" % (pid, role))


def test_a_worker_titled_late_keeps_its_title(ctx):
    """A forked worker titles itself 600 ms after its fork, past the recorder's first read of it
    (which finds its parent's title), and makes its argv unreadable to the kernel's read at its
    exit: only the recorder reading it again while it settles can give its role (a PostgreSQL
    backend whose read at exit was lost, or raced the stop, was drawn apart from its peers)."""
    record(ctx, [helper("late_title"), "3"])
    said = Said(open(ctx.out).read())
    server, worker = said.pid("server"), said.pid("worker")
    check("titled ipct-late: worker" in said.lines["worker"][0][1],
          "the worker did not say its title: %s" % said.lines)
    j = report(ctx.trace)
    check(process(j, server)["cmdline"] == "ipct-late: server",
          "the server: %s" % excerpt(process(j, server)))
    w = process(j, worker)
    check(w["cmdline"] == "ipct-late: worker" and w["ppid"] == server,
          "the worker titled after the recorder's first read of it: %s" % excerpt(w))


def test_exec_gives_the_new_command_line(ctx):
    record(ctx, ["/bin/sh", "-c", "/bin/sleep 0.2; true"])
    j = report(ctx.trace)
    sleeps = [p for p in j["processes"] if p["exe"] == "/bin/sleep"]
    check(len(sleeps) == 1 and sleeps[0]["cmdline"] == "/bin/sleep 0.2",
          "the exec'd sleep's argv: %s" % excerpt(j["processes"]))
    sh = [p for p in j["processes"] if p["cmdline"] == "/bin/sh -c /bin/sleep 0.2; true"]
    check(len(sh) == 1, "the shell's argv: %s" % excerpt(j["processes"]))
