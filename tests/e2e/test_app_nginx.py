"""Issue 9: nginx (master and two workers, Debian's nginx-light) under ApacheBench keep-alive
load, traced attached (-p) and as the command (--). Oracles: ab's own counts (requests, bytes it
received) and nginx's access log; the waiting facts: an idle master is asleep, not running; the
workers sleep in epoll_wait (async-blocking)."""

import re
import shutil
import signal
import time

import pytest

from apps import (IDLE, MODES, Procs, Recording, channels_of, free_port, side, wait_port,
                  window_check, wrong_exes)
from lib import Skip, check, process, report, run, short, wait_for

REQUESTS, CONCURRENCY = 400, 2
BODY = "hello from nginx\n"

CONF = """
worker_processes 2;
daemon off;
master_process on;
user nobody nogroup;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
  log_format served_by '$pid $bytes_sent';
  access_log {dir}/access.log served_by;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{ return 200 "{body}"; }}
  }}
}}
"""


def nginx_argv(ctx, port):
    if not shutil.which("nginx") or not shutil.which("ab"):
        raise Skip("nginx or ab is not installed (tools/install-deps.sh installs them)")
    conf = ctx.path("nginx.conf")
    with open(conf, "w") as f:
        f.write(CONF.format(dir=ctx.dir, port=port, body=BODY.replace("\n", "\\n")))
    return ["nginx", "-p", ctx.dir, "-c", conf, "-e", ctx.path("error.log")]


def pidfile(ctx):
    """The master's pid once nginx has written its pid file whole, else None."""
    try:
        with open(ctx.path("nginx.pid")) as f:
            text = f.read()
        return int(text) if text.endswith("\n") else None
    except (OSError, ValueError):
        return None


def workers(master):
    with open("/proc/%d/task/%d/children" % (master, master)) as f:
        return [int(x) for x in f.read().split()]


def ab_load(port):
    """ab's own account of the load: requests completed and bytes it received."""
    r = run(["ab", "-q", "-k", "-n", str(REQUESTS), "-c", str(CONCURRENCY),
             "http://127.0.0.1:%d/" % port], timeout=60)
    check(r.rc == 0, "ab: " + r.why())
    done = re.search(r"Complete requests:\s+(\d+)", r.out)
    failed = re.search(r"Failed requests:\s+(\d+)", r.out)
    total = re.search(r"Total transferred:\s+(\d+) bytes", r.out)
    check(done and failed and total, "ab printed no counts: " + short(r.out))
    check(int(done.group(1)) == REQUESTS and int(failed.group(1)) == 0,
          "ab did not complete its requests: " + short(r.out))
    return {"requests": REQUESTS, "received": int(total.group(1))}


def access_log(ctx):
    """nginx's own account: {worker pid: [responses, bytes sent]} from its access log."""
    served = {}
    with open(ctx.path("access.log")) as f:
        for line in f:
            pid, sent = map(int, line.split())
            acc = served.setdefault(pid, [0, 0])
            acc[0] += 1
            acc[1] += sent
    return served


def run_nginx(ctx, attached):
    """nginx under ab, recorded: the report, ab's and the access log's counts, the pids."""
    port = free_port()
    argv = nginx_argv(ctx, port)
    procs = Procs()
    try:
        if attached:
            master = procs.start(argv, out=ctx.path("nginx.out")).pid
            check(wait_port(port) and wait_for(lambda: len(workers(master)) == 2, 10),
                  "nginx did not start: " + short(open(ctx.path("error.log")).read()))
            rec = Recording(procs, ctx, pids=[master] + workers(master), duration=30)
        else:
            rec = Recording(procs, ctx, argv=argv, stdout=ctx.path("nginx.out"))
            check(wait_port(port) and wait_for(lambda: pidfile(ctx), 10),
                  "nginx did not start under ipctrace: " + rec.stderr())
            master = pidfile(ctx)
            check(wait_for(lambda: len(workers(master)) == 2, 10), "nginx started no workers")
        pids = workers(master)
        time.sleep(IDLE)
        ab = ab_load(port)
        time.sleep(IDLE)
        rc = rec.stop() if attached else rec.end_command(master, signal.SIGQUIT)
        check(rc == 0, "ipctrace exited %s: %s" % (rc, rec.stderr()))
        return {"j": report(ctx.trace), "ab": ab, "master": master, "workers": pids,
                "logged": access_log(ctx), "window_ns": rec.window_ns()}
    finally:
        procs.stop()


@pytest.fixture(scope="module", params=MODES)
def nginx(request, can_record, module_ctx):
    return run_nginx(module_ctx("nginx-" + request.param), request.param == "attached")


def client_channels(n):
    """The connections that carried requests (the readiness probe's carried none)."""
    return [c for c in channels_of(n["j"], "tcp", n["workers"])
            if "<->" in (c.get("name") or "") and side(c, n["workers"])["bytes_received"]]


def test_nginx_bytes_match_ab(nginx):
    """Every byte ab received was sent by a worker over a connection ipctrace saw, one send per
    response (nginx writes a `return` response with one writev); each worker's sends and bytes
    are those its access log lines say it served."""
    logged = nginx["logged"]
    check(sum(n for n, _ in logged.values()) == REQUESTS, "the access log has %d lines, ab made "
          "%d requests" % (sum(n for n, _ in logged.values()), REQUESTS))
    chans = client_channels(nginx)
    check(1 <= len(chans) <= CONCURRENCY, "%d client connections, ab -k -c %d opens at most %d: %s"
          % (len(chans), CONCURRENCY, CONCURRENCY, [c.get("name") for c in chans]))
    sent = sum(side(c, nginx["workers"])["bytes_sent"] for c in chans)
    sends = sum(side(c, nginx["workers"])["sends"] for c in chans)
    check(sent == nginx["ab"]["received"], "workers sent %d bytes over their connections, ab "
          "received %d" % (sent, nginx["ab"]["received"]))
    check(sends == REQUESTS, "workers made %d sends, ab got %d responses" % (sends, REQUESTS))
    recvs = sum(side(c, nginx["workers"])["recvs"] for c in chans)
    check(recvs >= REQUESTS, "workers made %d receives for %d requests" % (recvs, REQUESTS))
    for pid, (responses, nbytes) in logged.items():
        mine = [side(c, [pid]) for c in chans]
        check(sum(m["sends"] for m in mine) == responses and
              sum(m["bytes_sent"] for m in mine) == nbytes,
              "worker %d logged %d responses of %d bytes, ipctrace saw %d sends of %d bytes"
              % (pid, responses, nbytes, sum(m["sends"] for m in mine),
                 sum(m["bytes_sent"] for m in mine)))


def test_nginx_workers_async_blocking(nginx):
    """A worker sleeps in epoll_wait until a connection is readable: async-blocking."""
    for c in client_channels(nginx):
        for e in c["endpoints"]:
            if e["pid"] in nginx["workers"]:
                check(e.get("mode") == "async-blocking", "worker %d on %s: mode %r"
                      % (e["pid"], c.get("name"), e.get("mode")))


def master_asleep(nginx):
    """The master waits in rt_sigsuspend the whole time: blocked, hardly any CPU."""
    j = nginx["j"]
    t = [t for t in process(j, nginx["master"]).get("threads", [])
         if t.get("tid") == nginx["master"]][0]
    duration = j["trace"]["duration_ns"]
    check(t.get("user_ns", 0) < duration // 10,
          "the idle master is said to run %d ns of %d in user space" % (t.get("user_ns", 0),
                                                                       duration))
    check(t.get("blocked_ns", 0) > duration // 2,
          "the idle master is blocked %d ns of %d" % (t.get("blocked_ns", 0), duration))


def test_nginx_master_asleep(nginx):
    master_asleep(nginx)


def test_nginx_window_is_the_recording(nginx):
    window_check(nginx["j"], nginx)


def test_nginx_roles(nginx):
    """nginx names its processes' roles in their command lines (a worker says it is shutting
    down once the master is told to quit)."""
    j = nginx["j"]
    check((process(j, nginx["master"]).get("cmdline") or "").startswith("nginx: master process"),
          "master's cmdline: %r" % process(j, nginx["master"]).get("cmdline"))
    for w in nginx["workers"]:
        check((process(j, w).get("cmdline") or "").startswith("nginx: worker process"),
              "worker %d's cmdline: %r" % (w, process(j, w).get("cmdline")))


def test_nginx_exe(nginx):
    pids = [nginx["master"]] + nginx["workers"]
    wrong = wrong_exes(nginx["j"], pids, shutil.which("nginx"))
    check(not wrong, "nginx processes with another exe (pid, exe): %s" % wrong)


def test_nginx_access_log_is_no_channel(nginx):
    """Both workers append to the access log and nobody reads it: no channel (a file is one when
    a process reads what another wrote)."""
    logs = [c for c in nginx["j"]["channels"] if "access.log" in (c.get("name") or "")]
    check(not logs, "the access log is a channel: %s"
          % [(c.get("kind"), c.get("name"), c.get("direction")) for c in logs])
