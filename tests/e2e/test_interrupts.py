"""Issue 9 item 5: a wakeup from interrupt context (a disk completion in a softirq, a timer, an
irq handler) is "(interrupt)" with no channel, never credited to the task it interrupted."""

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check


def test_disk_completions_are_not_credited_to_the_spinners_they_interrupt(ctx):
    record(ctx, [helper("softirq_wake"), "300"])
    said = Said(open(ctx.out).read())
    syncer = said.pid("syncer")
    spinners = {pid for pid, _ in said.lines["spinner"]}
    check(len(spinners) == 2 and said.num("syncer", r"(\d+) pwrite") == 300, "the program: %s"
          % said.lines)
    j = report(ctx.trace)
    woke = {}
    for w in j["wakeups"]:
        if w["wakee_pid"] == syncer:
            woke[w["waker_pid"]] = woke.get(w["waker_pid"], 0) + w["count"]
    # a spinner makes no syscall: the one wakeup it may own is its own death waking waitpid
    for pid in spinners:
        check(woke.get(pid, 0) <= 1, "spinner %d never made a syscall, yet woke the syncer %d "
              "times: %s" % (pid, woke.get(pid, 0), excerpt(woke)))
    check(woke.get(0, 0) > 0, "the disk's completions wake the syncer from interrupts: %s"
          % excerpt(woke))
    check(all(w["channel"] is None for w in j["wakeups"] if w["waker_pid"] == 0),
          "an interrupt wakes on no channel: %s" % excerpt(j["wakeups"]))
