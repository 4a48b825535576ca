"""Issue 9: memcached (two worker threads) driven by a client written here with stdlib sockets,
traced attached (-p) and as the command (--). Oracles: the client's own byte counts per
connection and memcached's `stats` (cmd_set, cmd_get, bytes_read, bytes_written); the waiting
facts: workers sleep in epoll_wait (async-blocking), idle maintenance threads are asleep, and
threads carry the names memcached gives them."""

import shutil
import signal
import socket
import time

import pytest

from apps import (IDLE, MODES, Procs, Recording, free_port, port_channel, running_threads,
                  side, wait_port, wrong_exes)
from lib import Skip, check, process, report, short

CONNECTIONS, KEYS = 2, 150
VALUE = b"v" * 100


def stats(port):
    """memcached's counters, and the bytes this `stats` exchange itself took each way."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        req = b"stats\r\n"
        s.sendall(req)
        buf = b""
        while not buf.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            check(chunk, "memcached closed the stats connection")
            buf += chunk
    vals = dict(line.split()[1:3] for line in buf.decode().splitlines() if line.startswith("STAT"))
    return {k: int(v) for k, v in vals.items() if v.isdigit()}, len(req), len(buf)


def exchange(s, req, end):
    s.sendall(req)
    buf = b""
    while not buf.endswith(end):
        chunk = s.recv(65536)
        check(chunk, "memcached closed the connection")
        buf += chunk
    return buf


def client_load(port):
    """Sets then gets KEYS keys on each of CONNECTIONS connections, one request at a time;
    returns {client port: [bytes sent, bytes received, requests]}, the client's own account."""
    counts = {}
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10)
             for _ in range(CONNECTIONS)]
    try:
        for n, s in enumerate(socks):
            c = counts.setdefault(s.getsockname()[1], [0, 0, 0])
            for i in range(KEYS):
                key = b"key-%d-%d" % (n, i)
                for req, end in ((b"set %s 0 0 %d\r\n%s\r\n" % (key, len(VALUE), VALUE),
                                  b"STORED\r\n"), (b"get %s\r\n" % key, b"END\r\n")):
                    got = exchange(s, req, end)
                    c[0] += len(req)
                    c[1] += len(got)
                    c[2] += 1
                check(VALUE in got, "memcached did not return the value it stored: %r" % got[:80])
    finally:
        for s in socks:
            s.close()
    return counts


def memcached_argv(port):
    if not shutil.which("memcached"):
        raise Skip("memcached is not installed (tools/install-deps.sh installs it)")
    return ["memcached", "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-t", "2", "-u", "nobody"]


def run_memcached(ctx, attached):
    port = free_port()
    argv = memcached_argv(port)
    procs = Procs()
    try:
        if attached:
            pid = procs.start(argv, out=ctx.path("memcached.out")).pid
            check(wait_port(port), "memcached did not start: "
                  + short(open(ctx.path("memcached.out")).read()))
            before = stats(port)
            rec = Recording(procs, ctx, pids=[pid], duration=30)
        else:
            rec = Recording(procs, ctx, argv=argv, stdout=ctx.path("memcached.out"))
            check(wait_port(port), "memcached did not start under ipctrace: " + rec.stderr())
            before = stats(port)
            pid = before[0]["pid"]
        time.sleep(IDLE)
        load = client_load(port)
        time.sleep(IDLE)
        if attached:
            rc = rec.stop()
            after = stats(port)
        else:
            after = stats(port)
            rc = rec.end_command(pid, signal.SIGTERM)
        check(rc == 0, "ipctrace exited %s: %s" % (rc, rec.stderr()))
        return {"j": report(ctx.trace), "pid": pid, "load": load, "before": before,
                "after": after}
    finally:
        procs.stop()


@pytest.fixture(scope="module", params=MODES)
def mc(request, can_record, module_ctx):
    return run_memcached(module_ctx("memcached-" + request.param), request.param == "attached")


def test_memcached_bytes_match_client(mc):
    """Each connection carries, on memcached's side, what the client says it sent and got."""
    for port, (sent, received, requests) in mc["load"].items():
        s = side(port_channel(mc["j"], "tcp", port, [mc["pid"]]), [mc["pid"]])
        check(s["bytes_received"] == sent and s["bytes_sent"] == received,
              "connection from port %d: memcached received %d and sent %d bytes, the client sent "
              "%d and received %d" % (port, s["bytes_received"], s["bytes_sent"], sent, received))
        check(s["recvs"] >= requests and s["sends"] >= requests,
              "connection from port %d: %d receives and %d sends for %d requests"
              % (port, s["recvs"], s["sends"], requests))


def test_memcached_bytes_match_stats(mc):
    """memcached's own counters agree: commands, and the bytes of the load connections (the
    `stats` exchanges around them are on another connection and are subtracted)."""
    (b, _, b_resp), (a, a_req, _) = mc["before"], mc["after"]
    sets = gets = CONNECTIONS * KEYS
    check(a["cmd_set"] - b["cmd_set"] == sets and a["cmd_get"] - b["cmd_get"] == gets,
          "memcached counted %d sets and %d gets, the client made %d and %d"
          % (a["cmd_set"] - b["cmd_set"], a["cmd_get"] - b["cmd_get"], sets, gets))
    load = [side(port_channel(mc["j"], "tcp", port, [mc["pid"]]), [mc["pid"]])
            for port in mc["load"]]
    read = sum(s["bytes_received"] for s in load)
    written = sum(s["bytes_sent"] for s in load)
    check(read == a["bytes_read"] - b["bytes_read"] - a_req,
          "ipctrace: memcached received %d bytes; its stats say %d"
          % (read, a["bytes_read"] - b["bytes_read"] - a_req))
    check(written == a["bytes_written"] - b["bytes_written"] - b_resp,
          "ipctrace: memcached sent %d bytes; its stats say %d"
          % (written, a["bytes_written"] - b["bytes_written"] - b_resp))


def test_memcached_workers_async_blocking(mc):
    """A worker thread sleeps in epoll_wait (libevent) until its connection is readable."""
    for port in mc["load"]:
        ch = port_channel(mc["j"], "tcp", port, [mc["pid"]])
        e = [e for e in ch["endpoints"] if e["pid"] == mc["pid"]][0]
        check(e.get("mode") == "async-blocking", "memcached on the connection from port %d: "
              "mode %r, eagain %s" % (port, e.get("mode"), e.get("eagain")))


def test_memcached_idle_threads_asleep(mc):
    """The maintenance threads (mc-lrumaint, mc-slabmaint, mc-assocmaint, ...) sleep between
    rounds: none of memcached's threads is running for most of the recording."""
    busy = running_threads(mc["j"], [mc["pid"]])
    check(not busy, "idle memcached threads said to run: %s" % busy)



def test_memcached_thread_names(mc):
    """memcached names its threads after creating them (pthread_setname_np from the creator)."""
    names = [t.get("comm") for t in process(mc["j"], mc["pid"]).get("threads", [])]
    check(names.count("mc-worker") == 2, "memcached's threads are named %s, two of them "
          "mc-worker" % sorted(map(str, names)))


def test_memcached_exe(mc):
    wrong = wrong_exes(mc["j"], [mc["pid"]], shutil.which("memcached"))
    check(not wrong, "memcached with another exe (pid, exe): %s" % wrong)
