"""Checks a `critical-path --json` file outside the test process, whose memory the long paths
would grow (a child forked from a big process reports the parent's RSS as its own peak, which
other tests measure): its steps cover its window exactly, and, given the JSON of `export
--perfetto --format json --critical-path`, they are that export's critical path track, step by
step. Prints "ok STEPS" or one line saying what differs, and exits 0 or 1.

    cp_steps.py CRITICAL_PATH.json [EXPORT.json]
"""
import json
import sys


def fail(msg):
    print(msg)
    sys.exit(1)


def coverage_problem(cp):
    """What is wrong with how cp's steps cover its window, None if nothing: they are contiguous,
    cover [from_ns, to_ns] exactly, and by_thread adds up to it."""
    path = cp["path"]
    if not path:
        return "empty path"
    if path[0]["start_ns"] != cp["from_ns"] or path[-1]["end_ns"] != cp["to_ns"]:
        return "path covers [%d, %d], its window is [%d, %d]" % (
            path[0]["start_ns"], path[-1]["end_ns"], cp["from_ns"], cp["to_ns"])
    for i, (a, b) in enumerate(zip(path, path[1:])):
        if a["end_ns"] != b["start_ns"]:
            return "gap or overlap between steps %d and %d: %s, %s" % (i, i + 1, a, b)
    if sum(t["ns"] for t in cp["by_thread"]) != cp["to_ns"] - cp["from_ns"]:
        return "by_thread does not add up to the window: %s" % cp["by_thread"]
    return None


def main():
    with open(sys.argv[1]) as f:
        cp = json.load(f)
    path = cp["path"]
    problem = coverage_problem(cp)
    if problem:
        fail(problem[:300])
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            events = json.load(f)
        events = events["traceEvents"] if isinstance(events, dict) else events
        slices = [x for x in events if x.get("cat") == "critical-path" and x.get("ph") == "X"]
        if len(slices) != len(path):
            fail("%d steps, the export has %d slices" % (len(path), len(slices)))
        start = cp["trace_start_ns"]
        for i, (a, b) in enumerate(zip(path, slices)):
            mine = (a["tid"], a["state"], a["depth"], a["via"] or 0)
            theirs = (b["args"]["tid"], b["args"]["state"], b["args"]["depth"], b["args"]["via"])
            if (mine != theirs or abs((a["start_ns"] - start) / 1e3 - b["ts"]) >= 0.002 or
                    abs((a["end_ns"] - a["start_ns"]) / 1e3 - b["dur"]) >= 0.002):
                fail("step %d: %s at %d ns for %d ns, the export's %s at %.3f us for %.3f us"
                     % (i, mine, a["start_ns"] - start, a["end_ns"] - a["start_ns"], theirs,
                        b["ts"], b["dur"]))
    print("ok %d" % len(path))


if __name__ == "__main__":
    main()
