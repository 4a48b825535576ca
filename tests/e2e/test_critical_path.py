"""Issue 10: the critical path through channels, on demos whose chains are known step by step
(the demo's own sleeps are the oracle) and on a real program (pgbench and its backend)."""

import json
import os
import pwd
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from lib import (IPCTRACE, SVG, Fail, Said, Skip, channels, check, endpoint, excerpt, expect_comm,
                 one_channel, one_line_error, process, record, record_flags, report, run,
                 run_counting_reads, short, tool, wait_for)
from apps import as_user, free_port, recording_began
from cp_steps import coverage_problem
from test_app_postgres import postgres_bin

TEST_TOOLS = os.environ.get("IPCTRACE_TEST_TOOLS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", ".output", "tools")

# A timer step is the kernel's hrtimer: its length is the demo's sleep within timer slack and
# the wakeup latency of a loaded machine (runnable time is a step of its own).
SLEEP_TOLERANCE_MS = 3.0
# A round whose waiter was itself still runnable (a loaded machine) when the post came never
# waited for it: that round's sleep is then the waiter's own time, not on its path.
ROUNDS_MISSED = 2


def critical_path(trace, tid, *extra):
    r = run([IPCTRACE, "critical-path", "--json", "--tid", str(tid)] + list(extra) + [trace],
            timeout=120)
    if r.rc != 0:
        raise Fail("ipctrace critical-path --tid %d: %s" % (tid, r.why()))
    try:
        return json.loads(r.out)
    except ValueError as e:
        raise Fail("critical-path --json is not JSON (%s): %s" % (e, short(r.out)))


def covers_window(cp):
    """The steps are contiguous and cover [from_ns, to_ns] exactly; by_thread adds up."""
    problem = coverage_problem(cp)
    check(problem is None, "%s" % short(problem or ""))


def steps(cp, tid, state, via=None, op=None):
    return [s for s in cp["path"] if s["tid"] == tid and s["state"] == state
            and (via is None or s["via"] == via) and (op is None or s["op"] == op)]


def ms(s):
    return (s["end_ns"] - s["start_ns"]) / 1e6


def lengths_near(found, want_ms, what, at_least):
    got = [round(ms(s), 2) for s in found]
    check(len(got) >= at_least, "%s: %d steps, expected >= %d: %s" % (what, len(got), at_least, got))
    med = statistics.median(got)
    check(abs(med - want_ms) <= SLEEP_TOLERANCE_MS, "%s: median %.2f ms, expected %d +- %.1f ms: %s"
          % (what, med, want_ms, SLEEP_TOLERANCE_MS, got))
    return got


def test_chain_over_pipe_socket_and_semaphore(ctx):
    rounds, source_ms, relay_ms, post_ms = 8, 60, 20, 10
    r = record(ctx, [tool("cp_chain"), str(rounds), str(source_ms), str(relay_ms), str(post_ms)])
    said = Said(r.out)
    src, rel, sink = said.pid("cp-source"), said.pid("cp-relay"), said.pid("cp-sink")
    j = report(ctx.trace)
    pipe = one_channel(j, "pipe", [src, rel])["id"]
    sock = one_channel(j, "unix-stream", [rel, sink])["id"]
    futex = one_channel(j, "futex", [rel, sink])["id"]
    cp = critical_path(ctx.trace, sink)
    covers_window(cp)
    check(cp["tid"] == sink and cp["comm"] == "cp-sink", "wrong thread: %s" % excerpt(cp, 200))
    # Each round the sink waits for the relay's sleep before the send (through the socket),
    # its sleep before the post (through the semaphore's futex), and before that for the
    # source's nanosleep (through the pipe) for what remains of the source's period.
    lengths_near(steps(cp, rel, "timer", via=sock, op="nanosleep"), relay_ms,
                 "relay's sleep before each send", rounds - ROUNDS_MISSED)
    lengths_near(steps(cp, rel, "timer", via=futex, op="nanosleep"), post_ms,
                 "relay's sleep before each post", rounds - ROUNDS_MISSED)
    # The source's sleep is on the path from when the relay waits on the pipe (after its own
    # sleeps, and however long a loaded machine kept it runnable) to the source's timer: its
    # length varies, its end does not: the source writes every source_ms.
    waits = steps(cp, src, "timer", via=pipe, op="nanosleep")
    writes = [s for s in cp["path"] if s["tid"] == src and s["handover"] and s["op"] == "write"]
    check(len(waits) >= rounds - 2 - ROUNDS_MISSED, "%d sleeps of the source on the path, "
          "expected >= %d" % (len(waits), rounds - 2 - ROUNDS_MISSED))
    # (the first round's sleep is all on the path: the relay waited from the start; a round
    # the sink or the relay spent runnable on a loaded machine moves where the path enters it)
    remains = source_ms - relay_ms - post_ms + SLEEP_TOLERANCE_MS
    longer = [round(ms(s), 2) for s in waits[1:] if ms(s) > remains]
    check(len(longer) <= ROUNDS_MISSED and statistics.median(ms(s) for s in waits[1:]) <= remains,
          "the source's sleep on the path is longer than what remains of its period (%.0f ms) "
          "in %d rounds: %s" % (remains, len(longer), [round(ms(s), 2) for s in waits]))
    ends = sorted(s["end_ns"] for s in waits)
    periods = [(b - a) / 1e6 for a, b in zip(ends, ends[1:])]
    check(periods and abs(statistics.median(periods) - source_ms) <= SLEEP_TOLERANCE_MS,
          "the source's timers should fire every %d ms: %s"
          % (source_ms, [round(p, 2) for p in periods]))
    check(len(writes) >= rounds - ROUNDS_MISSED, "hand-overs by the source's write: %d" % len(writes))
    hand = [(s["tid"], s["channel"], s["kind"], s["op"]) for s in cp["path"] if s["handover"]]
    for want in ((rel, sock, "unix-stream", "send"), (rel, futex, "futex", "futex_wake"),
                 (src, pipe, "pipe", "write")):
        n = hand.count(want)
        check(n >= rounds - ROUNDS_MISSED, "hand-over %s seen %d times, expected >= %d: %s"
              % (want, n, rounds - ROUNDS_MISSED, excerpt(hand, 400)))
    by_chan = {c["channel"]: c["ns"] / 1e6 for c in cp["by_channel"]}
    check({pipe, sock, futex} <= set(by_chan), "by_channel misses a channel: %s" % by_chan)
    # every round charges relay_ms to the socket, post_ms to the futex: nothing else does
    for chan, per_round in ((sock, relay_ms), (futex, post_ms)):
        check(by_chan[chan] >= (rounds - ROUNDS_MISSED) * per_round, "channel %d: %.1f ms on "
              "the path, expected >= %d x %d ms" % (chan, by_chan[chan], rounds - ROUNDS_MISSED,
                                                    per_round))
    check(cp["summary"].startswith("%d%% of cp-sink's time" % round(100 * cp["waiting_ns"]
                                   / (cp["to_ns"] - cp["from_ns"]))), cp["summary"])
    text = run([IPCTRACE, "critical-path", "--tid", str(sink), ctx.trace], timeout=60)
    check(text.rc == 0 and cp["summary"] in text.out, "text output lacks the summary line: %s"
          % short(text.out))


def test_window_is_cut_exactly(ctx):
    r = record(ctx, [tool("cp_chain"), "4", "40", "10", "5"])
    sink = Said(r.out).pid("cp-sink")
    cp = critical_path(ctx.trace, sink, "--from", "50ms", "--to", "120ms")
    covers_window(cp)
    check(cp["to_ns"] - cp["from_ns"] == 70000000, "window is %d ns, expected 70 ms"
          % (cp["to_ns"] - cp["from_ns"]))


def test_chain_between_threads_through_futexes(ctx):
    rounds, stage1_ms, stage2_ms = 8, 40, 10
    r = record(ctx, [tool("cp_threads"), str(rounds), str(stage1_ms), str(stage2_ms)])
    said = Said(r.out)
    tid = {role: said.num(role, r"tid (\d+)") for role in ("cp-stage1", "cp-stage2", "cp-waiter")}
    cp = critical_path(ctx.trace, tid["cp-waiter"])
    covers_window(cp)
    j = report(ctx.trace)
    kinds = {c["id"]: c["kind"] for c in j["channels"]}
    lengths_near(steps(cp, tid["cp-stage2"], "timer", op="nanosleep"), stage2_ms,
                 "stage 2's sleep before each post", rounds - ROUNDS_MISSED)
    # the first round starts the pipeline: stage 1 then sleeps its whole period
    lengths_near(steps(cp, tid["cp-stage1"], "timer", op="nanosleep")[1:],
                 stage1_ms - stage2_ms, "stage 1's sleep before each post",
                 rounds - 1 - ROUNDS_MISSED)
    via = {s["via"] for s in cp["path"] if s["state"] == "timer"}
    check(len(via) == 2 and all(kinds.get(v) == "futex" for v in via),
          "the sleeps should reach the waiter through two futexes, got via %s (kinds %s)"
          % (via, {v: kinds.get(v) for v in via}))
    hand = [(s["tid"], s["op"]) for s in cp["path"] if s["handover"]]
    for t in (tid["cp-stage1"], tid["cp-stage2"]):
        check(hand.count((t, "futex_wake")) >= rounds - ROUNDS_MISSED, "tid %d hands over by "
              "futex_wake %d times, expected >= %d: %s" % (t, hand.count((t, "futex_wake")),
                                                           rounds - ROUNDS_MISSED,
                                                           excerpt(hand, 400)))
    drawn_path_check(ctx, tid["cp-waiter"], cp)


def drawn_path_check(ctx, tid, cp):
    """render --critical-path TID (which walks the path while its second read draws the lanes)
    marks the lanes of the threads critical-path --json puts on the path, and no other, and its
    hand-over arrows stand for every hand-over to another thread: one each, or, closer than 8 px
    to the one before between the same two lanes, counted in that one's tooltip. Returns how many
    arrows stand for more than one."""
    svg = ctx.path("cp.svg")
    r = run([IPCTRACE, "render", "--critical-path", str(tid), "-o", svg, ctx.trace], timeout=60)
    check(r.rc == 0, "render --critical-path: " + r.why())
    x = run(["xmllint", "--noout", svg], timeout=30)
    check(x.rc == 0, "render --critical-path drew bad XML: " + x.why())
    group = [g for g in ET.parse(svg).getroot().iter(SVG + "g") if g.get("id") == "critical-path"]
    check(len(group) == 1, "%d critical-path groups in the SVG" % len(group))
    bands, arrows, merged, at = set(), 0, 0, {}
    for el in group[0]:
        title = el.find(SVG + "title")
        if el.tag == SVG + "rect" and el.get("class") in ("cpb", "cpe"):
            m = re.match(r"critical path: .* (\d+): ", title.text if title is not None else "")
            check(m, "a band without its step's tooltip: %s" % ET.tostring(el)[:200])
            bands.add(int(m.group(1)))
        elif el.tag == SVG + "path" and el.get("class") == "cph":
            more = re.search(r"\(\+(\d+) more", title.text if title is not None else "")
            arrows += 1 + (int(more.group(1)) if more else 0)
            merged += bool(more)
            d = re.match(r"M([\d.]+) ([\d.]+)L[\d.]+ ([\d.]+)", el.get("d", ""))
            check(d, "a hand-over arrow without its line: %s" % ET.tostring(el)[:200])
            # the two lanes by where the arrow leaves and lands
            at.setdefault((d.group(2), d.group(3)), []).append(float(d.group(1)))
    on_path = {s["tid"] for s in cp["path"]}
    check(bands == on_path, "the SVG bands threads %s, critical-path --json's steps are of %s"
          % (sorted(bands), sorted(on_path)))
    handovers = sum(1 for a, b in zip(cp["path"], cp["path"][1:]) if a["handover"] and
                    a["tid"] != b["tid"])
    check(arrows == handovers, "the hand-over arrows stand for %d hand-overs, critical-path --json "
          "has %d to another thread" % (arrows, handovers))
    for lanes, xs in at.items():
        xs.sort()
        close = [(a, b) for a, b in zip(xs, xs[1:]) if b - a < 8 - 0.05]
        check(not close, "hand-over arrows between the same lanes closer than 8 px: %s"
              % close[:5])
    return merged


def test_chain_ends_at_the_disk(ctx):
    reads = 32
    r = record(ctx, [tool("cp_disk"), str(reads)])
    said = Said(r.out)
    disk, waiter = said.pid("cp-disk"), said.pid("cp-waiter")
    cp = critical_path(ctx.trace, waiter)
    covers_window(cp)
    j = report(ctx.trace)
    files = {c["id"] for c in j["channels"] if c["kind"] == "file"}
    # cp-disk's O_DIRECT reads wait for the device: woken from its completion interrupt, or by
    # a kernel worker the block driver hands completions to (not traced); the walk ends there.
    ends = [s for s in cp["path"] if s["tid"] == disk and s["op"] == "read"
            and s["state"] in ("interrupt", "untraced")]
    check(ends, "no step of cp-disk waiting for the disk on the waiter's path: %s"
          % excerpt([s for s in cp["path"] if s["tid"] == disk], 600))
    check(all(s["channel"] in files and s["depth"] == 1 for s in ends),
          "the disk waits should be reads of the file, one level below the waiter: %s"
          % excerpt(ends, 400))
    pipe = one_channel(j, "pipe", [disk, waiter])["id"]
    check(all(s["via"] == pipe for s in ends), "they reach the waiter through the pipe: %s"
          % excerpt(ends, 400))


def test_deadlock_is_found_and_named(ctx):
    """A hang is what one attaches to: ipctrace -p on a program that greets its peer once,
    then deadlocks; both are asleep when the recording stops."""
    demo = subprocess.Popen([tool("deadlock"), "30", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    rec = None
    try:
        rec = subprocess.Popen([IPCTRACE] + record_flags() + ["-p", str(demo.pid), "-o", ctx.trace,
                                                             "--no-svg"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, start_new_session=True)
        check(wait_for(lambda: recording_began(ctx.trace), 30), "recording did not start")
        demo.stdin.write("go\n")
        demo.stdin.flush()
        lines = [demo.stdout.readline(), demo.stdout.readline()]
        time.sleep(0.5)  # both are now asleep in their second wait, for good
        rec.send_signal(signal.SIGINT)
        _, err = rec.communicate(timeout=60)
        check(rec.returncode == 0, "ipctrace -p stopped by SIGINT: exit %d: %s"
              % (rec.returncode, short(err.decode(errors="replace"))))
    finally:
        if rec and rec.poll() is None:
            os.killpg(rec.pid, signal.SIGKILL)
            rec.wait()
        os.killpg(demo.pid, signal.SIGKILL)
        demo.wait()
    check_deadlock(ctx.trace, Said("".join(lines)))


def check_deadlock(trace, said):
    """The demo's two processes (named by its own output) are stuck in each other's wait."""
    a, b = said.pid("dl-a"), said.pid("dl-b")
    j = report(trace)
    # the pipe dl-b wrote and dl-a read (their stdout is a pipe both write too)
    pipes = [c["id"] for c in channels(j, "pipe", [a, b])
             if endpoint(c, b)["sends"] and endpoint(c, a)["recvs"]]
    check(len(pipes) == 1, "expected one pipe from dl-b to dl-a: %s" % excerpt(channels(j, "pipe")))
    pipe = pipes[0]
    sock = one_channel(j, "unix-stream", [a, b])["id"]
    stuck = {s["pid"]: s for s in j.get("stuck", [])}
    check({a, b} <= set(stuck), "dl-a %d and dl-b %d should be stuck; stuck: %s"
          % (a, b, excerpt(j.get("stuck"))))
    check(stuck[a]["op"] == "read" and stuck[a]["channel"] == pipe and stuck[a]["waiting_for"] == [b],
          "dl-a waits in read on pipe #%d for dl-b: %s" % (pipe, excerpt(stuck[a])))
    check(stuck[b]["op"] == "recv" and stuck[b]["channel"] == sock and stuck[b]["waiting_for"] == [a],
          "dl-b waits in recv on socket #%d for dl-a: %s" % (sock, excerpt(stuck[b])))
    cycles = [[(m["pid"], m["channel"]) for m in c] for c in j.get("cycles", [])]
    check(cycles == [[(a, pipe), (b, sock)]], "expected the one cycle dl-a -> dl-b -> dl-a, "
          "got %s" % cycles)
    text = run([IPCTRACE, "report", trace], timeout=60)
    check("DEADLOCK: dl-a %d waits in read on #%d pipe for dl-b %d" % (a, pipe, b) in text.out,
          "the text report does not name the deadlock: %s" % short(text.out[-600:], 600))


def test_deadlock_of_a_command_run_for_a_duration(ctx):
    """The demo's documented use, `ipctrace -d 1 -- deadlock`: the recording ends before the
    command is stopped, so the signal that ends it does not end the waits it shows. (It did:
    both reads returned to the SIGTERM and nothing was stuck.)"""
    r = run([IPCTRACE] + record_flags() + ["-d", "1", "-o", ctx.trace, "--no-svg", "--no-report",
                                           "--", tool("deadlock"), "30"], timeout=60)
    # like time(1), ipctrace exits as the command did: killed by the SIGTERM of -d
    check(r.rc == 128 + signal.SIGTERM, "ipctrace -d 1 -- deadlock: exit %d, not the command's "
          "143 (SIGTERM at the end of -d): %s" % (r.rc, short(r.err)))
    said = Said(r.out)
    check_deadlock(ctx.trace, said)
    # dl-a, the command, is reaped by ipctrace; dl-b ends when dl-a's socket end closes
    for name in ("dl-a", "dl-b"):
        check(wait_for(lambda: not os.path.exists("/proc/%d" % said.pid(name)), 10),
              "%s %d outlived the recording it was started by" % (name, said.pid(name)))


def test_pgbench_client_waits_through_its_backends_socket(ctx):
    """A real program: PostgreSQL and its own benchmark client, both traced from the start;
    the client's critical path goes through the unix socket to the backend serving it."""
    bindir = postgres_bin()
    pw = pwd.getpwnam("postgres")
    os.chown(ctx.dir, pw.pw_uid, pw.pw_gid)
    data, port, txns = ctx.path("data"), str(free_port()), 200
    r = run([os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
             "--no-sync"], timeout=120, preexec=as_user("postgres"))
    check(r.rc == 0, "initdb: " + r.why())
    conn = "-h %s -p %s -U postgres" % (ctx.dir, port)
    script = ctx.path("bench.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n"
                "%(b)s/postgres -D %(d)s -k %(s)s -p %(p)s -c listen_addresses= -c fsync=off "
                ">%(s)s/postgres.log 2>&1 &\n"
                "S=$!\n"
                "for i in $(seq 300); do %(b)s/pg_isready -q %(c)s && break; sleep 0.1; done\n"
                "%(b)s/pgbench -i -s 1 -q %(c)s postgres >/dev/null 2>&1\n"
                "%(b)s/pgbench -n -S -c 1 -j 1 -t %(t)d %(c)s postgres\n"
                "kill -INT $S; wait $S\n"
                % {"b": bindir, "d": data, "s": ctx.dir, "p": port, "c": conn, "t": txns})
    os.chmod(script, 0o755)
    r = record(ctx, ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", script],
               timeout=180)
    m = re.search(r"actually processed: (\d+)/", r.out)
    check(m and int(m.group(1)) == txns, "pgbench did not finish: " + short(r.out))
    j = report(ctx.trace, allow_lost=True)
    # the benchmark's client: the pgbench whose socket carried every transaction's answer
    served = [(p["pid"], c) for p in j["processes"] if p.get("comm") == "pgbench"
              for c in j["channels"] if c.get("kind") == "unix-stream"
              for e in c["endpoints"] if e["pid"] == p["pid"] and e.get("recvs", 0) >= txns]
    check(len(served) == 1, "expected one pgbench with >= %d receives on a unix socket: %s"
          % (txns, excerpt([(p, c["id"]) for p, c in served])))
    client, sock = served[0]
    # its connection is one channel of two ends, however the kernel reused the socket addresses
    # of pg_isready's and pgbench -i's connections before it, and its backend answered each
    # transaction
    check(len(sock["endpoints"]) == 2, "the client's connection has %d ends: %s"
          % (len(sock["endpoints"]), excerpt([(e["pid"], e.get("comm"), e.get("sends"))
                                              for e in sock["endpoints"]])))
    backends = sorted((e for e in sock["endpoints"] if e["pid"] != client),
                      key=lambda e: e.get("sends", 0), reverse=True)
    check(backends and backends[0].get("sends", 0) >= txns // 2, "no backend answered the "
          "client's transactions on its socket: %s"
          % excerpt([(e["pid"], e.get("comm"), e.get("sends"), e.get("recvs"))
                     for e in sock["endpoints"]]))
    backend = backends[0]["pid"]
    expect_comm(j, backend, "postgres")
    cp = critical_path(ctx.trace, client)
    covers_window(cp)
    top = cp["by_channel"][0] if cp["by_channel"] else {}
    check(top.get("channel") == sock["id"], "the client's wait should go most through its "
          "backend's socket #%d, by_channel: %s" % (sock["id"], excerpt(cp["by_channel"])))
    # (or, before the backend was born, the postmaster's forking it)
    postmaster = process(j, backend).get("ppid")
    via = [s for s in cp["path"] if s["via"] == sock["id"]]
    check(via and all(s["pid"] in (backend, postmaster) for s in via),
          "time through socket #%d should be the backend %d's: %s"
          % (sock["id"], backend, excerpt([s for s in via if s["pid"] != backend][:5])))
    answers = [s for s in via if s["handover"] and s["op"] == "send"]
    check(len(answers) >= txns // 2, "%d hand-overs by the backend's send, expected >= %d "
          "(one per transaction it kept the client waiting for)" % (len(answers), txns // 2))


@pytest.mark.nobpf
def test_critical_path_usage_errors(ctx):
    """Each mistake is one line on stderr naming what to give, and no output."""
    trace = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus", "pingpong.trace")
    for argv, code, words in (
            ([trace], 2, ["--tid"]),
            (["--tid", "x", trace], 2, ["--tid"]),
            (["--tid", "1", "--from", "2", "--to", "1", trace], 2, ["--to"]),
            (["--tid", "4000000", trace], 1, ["not in trace"]),
            (["--tid", "1", "--lang", "xx", trace], 2, ["--lang"]),
            (["--tid", "1", ctx.path("missing.trace")], 1, ["missing.trace"])):
        r = run([IPCTRACE, "critical-path"] + argv, timeout=30)
        one_line_error(r, "critical-path %s" % " ".join(argv[:-1]), words)
        check(r.rc == code, "critical-path %s: exit %d, expected %d" % (argv, r.rc, code))
        check(not r.out, "critical-path %s printed on stdout: %s" % (argv, short(r.out)))


def test_dense_hand_overs_are_drawn_apart_and_counted(ctx):
    """A recorded ping-pong hands over twice a round, several rounds a pixel: an arrow per
    pixel column painted the space between its lanes solid red. The arrows between two lanes
    stand 8 px apart, and their tooltips count every hand-over of the path critical-path
    --json gives (the oracle: its steps, walked by the command, not by the drawing)."""
    r = record(ctx, [tool("pingpong"), "1000"], extra=["--no-svg"])
    ping = Said(r.out).pid("ping")
    cp = critical_path(ctx.trace, ping)
    covers_window(cp)
    merged = drawn_path_check(ctx, ping, cp)
    check(merged > 0, "1000 rounds drawn without an arrow standing for more than one hand-over")


def path_read(ctx, trace, tid, name):
    """critical-path --json of tid into a file, and the bytes its pread64 calls got (strace)."""
    out = ctx.path(name + ".cp.json")
    r, total = run_counting_reads([IPCTRACE, "critical-path", "--json", "--tid", str(tid), trace],
                                  ctx.path(name + ".strace"), timeout=120, stdout_path=out)
    check(r.rc == 0, "critical-path --tid %d of %s: %s" % (tid, name, r.why()))
    return out, total


def steps_check(*files):
    """cp_steps.py on a critical-path JSON (and an export's): in a process of its own."""
    r = run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          "cp_steps.py")] + list(files))
    check(r.rc == 0 and r.out.startswith("ok "), "%s: %s" % (os.path.basename(files[0]),
                                                           short(r.out + r.err)))


def test_critical_path_reads_once_and_again_when_a_thread_comes_late(ctx):
    """Issue 13: critical-path walks while it reads the trace; where a thread's events come
    late (the ring gives one thread's SLEEP after the wakeups it explains), what the walk read
    has changed and the trace is read again and walked whole. Oracles: strace's count of the
    bytes read against the file's size, and the path Perfetto's export walks (after a whole
    read) on the same trace."""
    if not shutil.which("strace"):
        raise Skip("strace is not installed (tools/install-deps.sh installs it)")
    r = record(ctx, [tool("pingpong"), "5000"], extra=["--no-svg"])
    said = Said(r.out)
    ping, pong = said.pid("ping"), said.pid("pong")
    size = os.path.getsize(ctx.trace)
    out, got = path_read(ctx, ctx.trace, ping, "whole")
    # export walks the same path while its second read draws the tracks
    export = ctx.path("whole.json")
    e = run([IPCTRACE, "export", "--perfetto", "--format", "json", "--critical-path", str(ping),
             "-o", export, ctx.trace], timeout=120)
    check(e.rc == 0, "export --critical-path: " + e.why())
    steps_check(out, export)
    # One read: the ring gives two CPUs' events out of clock order by microseconds (1 recording
    # in 6 here had a stretch 2.3 us older than one read before it), which the walk waits out
    check(got < 1.5 * size, "critical-path read %d bytes of a %d-byte trace: more than once"
          % (got, size))
    # pong's events 3000 events (milliseconds) late: its stretches arrive after ping's waits
    # they explain, later than the walk waits
    late = ctx.path("late.trace")
    t = run([os.path.join(TEST_TOOLS, "trace_late"), ctx.trace, late, str(pong), "3000"])
    check(t.rc == 0, "trace_late: " + t.why())
    out, got = path_read(ctx, late, ping, "late")
    check(got > 1.9 * os.path.getsize(late), "critical-path read %d bytes of the %d-byte trace "
          "with pong's events late: once, though the walk had passed them"
          % (got, os.path.getsize(late)))
    export = ctx.path("late.json")
    e = run([IPCTRACE, "export", "--perfetto", "--format", "json", "--critical-path", str(ping),
             "-o", export, late], timeout=120)
    check(e.rc == 0, "export --critical-path: " + e.why())
    steps_check(out, export)
