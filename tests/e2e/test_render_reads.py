"""Issue 13: render reads the trace once (the timeline rides the model's read), and twice only
when an option needs the model first. Oracle: strace's count of the bytes ipctrace's pread64 calls
returned, against the file's size."""

import os
import re
import shutil

from lib import IPCTRACE, Skip, check, record, run, tool


def bytes_read(ctx, args, name):
    """Bytes all of ipctrace's threads got from pread64 while rendering with args."""
    log = ctx.path(name + ".strace")
    svg = ctx.path(name + ".svg")
    # an ASan build's LeakSanitizer cannot run under ptrace: leaks are checked by every other test
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = dict(os.environ, ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0")
    r = run(["strace", "-f", "-qq", "-e", "trace=pread64", "-e", "signal=none", "-o", log,
             IPCTRACE, "render", "-o", svg] + args + [ctx.trace], env=env)
    check(r.rc == 0, "render %s: %s" % (" ".join(args), r.why()))
    check(os.path.getsize(svg) > 1000, "render %s wrote no SVG" % " ".join(args))
    total = 0
    with open(log) as f:
        for line in f:
            m = re.search(r"pread64\(.*\)\s+=\s+(\d+)$", line.strip())
            if m:
                total += int(m.group(1))
    return total


def test_render_reads_the_trace_once(ctx):
    if not shutil.which("strace"):
        raise Skip("strace is not installed (tools/install-deps.sh installs it)")
    # 120,000 events: several blocks, so the two reads of an option that needs them show
    record(ctx, [tool("pingpong"), "20000"], extra=["--no-svg"])
    size = os.path.getsize(ctx.trace)
    one = bytes_read(ctx, [], "plain")
    grouped = bytes_read(ctx, ["--no-group", "--slide"], "slide")
    # --chan is checked against the model: the timeline takes a read of its own
    two = bytes_read(ctx, ["--chan", "1"], "chan")
    check(one < 1.5 * size, "render read %d bytes of a %d-byte trace: more than once" % (one, size))
    check(grouped < 1.5 * size, "render --no-group --slide read %d bytes of a %d-byte trace"
          % (grouped, size))
    check(two > 1.9 * size, "render --chan 1 read %d bytes of a %d-byte trace: the count does not "
          "tell one read from two" % (two, size))
