"""Where outputs go (issue 16): a device node, a FIFO or /dev/stdout is written into and never
replaced; a symlink is replaced, not followed; a failed write names the output and its errno,
never the trace; a killed recorder leaves no empty SVG temporary file."""

import os
import select
import signal
import stat
import subprocess
import threading
import time

from lib import IPCTRACE, check, one_line_error, record, run, tool, wait_for


def small_trace(ctx):
    record(ctx, [tool("pipe_blocking"), "2", "16", "1"])
    return ctx.trace


def still_char_device(path, rdev):
    st = os.lstat(path)
    check(stat.S_ISCHR(st.st_mode), "%s is no longer a character device (mode %o)"
          % (path, st.st_mode))
    check(st.st_rdev == rdev, "%s is another device now" % path)


def test_outputs_onto_a_mknod_device_are_written_into(ctx):
    """render, export and a recording onto a null and a full device made with mknod: the nodes
    stay devices; the full one gives ENOSPC naming the output."""
    trace = small_trace(ctx)
    null, full = ctx.path("null"), ctx.path("full")
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    for argv in (["render", "-o", null, trace], ["export", "--perfetto", "-o", null, trace]):
        r = run([IPCTRACE] + argv, timeout=60)
        check(r.rc == 0, "ipctrace %s: %s" % (" ".join(argv), r.why()))
        still_char_device(null, os.makedev(1, 3))
    for argv in (["render", "-o", full, trace], ["export", "--perfetto", "-o", full, trace]):
        r = run([IPCTRACE] + argv, timeout=60)
        msg = one_line_error(r, "ipctrace " + " ".join(argv), [full])
        check("No space left on device" in msg, "the message does not say ENOSPC: " + msg)
        check("check the trace" not in msg, "the message blames the trace: " + msg)
        still_char_device(full, os.makedev(1, 7))
    r = run([IPCTRACE, "-q", "--no-report", "-o", null, "-w", null, "--", "true"], timeout=60)
    check(r.rc == 0, "recording onto the null device: " + r.why())
    still_char_device(null, os.makedev(1, 3))
    r = run([IPCTRACE, "-q", "--no-report", "-o", full, "-w", ctx.path("x.svg"), "--", "true"],
            timeout=60)
    msg = one_line_error(r, "a trace onto the full device", [full])
    check("No space left on device" in msg, "the message does not say ENOSPC: " + msg)
    still_char_device(full, os.makedev(1, 7))
    left = sorted(f for f in os.listdir(ctx.dir) if ".tmp." in f or f.startswith(".ipctrace."))
    check(not left, "temporary files left: %s" % left)


def test_output_onto_dev_stdout_reaches_the_pipe(ctx):
    """`render -o /dev/stdout | wc -c` gets the SVG, and /dev/stdout stays a link. Run in a
    private mount namespace with its own /dev, so a broken build cannot replace the system's."""
    trace = small_trace(ctx)
    script = ("mount -t tmpfs ipct-dev /dev && ln -s /proc/self/fd/1 /dev/stdout && "
              "n=$(%s render -o /dev/stdout %s | wc -c) && echo \"$n\" && "
              "test -L /dev/stdout && echo link" % (IPCTRACE, trace))
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "render -o /dev/stdout | wc -c: exit %d: %s"
          % (p.returncode, p.stderr.strip() or p.stdout.strip()))
    lines = p.stdout.split()
    check(len(lines) == 2 and lines[1] == "link", "/dev/stdout was replaced: %r" % p.stdout)
    check(int(lines[0]) == os.path.getsize(ctx.svg),
          "%s bytes reached the pipe, the SVG has %d" % (lines[0], os.path.getsize(ctx.svg)))


def test_output_onto_a_fifo_is_read_by_its_reader(ctx):
    """A FIFO given as -o is written into: its reader gets the whole SVG, the FIFO stays."""
    trace = small_trace(ctx)
    fifo = ctx.path("svg.fifo")
    os.mkfifo(fifo)
    got = {}

    def reader():
        # Non-blocking open, so a build that replaces the FIFO cannot hang the test.
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        # Linux reports a FIFO readable only once a writer came (or data did).
        select.select([fd], [], [], 30)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as f:
            got["data"] = f.read()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.2)
    r = run([IPCTRACE, "render", "-o", fifo, trace], timeout=60)
    t.join(10)
    check(r.rc == 0, "render -o FIFO: " + r.why())
    data = got.get("data", b"")
    check(data.startswith(b"<?xml") and data.rstrip().endswith(b"</svg>"),
          "the FIFO's reader got %d bytes, not a whole SVG" % len(data))
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")


def test_output_onto_a_symlink_replaces_the_link(ctx):
    """A symlink as -o: the link becomes the SVG; the file it named is untouched."""
    trace = small_trace(ctx)
    victim, link = ctx.path("victim.txt"), ctx.path("link.svg")
    with open(victim, "w") as f:
        f.write("keep me")
    os.symlink(victim, link)
    r = run([IPCTRACE, "render", "-o", link, trace], timeout=60)
    check(r.rc == 0, "render -o symlink: " + r.why())
    check(not os.path.islink(link) and os.path.isfile(link), "the link was not replaced")
    with open(victim) as f:
        check(f.read() == "keep me", "the file the link named was written")


def test_output_error_names_the_output_not_the_trace(ctx):
    """`render -o - t.trace > /dev/full` and the export: the output and ENOSPC, not the trace."""
    trace = small_trace(ctx)
    for argv in (["render", "-o", "-"], ["export", "--perfetto", "-o", "-"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([IPCTRACE] + argv + [trace], stdout=full, stderr=subprocess.PIPE,
                               text=True, timeout=60)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 1 and len(lines) == 1, "%s > /dev/full: exit %d, %r"
              % (" ".join(argv), p.returncode, p.stderr))
        check("stdout" in lines[0] and "No space left on device" in lines[0],
              "the message does not name stdout and ENOSPC: " + lines[0])
        check("check the trace" not in lines[0], "the message blames the trace: " + lines[0])


def test_killed_recorder_leaves_no_empty_svg_tmp(ctx):
    """SIGKILL while recording: the trace's temporary file is what is left (and reads), no
    NAME.svg.tmp.XXXXXX beside it."""
    p = subprocess.Popen([IPCTRACE, "-q", "-o", ctx.trace, "-w", ctx.svg, "--", "sleep", "30"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        wait_for(lambda: any(f.startswith("t.trace.tmp.") and
                             os.path.getsize(ctx.path(f)) > 0 for f in os.listdir(ctx.dir)), 30)
        time.sleep(0.3)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(30)
    left = sorted(os.listdir(ctx.dir))
    check(not [f for f in left if f.startswith("t.svg")], "an SVG file was left: %s" % left)
    tmp = [f for f in left if f.startswith("t.trace.tmp.")]
    check(len(tmp) == 1, "expected the trace's temporary file, found %s" % left)
    r = run([IPCTRACE, "report", ctx.path(tmp[0])], timeout=60)
    check(r.rc == 0, "report on the leftover trace: " + r.why())
