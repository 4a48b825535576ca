"""Issue 9: a Python asyncio echo server with three concurrent clients, traced attached (-p), as
the command (--), and as the command under strace -f. Oracles: the clients' own byte counts per
connection and, for the same run, strace's bytes per socket; the waiting facts: the event loop
sleeps in epoll_wait (async-blocking); the default executor's idle thread and a background
thread that sleeps a minute at a time are asleep, not running."""

import re
import socket
import sys
import threading
import time

import pytest

from apps import (IDLE, MODES, Procs, Recording, port_channel, running_threads, side,
                  strace_argv, strace_socket_bytes, window_check, wrong_exes)
from lib import check, excerpt, report, short, wait_for

CLIENTS, ROUNDS, SIZE = 3, 100, 1000

SERVER = r"""
import asyncio, os, sys, threading, time

def flush_metrics():
    while True:
        time.sleep(60)

async def main(clients):
    loop = asyncio.get_running_loop()
    # Starts the default executor's worker thread, which then waits idle for work.
    await loop.run_in_executor(None, time.sleep, 0)
    finished, done = asyncio.Event(), 0

    async def echo(reader, writer):
        nonlocal done
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()
        await writer.wait_closed()
        done += 1
        if done == clients:  # 0: serve until killed
            finished.set()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    print("asyncio-server (pid %d): port %d" % (os.getpid(), server.sockets[0].getsockname()[1]),
          flush=True)
    await finished.wait()
    server.close()
    await server.wait_closed()

# A background thread that wakes once a minute, as a metrics flusher does: asleep all along.
threading.Thread(target=flush_metrics, name="flusher", daemon=True).start()
asyncio.run(main(int(sys.argv[1])))
"""


def echo_clients(port):
    """CLIENTS threads, each sending ROUNDS messages of SIZE bytes and reading each echo back;
    returns {client port: [bytes sent, bytes received]}, the clients' own account."""
    counts, errors = {}, []

    def client():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                mine = counts.setdefault(s.getsockname()[1], [0, 0])
                for i in range(ROUNDS):
                    s.sendall(bytes([i % 256]) * SIZE)
                    mine[0] += SIZE
                    got = 0
                    while got < SIZE:
                        chunk = s.recv(SIZE - got)
                        if not chunk:
                            raise OSError("server closed the connection")
                        got += len(chunk)
                    mine[1] += got
        except OSError as e:
            errors.append(str(e))
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    check(not errors and len(counts) == CLIENTS, "clients failed: %s" % errors)
    return counts


def run_asyncio(ctx, how):
    script, out = ctx.path("server.py"), ctx.path("server.out")
    with open(script, "w") as f:
        f.write(SERVER)
    # Attached, the server stays up (recording stopped as Ctrl-C does); else it exits after the
    # clients and the recording ends with it.
    argv = [sys.executable, script, "0" if how == "attached" else str(CLIENTS)]
    if how == "strace":
        argv = strace_argv(ctx.path("strace")) + argv
    procs = Procs()

    def said():
        with open(out) as f:
            m = re.search(r"asyncio-server \(pid (\d+)\): port (\d+)", f.read())
        return m and (int(m.group(1)), int(m.group(2)))
    try:
        if how == "attached":
            procs.start(argv, out=out)
            check(wait_for(said, 20), "the server did not start: " + short(open(out).read()))
            rec = Recording(procs, ctx, pids=[said()[0]], duration=60)
        else:
            rec = Recording(procs, ctx, argv=argv, stdout=out)
            check(wait_for(said, 20), "the server did not start under ipctrace: " + rec.stderr())
        pid, port = said()
        time.sleep(IDLE)
        clients = echo_clients(port)
        if how == "attached":
            time.sleep(IDLE)
            rc = rec.stop()
        else:
            rec.stopping = time.monotonic()
            rc = rec.wait()
        check(rc == 0, "ipctrace exited %s: %s" % (rc, rec.stderr()))
        return {"j": report(ctx.trace), "pid": pid, "port": port, "clients": clients,
                "window_ns": rec.window_ns(), "strace": ctx.path("strace")}
    finally:
        procs.stop()


@pytest.fixture(scope="module", params=MODES)
def aio(request, can_record, module_ctx):
    return run_asyncio(module_ctx("asyncio-" + request.param), request.param)


@pytest.fixture(scope="module")
def aio_strace(can_record, module_ctx):
    return run_asyncio(module_ctx("asyncio-strace"), "strace")


def server_side(run, port):
    return side(port_channel(run["j"], "tcp", port, [run["pid"]]), [run["pid"]])


def test_asyncio_bytes_match_clients(aio):
    for port, (sent, received) in aio["clients"].items():
        s = server_side(aio, port)
        check(s["bytes_received"] == sent and s["bytes_sent"] == received,
              "connection from port %d: the server received %d and sent %d bytes; the client "
              "sent %d and received %d" % (port, s["bytes_received"], s["bytes_sent"], sent,
                                           received))


def test_asyncio_bytes_match_strace(aio_strace):
    """The same run seen by strace -f: every connection's bytes each way, socket by socket."""
    seen = strace_socket_bytes(aio_strace["strace"])
    check(len(aio_strace["clients"]) == CLIENTS, "clients: %s" % aio_strace["clients"])
    for port, (sent, received) in aio_strace["clients"].items():
        mine = [v for k, v in seen.items()
                if re.search(r":%d->[^]]*:%d\]" % (aio_strace["port"], port), k)]
        check(len(mine) == 1, "strace saw %d sockets from port %d: %s" % (len(mine), port,
                                                                        short(str(seen))))
        (st_sent, st_received), = mine
        check((st_received, st_sent) == (sent, received), "strace and the client disagree on "
              "port %d: %s vs %s" % (port, (st_received, st_sent), (sent, received)))
        s = server_side(aio_strace, port)
        check((s["bytes_sent"], s["bytes_received"]) == (st_sent, st_received),
              "connection from port %d: ipctrace says the server sent %d and received %d bytes, "
              "strace %d and %d" % (port, s["bytes_sent"], s["bytes_received"], st_sent,
                                    st_received))


def test_asyncio_event_loop_async_blocking(aio):
    """The loop reads once per readiness epoll_wait reported: async-blocking. Saturated by the
    clients it always has callbacks ready and looks with a zero timeout, never sleeping: a look
    that found nothing followed by one that found work, or by closing a connection, is a loop
    working between its checks, not busy-waiting."""
    for port in aio["clients"]:
        ch = port_channel(aio["j"], "tcp", port, [aio["pid"]])
        e = [e for e in ch["endpoints"] if e["pid"] == aio["pid"]][0]
        check(e.get("mode") == "async-blocking", "the server's mode on the connection from port "
              "%d is %r: %s" % (port, e.get("mode"), excerpt(e)))


def test_asyncio_idle_threads_asleep(aio):
    """The executor's worker thread waits for work and the flusher sleeps in time.sleep(60) the
    whole time: asleep, not running."""
    busy = running_threads(aio["j"], [aio["pid"]], share=0.5)
    check(not busy, "idle asyncio threads said to run: %s" % busy)


def test_asyncio_window_is_the_recording(aio):
    window_check(aio["j"], aio)


def test_asyncio_exe(aio):
    wrong = wrong_exes(aio["j"], [aio["pid"]], sys.executable)
    check(not wrong, "the server with another exe (pid, exe): %s" % wrong)
