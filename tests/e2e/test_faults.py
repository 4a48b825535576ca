"""Issue 6: bad input, faults during a recording, hostile names."""

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

import pytest

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check, Fail, Skip


# --- issue 6: bad input, faults, hostile names ----------------------------

def test_error_no_such_pid(ctx):
    pid = unused_pid()
    r = run([IPCTRACE, "-p", str(pid), "-d", "2", "-o", ctx.trace, "-w", ctx.svg], timeout=30)
    one_line_error(r, "-p %d" % pid, [str(pid)])


def test_error_command_not_found(ctx):
    r = run([IPCTRACE, "-o", ctx.trace, "-w", ctx.svg, "--", "/nonexistent/ipctrace-no-cmd"],
            timeout=30)
    one_line_error(r, "missing command", ["/nonexistent/ipctrace-no-cmd"])


@pytest.mark.nobpf
def test_error_unknown_option(ctx):
    r = run([IPCTRACE, "--no-such-option-xyz"], timeout=10)
    one_line_error(r, "unknown option", ["no-such-option-xyz", "unrecognized", "unknown", "usage"])


@pytest.mark.nobpf
def test_error_bad_duration(ctx):
    r = run([IPCTRACE, "-d", "soon", "-o", ctx.trace, "--", "true"], timeout=10)
    one_line_error(r, "-d soon", ["soon", "-d", "duration", "seconds"])


@pytest.mark.nobpf
def test_error_report_unknown_option(ctx):
    r = run([IPCTRACE, "report", "--xml", ctx.trace], timeout=10)
    one_line_error(r, "report --xml", ["xml", "unrecognized", "unknown", "usage"])


def test_error_unwritable_output(ctx):
    bad = "/nonexistent-ipctrace-dir/t.trace"
    r = run([IPCTRACE, "-o", bad, "-w", ctx.svg, "--", "true"], timeout=30)
    one_line_error(r, "-o " + bad, [bad, "nonexistent-ipctrace-dir"])


def test_error_unwritable_svg(ctx):
    bad = "/nonexistent-ipctrace-dir/t.svg"
    r = run([IPCTRACE, "-o", ctx.trace, "-w", bad, "--", "true"], timeout=30)
    one_line_error(r, "-w " + bad, [bad, "nonexistent-ipctrace-dir"])


def as_nobody():
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def ipctrace_for_nobody(ctx):
    """A copy of the binary in the test's 0755 directory: a clone under a 0700 directory
    (root's home) has an ipctrace nobody cannot reach."""
    path = ctx.path("ipctrace")
    shutil.copy(IPCTRACE, path)
    os.chmod(path, 0o755)
    return path


@pytest.mark.nobpf
def test_error_not_root(ctx):
    out = ctx.path("open")
    os.mkdir(out)
    os.chmod(out, 0o777)
    r = run([ipctrace_for_nobody(ctx), "-o", os.path.join(out, "t.trace"),
             "-w", os.path.join(out, "t.svg"), "--", "true"],
            timeout=30, preexec=as_nobody if os.geteuid() == 0 else None)
    one_line_error(r, "recording as nobody", ["root", "CAP_BPF", "capabilit", "permission"])


@pytest.mark.nobpf
def test_error_report_missing(ctx):
    r = run([IPCTRACE, "report", "--json", ctx.path("missing.trace")], timeout=10)
    one_line_error(r, "report of a missing file", ["missing.trace"])
    check(not r.out.strip(), "report of a missing file printed: %s" % short(r.out))


@pytest.mark.nobpf
def test_error_report_directory(ctx):
    r = run([IPCTRACE, "report", "--json", ctx.dir], timeout=10)
    one_line_error(r, "report of a directory", [ctx.dir, "directory"])


@pytest.mark.nobpf
def test_error_report_empty(ctx):
    open(ctx.trace, "w").close()
    r = run([IPCTRACE, "report", "--json", ctx.trace], timeout=10)
    one_line_error(r, "report of an empty file", ["empty", "t.trace", "trace"])


@pytest.mark.nobpf
def test_error_report_text_file(ctx):
    with open(ctx.trace, "w") as f:
        f.write("this is not an ipctrace trace\n" * 100)
    for cmd in (["report", "--json"], ["report"], ["render", "-o", ctx.svg]):
        r = run([IPCTRACE] + cmd + [ctx.trace], timeout=10)
        one_line_error(r, "%s of a text file" % " ".join(cmd), ["trace", "t.trace"])


@pytest.mark.nobpf
def test_report_unprivileged(ctx):
    """Reading a trace needs no privileges: nobody reads a copy it owns."""
    if bpf_unavailable():
        raise Skip("needs a recorded trace: " + bpf_unavailable())
    record(ctx, [tool("pipe_blocking"), "4", "64", "1"])
    mine = ctx.path("nobody.trace")
    shutil.copy(ctx.trace, mine)
    nobody = pwd.getpwnam("nobody")
    os.chown(mine, nobody.pw_uid, nobody.pw_gid)
    r = run([ipctrace_for_nobody(ctx), "report", "--json", mine], timeout=30, preexec=as_nobody)
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


def test_sigterm_leaves_readable_trace(ctx):
    stop_recording_with(ctx, signal.SIGTERM)


def test_sigint_leaves_readable_trace(ctx):
    stop_recording_with(ctx, signal.SIGINT)


def test_sighup_leaves_readable_trace(ctx):
    stop_recording_with(ctx, signal.SIGHUP)


def test_existing_trace_not_clobbered(ctx):
    old = b"previous trace, must survive until the new one is complete\n"
    for path in (ctx.trace, ctx.svg):
        with open(path, "wb") as f:
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
        with open(ctx.svg, "rb") as f:
            check(f.read() == old, "existing %s was overwritten while recording" % ctx.svg)
        tmp = glob.glob(ctx.trace + ".tmp.*")
        check(len(tmp) == 1, "expected the trace under one temporary name beside it: %s"
              % os.listdir(ctx.dir))
        check(os.stat(tmp[0]).st_mode & 0o777 == 0o600, "the temporary trace is not 0600")
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=15)
        check(p.returncode == 128 + signal.SIGTERM, "ipctrace exit %d" % p.returncode)
        left = sorted(os.listdir(ctx.dir))
        check(not [f for f in left if ".tmp." in f], "temporary files left: %s" % left)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        try:
            os.kill(int(open(pidfile).read()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
    report(ctx.trace)
    with open(ctx.svg, "rb") as f:
        check(b"<svg" in f.read(4096), "the SVG was not replaced once complete")


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


ESC_PATH = "\x1b[31mx\x1b]0;title\x07"


def no_raw_controls(text, what):
    bad = [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
    check(not bad, "%s: raw control characters reach the terminal: %r in %s"
          % (what, bad[:5], short(text)))


@pytest.mark.nobpf
def test_error_echo_escapes_controls(ctx):
    """Messages that echo what the user typed never print it raw (a pasted escape sequence)."""
    for argv, word in ((["-p", "12\x1b[2J"], "-p"), (["-d", "1\x1b[2J"], "-d"),
                       (["report", "--json", ctx.path(ESC_PATH)], "cannot read"),
                       (["render", "--pid", "1\x1b[H"], "--pid")):
        r = run([IPCTRACE] + argv, timeout=10)
        msg = one_line_error(r, " ".join(argv), [word])
        no_raw_controls(r.err, "ipctrace " + " ".join(map(repr, argv)))
        check("\\x1b" in msg, "the message hides the escape instead of showing it: " + short(msg))


def test_record_messages_escape_controls(ctx):
    """An unwritable hostile -o path, and the summary of a recording to hostile names."""
    bad = ctx.path(ESC_PATH + "/t.trace")
    r = run([IPCTRACE, "-o", bad, "-w", ctx.svg, "--", "true"], timeout=30)
    msg = one_line_error(r, "-o in a missing hostile directory", ["cannot write trace"])
    no_raw_controls(r.err, "-o %r" % bad)
    check("\\x1b[31mx" in msg, "the message does not show the path escaped: " + short(msg))
    trace, svg = ctx.path(ESC_PATH + ".trace"), ctx.path(ESC_PATH + ".svg")
    r = run([IPCTRACE, "--no-report", "-o", trace, "-w", svg, "--", "true"], timeout=30)
    check(r.rc == 0, "recording to hostile names: " + r.why())
    check("wrote " in r.err, "no summary line on stderr: " + short(r.err))
    no_raw_controls(r.err, "summary of a recording to %r" % trace)
    check(os.path.exists(trace) and os.path.exists(svg), "the outputs are not under their names")
    report(trace)


def recording_began(trace):
    """The temporary trace has its header: written once the BPF programs are attached."""
    return any(os.path.getsize(t) > 0 for t in glob.glob(trace + ".tmp.*"))


def svg_count(n):
    return "{:,}".format(n)


def test_lost_events_counted_where_lost(ctx):
    """The recorder is stopped (SIGSTOP) while a ping-pong fills a 1 MiB ring: the kernel must
    drop events; their exact count reaches the summary, the report, the JSON and the SVG, and
    the lost stretch lies where the recorder was stopped."""
    p = subprocess.Popen([IPCTRACE, "--no-report", "-b", "1", "-o", ctx.trace, "-w", ctx.svg,
                          "--", tool("pingpong"), "200000"], stdout=open(ctx.out, "w"),
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        check(wait_for(lambda: recording_began(ctx.trace), 30), "recording did not start")
        time.sleep(0.5)
        t_stop = time.monotonic_ns()
        os.kill(p.pid, signal.SIGSTOP)
        time.sleep(1.0)
        os.kill(p.pid, signal.SIGCONT)
        t_cont = time.monotonic_ns()
        _, err = p.communicate(timeout=RECORD_TIMEOUT)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    err = err.decode(errors="replace")
    check(p.returncode == 0, "ipctrace exit %d: %s" % (p.returncode, short(err)))
    check("round trips" in open(ctx.out).read(), "pingpong did not finish")
    j = report(ctx.trace, allow_lost=True)
    lost = j["trace"]["lost_events"]
    check(lost > 0, "no event lost with a 1 MiB ring and the recorder stopped for 1 s")
    recs = j["trace"].get("lost") or []
    check(sum(r["count"] for r in recs) == lost, "lost records %s do not add up to %d"
          % (recs, lost))
    m = re.search(r"dropped (\d+) events", err)
    check(m and int(m.group(1)) == lost, "the recorder's warning does not say %d: %s"
          % (lost, short(err)))
    # what to do next, as a number: four times the ring that overflowed
    check(re.search(r"e\.g\. -b 4\b", err), "the warning names no bigger ring than -b 1: %s"
          % short(err))
    m = re.search(r"\((\d+) events, (\d+) lost", err)
    check(m and int(m.group(2)) == lost, "the summary does not say %d lost: %s" % (lost, short(err)))
    check(any(r["first_ns"] <= t_cont and r["last_ns"] >= t_stop for r in recs),
          "no lost stretch overlaps the stop (%d..%d): %s" % (t_stop, t_cont, recs))
    text = run([IPCTRACE, "report", ctx.trace], timeout=60)
    check(text.rc == 0, "report: " + text.why())
    check(re.search(r"\b%d lost events" % lost, text.out), "text report does not say %d lost events"
          % lost)
    with open(ctx.svg, encoding="utf-8") as f:
        body = f.read()
    check("LOST %s events" % svg_count(lost) in body, "the SVG does not say LOST %s events"
          % svg_count(lost))
    start = j["trace"]["start_ns"]
    # Records that fall in one pixel column are drawn as one mark: the marks add up to the
    # count, and each record lies inside a mark's own time range (trace time, in ms).
    marks = [(int(n.replace(",", "")), float(a), float(b)) for n, a, b in re.findall(
        r"LOST: ([\d,]+) events dropped[^<]*CPU \d+, ([\d.]+) ms \S+ ([\d.]+) ms", body)]
    check(sum(m[0] for m in marks) == lost, "the SVG's LOST marks %s do not add up to %d"
          % (marks, lost))
    for r in recs:
        a, b = (r["first_ns"] - start) / 1e6, (r["last_ns"] - start) / 1e6
        check(any(m[1] - 0.01 <= a and b <= m[2] + 0.01 for m in marks),
              "lost record %.3f..%.3f ms (CPU %d) is under no LOST mark: %s"
              % (a, b, r["cpu"], marks))


STATUS = re.compile(r"\r\x1b\[Kipctrace: (\d+\.\d) s, (\d+) events, (\d+) lost, (\d+) KiB")


def record_stderr_on_pty(ctx, extra):
    """Records `sleep 1.2` with stderr on a pseudo-terminal; returns (exit, what the tty got)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([IPCTRACE, "--no-report"] + extra + ["-o", ctx.trace, "-w", ctx.svg,
                          "--", "sleep", "1.2"], stdin=subprocess.DEVNULL,
                         stdout=open(ctx.out, "w"), stderr=slave, start_new_session=True)
    os.close(slave)
    got = b""
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer of the tty has closed it
                break
            if not chunk:
                break
            got += chunk
        p.wait(timeout=RECORD_TIMEOUT)
    finally:
        os.close(master)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return p.returncode, got.decode(errors="replace")


def test_status_line_on_tty_only(ctx):
    rc, tty = record_stderr_on_pty(ctx, [])
    check(rc == 0, "recording with stderr on a tty: exit %d: %s" % (rc, short(tty)))
    shown = STATUS.findall(tty)
    check(len(shown) >= 3, "expected a live status line refreshed on the tty, got %d: %r"
          % (len(shown), tty[:300]))
    secs = [float(s[0]) for s in shown]
    check(secs == sorted(secs) and secs[-1] >= 1.0, "elapsed time does not run: %s" % secs)
    check(int(shown[-1][1]) > 0 and shown[-1][2] == "0", "last status: %s" % (shown[-1],))
    # The line is cleared before the summary, which starts on a clean line.
    check(re.search(r"\r\x1b\[K(\r\n|\n)?ipctrace: wrote ", tty), "the status line is not "
          "cleared before the summary: %r" % tty[-300:])
    rc, tty = record_stderr_on_pty(ctx, ["-q"])
    check(rc == 0 and not STATUS.search(tty) and "\x1b" not in tty,
          "-q still shows a status line on the tty: %r" % tty[:200])
    r = run([IPCTRACE, "--no-report", "-o", ctx.trace, "-w", ctx.svg, "--", "sleep", "1.2"],
            timeout=RECORD_TIMEOUT)
    check(r.rc == 0, "recording with stderr in a file: " + r.why())
    check("wrote " in r.err, "no summary with stderr in a file: " + short(r.err))
    check("\r" not in r.err and "\x1b" not in r.err and " s, " not in r.err.split("wrote")[0],
          "a status line went to stderr that is not a tty: %r" % r.err[:300])


def test_exec_fork_threads_followed_memory_bounded(ctx):
    """-p on a shell that then execs a program starting 200 processes and 1000 threads: every
    one is followed, and ipctrace's own peak memory (its wait4 maxrss: it has no children
    here) stays bounded. The shell execs only once the kernel's traced set holds it: under
    load attaching takes seconds, and what ran before it is not the recorder's to see."""
    children, threads = 200, 1000
    # stopped until told to go (a signal, not a read: no channel of its own in the picture)
    w = subprocess.Popen(["sh", "-c", "kill -STOP $$; exec %s %d %d" % (tool("many_tasks"),
                                                                       children, threads)],
                         stdout=open(ctx.out, "w"), stdin=subprocess.DEVNULL, start_new_session=True)
    p = subprocess.Popen([IPCTRACE, "-q", "--no-report", "-o", ctx.trace, "-w", ctx.svg, "-p",
                          str(w.pid)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(ctx.path("err"), "w"), start_new_session=True)
    try:
        traced = wait_traced(p.pid, w.pid)
        check(wait_for(lambda: proc_state(w.pid) == "T", 30), "the shell never stopped itself")
        os.kill(w.pid, signal.SIGCONT)
        check(traced, "ipctrace never traced pid %d: %s" % (w.pid,
                                                           short(open(ctx.path("err")).read())))
        t = threading.Timer(RECORD_TIMEOUT, lambda: os.killpg(p.pid, signal.SIGKILL))
        t.start()
        _, status, ru = os.wait4(p.pid, 0)
        t.cancel()
        w.wait(timeout=30)
    finally:
        for q in (p, w):
            if q.poll() is None:
                os.killpg(q.pid, signal.SIGKILL)
    err = open(ctx.path("err")).read()
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          "ipctrace -p: status %#x: %s" % (status, short(err)))
    check(not re.search(r"Sanitizer|runtime error", err), "ipctrace crashed: " + short(err))
    said = Said(open(ctx.out).read())
    col = said.pid("collector")
    check(col == w.pid and said.num("collector", r"(\d+) failed") == 0, "demo: %s" % said.lines)
    j = report(ctx.trace)
    proc = process(j, col)
    check(proc.get("comm") != "sh", "the exec of pid %d was not followed (still named sh)" % col)
    tids = [t for t in proc.get("threads", []) if t.get("comm") == "task-thread"]
    check(len(tids) == threads, "%d threads named task-thread, expected %d" % (len(tids), threads))
    kids = [q for q in j["processes"] if q.get("pid") != col and
            "task-child" in {q.get("comm")} | {t.get("comm") for t in q.get("threads", [])}]
    check(len(kids) == children, "%d child processes followed, expected %d" % (len(kids), children))
    ch = [c for c in channels(j, "pipe", [col]) if endpoint(c, col).get("bytes_received")]
    check(len(ch) == 1, "expected one pipe the collector reads, found %d" % len(ch))
    expect(endpoint(ch[0], col), "bytes_received", 8 * (children + threads), "collector")
    limit = 128 << 10  # KiB; measured ~40 MiB here
    if "-san" in IPCTRACE:
        limit *= 4  # ASan's shadow memory and quarantine
    check(ru.ru_maxrss < limit, "ipctrace peaked at %d MiB for %d processes and %d threads "
          "(bound %d MiB)" % (ru.ru_maxrss >> 10, children, threads, limit >> 10))


def test_signal_during_setup_leaves_nothing(ctx):
    """SIGTERM, SIGINT or SIGHUP while the BPF programs load: a clean stop with one line, and
    no temporary trace or SVG left behind; later, a complete trace."""
    seen = set()
    for i, delay in enumerate((0.01, 0.03, 0.05, 0.07, 0.09, 0.12, 0.2, 0.4)):
        sig = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)[i % 3]
        out = ctx.path("run%d" % i)
        os.mkdir(out)
        p = subprocess.Popen([IPCTRACE, "--no-report", "-o", os.path.join(out, "t.trace"), "-w",
                              os.path.join(out, "t.svg"), "--", "sleep", "10"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(delay)
        p.send_signal(sig)
        try:
            _, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            raise Fail("ipctrace did not stop within 20s of %s at %.2fs" % (sig.name, delay))
        err = err.decode(errors="replace")
        what = "%s %.2fs after start" % (sig.name, delay)
        left = sorted(os.listdir(out))
        check(not [f for f in left if ".tmp." in f], "%s left temporary files: %s" % (what, left))
        check(not re.search(r"Sanitizer|runtime error", err), "%s: crashed: %s" % (what, short(err)))
        if p.returncode == -sig:
            seen.add("killed before setup")  # before main ran: nothing created yet
            check(not left, "%s killed ipctrace, which left %s" % (what, left))
        elif p.returncode == 128 + sig:
            seen.add("recorded")
            check(left == ["t.svg", "t.trace"], "%s: a complete recording left %s" % (what, left))
            report(os.path.join(out, "t.trace"))
        else:
            seen.add("stopped in setup")
            one_line_error(Run(p.returncode, "", err, 0), what, ["before recording began"])
            check("SIG" + sig.name[3:] in err, "%s: the message does not name it: %s"
                  % (what, short(err)))
            check(not left, "%s: stopped in setup but left %s" % (what, left))
    check("stopped in setup" in seen, "no signal landed during setup: %s" % seen)


@pytest.mark.nobpf
def test_make_install(ctx):
    """make install PREFIX=... puts the binary and the man page there; man -l renders the page
    without a warning, and it documents every option --help lists."""
    if not shutil.which("man"):
        raise Fail("man is not installed (apt-get install man-db)")
    prefix = ctx.path("prefix")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    # Install the binary under test (the sanitizer build's too); never rebuild it mid-suite.
    r = run(["make", "-s", "-C", ROOT, "-o", IPCTRACE, "install", "IPCTRACE_BIN=" + IPCTRACE,
             "PREFIX=" + prefix], timeout=120, env=env)
    check(r.rc == 0, "make install PREFIX=%s: %s" % (prefix, r.why()))
    binary = os.path.join(prefix, "bin", "ipctrace")
    page = os.path.join(prefix, "share", "man", "man1", "ipctrace.1")
    for path, mode in ((binary, 0o755), (page, 0o644)):
        check(os.path.isfile(path), "make install did not install %s" % path)
        got = os.stat(path).st_mode & 0o777
        check(got == mode, "%s is mode %o, expected %o" % (path, got, mode))
    mine = run([IPCTRACE, "--version"], timeout=10)
    inst = run([binary, "--version"], timeout=10)
    check(inst.rc == 0 and inst.out == mine.out and inst.out.startswith("ipctrace "),
          "installed --version: %s %r, built: %r" % (inst.why(), inst.out, mine.out))
    man = run(["man", "--warnings", "-l", page], timeout=60,
              env=dict(env, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
    check(man.rc == 0, "man -l %s: %s" % (page, man.why()))
    check(not man.err.strip(), "man -l warns: %s" % short(man.err))
    text = re.sub(r".\x08", "", man.out)
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS"):
        check(re.search(r"^%s\b" % section, text, re.M), "the man page has no %s" % section)
    helptext = run([binary, "--help"], timeout=10).out
    for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+|-[a-zA-Z])\b", helptext))):
        check(opt in text, "the man page does not document %s (listed by --help)" % opt)


# --- kernels without BTF, BPF or a tracepoint ------------------------------
# Simulated without touching ipctrace: in a private mount namespace a changed copy of the
# kernel's own BTF (or none) is what /sys/kernel/btf shows, and a seccomp filter makes bpf(2)
# fail the way a kernel without CONFIG_BPF_SYSCALL (ENOSYS) or a locked-down container (EPERM)
# does. ipctrace reads the same files and makes the same system calls as on such a kernel.

def in_mount_ns(setup, argv):
    """argv run in a private mount namespace after the shell commands setup ($1.. = args)."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            setup + ' && shift 9 && exec "$@"', "sh"] + [""] * 9 + argv


def btf_without(ctx, tracepoint):
    """A copy of the kernel's BTF in which tracepoint's btf_trace_ type has another name."""
    with open("/sys/kernel/btf/vmlinux", "rb") as f:
        data = f.read()
    old = b"btf_trace_" + tracepoint.encode() + b"\0"
    check(data.count(old) == 1, "the kernel's BTF names %s %d times" % (old, data.count(old)))
    path = ctx.path("vmlinux-without-" + tracepoint)
    with open(path, "wb") as f:
        f.write(data.replace(old, old[:-2] + b"X\0"))
    return path


def record_in(ctx, setup, extra=(), argv=None):
    argv = argv or [tool("pipe_blocking"), "4", "64", "1"]
    return run(in_mount_ns(setup, [IPCTRACE, "--no-report"] + list(extra) + ["-o", ctx.trace,
                                                                             "-w", ctx.svg, "--"]
                           + argv), timeout=RECORD_TIMEOUT, stdout_path=ctx.out)


def nothing_left(ctx, what):
    left = [f for f in os.listdir(ctx.dir) if f.startswith(("t.trace", "t.svg"))]
    check(not left, "%s left %s behind" % (what, left))


def test_kernel_without_btf(ctx):
    r = record_in(ctx, "mount -t tmpfs none /sys/kernel/btf")
    one_line_error(r, "recording on a kernel without BTF", ["BTF"])
    check("CONFIG_DEBUG_INFO_BTF" in r.err, "the message does not say what is needed: " + r.err)
    nothing_left(ctx, "a kernel without BTF")


def test_kernel_without_optional_tracepoint(ctx):
    """No io_uring_submit_req tracepoint: a warning naming it, and the rest recorded exactly."""
    btf = btf_without(ctx, "io_uring_submit_req")
    r = record_in(ctx, 'mount --bind "%s" /sys/kernel/btf/vmlinux' % btf)
    check(r.rc == 0, "recording without the io_uring_submit_req tracepoint: " + r.why())
    check(re.search(r"warning: .*no tracepoint io_uring_submit_req", r.err),
          "no warning naming the missing tracepoint: " + short(r.err))
    check(not re.search(r"Sanitizer|runtime error", r.err), "crashed: " + short(r.err))
    said = Said(r.out)
    w, rd = said.pid("writer"), said.pid("reader")
    j = report(ctx.trace)
    ch = one_channel(j, "pipe", [w, rd])
    transfer_facts(j, ch, w, rd, 256, 4, said.num("reader", r"in (\d+) reads"), "pipe")


def test_kernel_without_needed_tracepoint(ctx):
    btf = btf_without(ctx, "sched_switch")
    r = record_in(ctx, 'mount --bind "%s" /sys/kernel/btf/vmlinux' % btf)
    one_line_error(r, "recording without the sched_switch tracepoint", ["sched_switch"])
    check("needs" in r.err, "the message does not say it is needed: " + r.err)
    nothing_left(ctx, "a kernel without sched_switch")


def seccomp_bpf_errno(errno_value):
    """A preexec function: from then on bpf(2) fails with errno_value, nothing else changes."""
    def install():
        libc = ctypes.CDLL(None, use_errno=True)

        class Filter(ctypes.Structure):
            _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                        ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

        class Prog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

        ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
        audit_arch_x86_64, nr_bpf = 0xc000003e, 321
        allow, err = 0x7fff0000, 0x00050000 | errno_value
        ins = (Filter * 6)(Filter(ld_w_abs, 0, 0, 4), Filter(jeq_k, 0, 3, audit_arch_x86_64),
                           Filter(ld_w_abs, 0, 0, 0), Filter(jeq_k, 0, 1, nr_bpf),
                           Filter(ret_k, 0, 0, err), Filter(ret_k, 0, 0, allow))
        prog = Prog(6, ins)
        if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.byref(prog), 0, 0):
            raise OSError(ctypes.get_errno(), "seccomp")
    return install


def record_with_bpf_failing(ctx, errno_value):
    if os.uname().machine != "x86_64":
        raise Skip("the seccomp filter here is written for x86-64")
    return run([IPCTRACE, "--no-report", "-o", ctx.trace, "-w", ctx.svg, "--",
                tool("pipe_blocking"), "4", "64", "1"], timeout=RECORD_TIMEOUT,
               stdout_path=ctx.out, preexec=seccomp_bpf_errno(errno_value))


def test_kernel_without_bpf(ctx):
    import errno
    r = record_with_bpf_failing(ctx, errno.ENOSYS)
    one_line_error(r, "recording where bpf(2) is ENOSYS", ["no BPF"])
    check("CONFIG_BPF_SYSCALL" in r.err, "the message does not say what is needed: " + r.err)
    check(not r.out.strip(), "the command ran untraced: " + short(r.out))
    nothing_left(ctx, "a kernel without BPF")


def test_bpf_refused(ctx):
    import errno
    r = record_with_bpf_failing(ctx, errno.EPERM)
    one_line_error(r, "recording where bpf(2) is EPERM", ["refused", "CAP_BPF"])
    nothing_left(ctx, "a refused bpf(2)")


def test_command_starts_with_clean_signals(ctx):
    """ipctrace catches and briefly blocks stop signals around starting the command: the command
    must start with none blocked or ignored, or Ctrl-C would not reach it."""
    argv = ["grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"]
    # What the command would inherit untraced (make or a shell may ignore some signals).
    want = dict(re.findall(r"^(Sig\w+):\s+([0-9a-f]+)$", run(argv, timeout=10).out, re.M))
    r = record(ctx, argv)
    got = dict(re.findall(r"^(Sig\w+):\s+([0-9a-f]+)$", r.out, re.M))
    check(set(got) == {"SigBlk", "SigIgn"} == set(want), "the command printed: " + short(r.out))
    for k, v in got.items():
        extra = int(v, 16) & ~int(want[k], 16)
        check(not extra, "the command starts with %s %s, untraced %s (signals %s)"
              % (k, v, want[k], [s for s in range(1, 64) if extra >> (s - 1) & 1]))


def test_error_command_not_executable(ctx):
    script = ctx.path("not-executable")
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho ran\n")
    os.chmod(script, 0o644)
    r = run([IPCTRACE, "-o", ctx.trace, "-w", ctx.svg, "--", script], timeout=30)
    msg = one_line_error(r, "a command without execute permission", [script])
    check(r.rc == 126, "exit %d, expected 126 (found but cannot run, like a shell)" % r.rc)
    check("Permission denied" in msg, "the message does not say why: " + msg)
    check("ran" not in r.out, "the command ran")
    nothing_left(ctx, "a command that cannot run")


def test_error_read_only_output(ctx):
    """Outputs on a read-only file system (root is not stopped by permissions): one line naming
    the path and why, exit 1, the command not run, nothing left; the same for render/export."""
    ro = ctx.path("ro")
    os.mkdir(ro)
    r = run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro], timeout=30)
    if r.rc != 0:
        raise Skip("cannot mount a read-only tmpfs: " + short(r.err))
    try:
        bad_trace, bad_svg = os.path.join(ro, "t.trace"), os.path.join(ro, "t.svg")
        flag = ctx.path("ran")
        for o, w in ((bad_trace, ctx.svg), (ctx.trace, bad_svg)):
            r = run([IPCTRACE, "-o", o, "-w", w, "--", "touch", flag], timeout=30)
            bad = o if o == bad_trace else w
            msg = one_line_error(r, "output %s on a read-only file system" % bad, [bad])
            check("Read-only file system" in msg, "the message does not say why: " + msg)
            check(r.rc == 1, "exit %d, expected 1" % r.rc)
            check(not os.path.exists(flag), "the command ran although the output cannot be written")
            nothing_left(ctx, "an unwritable %s" % bad)
        record(ctx, [tool("pipe_blocking"), "2", "16", "1"])
        for cmd in (["render", "-o", bad_svg], ["export", "--perfetto", "-o", bad_svg + ".json"]):
            r = run([IPCTRACE] + cmd + [ctx.trace], timeout=30)
            msg = one_line_error(r, " ".join(cmd), [ro])
            check("Read-only file system" in msg, "the message does not say why: " + msg)
        check(not os.listdir(ro), "files appeared on the read-only mount")
    finally:
        run(["umount", "-l", ro], timeout=30)


@pytest.mark.nobpf
def test_error_empty_output_names(ctx):
    """An empty -o or -w is a usage error before anything runs, not a failed rename at the end."""
    flag = ctx.path("ran")
    for argv in (["-o", "", "--", "touch", flag], ["-o", ctx.trace, "-w", "", "--", "touch", flag],
                 ["render", "-o", "", ctx.trace], ["export", "--perfetto", "-o", "", ctx.trace]):
        r = run([IPCTRACE] + argv, timeout=30)
        what = "ipctrace " + " ".join(map(repr, argv))
        msg = one_line_error(r, what, ["empty"])
        check(r.rc == 2, "%s: exit %d, expected 2 (usage)" % (what, r.rc))
        check(not os.path.exists(flag), "%s ran the command" % what)
        check(not [f for f in os.listdir(ctx.dir) if f != "ran"], "%s left %s"
              % (what, os.listdir(ctx.dir)))


def test_trace_kept_when_final_name_taken(ctx):
    """The final name became a directory while recording: the rename fails, and the recording
    is kept under its temporary name, which the message gives, instead of being deleted."""
    p = start_recording(ctx, ["sleep", "1.5"])
    try:
        check(wait_for(lambda: glob.glob(ctx.trace + ".tmp.*"), 15), "recording did not start")
        os.mkdir(ctx.trace)
        open(os.path.join(ctx.trace, "keep"), "w").close()
        _, err = p.communicate(timeout=RECORD_TIMEOUT)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    r = Run(p.returncode, "", err.decode(errors="replace"), 0)
    msg = one_line_error(r, "recording whose final name became a directory", ["kept as"])
    m = re.search(r"kept as (\S+)", msg)
    check(m and os.path.isfile(m.group(1)), "the message names no kept file: " + msg)
    check(m.group(1).startswith(ctx.trace + ".tmp."), "kept as %s, expected beside %s"
          % (m.group(1), ctx.trace))
    j = report(m.group(1))
    check(j["trace"]["events"] > 0, "the kept trace has no events")


def test_command_inherits_no_fds(ctx):
    """The traced command gets no descriptor of ipctrace's: not the trace, and no BPF map or
    ring buffer it could write to or read other processes' events from."""
    argv = ["find", "/proc/self/fd/", "-mindepth", "1", "-printf", "%f %l\\n"]
    want = [l for l in run(argv, timeout=10).out.split("\n") if l]
    r = record(ctx, argv)
    got = [l for l in r.out.split("\n") if l]
    leaked = [l for l in got if re.search(r"anon_inode|bpf|\.trace|\.svg", l)]
    check(not leaked, "the traced command inherited %s" % leaked)
    check(len(got) == len(want), "the traced command has %d descriptors, %d untraced: %s"
          % (len(got), len(want), got))


@pytest.mark.nobpf
def test_error_bad_values(ctx):
    """Every malformed value: exit 2, one line naming the option and the value, nothing run."""
    flag = ctx.path("ran")
    rec = ["-o", ctx.trace, "-w", ctx.svg]
    cases = [(["-b", "3"], "-b", "3"), (["-b", "0"], "-b", "0"), (["-b", "2048"], "-b", "2048"),
             (["-z", "10"], "-z", "10"), (["-z", "x"], "-z", "x"), (["-p", "abc"], "-p", "abc"),
             (["-p", "1,,2"], "-p", "1,,2"), (["-p", "0"], "-p", "0"),
             (["-p", "99999999999"], "-p", "99999999999"), (["-d", "-1"], "-d", "-1"),
             (["-d", "1x"], "-d", "1x"), (["-d", "0"], "-d", "0"), (["-d"], "-d", "value")]
    for args, opt, val in cases:
        argv = rec + args + (["--", "touch", flag] if len(args) > 1 else [])
        r = run([IPCTRACE] + argv, timeout=10)
        what = "ipctrace " + " ".join(argv)
        msg = one_line_error(r, what, [opt])
        check(r.rc == 2, "%s: exit %d, expected 2" % (what, r.rc))
        check(val in msg, "%s: the message does not show %r: %s" % (what, val, msg))
        check(not os.path.exists(flag), "%s ran the command" % what)
    for argv, val in ((["render", "--width", "5", ctx.trace], "5"),
                      (["render", "--from", "soon", ctx.trace], "soon"),
                      (["render", "--to", "0", ctx.trace], "0"),
                      (["render", "--pid", "a,b", ctx.trace], "a,b"),
                      (["render", "--chan", "-1", ctx.trace], "-1"),
                      (["report", ctx.trace, ctx.trace], "one TRACE"),
                      (["export", ctx.trace], "--perfetto")):
        r = run([IPCTRACE] + argv, timeout=10)
        what = "ipctrace " + " ".join(argv)
        msg = one_line_error(r, what, [val])
        check(r.rc == 2, "%s: exit %d, expected 2" % (what, r.rc))
    check(sorted(os.listdir(ctx.dir)) == [], "bad values left %s" % os.listdir(ctx.dir))


def test_stop_signals_leave_attached_process_alone(ctx):
    """-p: SIGINT, SIGTERM or SIGHUP to ipctrace ends the recording with a whole trace and exit
    0, and the attached process goes on running (it is not ipctrace's to stop)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        victim = subprocess.Popen(["sleep", "60"], start_new_session=True)
        try:
            p = subprocess.Popen([IPCTRACE] + record_flags() + ["-p", str(victim.pid), "-o",
                                 ctx.trace, "-w", ctx.svg], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 start_new_session=True)
            check(wait_for(lambda: recording_began(ctx.trace), 30), "recording did not start")
            time.sleep(0.3)
            p.send_signal(sig)
            try:
                _, err = p.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                raise Fail("ipctrace -p did not stop within 15s of %s" % sig.name)
            r = Run(p.returncode, "", err.decode(errors="replace"), 0)
            check(r.rc == 0, "ipctrace -p stopped by %s: %s" % (sig.name, r.why()))
            check(not re.search(r"Sanitizer|runtime error", r.err), "crashed: " + short(r.err))
            check(victim.poll() is None, "the attached process died of ipctrace's %s (status %s)"
                  % (sig.name, victim.returncode))
            rep = run([IPCTRACE, "report", "--json", ctx.trace], timeout=30)
            check(rep.rc == 0 and not rep.err.strip(), "the trace after %s is not whole: %s"
                  % (sig.name, rep.why()))
            process(json.loads(rep.out), victim.pid)
            check(not glob.glob(ctx.trace + ".tmp.*"), "temporary trace left after " + sig.name)
        finally:
            victim.kill()
            victim.wait()


def test_longest_output_names(ctx):
    """Output names of 250 bytes are valid (NAME_MAX 255): the temporary name must fit too."""
    trace, svg = ctx.path("t" * 244 + ".trace"), ctx.path("s" * 246 + ".svg")
    r = run([IPCTRACE, "--no-report", "-o", trace, "-w", svg, "--", "true"], timeout=30)
    check(r.rc == 0, "recording to 250-byte names: " + r.why())
    check(sorted(os.listdir(ctx.dir)) == sorted([os.path.basename(trace), os.path.basename(svg)]),
          "expected just the trace and SVG: %s" % [f[:20] for f in os.listdir(ctx.dir)])
    report(trace)
    out = ctx.path("r" * 246 + ".svg")
    r = run([IPCTRACE, "render", "-o", out, trace], timeout=30)
    check(r.rc == 0 and os.path.exists(out), "render to a 250-byte name: " + r.why())


@pytest.mark.nobpf
def test_report_endless_input(ctx):
    """Devices and pipes are read into memory: garbage is refused from its first bytes, and a
    stream with a plausible header stops at a bound instead of eating all memory."""
    for dev in ("/dev/zero", "/dev/urandom"):
        r = run([IPCTRACE, "report", dev], timeout=20)
        one_line_error(r, "report " + dev, ["not an ipctrace trace"])
    header = b"IPCTRACE" + (1).to_bytes(4, "little") + (64).to_bytes(4, "little")
    p = subprocess.Popen([IPCTRACE, "report", "--json", "/dev/stdin"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    def feed():
        try:
            p.stdin.write(header)
            zeros = bytes(1 << 20)
            for _ in range(1024):  # 1 GiB unless ipctrace stops reading
                p.stdin.write(zeros)
        except (BrokenPipeError, ValueError):
            pass
        finally:
            try:
                p.stdin.close()
            except BrokenPipeError:
                pass
    t = threading.Thread(target=feed)
    t.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        t.join(timeout=60)
    err = p.stderr.read().decode(errors="replace")
    out = p.stdout.read().decode(errors="replace")
    r = Run(os.waitstatus_to_exitcode(status), out, err, 0)
    one_line_error(r, "report of an endless stream with a trace header", ["256 MiB"])
    check(ru.ru_maxrss < (400 << 10) * (4 if "-san" in IPCTRACE else 1),
          "reading the stream peaked at %d MiB" % (ru.ru_maxrss >> 10))


@pytest.mark.nobpf
def test_error_trace_and_svg_one_file(ctx):
    """-o and -w spelling one file two ways: refused up front, or the SVG would replace the
    trace it was drawn from."""
    sub = ctx.path("sub")
    os.mkdir(sub)
    trace = os.path.join(sub, "t.x")
    flag = ctx.path("ran")
    for svg in (trace, os.path.join(sub, ".", "t.x"), os.path.join(ctx.dir, "sub", "..", "sub",
                                                                   "t.x")):
        r = run([IPCTRACE, "-o", trace, "-w", svg, "--", "touch", flag], timeout=10)
        what = "-o %s -w %s" % (trace, svg)
        one_line_error(r, what, ["same file"])
        check(r.rc == 2, "%s: exit %d, expected 2" % (what, r.rc))
        check(not os.path.exists(flag), "%s ran the command" % what)
        check(not os.listdir(sub), "%s left %s" % (what, os.listdir(sub)))


def test_error_render_over_its_trace(ctx):
    record(ctx, [tool("pipe_blocking"), "2", "16", "1"])
    with open(ctx.trace, "rb") as f:
        before = f.read()
    same = os.path.join(ctx.dir, ".", os.path.basename(ctx.trace))
    for cmd in (["render", "-o", ctx.trace], ["render", "-o", same],
                ["export", "--perfetto", "-o", same]):
        r = run([IPCTRACE] + cmd + [ctx.trace], timeout=30)
        what = " ".join(cmd)
        one_line_error(r, what, ["trace itself"])
        check(r.rc == 2, "%s: exit %d, expected 2" % (what, r.rc))
        with open(ctx.trace, "rb") as f:
            check(f.read() == before, "%s replaced the trace" % what)


def signal_when(p, cond, sig, what):
    """Sends sig to p once cond() holds; returns p's exit status (negative: killed)."""
    if not wait_for(lambda: cond() or p.poll() is not None, 30):
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise Fail("%s: never reached the point to signal" % what)
    if p.poll() is None:
        p.send_signal(sig)
    try:
        p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise Fail("%s: ipctrace did not stop within 30s of %s" % (what, sig.name))
    return p.returncode


def test_signal_while_drawing_leaves_no_tmp(ctx):
    """A stop signal while the SVG is drawn (render, or after a recording): ipctrace ends as
    the signal says, the existing SVG is untouched, and no temporary SVG is left."""
    record(ctx, [tool("pingpong"), "100000"], extra=["-b", "64"])
    old = b"<svg>previous drawing</svg>\n"
    out = ctx.path("r.svg")
    hit = 0
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with open(out, "wb") as f:
            f.write(old)
        p = subprocess.Popen([IPCTRACE, "render", "-o", out, ctx.trace], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        rc = signal_when(p, lambda: glob.glob(out + ".tmp.*"), sig, "render, " + sig.name)
        check(rc in (0, -sig), "render stopped by %s: exit %d" % (sig.name, rc))
        hit += rc == -sig
        left = [f for f in os.listdir(ctx.dir) if ".tmp." in f]
        check(not left, "render stopped by %s left %s" % (sig.name, left))
        if rc:
            with open(out, "rb") as f:
                check(f.read() == old, "the existing SVG was changed by a stopped render")
    # After recording, while the SVG of the new trace is drawn.
    trace2, svg2 = ctx.path("2.trace"), ctx.path("2.svg")
    p = subprocess.Popen([IPCTRACE, "-q", "--no-report", "-b", "64", "-o", trace2, "-w", svg2,
                          "--", tool("pingpong"), "100000"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    rc = signal_when(p, lambda: os.path.exists(trace2), signal.SIGTERM, "record, drawing")
    hit += rc == -signal.SIGTERM
    left = [f for f in os.listdir(ctx.dir) if ".tmp." in f]
    check(not left, "a recording stopped while drawing left %s" % left)
    report(trace2)
    check(hit, "no signal landed while an SVG was drawn (each took too little time)")
