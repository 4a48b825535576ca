"""Issue 11: the communication graph (ipctrace graph, the timeline's panel), grouping of
siblings and thread pools, and the filters every reading subcommand shares. Facts come from
the programs themselves (what the demos print, seq's output size, ab's byte count, nginx's
worker pids in /proc, pgbench's clients), never from ipctrace's own report alone."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from lib import (IPCTRACE, SVG, Fail, Said, Skip, check, excerpt, one_line_error, record,
                 record_flags, report, run, short, tool, wait_for)


# --- reading a graph back ---------------------------------------------------

class Graph:
    """Nodes and edges of an ipctrace graph SVG, from its data attributes and drawn marks."""

    def __init__(self, path):
        __tracebackhide__ = True
        r = run(["xmllint", "--noout", path], timeout=30)
        check(r.rc == 0, "graph SVG %s is not well-formed XML: %s" % (path, r.why()))
        root = ET.parse(path).getroot()
        check("script" not in open(path).read().lower(), "graph SVG has a script")
        self.nodes, self.edges = {}, []
        for g in root.iter(SVG + "g"):
            cls = (g.get("class") or "").split()
            if "gnode" in cls:
                self.nodes[g.get("id")] = {
                    "type": cls[1], "count": int(g.get("data-count")),
                    "pids": [int(p) for p in (g.get("data-pids") or "").split(",") if p],
                    "tids": [int(p) for p in (g.get("data-tids") or "").split(",") if p],
                    "text": " ".join(t.text or "" for t in g.iter(SVG + "text")),
                }
            elif "gedge" in cls:
                heads = [p for p in g.iter(SVG + "path") if p.get("class") == "ahead"]
                self.edges.append({
                    "type": cls[1], "kind": g.get("data-kind"), "from": g.get("data-from"),
                    "to": g.get("data-to"), "bytes": int(g.get("data-bytes")),
                    "back": int(g.get("data-bytes-back")),
                    "channels": int(g.get("data-channels")), "arrows": len(heads),
                    "dashed": any(p.get("stroke-dasharray") for p in g.iter(SVG + "path")
                                  if p.get("class") != "ahead"),
                })

    def node_of(self, pid, kind="gproc"):
        __tracebackhide__ = True
        for nid, n in self.nodes.items():
            if n["type"] == kind and pid in (n["pids"] if kind == "gproc" else n["tids"]):
                return nid
        raise Fail("no %s node holds %d; nodes: %s" % (kind, pid, excerpt(self.nodes)))

    def between(self, a, b, kind=None):
        return [e for e in self.edges if {e["from"], e["to"]} == {a, b}
                and (kind is None or e["kind"] == kind)]

    def one_between(self, a, b, kind):
        __tracebackhide__ = True
        found = self.between(a, b, kind)
        check(len(found) == 1, "expected one %s line between %s and %s, found %d; lines: %s"
              % (kind, a, b, len(found), excerpt(self.edges)))
        return found[0]

    def sent(self, e, src):
        """Bytes the edge carries from node src."""
        return e["bytes"] if e["from"] == src else e["back"]


def graph(ctx, trace, *args, name="g.svg"):
    __tracebackhide__ = True
    out = ctx.path(name)
    r = run([IPCTRACE, "graph", "-o", out] + list(args) + [trace], timeout=120)
    check(r.rc == 0, "ipctrace graph %s: %s" % (" ".join(args), r.why()))
    return out


def check_picture(svg, png):
    """rsvg-convert draws it, and what it draws is a picture: big enough, not blank."""
    __tracebackhide__ = True
    from PIL import Image
    r = run(["rsvg-convert", "-o", png, svg], timeout=60)
    check(r.rc == 0, "rsvg-convert %s: %s" % (svg, r.why()))
    img = Image.open(png).convert("RGB")
    w, h = img.size
    check(w >= 300 and h >= 150, "PNG of %s is only %dx%d" % (svg, w, h))
    small = img.resize((w // 4, h // 4))
    px = list(small.getdata())
    inked = sum(1 for p in px if sum(p) < 600) / len(px)
    colours = len(set(px))
    check(0.005 < inked < 0.6, "PNG of %s is %.1f%% ink: blank or a blot" % (svg, 100 * inked))
    check(colours >= 8, "PNG of %s has %d colours: not a drawing" % (svg, colours))


def check_dot(ctx, trace, *args):
    """--format dot writes DOT that Graphviz's own dot draws."""
    __tracebackhide__ = True
    dot = ctx.path("g.dot")
    r = run([IPCTRACE, "graph", "--format", "dot", "-o", dot] + list(args) + [trace], timeout=60)
    check(r.rc == 0, "ipctrace graph --format dot: %s" % r.why())
    r = run(["dot", "-Tsvg", "-o", ctx.path("dot.svg"), dot], timeout=60)
    check(r.rc == 0 and not r.err.strip(), "dot refused ipctrace's DOT: %s" % r.why())
    check(ET.parse(ctx.path("dot.svg")).getroot() is not None, "dot drew no SVG")
    return open(dot).read()


# --- the demos: one per row of the seed's table ------------------------------

# demo, args, kind, sender role, receiver role, pattern of the sender's bytes, both ways
ONE_LINE_DEMOS = [
    ("pipe_blocking", [], "pipe", "writer", "reader", r"wrote (\d+) bytes", False),
    ("fifo_pair", [], "fifo", "fifo-writer", "fifo-reader", r"wrote (\d+) bytes", False),
    ("mq_pair", [], "mqueue", "mq-sender", "mq-receiver", r"sent (\d+) bytes", False),
    ("sysv_msg", [], "sysv-msg", "msg-sender", "msg-receiver", r"sent (\d+) bytes", False),
    ("unix_dgram", [], "unix-dgram", "dgram-sender", "dgram-receiver", r"sent (\d+) bytes", False),
    ("udp_pair", [], "udp", "udp-sender", "udp-receiver", r"sent (\d+) bytes", False),
    ("file_pair", [], "file", "writer", "reader", r"wrote (\d+) bytes", False),
    ("unix_stream", [], "unix-stream", "client", "server", r"sent (\d+) bytes", True),
    ("tcp_echo", [], "tcp", "tcp-client", "tcp-server", r"sent (\d+) bytes", True),
]


@pytest.mark.parametrize("demo,args,kind,snd,rcv,pattern,both", ONE_LINE_DEMOS,
                         ids=[d[0] for d in ONE_LINE_DEMOS])
def test_graph_demo_line(ctx, demo, args, kind, snd, rcv, pattern, both):
    said = Said(record(ctx, [tool(demo)] + args).out)
    g = Graph(graph(ctx, ctx.trace))
    a, b = g.node_of(said.pid(snd)), g.node_of(said.pid(rcv))
    check(a != b, "%s and %s drawn as one box" % (snd, rcv))
    e = g.one_between(a, b, kind)
    check(g.sent(e, a) == said.num(snd, pattern),
          "%s: the line says %d bytes from %s, it says it sent %d"
          % (demo, g.sent(e, a), snd, said.num(snd, pattern)))
    if both:
        check(e["arrows"] == 2, "%s talks both ways: want two arrowheads, drew %d"
              % (demo, e["arrows"]))
        check(g.sent(e, b) == said.num(rcv, pattern), "%s: %d bytes back, %s says %d"
              % (demo, g.sent(e, b), rcv, said.num(rcv, pattern)))
    else:
        check(e["arrows"] == 1 and e["from"] == a,
              "%s is one way %s -> %s: want one arrowhead from the sender, drew %d from %s"
              % (demo, snd, rcv, e["arrows"], e["from"]))
    check(not e["dashed"], "a data channel drawn dashed")
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
    check_dot(ctx, ctx.trace)


MEMORY_DEMOS = [
    ("shm_sem", "shm", "producer", "consumer", "futex"),
    ("sysv_shm_sem", "sysv-shm", "producer", "consumer", "sysv-sem"),
    ("mmap_file", "mmap", "map-writer", "map-reader", "pipe"),
]


@pytest.mark.parametrize("demo,kind,a_role,b_role,sync", MEMORY_DEMOS,
                         ids=[d[0] for d in MEMORY_DEMOS])
def test_graph_demo_shared_memory(ctx, demo, kind, a_role, b_role, sync):
    said = Said(record(ctx, [tool(demo)]).out)
    g = Graph(graph(ctx, ctx.trace))
    a, b = g.node_of(said.pid(a_role)), g.node_of(said.pid(b_role))
    mem = [nid for nid, n in g.nodes.items() if n["type"] == "gmem"]
    check(len(mem) == 1, "%s: want one shared-memory box, found %d: %s"
          % (demo, len(mem), excerpt(g.nodes)))
    for who in (a, b):
        lines = g.between(who, mem[0], kind)
        check(len(lines) == 1 and lines[0]["type"] == "gattach" and lines[0]["arrows"] == 0,
              "%s: %s not attached to the %s box by one plain line: %s"
              % (demo, who, kind, excerpt(g.edges)))
    s = g.one_between(a, b, sync)
    if sync != "pipe":
        check(s["dashed"] and s["type"] == "gsync", "%s: the %s wakeups are not a dashed line: %s"
              % (demo, sync, excerpt(s)))
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
    check_dot(ctx, ctx.trace)


def test_graph_demo_threads_inside_their_process(ctx):
    out = record(ctx, [tool("threads_futex")]).out
    m = {role: (int(pid), int(tid)) for role, pid, tid in
         re.findall(r"^(\w+) \(pid (\d+)\): thread (\d+)", out, re.M)}
    check({"consumer", "producer"} <= set(m), "threads_futex printed: %s" % short(out))
    g = Graph(graph(ctx, ctx.trace))
    proc = g.node_of(m["consumer"][0])
    c, p = g.node_of(m["consumer"][1], "gthread"), g.node_of(m["producer"][1], "gthread")
    check(c != p, "producer and consumer drawn as one thread box")
    e = g.one_between(p, c, "futex")
    check(e["dashed"] and e["arrows"] >= 1, "futex wakeups between the threads: %s" % excerpt(e))
    check(g.nodes[proc]["type"] == "gproc", "the process box: %s" % excerpt(g.nodes[proc]))
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
    check_dot(ctx, ctx.trace)


def test_graph_demo_many_tasks_grouped(ctx):
    """20 child processes of one role and 20 threads of one name writing one pipe: one box
    "20 x" and one line in the graph, one band and one pool lane in the timeline."""
    n = 20
    said = Said(record(ctx, [tool("many_tasks"), str(n), str(n)]).out)
    collector = said.pid("collector")
    j = report(ctx.trace)
    kids = sorted(p["pid"] for p in j["processes"] if p["comm"] == "task-child")
    check(len(kids) == n, "the demo started %d children, the trace has %d" % (n, len(kids)))
    g = Graph(graph(ctx, ctx.trace))
    group = g.node_of(kids[0])
    check(g.nodes[group]["count"] == n and sorted(g.nodes[group]["pids"]) == kids,
          "want one box of the %d children, got %s" % (n, excerpt(g.nodes[group])))
    check(re.search(r"\b%d\s*\u00d7" % n, g.nodes[group]["text"]), "the box does not say %d x: %r"
          % (n, g.nodes[group]["text"]))
    # each child and each thread writes one id of the same size: half of what was read came from the children
    e = g.one_between(group, g.node_of(collector), "pipe")
    check(e["from"] == group and e["bytes"] == said.num("collector", r"read (\d+) bytes") // 2,
          "the children's line: %s; the collector read %d bytes from %d children and %d threads"
          % (excerpt(e), said.num("collector", r"read (\d+) bytes"), n, n))
    g2 = Graph(graph(ctx, ctx.trace, "--no-group", name="all.svg"))
    for k in kids:
        check(g2.nodes[g2.node_of(k)]["count"] == 1, "--no-group still grouped %d" % k)
    check(len(g2.between(g2.node_of(kids[0]), g2.node_of(collector), "pipe")) == 1,
          "--no-group: no line from one child to the collector")
    # the timeline groups the same way: one band for the children, one lane for the threads
    lanes = timeline_lanes(ctx, ctx.trace)
    # (a long name gives way to the pid in the label column: "task-chi… 1234")
    check(any(re.match(r"%d \u00d7 task-ch\S* \d+$" % n, x) for x in lanes) and
          any(re.match(r"%d \u00d7 task-th\S* \d+$" % n, x) for x in lanes) and len(lanes) == 3,
          "want lanes collector, %d x task-thread, %d x task-child; got %s" % (n, n, lanes))
    rows = table_rows(ctx.path("tl.svg"))
    check(len(rows) == 1 and "%d \u00d7 task-child (w)" % n in rows[0],
          "the table's one pipe names the %d children once: %s" % (n, rows))
    check(len(timeline_lanes(ctx, ctx.trace, "--no-group")) == 1 + n + n,
          "--no-group: want a lane per thread (%d)" % (1 + n + n))


def timeline_lanes(ctx, trace, *args):
    """The lane labels of the timeline SVG (process and thread lanes)."""
    __tracebackhide__ = True
    out = ctx.path("tl.svg")
    r = run([IPCTRACE, "render", "-o", out] + list(args) + [trace], timeout=120)
    check(r.rc == 0, "render %s: %s" % (" ".join(args), r.why()))
    root = ET.parse(out).getroot()
    return ["".join(t.itertext()).strip() for t in root.iter(SVG + "text")
            if t.get("class") in ("plbl", "lbl")]


def table_rows(svg):
    """The channel table's rows of a timeline SVG, each as its cells' text joined by |."""
    root = ET.parse(svg).getroot()
    rows = []
    for g in root.iter(SVG + "g"):
        title = g.find(SVG + "title")
        if title is not None and re.match(r"channel #\d+:", title.text or ""):
            rows.append("|".join("".join(t.itertext()) for t in g.iter(SVG + "text")))
    return rows


# --- a coreutils pipeline --------------------------------------------------

def seq_bytes(n):
    return sum(len(str(i)) + 1 for i in range(1, n + 1))


PIPELINE_N = 100000


@pytest.fixture
def pipeline_trace(ctx):
    record(ctx, ["sh", "-c", "seq 1 %d | sort -n | uniq -c > /dev/null" % PIPELINE_N])
    j = report(ctx.trace)
    pids = {p["comm"]: p["pid"] for p in j["processes"]}
    check({"seq", "sort", "uniq"} <= set(pids), "pipeline processes: %s" % excerpt(pids))
    return j, pids


def test_graph_coreutils_pipeline(ctx, pipeline_trace):
    j, pids = pipeline_trace
    g = Graph(graph(ctx, ctx.trace))
    seq, srt, uniq = (g.node_of(pids[c]) for c in ("seq", "sort", "uniq"))
    procs = [n for n in g.nodes.values() if n["type"] == "gproc"]
    check(len(procs) == 4, "sh, seq, sort, uniq: want 4 boxes, got %d" % len(procs))
    pipes = [e for e in g.edges if e["kind"] == "pipe"]
    check(len(pipes) == 2, "want 2 pipe lines, got %d: %s" % (len(pipes), excerpt(pipes)))
    want = seq_bytes(PIPELINE_N)
    for a, b in ((seq, srt), (srt, uniq)):
        e = g.one_between(a, b, "pipe")
        check(e["from"] == a and e["arrows"] == 1 and e["bytes"] == want,
              "%s -> %s: want one arrowhead and %d bytes (seq's output), got %s"
              % (a, b, want, excerpt(e)))
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
    dot = check_dot(ctx, ctx.trace)
    check(dot.count("->") == len(g.edges), "DOT has %d edges, the SVG %d"
          % (dot.count("->"), len(g.edges)))
    # the timeline SVG carries the same graph as a panel above its table
    r = run([IPCTRACE, "render", "-o", ctx.path("tl.svg"), ctx.trace], timeout=60)
    check(r.rc == 0, "render: " + r.why())
    panel = Graph(ctx.path("tl.svg"))
    check(len(panel.edges) == len(g.edges) and len(panel.nodes) == len(g.nodes),
          "the panel has %d boxes and %d lines, ipctrace graph %d and %d"
          % (len(panel.nodes), len(panel.edges), len(g.nodes), len(g.edges)))
    r = run([IPCTRACE, "render", "--no-graph", "-o", ctx.path("tl2.svg"), ctx.trace], timeout=60)
    check(r.rc == 0 and not Graph(ctx.path("tl2.svg")).nodes, "--no-graph still drew the panel")


# --- every filter on every subcommand ----------------------------------------

def sub(ctx, what, trace, *args):
    """The output of one reading subcommand, parsed: report JSON, render / graph SVG,
    Perfetto JSON."""
    __tracebackhide__ = True
    if what == "report":
        r = run([IPCTRACE, "report", "--json"] + list(args) + [trace], timeout=60)
        check(r.rc == 0, "report %s: %s" % (" ".join(args), r.why()))
        return json.loads(r.out)
    out = ctx.path("%s.out" % what)
    argv = {"render": ["render", "-o", out], "graph": ["graph", "-o", out],
            "export": ["export", "--perfetto", "--format", "json", "-o", out]}[what]
    r = run([IPCTRACE] + argv + list(args) + [trace], timeout=60)
    check(r.rc == 0, "%s %s: %s" % (what, " ".join(args), r.why()))
    if what == "export":
        return json.load(open(out))
    return out


def shown(ctx, what, trace, *args):
    """(pids, channel ids) a subcommand's output shows under these filters."""
    o = sub(ctx, what, trace, *args)
    if what == "report":
        return ({p["pid"] for p in o["processes"]}, {c["id"] for c in o["channels"]})
    if what == "export":
        pids = {e["pid"] for e in o["traceEvents"] if e.get("ph") == "M"
                and e.get("name") == "process_name"}
        return pids, {c["id"] for c in o["otherData"]["channels"]}
    root = ET.parse(o).getroot()
    text = open(o).read()
    if what == "graph":
        g = Graph(o)
        pids = {p for n in g.nodes.values() for p in n["pids"]}
        chans = set()
        for t in root.iter(SVG + "title"):
            chans |= {int(c) for c in re.findall(r"channel #(\d+)", t.text or "")}
        return pids, chans
    # render: lanes' process labels end with the pid; table rows start with the channel id
    pids = {int(m) for m in re.findall(r'class="plbl"[^>]*>[^<]*?(\d+)</text>', text)}
    chans = set()
    for t in root.iter(SVG + "title"):
        m = re.match(r"channel #(\d+):", t.text or "")
        if m:
            chans.add(int(m.group(1)))
    return pids, chans


@pytest.mark.parametrize("what", ["report", "render", "graph", "export"])
def test_filters_on_every_subcommand(ctx, pipeline_trace, what):
    j, pids = pipeline_trace
    chan = {tuple(sorted(e["pid"] for e in c["endpoints"])): c["id"] for c in j["channels"]}
    seq_sort = chan[tuple(sorted((pids["seq"], pids["sort"])))]
    sort_uniq = chan[tuple(sorted((pids["sort"], pids["uniq"])))]
    all_pids, all_chans = shown(ctx, what, ctx.trace)
    check({seq_sort, sort_uniq} <= all_chans, "%s without filters lacks the pipes: %s"
          % (what, all_chans))

    p, c = shown(ctx, what, ctx.trace, "--pid", str(pids["uniq"]))
    check(pids["uniq"] in p and pids["seq"] not in p and c == {sort_uniq},
          "%s --pid uniq: shows pids %s, channels %s" % (what, p, c))
    p, c = shown(ctx, what, ctx.trace, "--chan", str(seq_sort))
    check(c == {seq_sort} and pids["uniq"] not in p, "%s --chan %d: pids %s, channels %s"
          % (what, seq_sort, p, c))
    p, c = shown(ctx, what, ctx.trace, "--kind", "tcp,udp")
    check(not c and not (p & {pids["seq"], pids["sort"], pids["uniq"]}),
          "%s --kind tcp,udp on a pipeline: pids %s, channels %s" % (what, p, c))
    p, c = shown(ctx, what, ctx.trace, "--kind", "pipe")
    check(c == {seq_sort, sort_uniq}, "%s --kind pipe: channels %s" % (what, c))
    p, c = shown(ctx, what, ctx.trace, "--min-bytes", str(seq_bytes(PIPELINE_N) + 1))
    check(not c, "%s --min-bytes above every pipe's bytes: channels %s" % (what, c))
    p, c = shown(ctx, what, ctx.trace, "--min-bytes", str(seq_bytes(PIPELINE_N)))
    check(c == {seq_sort, sort_uniq}, "%s --min-bytes = the pipes' bytes: channels %s" % (what, c))
    for bad, words in (("--pid", "no process"), ("--chan", "no channel")):
        r = run([IPCTRACE] + {"report": ["report"], "render": ["render", "-o", ctx.path("x")],
                              "graph": ["graph", "-o", ctx.path("x")],
                              "export": ["export", "--perfetto", "-o", ctx.path("x")]}[what]
                + [bad, "4000000", ctx.trace], timeout=60)
        one_line_error(r, "%s %s 4000000" % (what, bad), [words])
        check(r.rc == 1 and not os.path.exists(ctx.path("x")),
              "%s %s unknown: exit %d, output left: %s" % (what, bad, r.rc,
                                                          os.path.exists(ctx.path("x"))))


def test_window_splits_a_pipe_exactly(ctx):
    """Bytes in [0, T] plus bytes in (T, end] are the whole: every transfer counted once."""
    said = Said(record(ctx, [tool("pipe_blocking")]).out)
    total = said.num("writer", r"wrote (\d+) bytes")
    j = report(ctx.trace)
    # the middle of the writer's own writes, whenever the demo got to them
    w = [e for c in j["channels"] if c["kind"] == "pipe" for e in c["endpoints"]
         if e["pid"] == said.pid("writer")]
    check(len(w) == 1 and "first_ns" in w[0], "the writer's pipe end: %s" % excerpt(w))
    half = (w[0]["first_ns"] + w[0]["last_ns"]) // 2 - j["trace"]["start_ns"]

    def sent(*args):
        r = run([IPCTRACE, "report", "--json", "--kind", "pipe"] + list(args) + [ctx.trace],
                timeout=60)
        check(r.rc == 0, "report %s: %s" % (" ".join(args), r.why()))
        return sum(e["bytes_sent"] for c in json.loads(r.out)["channels"] for e in c["endpoints"])

    a, b = sent("--to", "%dns" % half), sent("--from", "%dns" % (half + 1))
    check(0 < a < total and 0 < b < total and a + b == total,
          "the writer wrote %d bytes; before the middle %d, after it %d" % (total, a, b))
    # the graph and the timeline agree with the report on the window
    g = Graph(graph(ctx, ctx.trace, "--to", "%dns" % half))
    e = g.one_between(g.node_of(said.pid("writer")), g.node_of(said.pid("reader")), "pipe")
    check(e["bytes"] == a, "graph --to: %d bytes, report --to: %d" % (e["bytes"], a))


# --- real applications: nginx and PostgreSQL ---------------------------------

NGINX_CONF = """
worker_processes %(workers)d;
daemon off;
master_process on;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 256; }
http {
    access_log %(dir)s/access.log;
    client_body_temp_path %(dir)s/body;
    proxy_temp_path %(dir)s/proxy;
    fastcgi_temp_path %(dir)s/fastcgi;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        location / { root %(dir)s/www; }
    }
}
"""


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return sorted(int(x) for x in out.split())


def test_graph_nginx_workers_and_client(ctx):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    ab = shutil.which("ab")
    if not os.access(nginx, os.X_OK) or not ab:
        raise Skip("nginx or ab (apache2-utils) not installed")
    workers, requests, conc = 4, 400, 8
    port = free_port()
    os.makedirs(ctx.path("www"))
    with open(ctx.path("www/index.html"), "w") as f:
        f.write("x" * 2000)
    conf = ctx.path("nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {"workers": workers, "dir": ctx.dir, "port": port})
    server = subprocess.Popen([nginx, "-c", conf, "-p", ctx.dir], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        check(wait_for(lambda: len(children(server.pid)) == workers, 20),
              "nginx did not start %d workers: %s" % (workers, children(server.pid)))
        worker_pids = children(server.pid)
        # -p follows the children started from then on: the running workers are named too
        pids = ",".join(str(p) for p in [server.pid] + worker_pids)
        r = run([IPCTRACE] + record_flags() + ["-p", pids, "-d", "20", "-o", ctx.trace,
                                               "--no-svg", "--", ab, "-q", "-n", str(requests),
                                               "-c", str(conc), "http://127.0.0.1:%d/" % port],
                timeout=120, stdout_path=ctx.out)
        check(r.rc == 0, "ipctrace -p nginx -- ab: " + r.why())
    finally:
        server.send_signal(signal.SIGQUIT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    out = open(ctx.out).read()
    m = re.search(r"Complete requests:\s+(\d+)", out)
    t = re.search(r"Total transferred:\s+(\d+) bytes", out)
    check(m and int(m.group(1)) == requests and t, "ab did not finish: " + short(out))
    served = sum(1 for _ in open(ctx.path("access.log")))
    check(served == requests, "nginx logged %d requests, ab made %d" % (served, requests))
    g = Graph(graph(ctx, ctx.trace))
    group = g.node_of(worker_pids[0])
    check(sorted(g.nodes[group]["pids"]) == worker_pids,
          "want the %d workers %s in one box, got %s"
          % (workers, worker_pids, excerpt(g.nodes[group])))
    check(g.node_of(server.pid) != group, "the master grouped with its workers")
    client = [nid for nid, n in g.nodes.items() if n["type"] == "gproc" and
              re.match(r"ab\b", n["text"])]
    check(len(client) == 1, "no box for ab: %s" % excerpt(g.nodes))
    e = g.one_between(client[0], group, "tcp")
    check(e["channels"] >= conc, "ab's %d connections to the workers: one line of %d channels"
          % (conc, e["channels"]))
    check(g.sent(e, group) == int(t.group(1)), "the workers sent %d bytes to ab, ab received %s"
          % (g.sent(e, group), t.group(1)))
    check(e["arrows"] == 2, "request and reply: want two arrowheads, drew %d" % e["arrows"])
    g2 = Graph(graph(ctx, ctx.trace, "--no-group", name="all.svg"))
    for w in worker_pids:
        check(g2.nodes[g2.node_of(w)]["count"] == 1, "--no-group grouped worker %d" % w)
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
    check_dot(ctx, ctx.trace)
    # the timeline: the workers one band, and ab's connections (one per request, no
    # keep-alive) one table row that counts them
    lanes = timeline_lanes(ctx, ctx.trace)
    # the band goes by the workers' role, from the title nginx gives them
    check(any(re.match(r"%d \u00d7 nginx: worker process \d+$" % workers, x) for x in lanes),
          "no '%d x nginx: worker process' lane: %s" % (workers, lanes))
    rows = [r for r in table_rows(ctx.path("tl.svg")) if r.split("|")[1] == "tcp"
            and "listening" not in r]
    check(len(rows) == 1 and ("%d channels like" % requests) in rows[0]
          and ("%d \u00d7 nginx (rw)" % workers) in rows[0],
          "want one tcp row of %d channels between ab and the %d workers: %s"
          % (requests, workers, rows))


def test_graph_postgres_backends_grouped(ctx):
    """pgbench -c N against a real server traced with -p: its N backends are one box."""
    import apps
    import test_app_postgres as tp
    bindir = tp.postgres_bin()
    import pwd
    pw = pwd.getpwnam("postgres")
    os.chown(ctx.dir, pw.pw_uid, pw.pw_gid)
    data, port, clients = ctx.path("data"), str(free_port()), 4
    pg = apps.as_user("postgres")
    r = run([os.path.join(bindir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
             "--no-sync"], timeout=120, preexec=pg)
    check(r.rc == 0, "initdb: " + r.why())
    log = open(ctx.path("postgres.log"), "w")
    server = subprocess.Popen([os.path.join(bindir, "postgres"), "-D", data, "-k", ctx.dir,
                               "-p", port, "-c", "listen_addresses=", "-c", "fsync=off"],
                              stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                              start_new_session=True, preexec_fn=pg)
    log.close()
    rec = None
    conn = ["-h", ctx.dir, "-p", port, "-U", "postgres"]
    backends = set()
    try:
        ready = lambda: run([os.path.join(bindir, "pg_isready")] + conn, timeout=10).rc == 0
        check(wait_for(ready, 30), "postgres did not start")
        r = run([os.path.join(bindir, "pgbench"), "-i", "-s", "1", "-q"] + conn + ["postgres"],
                timeout=120, preexec=pg)
        check(r.rc == 0, "pgbench -i: " + r.why())
        rec = subprocess.Popen([IPCTRACE] + record_flags() + ["-p", str(server.pid), "-d", "90",
                                                             "-o", ctx.trace, "--no-svg"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, start_new_session=True)
        time.sleep(3)
        bench = subprocess.Popen([os.path.join(bindir, "pgbench"), "-n", "-S", "-c",
                                  str(clients), "-j", "1", "-T", "4"] + conn
                                 + ["postgres"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, preexec_fn=pg, text=True)
        # the oracle: the server's own list of its client backends while pgbench runs
        while bench.poll() is None:
            q = run([os.path.join(bindir, "psql")] + conn + [
                "-Atc", "select pid from pg_stat_activity where backend_type = 'client backend' "
                "and application_name = 'pgbench'", "postgres"], timeout=20, preexec=pg)
            backends |= {int(x) for x in q.out.split() if x.isdigit()}
            time.sleep(0.05)
        out, _ = bench.communicate()
        check(bench.returncode == 0 and re.search(r"processed: [1-9]", out),
              "pgbench: " + short(out))
        rec.send_signal(signal.SIGINT)
        _, err = rec.communicate(timeout=60)
        check(rec.returncode == 0, "ipctrace -p: " + short(err.decode(errors="replace")))
    finally:
        for p in (rec, server):
            if p and p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
    # pgbench's clients, and the connection it opens first to look at the database
    check(clients <= len(backends) <= clients + 1,
          "pg_stat_activity showed %d pgbench backends, want %d (or one more): %s"
          % (len(backends), clients, sorted(backends)))
    g = Graph(graph(ctx, ctx.trace))
    boxes = {g.node_of(b) for b in backends}
    check(len(boxes) == 1, "the %d backends are in %d boxes: %s"
          % (clients, len(boxes), excerpt([g.nodes[b] for b in boxes])))
    box = g.nodes[boxes.pop()]
    check(set(backends) <= set(box["pids"]) and box["count"] >= clients,
          "the backends' box: %s" % excerpt(box))
    check(g.node_of(server.pid) not in [g.node_of(b) for b in backends],
          "the postmaster grouped with its backends")
    g2 = Graph(graph(ctx, ctx.trace, "--no-group", name="all.svg"))
    check(len({g2.node_of(b) for b in backends}) == len(backends),
          "--no-group: backends still grouped")
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
    check_dot(ctx, ctx.trace)


# --- usage ---------------------------------------------------------------------

@pytest.mark.nobpf
def test_graph_usage_errors(ctx):
    for argv, words in (
        (["graph", "--format", "png", "t"], ["--format", "svg or dot"]),
        (["graph", "--kind", "pipes", "t"], ["unknown kind", "pipes"]),
        (["graph", "--min-bytes", "-1", "t"], ["--min-bytes"]),
        (["graph", "--from", "2", "--to", "1", "t"], ["--to must be later"]),
        (["report", "--kind", "", "t"], ["--kind"]),
        (["export", "--perfetto", "--pid", "x", "t"], ["--pid"]),
    ):
        r = run([IPCTRACE] + argv, timeout=20)
        one_line_error(r, " ".join(argv), words)
        check(r.rc == 2, "%s: exit %d, want 2" % (" ".join(argv), r.rc))


def test_graph_remote_machine(ctx):
    """Seed 1.1.3: a traced client and a web server on another machine (a network namespace,
    not traced): the server is a box of its own inside a box for its machine."""
    ab = shutil.which("ab")
    if not ab or not shutil.which("ip"):
        raise Skip("ab (apache2-utils) or ip (iproute2) not installed")
    ns, here, there, n = "ipct-e2e-%d" % os.getpid(), "10.214.0.1", "10.214.0.2", 20
    host = "ipctg%d" % (os.getpid() % 100000)
    with open(ctx.path("index.html"), "w") as f:
        f.write("y" * 5000)
    server = None
    try:
        for argv in (["ip", "netns", "add", ns],
                     ["ip", "link", "add", host, "type", "veth", "peer", "name", host + "p"],
                     ["ip", "link", "set", host + "p", "netns", ns],
                     ["ip", "addr", "add", here + "/24", "dev", host],
                     ["ip", "link", "set", host, "up"],
                     ["ip", "netns", "exec", ns, "ip", "addr", "add", there + "/24", "dev", host + "p"],
                     ["ip", "netns", "exec", ns, "ip", "link", "set", host + "p", "up"]):
            r = run(argv, timeout=20)
            check(r.rc == 0, "%s: %s" % (" ".join(argv), r.why()))
        server = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", "-m", "http.server",
                                   "8000", "--bind", there, "--directory", ctx.dir],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        # from this machine, as the client will connect
        up = lambda: run(["/usr/bin/python3", "-c",
                          "import socket; socket.create_connection(('%s', 8000), 1)" % there],
                         timeout=10).rc == 0
        check(wait_for(up, 20), "the server in the namespace did not start")
        record(ctx, [ab, "-q", "-n", str(n), "-c", "2", "http://%s:8000/index.html" % there])
    finally:
        if server:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        run(["ip", "netns", "del", ns], timeout=20)
        run(["ip", "link", "del", host], timeout=20)
    out = open(ctx.out).read()
    m = re.search(r"Complete requests:\s+(\d+)", out)
    t = re.search(r"Total transferred:\s+(\d+) bytes", out)
    check(m and int(m.group(1)) == n and t, "ab: " + short(out))
    g = Graph(graph(ctx, ctx.trace))
    remote = [nid for nid, x in g.nodes.items() if x["type"] == "gremote"]
    check(len(remote) == 1 and there in g.nodes[remote[0]]["text"],
          "want one box for %s, got %s" % (there, excerpt(g.nodes)))
    client = [nid for nid, x in g.nodes.items() if x["type"] == "gproc" and x["text"].startswith("ab")]
    check(len(client) == 1, "no box for ab: %s" % excerpt(g.nodes))
    e = g.one_between(client[0], remote[0], "tcp")
    check(e["channels"] == n and g.sent(e, remote[0]) == int(t.group(1)) and e["arrows"] == 2,
          "ab's %d connections: want one line of %d channels carrying the %s bytes ab received, "
          "both ways; got %s" % (n, n, t.group(1), excerpt(e)))
    root = ET.parse(ctx.path("g.svg")).getroot()
    machines = [" ".join(x.itertext()) for x in root.iter(SVG + "g") if x.get("class") == "ghost"]
    check(any(there in x for x in machines) and len(machines) == 2,
          "want this machine and the remote one as boxes: %s" % machines)
    check_picture(ctx.path("g.svg"), ctx.path("g.png"))
