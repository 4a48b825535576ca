"""Issue 9: who waits, as real applications wait: busy-waiting told from event loops, datagrams
paired with their replies, channels named apart from their siblings."""

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check


def snb(ep):
    return ep["mode_evidence"]["sync-nonblocking"]


# --- item 7: busy-waiting is retrying without sleeping in between ------------

def test_epoll_drain_until_eagain_is_async_blocking(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "epoll_drain", ["30", "5", "5"], "drainer",
                                                "async-blocking")
    ep = endpoint(ch, rd)
    expect(ep, "eagain", said.num("drainer", r"(\d+) EAGAIN"), "drainer")
    check(snb(ep) == {"calls": 0, "ns": 0},
          "each EAGAIN is followed by a sleep in epoll_wait, not a retry; sync-nonblocking "
          "evidence: %s" % snb(ep))


def test_busy_waiting_poller_has_every_eagain_retried(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "pipe_nonblock_poll", ["6", "4096", "10", "20"],
                                                "poller", "sync-nonblocking")
    ep = endpoint(ch, rd)
    eagain = said.num("poller", r"(\d+) EAGAIN")
    expect(ep, "eagain", eagain, "poller")
    check(snb(ep)["calls"] == eagain,
          "the poller retries every EAGAIN at once: %d tries, evidence %s" % (eagain, snb(ep)))
    check(snb(ep)["ns"] > 0, "busy-wait time: %s" % snb(ep))
