"""Issue 3: every IPC mechanism of the seed's table and all four modes, on demos and real programs."""

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

from lib import *  # noqa: F401,F403 (the test DSL: check, record, report, ...)
from lib import check, Fail, Skip


# --- issue 3: every mechanism of the seed's table, every mode --------------

def named_channel(j, kind, pids, part):
    """The one channel of kind between pids whose name contains part."""
    found = [c for c in channels(j, kind, pids) if part in (c.get("name") or "")]
    if len(found) != 1:
        raise Fail("expected one %s channel named *%s* with endpoints %s, found %d; %s channels: %s"
                   % (kind, part, sorted(pids), len(found), kind,
                      excerpt([(c.get("name"), [e.get("pid") for e in c.get("endpoints", [])])
                               for c in j["channels"] if c.get("kind") == kind])))
    return found[0]


def one_way_test(ctx, demo, args, kind, sender, receiver, unit, recv_mode="sync-blocking",
                 name_part=None):
    """A demo where sender sends N units to a receiver: exact counts, simplex, modes, wakeups."""
    r = record(ctx, [tool(demo)] + args)
    said = Said(r.out)
    s, rc = said.pid(sender), said.pid(receiver)
    sent = said.num(sender, r"(?:sent|wrote) (\d+) bytes")
    count = said.num(sender, r"in (\d+) " + unit)
    check(said.num(receiver, r"(?:received|read) (\d+) bytes") == sent, "demo lost data: " + r.out)
    recvs = said.num(receiver, r"in (\d+) (?:%s|reads)" % unit)
    j = report(ctx.trace)
    expect_comm(j, s, sender)
    expect_comm(j, rc, receiver)
    ch = named_channel(j, kind, [s, rc], name_part) if name_part else one_channel(j, kind, [s, rc])
    expect(ch, "direction", "simplex", kind)
    transfer_facts(j, ch, s, rc, sent, count, recvs, kind)
    expect(endpoint(ch, rc), "mode", recv_mode, receiver)
    return j, ch, said, s, rc, count


def test_mqueue_blocking(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "mq_pair", ["16", "256", "5"], "mqueue", "mq-sender",
                                        "mq-receiver", "messages")
    check("ipctrace-mq-%d" % s in (ch.get("name") or ""), "mqueue name %r lacks ipctrace-mq-%d"
          % (ch.get("name"), s))
    expect_ge(endpoint(ch, r), "blocked", n // 2, "mq-receiver")
    expect_wakeups(j, s, r, ch["id"], n // 2, "mq-sender wakes mq-receiver")


def test_mqueue_notify(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "mq_notify", ["16", "256", "5"], "mqueue",
                                        "mq-sender", "mq-notified", "messages",
                                        recv_mode="async-nonblocking")
    expect_never_waited(endpoint(ch, r), "mq-notified (never waits for the queue)")


def test_sysv_msg(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "sysv_msg", ["16", "256", "5"], "sysv-msg",
                                        "msg-sender", "msg-receiver", "messages")
    expect_ge(endpoint(ch, r), "blocked", n // 2, "msg-receiver")
    expect_wakeups(j, s, r, ch["id"], n // 2, "msg-sender wakes msg-receiver")


def handoff_test(ctx, demo, map_kind, sync_kind, name_of):
    items = 16
    r = record(ctx, [tool(demo), str(items), "1024", "5"])
    said = Said(r.out)
    p, c = said.pid("producer"), said.pid("consumer")
    j = report(ctx.trace)
    expect_comm(j, p, "producer")
    expect_comm(j, c, "consumer")
    part = name_of(said)
    m = named_channel(j, map_kind, [p, c], part) if part else one_channel(j, map_kind, [p, c])
    syncs = channels(j, sync_kind, [p, c])
    check(syncs, "no %s channel between producer %d and consumer %d; kinds: %s"
          % (sync_kind, p, c, sorted({x.get("kind") for x in j["channels"]})))
    woke = sum(wakeups(j, p, c, x["id"]) for x in syncs)
    check(woke >= items // 2, "%d %s wakeups producer->consumer, expected >= %d; wakeups: %s"
          % (woke, sync_kind, items // 2, excerpt(j["wakeups"])))
    blocked = sum(endpoint(x, c).get("blocked", 0) for x in syncs)
    check(blocked >= items // 2, "consumer blocked %d times on %s, expected >= %d"
          % (blocked, sync_kind, items // 2))
    return j, m


def test_shm_posix_semaphores(ctx):
    j, m = handoff_test(ctx, "shm_sem", "shm", "futex",
                        lambda said: "ipctrace-shm-%d" % said.pid("producer"))
    # The semaphores' futexes live in the segment: named after it, with their offset.
    pids = sorted(e["pid"] for e in m["endpoints"])
    inside = [c for c in channels(j, "futex", pids)
              if re.fullmatch(r"futex in %s \+0x[0-9a-f]+" % re.escape(m["name"]),
                              c.get("name") or "")]
    # (only the semaphore someone waited on makes a futex call: glibc posts without one)
    check(inside, "expected the semaphores' futexes named after %r, futex channels: %s"
          % (m["name"], excerpt([c.get("name") for c in channels(j, "futex")])))
    check(len({c["name"] for c in inside}) == len(inside), "two futexes at one offset: %s"
          % excerpt([c["name"] for c in inside]))


def test_sysv_shm_semop(ctx):
    handoff_test(ctx, "sysv_shm_sem", "sysv-shm", "sysv-sem", lambda said: None)


def test_mmap_file(ctx):
    r = record(ctx, [tool("mmap_file"), "16", "1024", "5"])
    said = Said(r.out)
    w, rd = said.pid("map-writer"), said.pid("map-reader")
    n = said.num("map-writer", r"in (\d+) records")
    path = re.search(r"in (/\S+)$", said.lines["map-writer"][0][1]).group(1)
    j = report(ctx.trace)
    named_channel(j, "mmap", [w, rd], path)
    tokens = one_channel(j, "pipe", [w, rd])
    transfer_facts(j, tokens, w, rd, n, n, n, "ready pipe")


def test_read_only_shared_mapping_is_no_channel(ctx):
    # Both iconv processes map glibc's gconv-modules.cache MAP_SHARED, read-only: no IPC.
    record(ctx, ["sh", "-c", "echo caf\xe9 | iconv -f latin1 -t utf-8 | iconv -f utf-8 -t latin1"])
    j = report(ctx.trace)
    iconvs = [p["pid"] for p in j["processes"] if p.get("comm") == "iconv"]
    check(len(iconvs) == 2, "expected two iconv processes, found %s" % excerpt(j["processes"]))
    check(len(channels(j, "pipe", iconvs)) == 1, "no pipe between the iconv processes")
    check(not channels(j, "mmap"), "read-only shared mappings shown as channels: %s"
          % excerpt(channels(j, "mmap")))
    r = run([IPCTRACE, "report", "--json", "--all-files", ctx.trace], timeout=60)
    check(r.rc == 0, "report --all-files: %s" % r.why())
    kept = [c for c in json.loads(r.out)["channels"]
            if c.get("kind") == "mmap" and "gconv" in (c.get("name") or "")]
    check(len(kept) == 1 and {e["pid"] for e in kept[0]["endpoints"]} == set(iconvs),
          "--all-files should keep the gconv cache mapped by both iconv: %s" % excerpt(kept))


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(x) for x in f.read().split()]


def test_attach_to_reader_blocked_in_read(ctx):
    # The reader is already blocked in read when ipctrace attaches: its first read counts too.
    writes, size, gap = 3, 4096, 3000
    out = open(ctx.out, "w")
    demo = subprocess.Popen([tool("pipe_blocking"), str(writes), str(size), str(gap)], stdout=out,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        check(wait_for(lambda: children(demo.pid), 5), "pipe_blocking started no reader")
        reader = children(demo.pid)[0]
        check(wait_for(lambda: "pipe_read" in open("/proc/%d/wchan" % reader).read(), 5),
              "reader %d never blocked in read" % reader)
        r = run([IPCTRACE] + record_flags() + ["-p", "%d,%d" % (demo.pid, reader), "-d", "30",
                                               "-o", ctx.trace, "-w", ctx.svg], timeout=60)
        check(r.rc == 0, "ipctrace -p: %s" % r.why())
        check(demo.wait(timeout=20) == 0, "demo failed")
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        out.close()
    said = Said(open(ctx.out).read())
    w, rd = said.pid("writer"), said.pid("reader")
    check(rd == reader, "reader pid %d, attached to %d" % (rd, reader))
    j = report(ctx.trace)
    ch = one_channel(j, "pipe", [w, rd])
    transfer_facts(j, ch, w, rd, writes * size, writes, said.num("reader", r"in (\d+) reads"),
                   "pipe of an attached reader")
    # (exactly `writes` unless the first write raced ipctrace's own start)
    expect_ge(endpoint(ch, rd), "blocked", writes - 1, "reader")
    expect(endpoint(ch, rd), "mode", "sync-blocking", "reader")


def two_way_test(ctx, demo, args, kind, a, b, direction):
    r = record(ctx, [tool(demo)] + args)
    said = Said(r.out)
    pa, pb = said.pid(a), said.pid(b)
    j = report(ctx.trace)
    ch = one_channel(j, kind, [pa, pb])
    expect(ch, "direction", direction, kind)
    for x, y in ((a, b), (b, a)):
        ex, ey = endpoint(ch, said.pid(x)), endpoint(ch, said.pid(y))
        expect(ex, "bytes_sent", said.num(x, r"sent (\d+) bytes"), x)
        expect(ex, "sends", said.num(x, r"in (\d+) sends"), x)
        expect(ey, "bytes_received", said.num(x, r"sent (\d+) bytes"), y)
        expect(ey, "recvs", said.num(y, r"in (\d+) recvs"), y)
    return j, ch, said, pa, pb


def test_unix_stream_half_duplex(ctx):
    j, ch, said, c, s = two_way_test(ctx, "unix_stream", ["16", "512", "2"], "unix-stream",
                                     "client", "server", "half-duplex")
    expect(endpoint(ch, c), "mode", "sync-blocking", "client")
    expect(endpoint(ch, s), "mode", "sync-blocking", "server")
    expect_wakeups(j, c, s, ch["id"], 8, "client wakes server")
    expect_wakeups(j, s, c, ch["id"], 8, "server wakes client")


def test_unix_stream_full_duplex(ctx):
    two_way_test(ctx, "unix_fullduplex", [str(4 << 20), "16384"], "unix-stream", "side-a",
                 "side-b", "full-duplex")


def test_unix_dgram(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "unix_dgram", ["16", "512", "5"], "unix-dgram",
                                        "dgram-sender", "dgram-receiver", "datagrams")
    expect_wakeups(j, s, r, ch["id"], n // 2, "dgram-sender wakes dgram-receiver")


def test_unix_dgram_named_path(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "unix_dgram", ["16", "512", "5", "path"],
                                        "unix-dgram", "dgram-sender", "dgram-receiver",
                                        "datagrams")
    path = re.search(r"on (/\S+)$", said.lines["dgram-receiver"][0][1]).group(1)
    check(path in (ch.get("name") or ""), "unix-dgram channel name %r lacks its path %s"
          % (ch.get("name"), path))
    expect_wakeups(j, s, r, ch["id"], n // 2, "dgram-sender wakes dgram-receiver")


def test_unix_dgram_unconnected_sendto(ctx):
    # The sender never connects: each sendto names the receiver's bound path.
    j, ch, said, s, r, n = one_way_test(ctx, "unix_dgram", ["16", "512", "5", "sendto"],
                                        "unix-dgram", "dgram-sender", "dgram-receiver",
                                        "datagrams")
    path = re.search(r"on (/\S+)$", said.lines["dgram-receiver"][0][1]).group(1)
    expect(ch, "name", path, "unix-dgram channel")
    check(len(channels(j, "unix-dgram")) == 1, "the sender's socket is a channel of its own: %s"
          % excerpt(channels(j, "unix-dgram")))
    expect_wakeups(j, s, r, ch["id"], n // 2, "dgram-sender wakes dgram-receiver")


def test_unix_seqpacket_abstract(ctx):
    j, ch, said, s, r, n = one_way_test(ctx, "unix_seqpacket", ["16", "256", "5"],
                                        "unix-seqpacket", "seq-client", "seq-server", "records")
    name = "ipctrace-seqpacket-%d" % said.pid("seq-server")
    check(name in (ch.get("name") or ""), "seqpacket channel name %r lacks %s"
          % (ch.get("name"), name))
    expect_wakeups(j, s, r, ch["id"], n // 2, "seq-client wakes seq-server")


def test_tcp_loopback(ctx):
    j, ch, said, c, s = two_way_test(ctx, "tcp_echo", ["16", "512", "2"], "tcp", "tcp-client",
                                     "tcp-server", "half-duplex")
    expect(endpoint(ch, s), "mode", "sync-blocking", "tcp-server")
    expect(ch, "listening", False, "the connection")
    # The server's listening socket: named so, no data, its one accept counted as no receive.
    lst = [x for x in channels(j, "tcp", [s]) if x.get("listening")]
    check(len(lst) == 1, "expected one listening tcp socket of tcp-server, found %s"
          % excerpt(channels(j, "tcp")))
    expect(lst[0], "bytes", 0, "listening socket")
    expect(endpoint(lst[0], s), "recvs", 0, "tcp-server's accepts")


def test_udp_sendmmsg_recvmmsg(ctx):
    # One sendmmsg moves several datagrams: the bytes count all of them, not the call's result.
    r = record(ctx, [tool("udp_pair"), "18", "300", "2", "mmsg"])
    said = Said(r.out)
    s, rc = said.pid("udp-sender"), said.pid("udp-receiver")
    total = said.num("udp-sender", r"sent (\d+) bytes")
    check(said.num("udp-sender", r"in (\d+) calls") < 18, "sendmmsg sent one datagram per call")
    j = report(ctx.trace)
    ch = one_channel(j, "udp", [s, rc])
    expect(ch, "direction", "simplex", "udp")
    expect(endpoint(ch, s), "bytes_sent", total, "udp-sender")
    expect(endpoint(ch, rc), "bytes_received", said.num("udp-receiver", r"received (\d+) bytes"),
           "udp-receiver")


TCP_CLIENT = r"""
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
n = int(sys.argv[2])
s.sendall(b"c" * n)
got = 0
while got < n:
    got += len(s.recv(65536))
s.close()
print("tcp-client (pid %d): sent %d bytes, received %d bytes" % (os.getpid(), n, got))
"""


def test_tcp_untraced_peer(ctx):
    """A traced client of a server that is not traced: one endpoint, the peer by its address."""
    n = 20000
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def echo():
        conn, _ = srv.accept()
        with conn:
            left = n
            while left > 0:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
                left -= len(data)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    try:
        r = record(ctx, [sys.executable, "-c", TCP_CLIENT, str(port), str(n)])
    finally:
        srv.close()
    t.join(timeout=10)
    said = Said(r.out)
    c = said.pid("tcp-client")
    j = report(ctx.trace)
    ch = one_channel(j, "tcp", [c])
    check(":%d" % port in (ch.get("name") or ""), "tcp channel name %r does not show the peer's "
          "port %d" % (ch.get("name"), port))
    check(len(ch["endpoints"]) == 1, "an untraced peer has an endpoint: %s" % excerpt(ch))
    expect(endpoint(ch, c), "bytes_sent", n, "tcp-client")
    expect(endpoint(ch, c), "bytes_received", n, "tcp-client")


def test_udp_loopback(ctx):
    one_way_test(ctx, "udp_pair", ["16", "512", "5"], "udp", "udp-sender", "udp-receiver",
                 "datagrams")


def test_file_seed_example(ctx):
    r = record(ctx, [tool("file_pair"), "18", "100"])
    said = Said(r.out)
    w, rd = said.pid("writer"), said.pid("reader")
    j = report(ctx.trace)
    ch = named_channel(j, "file", [w, rd], "temp.txt")
    expect(ch, "direction", "simplex", "temp.txt")
    expect(endpoint(ch, w), "bytes_sent", said.num("writer", r"wrote (\d+) bytes"), "writer")
    expect(endpoint(ch, w), "sends", 1, "writer")
    expect(endpoint(ch, rd), "bytes_received", said.num("reader", r"read (\d+) bytes"), "reader")
    expect(endpoint(ch, rd), "bytes_sent", 0, "reader")


def test_signal_pair(ctx):
    n = 16
    r = record(ctx, [tool("signal_pair"), str(n), "2"])
    said = Said(r.out)
    a, b = said.pid("signaller"), said.pid("signalled")
    j = report(ctx.trace)
    sig = channels(j, "signal", [a, b])
    check(sig, "no signal channel between %d and %d; kinds: %s"
          % (a, b, sorted({c.get("kind") for c in j["channels"]})))
    for pid, role in ((a, "signaller"), (b, "signalled")):
        got = sum(endpoint(c, pid).get("sends", 0) for c in sig)
        check(got == n, "%s sent %d signals per the report, it sent %d; %s"
              % (role, got, n, excerpt(sig)))
    # The signaller sleeps in sigwaitinfo until an answer arrives, unless it came first: the
    # demo counts the waits that slept (its own voluntary context switches), and its child's
    # answer woke each of them.
    slept = said.num("signaller", r"slept waiting for (\d+)")
    check(slept >= 1, "the signaller never waited for an answer: %s" % said.lines)
    blocked = sum(endpoint(c, a).get("blocked", 0) for c in sig)
    check(blocked == slept, "signaller blocked %d times waiting for SIGUSR2 per the report; it "
          "slept %d times; %s" % (blocked, slept, excerpt(sig)))
    woke = sum(wakeups(j, b, a, c["id"]) for c in sig)
    check(woke >= slept, "signalled woke signaller %d times over signal channels, the signaller "
          "slept %d times; wakeups: %s" % (woke, slept, excerpt(j["wakeups"])))
    # and each SIGUSR1 that found the child asleep in sigsuspend woke it
    slept = said.num("signalled", r"slept waiting for (\d+)")
    woke = sum(wakeups(j, a, b, c["id"]) for c in sig)
    check(woke >= slept, "signaller woke signalled %d times over signal channels, the signalled "
          "slept %d times; wakeups: %s" % (woke, slept, excerpt(j["wakeups"])))


def test_sigio_async(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "sigio_reader", ["16", "4096", "5"],
                                                "sigio-reader", "async-nonblocking")
    expect_never_waited(endpoint(ch, rd), "sigio-reader (never waits for the pipe)")


def test_posix_aio_async(ctx):
    # glibc reads on a helper thread and reports each completion with a SI_ASYNCIO signal.
    j, ch, said, s, r, n = one_way_test(ctx, "posix_aio", ["8", "4096", "20"], "pipe",
                                        "pipe-writer", "aio-reader", "writes",
                                        recv_mode="async-nonblocking")
    ep = endpoint(ch, r)
    check(ep["mode_evidence"]["sync-blocking"]["calls"] == 0, "aio-reader's reads counted as "
          "sync-blocking: %s" % excerpt(ep["mode_evidence"]))
    expect(ep["mode_evidence"]["async-nonblocking"], "calls", said.num("aio-reader", r"in (\d+) reads"),
           "aio-reader's completions")


def test_io_uring_async(ctx):
    j, ch, said, w, rd, writes = pipe_pair_test(ctx, "io_uring_cat", ["16", "4096", "5"],
                                                "uring-reader", "async-nonblocking")
    expect_never_waited(endpoint(ch, rd), "uring-reader (never waits for the pipe)")


def test_threads_futex(ctx):
    items = 16
    r = record(ctx, [tool("threads_futex"), str(items), "5"])
    said = Said(r.out)
    pid = said.pid("producer")
    ptid = said.num("producer", r"thread (\d+)")
    ctid = said.num("consumer", r"thread (\d+)")
    j = report(ctx.trace)
    threads = {t.get("tid"): t for t in process(j, pid).get("threads", [])}
    check(ptid in threads and ctid in threads, "threads %d, %d missing: %s"
          % (ptid, ctid, sorted(threads)))
    expect(threads[ptid], "comm", "producer", "thread")
    expect(threads[ctid], "comm", "consumer", "thread")
    expect_ge(threads[ctid], "blocked_ns", 1, "consumer thread")
    futexes = [c for c in channels(j, "futex", [pid])]
    check(futexes, "no futex channel in process %d" % pid)
    woke = sum(wakeups(j, pid, pid, c["id"]) for c in futexes)
    check(woke >= items // 2, "%d futex wakeups inside process %d, expected >= %d; wakeups: %s"
          % (woke, pid, items // 2, excerpt(j["wakeups"])))


def test_epoll_server(ctx):
    clients, requests, size = 3, 8, 128
    r = record(ctx, [tool("epoll_server"), str(clients), str(requests), str(size), "5"])
    said = Said(r.out)
    srv = said.pid("epoll-server")
    j = report(ctx.trace)
    woke = 0
    for i in range(1, clients + 1):
        name = "client-%d" % i
        c = said.pid(name)
        ch = one_channel(j, "unix-stream", [srv, c])
        expect(ch, "direction", "half-duplex", name)
        expect(endpoint(ch, c), "bytes_sent", requests * size, name)
        expect(endpoint(ch, c), "bytes_received", requests * size, name)
        expect(endpoint(ch, srv), "bytes_received", requests * size, "epoll-server")
        expect(endpoint(ch, srv), "bytes_sent", requests * size, "epoll-server")
        expect(endpoint(ch, srv), "mode", "async-blocking", "epoll-server")
        expect(endpoint(ch, c), "mode", "sync-blocking", name)
        woke += wakeups(j, c, srv, ch["id"])
    # A request may find the server awake already; but it sleeps between rounds.
    check(woke >= requests // 2, "clients woke epoll-server %d times over their sockets, expected "
          ">= %d; wakeups: %s" % (woke, requests // 2, excerpt(j["wakeups"])))


MP_SCRIPT = r"""
import multiprocessing as mp, os, sys
N, SIZE = int(sys.argv[1]), int(sys.argv[2])
def child(conn, q):
    for i in range(N):
        conn.send_bytes(b"x" * SIZE)
    q.put(os.getpid())
    conn.close()
if __name__ == "__main__":
    mp.set_start_method("fork")
    a, b = mp.Pipe()
    q = mp.Queue()
    p = mp.Process(target=child, args=(b, q))
    p.start()
    for i in range(N):
        assert len(a.recv_bytes()) == SIZE
    cpid = q.get()
    p.join()
    print("parent (pid %d): received %d messages of %d bytes over Pipe" % (os.getpid(), N, SIZE))
    print("child (pid %d): sent %d messages" % (cpid, N))
"""


def test_python_multiprocessing(ctx):
    n, size = 50, 100
    script = ctx.path("mp.py")
    with open(script, "w") as f:
        f.write(MP_SCRIPT)
    r = record(ctx, [sys.executable, script, str(n), str(size)])
    said = Said(r.out)
    parent, child = said.pid("parent"), said.pid("child")
    j = report(ctx.trace)
    # Pipe() is a unix socketpair; each message is a 4-byte length then the payload.
    ch = one_channel(j, "unix-stream", [parent, child])
    expect(endpoint(ch, child), "bytes_sent", n * (4 + size), "child")
    expect(endpoint(ch, parent), "bytes_received", n * (4 + size), "parent")
    expect(ch, "direction", "simplex", "Pipe")
    # Queue() is a pipe fed by a feeder thread of the child.
    q = one_channel(j, "pipe", [parent, child])
    check(endpoint(q, child).get("bytes_sent", 0) > 0, "Queue pipe: child sent nothing: %s"
          % excerpt(q))
    expect(endpoint(q, parent), "bytes_received", endpoint(q, child).get("bytes_sent"), "parent")
