"""Issue 12: several machines, one picture. Machines are network namespaces joined by veth
pairs this test makes (addresses only inside them); a client in one, a server in another,
each recorded by its own `ipctrace -p`. Both share one kernel clock, so a test tool shifts
one trace's clock by a known offset and drift; `merge` must find them again within the
uncertainty it reports, and pair the connections with the byte counts the programs printed."""

import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import time

from lib import (IPCTRACE, Fail, Skip, check, one_line_error, report, run, short, wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "netpeer.py")
TOOLS = os.environ.get("IPCTRACE_TEST_TOOLS") or os.path.join(HERE, "..", "..", ".output", "tools")


def retime_tool():
    path = os.path.join(TOOLS, "trace_retime")
    if not os.access(path, os.X_OK):
        raise Fail("%s not built (make test-tools)" % path)
    return path


class Net:
    """Network namespaces joined in a chain by veth pairs: ns[i] <-> ns[i+1] on 10.231.(i+1).0/24,
    ns[i] being .1 on its right link and .2 on its left one."""

    def __init__(self, n):
        if not shutil.which("ip"):
            raise Skip("no ip(8) to make network namespaces")
        self.ns = ["ipctm%d%c" % (os.getpid(), ord("a") + i) for i in range(n)]
        self.procs = []
        try:
            for name in self.ns:
                self.ip("netns", "add", name)
                self.ip("-n", name, "link", "set", "lo", "up")
            for i in range(n - 1):
                left, right = "%sr" % self.ns[i], "%sl" % self.ns[i + 1]
                self.ip("link", "add", left, "type", "veth", "peer", "name", right)
                for dev, ns, host in ((left, self.ns[i], 1), (right, self.ns[i + 1], 2)):
                    self.ip("link", "set", dev, "netns", ns)
                    self.ip("-n", ns, "addr", "add", "%s/24" % self.addr(i, host), "dev", dev)
                    self.ip("-n", ns, "link", "set", dev, "up")
        except Exception:
            self.close()
            raise

    @staticmethod
    def addr(link, host):
        return "10.231.%d.%d" % (link + 1, host)

    @staticmethod
    def ip(*args):
        p = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
        if p.returncode:
            raise Fail("ip %s: %s" % (" ".join(args), p.stderr.strip()))

    def spawn(self, i, argv, out):
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[i]] + argv, stdout=open(out, "w"),
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, 9)
                p.wait()
        for name in self.ns:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def peer_pid(p):
    """The python peer under `ip netns exec` (which execs it: same pid)."""
    return p.pid


def recording(ctx, name, pids):
    trace = ctx.path(name + ".trace")
    p = subprocess.Popen([IPCTRACE, "-q", "--no-report", "--no-svg", "-p",
                          ",".join(str(x) for x in pids), "-d", "60", "-o", trace],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    return p, trace


def began(trace):
    return any(os.path.getsize(t) > 0 for t in glob.glob(trace + ".tmp.*"))


def finish(recs, peers, timeout=90):
    for p in peers:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Fail("a peer program did not finish")
    for p, trace in recs:
        try:
            _, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            raise Fail("ipctrace -p did not stop when its processes exited")
        check(p.returncode == 0, "ipctrace -p for %s: exit %s: %s"
              % (trace, p.returncode, short(err.decode(errors="replace"))))


def said(path, who):
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] == who:
                return {w[i]: int(w[i + 1]) for i in range(1, len(w) - 1, 2)}
    raise Fail("%s printed no summary: %s" % (who, short(open(path).read())))


def start_mono(trace):
    with open(trace, "rb") as f:
        return struct.unpack_from("<Q", f.read(24), 16)[0]


def retime(src, dst, offset_ns, drift_ppm):
    r = run([retime_tool(), src, dst, str(offset_ns), str(drift_ppm)], timeout=60)
    check(r.rc == 0, "trace_retime: " + r.why())


def merge(ctx, out, traces):
    r = run([IPCTRACE, "merge", "-o", out] + traces, timeout=120)
    return r


def expect_clock(h, truth_at, what):
    """h (a JSON host) must hold truth within its reported uncertainty where it says it is
    narrowest, and within its widest uncertainty at both ends of the span it was fitted on."""
    def est(t):
        return h["offset_ns"] + h["drift_ppm"] * 1e-6 * (t - h["_r0"])
    t = h["uncertainty_at_ns"]
    err = abs(est(t) - truth_at(t))
    check(err <= h["uncertainty_ns"],
          "%s: offset at %d off by %.0f ns, more than the %d ns it claims (host %s)"
          % (what, t, err, h["uncertainty_ns"], json.dumps(h)))
    for t in h["_span"]:
        err = abs(est(t) - truth_at(t))
        check(err <= h["max_uncertainty_ns"],
              "%s: offset at %d off by %.0f ns, more than its widest %d ns"
              % (what, t, err, h["max_uncertainty_ns"]))


def client_server(ctx, net, ci, si, host, tcp_port, conns, rts, gap, udp_port=0, dgrams=0):
    srv = net.spawn(si, [sys.executable, PEER, "server", str(tcp_port), str(conns),
                         str(udp_port), str(dgrams)], ctx.path("server%d.out" % si))
    check(wait_for(lambda: "ready" in open(ctx.path("server%d.out" % si)).read(), 20),
          "server did not start")
    cli = net.spawn(ci, [sys.executable, PEER, "client", host, str(tcp_port), ctx.path("go"),
                         str(conns), str(rts), "300", str(gap), str(udp_port), str(dgrams)],
                    ctx.path("client%d.out" % ci))
    return cli, srv


def cross_channels(j, kind):
    return [c for c in j["channels"] if c["kind"] == kind and c.get("across_hosts")]


def test_merge_two_machines_recovers_offset_drift_and_pairs_bytes(ctx):
    """Client in one namespace, server in another, each recorded by ipctrace -p; the server's
    trace shifted by +2.5 s and +40 ppm. The merged report holds both machines, finds the
    shift within its uncertainty (no wider than the smallest round trip the client measured),
    pairs every connection and the UDP exchange with the bytes both programs counted, and
    credits the wakeups across the network to the other machine's sender."""
    net = Net(2)
    try:
        cli, srv = client_server(ctx, net, 0, 1, Net.addr(0, 2), 7100, 4, 60, 0.01, 7101, 20)
        ra = recording(ctx, "a", [peer_pid(cli)])
        rb = recording(ctx, "b", [peer_pid(srv)])
        check(wait_for(lambda: began(ra[1]) and began(rb[1]), 60), "recordings did not start")
        time.sleep(0.3)
        open(ctx.path("go"), "w").close()
        finish([ra, rb], [cli, srv])
    finally:
        net.close()
    c = said(ctx.path("client0.out"), "client")
    s = said(ctx.path("server1.out"), "server")
    a, b = ctx.path("a.trace"), ctx.path("b.trace")
    b2 = ctx.path("b2.trace")
    off, drift = 2500000000, 40.0
    retime(b, b2, off, drift)
    out = ctx.path("ab.trace")
    r = merge(ctx, out, [a, b2])
    check(r.rc == 0, "merge: " + r.why())
    check("merged 2 traces" in r.out, "no summary: " + short(r.out))
    j = report(out)
    hosts = j.get("hosts")
    check(hosts and len(hosts) == 2, "report has no two hosts: %s" % hosts)
    r0, t0b = start_mono(a), start_mono(b)
    h = hosts[1]
    h["_r0"] = r0
    cross = cross_channels(j, "tcp")
    span = [min(ch["first_ns"] for ch in cross), max(ch["last_ns"] for ch in cross)]
    h["_span"] = span
    # b's clock reads ref + off + drift * (ref - t0b): the test tool's shift, as both share a kernel
    expect_clock(h, lambda t: off + drift * 1e-6 * (t - t0b), "server's clock")
    check(h["uncertainty_ns"] <= c["min_rtt_ns"],
          "uncertainty %d ns is wider than the smallest round trip %d ns"
          % (h["uncertainty_ns"], c["min_rtt_ns"]))
    check(abs(h["drift_ppm"] - drift) <= h["drift_uncertainty_ppm"] + 0.01,
          "drift %.3f ppm, true %.1f, claimed +-%.3f" % (h["drift_ppm"], drift,
                                                      h["drift_uncertainty_ppm"]))
    # every connection: both machines' endpoints, bytes matching the programs' own counts
    check(len(cross) == 4, "%d cross-machine TCP channels, want 4: %s"
          % (len(cross), [ch["name"] for ch in j["channels"]]))
    pids = {p["pid"]: p for p in j["processes"]}
    tot = {"cs": 0, "cr": 0, "ss": 0, "sr": 0}
    for ch in cross:
        check(len(ch["endpoints"]) == 2, "channel %s has %d endpoints" % (ch["name"],
                                                                        len(ch["endpoints"])))
        ep = {pids[e["pid"]]["host"]: e for e in ch["endpoints"]}
        ca, sb = ep.get(hosts[0]["host"]), ep.get(hosts[1]["host"])
        check(ca and sb, "channel %s is not between the two machines" % ch["name"])
        check(ca["bytes_sent"] == sb["bytes_received"] and sb["bytes_sent"] == ca["bytes_received"],
              "channel %s: sent/received do not match across machines: %s" % (ch["name"], ep))
        tot["cs"] += ca["bytes_sent"]
        tot["cr"] += ca["bytes_received"]
        tot["ss"] += sb["bytes_sent"]
        tot["sr"] += sb["bytes_received"]
    check(tot["cs"] == c["sent"] and tot["cr"] == c["got"],
          "client bytes %s, the client says %s" % (tot, c))
    check(tot["sr"] == s["got"] and tot["ss"] == s["sent"],
          "server bytes %s, the server says %s" % (tot, s))
    check(pids[ca["pid"]]["host_pid"] == cli.pid and pids[sb["pid"]]["host_pid"] == srv.pid,
          "host_pid is not the machine's own pid")
    udp = cross_channels(j, "udp")
    check(len(udp) == 1, "want one cross-machine UDP channel: %s" % [ch["name"] for ch in udp])
    ep = {pids[e["pid"]]["host"]: e for e in udp[0]["endpoints"]}
    check(ep[hosts[0]["host"]]["bytes_sent"] == c["udp_sent"] == s["udp_got"] ==
          ep[hosts[1]["host"]]["bytes_received"], "UDP bytes: %s, programs %s %s" % (ep, c, s))
    # the wakeup chain crosses the network edge, both ways
    cids = {ch["id"] for ch in cross}
    # (untraced tasks woken on the way, e.g. a softirq's, have no host: left out)
    ways = {(pids[w["waker_pid"]]["host"], pids[w["wakee_pid"]]["host"]) for w in j["wakeups"]
            if w["channel"] in cids and w["waker_pid"] in pids and w["wakee_pid"] in pids}
    check((hosts[0]["host"], hosts[1]["host"]) in ways and (hosts[1]["host"], hosts[0]["host"]) in ways,
          "no wakeups across the machines on their connections: %s" % ways)
    # the client's critical path crosses the network into the server's machine
    r = run([IPCTRACE, "critical-path", "--json", "--tid", str(ca["pid"]), out], timeout=60)
    check(r.rc == 0, "critical-path of the merged trace: " + r.why())
    by = {t["pid"]: t["ns"] for t in json.loads(r.out)["by_thread"]}
    check(by.get(sb["pid"], 0) > 0, "the client's critical path never reaches the server "
          "machine's process %d: %s" % (sb["pid"], by))
    # every reader takes the merged trace and names the machines
    r = run([IPCTRACE, "report", out], timeout=60)
    check(r.rc == 0 and "between machines" in r.out and hosts[1]["host"] in r.out,
          "text report of the merged trace: " + short(r.out + r.err))
    svg = ctx.path("ab.svg")
    r = run([IPCTRACE, "render", "-o", svg, out], timeout=60)
    check(r.rc == 0, "render of the merged trace: " + r.why())
    text = open(svg, encoding="utf-8").read()
    r = run([IPCTRACE, "render", "--pid", str(sb["pid"]), "-o", ctx.path("server.svg"), out],
            timeout=60)
    check(r.rc == 0, "render --pid of a merged pid: " + r.why())
    for h in hosts:
        check(">%s \u00b7 " % h["host"] in text, "the SVG has no header for machine %s" % h["host"])
    check("python3@%s %d" % (hosts[1]["host"], srv.pid) in text,
          "the SVG does not name the server by its machine and its own pid")
    if shutil.which("rsvg-convert"):
        r = run(["rsvg-convert", "-o", ctx.path("ab.png"), svg], timeout=60)
        check(r.rc == 0, "rsvg-convert of the merged SVG: " + r.why())
    r = run([IPCTRACE, "export", "--perfetto", "-o", ctx.path("ab.json"), out], timeout=60)
    check(r.rc == 0, "export of the merged trace: " + r.why())
    names = [e["args"]["name"] for e in json.load(open(ctx.path("ab.json")))["traceEvents"]
             if e.get("name") == "process_name"]
    check("python3 @%s (pid %d)" % (hosts[1]["host"], srv.pid) in names,
          "Perfetto process names: %s" % names)


def test_merge_three_machines_in_a_chain(ctx):
    """a talks to b, b to c, never a to c: c's clock is found through b's."""
    net = Net(3)
    try:
        c1, s1 = client_server(ctx, net, 0, 1, Net.addr(0, 2), 7200, 2, 60, 0.01)
        c2, s2 = client_server(ctx, net, 1, 2, Net.addr(1, 2), 7201, 2, 60, 0.01)
        ra = recording(ctx, "a", [c1.pid])
        rb = recording(ctx, "b", [s1.pid, c2.pid])
        rc = recording(ctx, "c", [s2.pid])
        check(wait_for(lambda: all(began(t) for _, t in (ra, rb, rc)), 60),
              "recordings did not start")
        time.sleep(0.3)
        open(ctx.path("go"), "w").close()
        finish([ra, rb, rc], [c1, s1, c2, s2])
    finally:
        net.close()
    shifts = {"b": (-3000000000, -25.0), "c": (7000000000, 60.0)}
    traces = [ctx.path("a.trace")]
    for n, (off, dr) in shifts.items():
        retime(ctx.path(n + ".trace"), ctx.path(n + "2.trace"), off, dr)
        traces.append(ctx.path(n + "2.trace"))
    out = ctx.path("abc.trace")
    r = merge(ctx, out, traces)
    check(r.rc == 0, "merge: " + r.why())
    j = report(out)
    hosts = j["hosts"]
    check(len(hosts) == 3, "want 3 hosts: %s" % hosts)
    check(hosts[2]["aligned_to"] == hosts[1]["host"],
          "c was aligned to %s, not through b" % hosts[2]["aligned_to"])
    r0 = start_mono(traces[0])
    for i, n in ((1, "b"), (2, "c")):
        off, dr = shifts[n]
        t0 = start_mono(ctx.path(n + ".trace"))
        hosts[i]["_r0"] = r0
        hosts[i]["_span"] = [hosts[i]["uncertainty_at_ns"]]
        expect_clock(hosts[i], lambda t, off=off, dr=dr, t0=t0: off + dr * 1e-6 * (t - t0),
                     "host %s" % n)
    # listed a, c, b: c is then aligned through a later trace (the fit inverted)
    r = merge(ctx, ctx.path("acb.trace"), [traces[0], traces[2], traces[1]])
    check(r.rc == 0, "merge a c b: " + r.why())
    hc = report(ctx.path("acb.trace"))["hosts"][1]
    check(hc["aligned_to"] == hosts[1]["host"], "c aligned to %s" % hc["aligned_to"])
    off, dr = shifts["c"]
    hc["_r0"] = r0
    hc["_span"] = [hc["uncertainty_at_ns"]]
    expect_clock(hc, lambda t: off + dr * 1e-6 * (t - start_mono(ctx.path("c.trace"))),
                 "host c, listed before b")
    pids = {p["pid"]: p for p in j["processes"]}
    pairs = {tuple(sorted(pids[e["pid"]]["host"] for e in ch["endpoints"]))
             for ch in cross_channels(j, "tcp")}
    check(pairs == {tuple(sorted((hosts[0]["host"], hosts[1]["host"]))),
                    tuple(sorted((hosts[1]["host"], hosts[2]["host"])))},
          "cross-machine channels join %s" % pairs)


def refused(ctx, traces, what, words):
    out = ctx.path("bad.trace")
    r = merge(ctx, out, traces)
    one_line_error(r, what, words)
    check(not os.path.exists(out), "%s: %s was written anyway" % (what, out))
    left = glob.glob(ctx.path("*.tmp.*")) + glob.glob(ctx.path(".ipctrace.*"))
    check(not left, "%s: temporary files left: %s" % (what, left))


def test_merge_refuses_bad_input_in_one_line(ctx):
    """The same machine twice, a newer format, a damaged trace, clocks no line can align, a
    machine that shared no connection, a trace from another time: one line each, no output."""
    net = Net(4)
    try:
        cli, srv = client_server(ctx, net, 0, 1, Net.addr(0, 2), 7300, 1, 40, 0.02)
        idle = net.spawn(2, ["sleep", "30"], ctx.path("idle.out"))
        ra = recording(ctx, "a", [cli.pid])
        rb = recording(ctx, "b", [srv.pid])
        rc = recording(ctx, "c", [idle.pid])
        check(wait_for(lambda: all(began(t) for _, t in (ra, rb, rc)), 60),
              "recordings did not start")
        time.sleep(0.3)
        open(ctx.path("go"), "w").close()
        finish([ra, rb], [cli, srv])
        os.killpg(idle.pid, 9)
        finish([rc], [idle])
        time.sleep(1.2)
        later = ctx.path("d.trace")
        r = run(["ip", "netns", "exec", net.ns[3], IPCTRACE, "-q", "--no-report", "--no-svg",
                 "-o", later, "--", "sleep", "0.2"], timeout=60)
        check(r.rc == 0, "recording d: " + r.why())
    finally:
        net.close()
    a, b, c = ctx.path("a.trace"), ctx.path("b.trace"), ctx.path("c.trace")
    r = merge(ctx, ctx.path("ok.trace"), [a, b])
    check(r.rc == 0, "the good pair does not merge: " + r.why())

    twin = ctx.path("a-again.trace")
    shutil.copy(a, twin)
    refused(ctx, [a, twin], "one machine twice", ["same machine"])

    newer = ctx.path("newer.trace")
    data = bytearray(open(b, "rb").read())
    data[8:12] = (99).to_bytes(4, "little")
    open(newer, "wb").write(data)
    refused(ctx, [a, newer], "a newer format", ["newer"])

    cut = ctx.path("cut.trace")
    open(cut, "wb").write(open(b, "rb").read()[:-30])
    refused(ctx, [a, cut], "a damaged trace", ["damaged"])

    fast = ctx.path("fast.trace")
    retime(b, fast, 1000000000, 5000)
    refused(ctx, [a, fast], "a clock 5000 ppm fast", ["cross"])

    refused(ctx, [a, c], "a machine that talked to none", ["no TCP or UDP"])
    refused(ctx, [a, later], "a trace of another time", ["overlaps no other"])
    refused(ctx, [a], "one trace", ["two or more"])
