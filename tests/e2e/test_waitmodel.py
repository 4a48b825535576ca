"""Issue 9: who waits, as real applications wait: busy-waiting told from event loops, datagrams
paired with their replies, channels named apart from their siblings."""

import json
import os
import re
import sys

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


# --- item 4: unconnected UDP is paired --------------------------------------

def udp_request_reply(ctx, family):
    r = record(ctx, [tool("udp_reqrep"), "12", family])
    said = Said(r.out)
    srv, cli = said.pid("udp-server"), said.pid("udp-client")
    port = said.num("udp-server", r"on port (\d+)")
    j = report(ctx.trace)
    ch = one_channel(j, "udp", [srv, cli])
    check(len(ch["endpoints"]) == 2, "one channel with both ends: %s" % excerpt(ch))
    check(":%d" % port in ch["name"], "the channel is named by the 4-tuple with the server's port %d: %s"
          % (port, ch["name"]))
    expect(ch, "direction", "half-duplex", "request/reply")
    c, s = endpoint(ch, cli), endpoint(ch, srv)
    expect(c, "bytes_sent", said.num("udp-client", r"sent (\d+) bytes"), "client")
    expect(c, "sends", said.num("udp-client", r"in (\d+) requests"), "client")
    expect(c, "bytes_received", said.num("udp-client", r"received (\d+) bytes"), "client")
    expect(c, "recvs", said.num("udp-client", r"in (\d+) replies"), "client")
    expect(s, "bytes_received", said.num("udp-server", r"received (\d+) bytes"), "server")
    expect(s, "bytes_sent", said.num("udp-server", r"sent (\d+) bytes"), "server")
    udp = channels(j, "udp")
    check(len(udp) == 1, "no one-sided udp channels left: %s" % excerpt(udp))
    return j


def test_udp_unconnected_request_reply_ipv4(ctx):
    udp_request_reply(ctx, "v4")


def test_udp_unconnected_request_reply_ipv6(ctx):
    udp_request_reply(ctx, "v6")


# --- item 3: names tell siblings apart ---------------------------------------

def test_private_futexes_named_by_process_and_address(ctx):
    """The demo holds its mutex until it sees the consumer asleep on it (in /proc), so the mutex
    is contended as many times as it says, whatever the timing."""
    r = record(ctx, [tool("threads_futex"), "16", "2"])
    said = Said(r.out)
    pid = said.pid("threads")
    contended = said.num("producer", r"waited for it (\d+) time")
    check(contended >= 1, "the demo forced no contention: %s" % said.lines)
    mutex = int(re.search(r"mutex at (0x[0-9a-f]+)", r.out).group(1), 16)
    cond = int(re.search(r"condition variable at (0x[0-9a-f]+)", r.out).group(1), 16)
    size = said.num("threads", r"\((\d+) bytes\)")
    j = report(ctx.trace)
    futexes = channels(j, "futex", [pid])
    names = [c["name"] for c in futexes]
    check(len(set(names)) == len(names), "futex names repeat: %s" % names)
    addrs = []
    for n in names:
        m = re.fullmatch(r"futex in pid %d @(0x[0-9a-f]+)" % pid, n)
        check(m, "a private futex named by process and address: %r" % n)
        addrs.append(int(m.group(1), 16))
    check(mutex in addrs, "the mutex's word 0x%x among %s" % (mutex, names))
    lock = futexes[addrs.index(mutex)]
    expect_ge(endpoint(lock, pid), "blocked", contended, "the consumer asleep on the mutex")
    expect_wakeups(j, pid, pid, lock["id"], contended, "the producer's unlock wakes the consumer")
    check(any(cond <= a < cond + size for a in addrs),
          "a word of the condition variable 0x%x..+%d among %s" % (cond, size, names))


UNIX_CLIENTS = r"""
import os, socket, sys
path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
clients, served = [], []
for i in range(3):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    clients.append(c)
    served.append(srv.accept()[0])
for c, s in zip(clients, served):
    c.sendall(b"q" * 30)
    s.recv(100)
    s.sendall(b"r" * 200)
    c.recv(1000)
print("unix-clients (pid %d): client fds %s" % (os.getpid(), " ".join(str(c.fileno()) for c in clients)))
"""


def test_unix_connections_named_by_server_path_and_client(ctx):
    path = ctx.path("srv.sock")
    r = record(ctx, [sys.executable, "-c", UNIX_CLIENTS, path])
    said = Said(r.out)
    pid = said.pid("unix-clients")
    fds = [int(x) for x in re.search(r"client fds ([\d ]+)", r.out).group(1).split()]
    j = report(ctx.trace)
    names = sorted(c["name"] for c in channels(j, "unix-stream", [pid]))
    want = sorted("%s <-> pid %d fd %d" % (path, pid, fd) for fd in fds)
    for w in want:
        check(w in names, "connection %r among %s (as ss shows both ends)" % (w, names))


# --- item 8: smaller faults ---------------------------------------------------

def test_file_opened_before_the_trace_keeps_its_leading_slash(ctx):
    data = ctx.path("in.txt")
    with open(data, "w") as f:
        f.write("seed\n" * 10)
    fd = os.open(data, os.O_RDONLY)
    try:
        r = run([IPCTRACE, "-o", ctx.trace, "-w", ctx.svg, "--", "cat"], timeout=60,
                preexec=lambda: os.dup2(fd, 0))
    finally:
        os.close(fd)
    check(r.rc == 0, "ipctrace -- cat < file: " + r.why())
    rr = run([IPCTRACE, "report", "--json", "--all-files", ctx.trace], timeout=60)
    names = [c["name"] for c in json.loads(rr.out)["channels"] if c["kind"] == "file"]
    want = ".../%s/in.txt" % os.path.basename(ctx.dir)[:43]  # the parent is cut at 43 bytes
    check(want in names, "stdin's file, opened before the trace two levels below /: %r among %s"
          % (want, names))


def test_udp_a_fresh_socket_per_request_is_a_channel_per_request(ctx):
    """Stub resolvers make a socket per query; the kernel may reuse a closed socket's address, but
    each query has its own port, so its own 4-tuple and channel."""
    r = record(ctx, [tool("udp_reqrep"), "6", "v4", "fresh"])
    said = Said(r.out)
    srv, cli = said.pid("udp-server"), said.pid("udp-client")
    j = report(ctx.trace)
    udp = channels(j, "udp")
    check(len(udp) == said.num("udp-client", r"in (\d+) replies"),
          "one channel per request: %s" % [c["name"] for c in udp])
    for c in udp:
        check(sorted(e["pid"] for e in c["endpoints"]) == sorted([srv, cli]),
              "both ends on %s: %s" % (c["name"], excerpt(c)))
    check(sum(endpoint(c, cli)["bytes_sent"] for c in udp) == said.num("udp-client", r"sent (\d+) bytes"),
          "the client's bytes over its channels")
