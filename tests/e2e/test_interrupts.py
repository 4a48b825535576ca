"""Issue 9 item 5: a wakeup from interrupt context (a disk completion in a softirq, a timer, an
irq handler) is "(interrupt)" with no channel, never credited to the task it interrupted."""

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check


def test_disk_completions_are_not_credited_to_the_spinners_they_interrupt(ctx):
    disk_completions_credited_to_nobody(ctx, [])


def test_disk_completions_inside_another_tasks_syscall_are_not_its_wakeups(ctx):
    """The spinners loop on getppid(): a disk completion's softirq often runs on top of one
    inside that syscall, and is still no wakeup of its (only the network's softirqs inside a
    syscall are the caller's own work: loopback delivery)."""
    disk_completions_credited_to_nobody(ctx, ["syscalls"])


def disk_completions_credited_to_nobody(ctx, how):
    record(ctx, [helper("softirq_wake"), "300"] + how)
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
    # a spinner wakes nobody: the one wakeup it may own is its own death waking waitpid
    for pid in spinners:
        check(woke.get(pid, 0) <= 1, "spinner %d (%s) woke the syncer %d times: %s"
              % (pid, dict(said.lines["spinner"])[pid], woke.get(pid, 0), excerpt(woke)))
    check(woke.get(0, 0) > 0, "the disk's completions wake the syncer from interrupts: %s"
          % excerpt(woke))
    check(all(w["channel"] is None for w in j["wakeups"] if w["waker_pid"] == 0),
          "an interrupt wakes on no channel: %s" % excerpt(j["wakeups"]))
