"""Issue 13: render reads the trace once (the timeline rides the model's read), and twice only
when an option needs the model first. Oracle: strace's count of the bytes ipctrace's pread64 calls
returned, against the file's size."""

import os
import shutil

from lib import IPCTRACE, Skip, check, record, run_counting_reads, tool


def bytes_read(ctx, args, name):
    """Bytes all of ipctrace's threads got from pread64 while rendering with args."""
    svg = ctx.path(name + ".svg")
    r, total = run_counting_reads([IPCTRACE, "render", "-o", svg] + args + [ctx.trace],
                                  ctx.path(name + ".strace"))
    check(r.rc == 0, "render %s: %s" % (" ".join(args), r.why()))
    check(os.path.getsize(svg) > 1000, "render %s wrote no SVG" % " ".join(args))
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
