"""Issue 2: recording pipes and FIFOs, attaching with -p, outputs, the JSON contract."""

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

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check, Fail, Skip


# --- issue 2: pipes and FIFOs ----------------------------------------------

def test_pipe_blocking(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_blocking", ["16", "4096", "5"],
                                                "reader", "sync-blocking")
    expect(endpoint(ch, w), "mode", None, "writer (never waited: 4 KiB writes into a 64 KiB pipe)")
    expect_ge(endpoint(ch, rd), "blocked", writes // 2, "reader")
    expect_ge(endpoint(ch, rd), "blocked_ns", 1, "reader")
    expect_wakeups(j, w, rd, ch["id"], writes // 2, "writer wakes reader")


def test_pipe_nonblock_poll(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_nonblock_poll",
                                                ["8", "4096", "10", "20"], "poller",
                                                "sync-nonblocking")
    ep = endpoint(ch, rd)
    expect(ep, "eagain", said.num("poller", r"(\d+) EAGAIN"), "poller")
    expect_never_waited(ep, "poller (O_NONBLOCK reads never sleep)")


def test_pipe_poll(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_poll", ["16", "4096", "5"],
                                                "poll-reader", "async-blocking")
    expect_ge(endpoint(ch, rd), "blocked", writes // 2, "poll-reader")
    expect(endpoint(ch, rd), "eagain", 0, "poll-reader")
    expect_wakeups(j, w, rd, ch["id"], writes // 2, "writer wakes poll-reader")


def test_pipe_full_writer_blocks(ctx):
    # 256 KiB through a 64 KiB pipe read 16 KiB every 5 ms: the writer waits for room, the
    # reader finds data (it never waited: mode null). Under load either may go otherwise: each
    # side counts its calls that slept, and the report must agree with those counts.
    def reader_mode(said):
        return "sync-blocking" if said.num("slow-reader", r"(\d+) of them slept") else None
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_full", [str(256 << 10), "16384", "5"],
                                                "slow-reader", reader_mode)
    slept = said.num("writer", r"(\d+) of them slept")
    check(slept >= 1, "the writer never found the pipe full: %s" % said.lines)
    expect(endpoint(ch, w), "mode", "sync-blocking", "writer")
    expect(endpoint(ch, w), "blocked", slept, "writer")
    expect(endpoint(ch, rd), "blocked", said.num("slow-reader", r"(\d+) of them slept"),
           "slow-reader")
    expect_wakeups(j, rd, w, ch["id"], slept, "slow-reader wakes writer")


def test_pipe_zero_timeout_poll(ctx):
    # poll() with a zero timeout in a loop never sleeps: busy-waiting, like EAGAIN retries.
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_poll", ["4", "4096", "5", "0"],
                                                "poll-reader", "sync-nonblocking")
    check(said.num("poll-reader", r"(\d+) empty") > 0, "the reader never polled in vain")
    expect_never_waited(endpoint(ch, rd), "poll-reader (zero-timeout polls never sleep)")


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


def test_command_io_and_exit_status(ctx):
    """-- COMMAND gets ipctrace's stdin and stdout, and its exit status is ipctrace's."""
    p = subprocess.run([IPCTRACE] + record_flags() + ["-o", ctx.trace, "-w", ctx.svg, "--", "sh",
                        "-c", "tr a-z A-Z; exit 7"], input=b"hello through ipctrace\n",
                       capture_output=True, timeout=RECORD_TIMEOUT)
    check(p.stdout == b"HELLO THROUGH IPCTRACE\n", "stdout of the command: %r" % p.stdout[:200])
    check(p.returncode == 7, "exit status %d, the command's was 7; stderr: %s"
          % (p.returncode, short(p.stderr.decode(errors="replace"))))
    report(ctx.trace)


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


def test_text_report(ctx):
    record(ctx, [tool("pipe_poll"), "8", "1024", "2"])
    r = run([IPCTRACE, "report", ctx.trace], timeout=60)
    check(r.rc == 0, "report: " + r.why())
    for word in ("pipe", "simplex", "async-blocking", "writer", "poll-reader"):
        check(word in r.out, "text report does not mention %r: %s" % (word, short(r.out, 400)))


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


def test_json_contract(ctx):
    """Every field DESIGN.md promises, with its type and its vocabulary, on a mixed trace."""
    t = TOOLS
    r = record(ctx, ["sh", "-c", "%s/pipe_blocking 4 64 1; %s/unix_stream 4 64 1; %s/mq_pair 4 64 1; "
                     "%s/pipe_nonblock_poll 2 64 2 20; %s/threads_futex 4 1" % (t, t, t, t, t)])
    # Under load the poller may find its data there at every try: what it did decides.
    retried = Said(r.out).num("poller", r"(\d+) EAGAIN retries") > 0
    j = report(ctx.trace)
    check_fields(j["trace"], {"duration_ns": int, "events": int, "lost_events": int,
                              "unseen_switch_ins": int}, "trace")
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
    want = {"sync-blocking", "sync-nonblocking"} if retried else {"sync-blocking"}
    check(want <= modes, "modes seen: %s (the poller retried: %s)" % (sorted(map(str, modes)), retried))
