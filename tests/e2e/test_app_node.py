"""Issue 9: a Node.js HTTP server answering a keep-alive client (one connection, requests one
after another), traced attached (-p) and as the command (--). Oracles: the client's own byte
counts and the server's own count of requests; the waiting facts: the event loop sleeps in
epoll_wait (async-blocking), V8's idle worker threads are asleep, futexes are told apart."""

import re
import shutil
import socket
import time

import pytest

from apps import (IDLE, MODES, Procs, Recording, channels_of, port_channel, running_threads,
                  side, wrong_exes)
from lib import Skip, check, report, short, wait_for

REQUESTS = 300

SERVER = r"""
const http = require("http");
const total = parseInt(process.argv[2], 10);
const body = "hello from node\n";
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  res.writeHead(200, {"Content-Type": "text/plain", "Content-Length": body.length});
  res.end(body);
  // close() stops listening and ends the idle keep-alive connection once the client is done.
  if (served === total) server.close();
});
server.on("close", () => console.log(`node-server (pid ${process.pid}): served ${served}`));
server.listen(0, "127.0.0.1",
  () => console.log(`node-server (pid ${process.pid}): port ${server.address().port}`));
"""


def keep_alive_client(port):
    """REQUESTS requests over one HTTP/1.1 connection, each response read whole (Content-Length)
    before the next request; returns (client port, bytes sent, bytes received)."""
    sent = received = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        buf = b""
        for i in range(REQUESTS):
            req = b"GET /%d HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n" % i
            s.sendall(req)
            sent += len(req)
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                check(chunk, "node closed the connection after %d responses" % i)
                buf += chunk
            head, rest = buf.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
            while len(rest) < length:
                chunk = s.recv(65536)
                check(chunk, "node closed the connection inside a response")
                rest += chunk
            received += len(head) + 4 + length
            buf = rest[length:]
        return s.getsockname()[1], sent, received


def run_node(ctx, attached):
    if not shutil.which("node"):
        raise Skip("node is not installed (tools/install-deps.sh installs nodejs)")
    script, out = ctx.path("server.js"), ctx.path("node.out")
    with open(script, "w") as f:
        f.write(SERVER)
    argv = ["node", script, str(REQUESTS)]
    procs = Procs()

    def said(what):
        with open(out) as f:
            m = re.search(r"node-server \(pid (\d+)\): %s (\d+)" % what, f.read())
        return m and (int(m.group(1)), int(m.group(2)))
    try:
        if attached:
            procs.start(argv, out=out)
            check(wait_for(lambda: said("port"), 20), "node did not start: "
                  + short(open(out).read()))
            rec = Recording(procs, ctx, pids=[said("port")[0]], duration=60)
        else:
            rec = Recording(procs, ctx, argv=argv, stdout=out)
            check(wait_for(lambda: said("port"), 20), "node did not start under ipctrace: "
                  + rec.stderr())
        pid, port = said("port")
        time.sleep(IDLE)
        client = keep_alive_client(port)
        # The server exits by itself once the client is done; the recording ends with it.
        rc = rec.wait()
        check(rc == 0, "ipctrace exited %s: %s" % (rc, rec.stderr()))
        served = said("served")
        check(served == (pid, REQUESTS), "node said %s, expected %d requests served"
              % (served, REQUESTS))
        return {"j": report(ctx.trace), "pid": pid, "client": client}
    finally:
        procs.stop()


@pytest.fixture(scope="module", params=MODES)
def node(request, can_record, module_ctx):
    return run_node(module_ctx("node-" + request.param), request.param == "attached")


def connection(node):
    return port_channel(node["j"], "tcp", node["client"][0], [node["pid"]])


def test_node_bytes_match_client(node):
    """The one keep-alive connection carries, on node's side, what the client sent and got."""
    _, sent, received = node["client"]
    s = side(connection(node), [node["pid"]])
    check(s["bytes_received"] == sent and s["bytes_sent"] == received,
          "node received %d and sent %d bytes; the client sent %d and received %d"
          % (s["bytes_received"], s["bytes_sent"], sent, received))
    check(s["recvs"] >= REQUESTS and s["sends"] >= REQUESTS,
          "node made %d receives and %d sends for %d requests" % (s["recvs"], s["sends"],
                                                                  REQUESTS))


def test_node_event_loop_async_blocking(node):
    """libuv's loop sleeps in epoll_wait until the connection is readable: async-blocking."""
    ch = connection(node)
    check(ch.get("direction") == "half-duplex", "request/response is half-duplex, not %r"
          % ch.get("direction"))
    e = [e for e in ch["endpoints"] if e["pid"] == node["pid"]][0]
    check(e.get("mode") == "async-blocking", "node's mode on its connection is %r (eagain %s)"
          % (e.get("mode"), e.get("eagain")))


def test_node_idle_threads_asleep(node):
    """V8's platform workers and libuv's helper threads wait on futexes while the loop serves:
    none of node's threads runs for most of the trace (the client paces the load)."""
    busy = running_threads(node["j"], [node["pid"]], share=0.5)
    check(not busy, "idle node threads said to run: %s" % busy)



def test_node_futexes_told_apart(node):
    """Private futexes are named by process and address: no two of node's have one name."""
    names = [c.get("name") for c in channels_of(node["j"], "futex", [node["pid"]])]
    check(len(names) >= 2, "node made %d futex channels, too few to tell apart" % len(names))
    check(all(names) and len(set(names)) == len(names),
          "node's %d futexes have %d names: %s" % (len(names), len(set(names)),
                                                    short(str(sorted(set(map(str, names)))))))


def test_node_exe(node):
    wrong = wrong_exes(node["j"], [node["pid"]], shutil.which("node"))
    check(not wrong, "node with another exe (pid, exe): %s" % wrong)
