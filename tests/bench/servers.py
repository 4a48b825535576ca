"""Real servers under their own benchmark clients, untraced and traced with
ipctrace -p, perf record and strace -f attached to the running server:
nginx (master + 2 workers) under wrk -t2 -c10, PostgreSQL under pgbench -c4.

Each tracer attaches to every process of the running server, the client
runs for a fixed time, the tracer detaches; the variants alternate, and the
medians of their throughputs are compared. Beside the throughput ratio (the
goal) it gives the server's own CPU time per request or transaction, traced
over untraced, which other load on the machine disturbs less.
"""
import glob
import os
import pwd
import re
import signal
import shutil
import socket
import subprocess
import time

# perf record of the same hooks ipctrace uses: scheduler and raw syscall entry/exit.
PERF_EVENTS = ["sched:sched_switch", "sched:sched_waking", "raw_syscalls:sys_enter",
               "raw_syscalls:sys_exit"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(rest[1]) == pid:
            out.append(int(d))
    return out


def cpu_ticks(pids):
    """user+sys clock ticks of the processes and of their children that ended (a
    PostgreSQL backend per client connection, reaped by the postmaster)."""
    t = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()
            t += int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        except (OSError, IndexError):
            pass
    return t


def cpu_ns(pid):
    """CPU time of all threads of pid in ns (schedstat: finer than clock ticks)."""
    t = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                t += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return t


def wait_for(cond, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def as_user(name):
    pw = pwd.getpwnam(name)

    def drop():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return drop


class Server:
    """A running server and its client; subclasses say how to start, drive and stop it."""
    name = ""
    unit = ""

    def pids(self):
        """The server's processes now: the main one and its children (their children
        started later are followed by the tracers)."""
        return [self.main.pid] + children(self.main.pid)

    def stop(self):
        if self.main and self.main.poll() is None:
            self.main.send_signal(signal.SIGTERM)
            try:
                self.main.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.main.kill()
                self.main.wait()


class Nginx(Server):
    name = "nginx"
    unit = "requests/s"
    label = "nginx (master + 2 workers) under wrk -t2 -c10"

    @staticmethod
    def available():
        return shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"), shutil.which("wrk")

    def __init__(self, work, log, secs):
        self.secs = secs
        self.dir = os.path.join(work, "nginx")
        # the workers run as an unprivileged user: they must reach the files they serve
        os.chmod(work, 0o755)
        os.makedirs(os.path.join(self.dir, "www"))
        os.makedirs(os.path.join(self.dir, "tmp"))
        with open(os.path.join(self.dir, "www", "index.html"), "w") as f:
            f.write("<html><body>" + "ipctrace " * 64 + "</body></html>\n")
        self.port = free_port()
        tmp = os.path.join(self.dir, "tmp")
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes 2;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
  uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{ listen 127.0.0.1:{self.port}; root {self.dir}/www; location / {{ }} }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.main = subprocess.Popen([nginx, "-c", conf, "-p", self.dir], stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        if not wait_for(lambda: len(children(self.main.pid)) >= 2, 10):
            self.stop()
            raise RuntimeError("nginx did not start its 2 workers; see " + self.dir)
        self.url = f"http://127.0.0.1:{self.port}/index.html"

    def drive(self, log):
        """One client run; its throughput, or None."""
        out = subprocess.run(["wrk", "-t2", "-c10", f"-d{self.secs}s", self.url],
                             capture_output=True, text=True).stdout
        log.write(out.encode())
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        n = re.search(r"(\d+) requests in", out)
        # error pages are cheaper than the file: they would measure another server
        if "Non-2xx" in out:
            raise RuntimeError("nginx answered with errors; see " + self.dir + "/error.log")
        return (float(m.group(1)), int(n.group(1))) if m and n else (None, None)


class Postgres(Server):
    name = "postgres"
    unit = "transactions/s"
    label = "PostgreSQL under pgbench -c4 -j2 (TPC-B-like, scale 1, fsync off)"

    @staticmethod
    def available():
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            found = []
        return bool(found), bool(found)

    def __init__(self, work, log, secs):
        self.secs = secs
        self.bindir = os.path.dirname(sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))[-1])
        self.dir = os.path.join(work, "postgres")
        os.makedirs(self.dir)
        pw = pwd.getpwnam("postgres")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(work, 0o755)
        self.pg = as_user("postgres")
        data = os.path.join(self.dir, "data")
        self.port = str(free_port())
        self.conn = ["-h", self.dir, "-p", self.port, "-U", "postgres"]
        subprocess.run([os.path.join(self.bindir, "initdb"), "-D", data, "-A", "trust", "-U",
                        "postgres", "--no-sync"], stdout=log, stderr=log, check=True,
                       preexec_fn=self.pg, timeout=180)
        self.main = subprocess.Popen([os.path.join(self.bindir, "postgres"), "-D", data, "-k",
                                      self.dir, "-p", self.port, "-c", "listen_addresses=",
                                      "-c", "fsync=off"], stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=self.pg)
        ready = lambda: subprocess.run([os.path.join(self.bindir, "pg_isready")] + self.conn,
                                       capture_output=True).returncode == 0
        if not wait_for(ready, 60):
            self.stop()
            raise RuntimeError("postgres did not start; see " + self.dir)
        subprocess.run([os.path.join(self.bindir, "pgbench"), "-i", "-s", "1", "-q"] + self.conn +
                       ["postgres"], stdout=log, stderr=log, check=True, preexec_fn=self.pg,
                       timeout=300)

    def stop(self):
        # SIGINT: PostgreSQL's fast shutdown
        if self.main and self.main.poll() is None:
            self.main.send_signal(signal.SIGINT)
            try:
                self.main.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.main.pid, signal.SIGKILL)
                self.main.wait()

    def drive(self, log):
        out = subprocess.run([os.path.join(self.bindir, "pgbench"), "-n", "-c", "4", "-j", "2",
                              "-T", str(self.secs)] + self.conn + ["postgres"],
                             capture_output=True, text=True, preexec_fn=self.pg).stdout
        log.write(out.encode())
        m = re.search(r"tps = ([\d.]+) \(without initial connection", out)
        n = re.search(r"number of transactions actually processed: (\d+)", out)
        return (float(m.group(1)), int(n.group(1))) if m and n else (None, None)


def attached(proc, secs=20):
    """ipctrace -p has attached once its BPF links are there and their count settles."""
    last, stable, deadline = -1, 0, time.monotonic() + secs
    while time.monotonic() < deadline and proc.poll() is None and stable < 3:
        n = 0
        try:
            for fd in os.listdir(f"/proc/{proc.pid}/fdinfo"):
                with open(f"/proc/{proc.pid}/fdinfo/{fd}") as f:
                    n += "link_id:" in f.read()
        except OSError:
            pass
        stable = stable + 1 if n and n == last else 0
        last = n
        time.sleep(0.1)
    return proc.poll() is None and last > 0


def stop_tracer(p):
    """A tracer ends its recording on SIGINT; one that does not within 2 minutes is killed."""
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class ServerBench:
    def __init__(self, bench, ipctrace, runs, secs, say, metric, table, notes, median, ratio,
                 ipctrace_json, bpf_stats_now, bpf_stats_delta, bpf_stats_enable,
                 bpf_stats_restore):
        self.b = bench
        self.ipctrace = ipctrace
        self.runs, self.secs = runs, secs
        self.say, self.metric, self.table, self.notes = say, metric, table, notes
        self.median, self.ratio, self.ipctrace_json = median, ratio, ipctrace_json
        self.bpf_stats_now, self.bpf_stats_delta = bpf_stats_now, bpf_stats_delta
        self.bpf_stats_enable, self.bpf_stats_restore = bpf_stats_enable, bpf_stats_restore

    def tracer(self, kind, pids, out, log):
        """Start a tracer attached to pids; the Popen once it is attached, or None."""
        plist = ",".join(map(str, pids))
        if kind == "ipctrace":
            p = subprocess.Popen([self.ipctrace, "-q", "--no-svg", "--no-report", "-p", plist,
                                  "-o", out], stdout=log, stderr=log)
            attached(p)
            return p
        if kind == "perf":
            p = subprocess.Popen(["perf", "record", "-q", "-e", ",".join(PERF_EVENTS), "-p", plist,
                                  "-o", out], stdout=log, stderr=log)
            time.sleep(1.5)
            return p
        if kind == "strace":
            argv = ["strace", "-f", "-qq", "-o", "/dev/null"]
            for pid in pids:
                argv += ["-p", str(pid)]
            p = subprocess.Popen(argv, stdout=log, stderr=log)
            time.sleep(1.5)
            return p
        return None

    def one(self, server, kind, log):
        if kind != "hooks":
            return self.one_run(server, kind, log, None)
        # ipctrace attached to an idle process: its programs run on every call of the server
        # and its client and filter them out; what nothing it records can remove
        idle = subprocess.Popen(["sleep", "600"])
        try:
            return self.one_run(server, kind, log, idle)
        finally:
            idle.kill()
            idle.wait()

    def one_run(self, server, kind, log, idle):
        out = self.b.path(f"{server.name}-{kind}.trace")
        for _ in range(3):
            # a short-lived child (a backend ending) may be gone before the tracer attaches
            pids = [idle.pid] if idle else server.pids()
            p = self.tracer("ipctrace" if idle else kind, pids, out, log)
            if p is None or p.poll() is None:
                break
        if p is not None and p.poll() is not None:
            self.notes.append(f"{server.name}: {kind} exited before the run (exit {p.returncode})")
            return {"tput": None}
        # the processes of the moment at each end: a backend born in the run and not yet reaped
        # when it ends is in neither the start's list nor yet its parent's children's time
        cpu0 = cpu_ticks(server.pids())
        tput, count = server.drive(log)
        cpu = cpu_ticks(server.pids()) - cpu0
        r = {"tput": tput, "count": count,
             "cpu_per": cpu / count if count else None}
        if p is not None:
            stop_tracer(p)
        if kind == "ipctrace" and os.path.exists(out):
            j = self.ipctrace_json(out, self.b.log)
            t = (j or {}).get("trace", {})
            r.update(events=t.get("events"), lost=t.get("lost_events"), size=os.path.getsize(out))
        for f in (out,):
            if os.path.exists(f):
                os.unlink(f)
        return r

    def run(self, server_cls, has_perf, has_strace):
        have_server, have_client = server_cls.available()
        if not (have_server and have_client):
            self.notes.append(f"{server_cls.name}: server or client not installed; skipped "
                              "(tools/install-deps.sh --bench installs them)")
            return
        kinds = ["none", "ipctrace", "hooks"] + (["perf"] if has_perf else []) + \
            (["strace"] if has_strace else [])
        with open(self.b.log, "ab") as log:
            try:
                server = server_cls(self.b.work, log, self.secs)
            except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                self.notes.append(f"{server_cls.name}: could not start: {e}")
                return
            try:
                self.say(f"\n== Server: {server.label}, {self.secs} s per run, tracers attached "
                         f"with -p, {self.runs} alternating runs, medians; load average "
                         f"{os.getloadavg()[0]:.2f} ==")
                server.drive(log)  # warm up caches and connections
                res = {k: [] for k in kinds}
                for i in range(self.runs):
                    order = kinds[i % len(kinds):] + kinds[:i % len(kinds)]
                    for k in order:
                        res[k].append(self.one(server, k, log))
                    self.say(f"  run {i + 1}/{self.runs}: " + "  ".join(
                        f"{k} {res[k][-1]['tput'] or 0:.0f}" for k in kinds))
                costs = self.bpf_runs(server, log)
            finally:
                server.stop()
        self.report(server_cls, res)
        self.report_costs(server_cls, costs)

    def stats_run(self, server, target, log):
        """One client run with ipctrace attached to target (pids): its BPF programs' stats
        over the run, the recorder's CPU ticks and the requests served."""
        out = self.b.path(f"{server.name}-bpfstats.trace")
        p = self.tracer("ipctrace", target, out, log)
        if p is None or p.poll() is not None:
            return None
        before, cpu0 = self.bpf_stats_now(p.pid), cpu_ns(p.pid)
        _, count = server.drive(log)
        after, cpu = self.bpf_stats_now(p.pid), cpu_ns(p.pid) - cpu0
        stop_tracer(p)
        events = None
        if os.path.exists(out):
            events = ((self.ipctrace_json(out, self.b.log) or {}).get("trace") or {}).get("events")
            os.unlink(out)
        return {"progs": self.bpf_stats_delta(after, before), "count": count, "rec_ns": cpu,
                "events": events}

    def bpf_runs(self, server, log):
        """Two extra runs with kernel.bpf_stats_enabled=1 (it slows every program, so
        never during the timed runs): the server traced, and ipctrace tracing an idle
        process instead, so that the server's calls are filtered out in the kernel."""
        try:
            old = self.bpf_stats_enable()
        except OSError as e:
            self.notes.append(f"{server.name}: cannot enable BPF stats: {e}")
            return None
        idle = subprocess.Popen(["sleep", "600"])
        try:
            return {"traced": self.stats_run(server, server.pids(), log),
                    "filtered": self.stats_run(server, [idle.pid], log)}
        finally:
            idle.kill()
            idle.wait()
            self.bpf_stats_restore(old)

    def report_costs(self, server_cls, costs):
        name, what = server_cls.name, server_cls.unit.split("/")[0].rstrip("s")
        tr, fl = (costs or {}).get("traced"), (costs or {}).get("filtered")
        if not tr or not tr["count"] or not tr["progs"]:
            self.say(f"  {name}: no BPF program stats (bpftool missing or the run failed)")
            return
        n, fn = tr["count"], (fl or {}).get("count") or 0
        fprogs = (fl or {}).get("progs", {})
        rows, tot, ftot = [], 0, 0
        for prog, (cnt, ns) in sorted(tr["progs"].items(), key=lambda kv: -kv[1][1]):
            fc, fns = fprogs.get(prog, (0, 0))
            tot += ns
            ftot += fns
            if ns / n < 1 and (not fn or fns / fn < 1):
                continue
            rows.append([prog, f"{cnt / n:.2f}", f"{ns / cnt:.0f}", f"{ns / n:.0f}",
                         f"{fns / fc:.0f}" if fc else "-", f"{fns / fn:.0f}" if fn else "n/a"])
            self.metric(f"{name}.bpf.{prog}.ns_per_run", round(ns / cnt, 1), "ns",
                        runs_per_request=round(cnt / n, 3),
                        filtered_ns_per_run=round(fns / fc, 1) if fc else None)
        rows.append(["all programs", "", "", f"{tot / n:.0f}", "", f"{ftot / fn:.0f}" if fn else "n/a"])
        self.metric(f"{name}.bpf.total_ns_per_request", round(tot / n, 1), "ns")
        if fn:
            self.metric(f"{name}.bpf.filtered_total_ns_per_request", round(ftot / fn, 1), "ns")
        rec = tr["rec_ns"] / 1000 / n
        self.metric(f"{name}.recorder_cpu_per_request", round(rec, 2), "us")
        self.say(f"\n  {name}: BPF programs per {what} (kernel.bpf_stats_enabled=1, two extra "
                 f"runs: the server traced, then ipctrace tracing an idle process so the "
                 f"server's calls are filtered out; every process's calls count, the client's "
                 f"too; bpf_stats adds ~20 ns a run)")
        self.table(["program", f"runs/{what}", "ns/run", f"ns/{what}", "filtered ns/run",
                    f"filtered ns/{what}"], rows)
        ev = tr.get("events")
        per_ev = ""
        if ev:
            # the trace's events span the whole attachment (the idle server's few too)
            per_ev = f"; about {tr['rec_ns'] / ev:.0f} ns per event written"
        self.say(f"  recorder CPU: {rec:.2f} us per {what} (schedstat of its threads){per_ev}")

    def report(self, server_cls, res):
        name, unit = server_cls.name, server_cls.unit
        base = self.median(r["tput"] for r in res["none"])
        base_cpu = self.median(r.get("cpu_per") for r in res["none"])
        rows = [["untraced", f"{base:.0f}" if base else "n/a", "1.00", "1.00", "1.00", "", "",
                 ""]]
        for k in res:
            if k == "none":
                continue
            med = self.median(r["tput"] for r in res[k])
            rt = self.ratio(med, base)
            cpu = self.ratio(self.median(r.get("cpu_per") for r in res[k]), base_cpu)
            # each run beside the untraced run of its round: slow swings of the load cancel
            paired = self.median(self.ratio(r["tput"], u["tput"]) for r, u in zip(res[k], res["none"]))
            self.metric(f"{name}.paired_throughput_ratio.{k}", paired and round(paired, 3), "x",
                        note="median over rounds of traced / untraced of the same round")
            self.metric(f"{name}.throughput_ratio.{k}", rt and round(rt, 3), "x",
                        traced=med, untraced=base, runs=len(res[k]), measured_in=unit)
            self.metric(f"{name}.cpu_per_request_ratio.{k}", cpu and round(cpu, 3), "x",
                        note="the server's own CPU time per request, traced / untraced")
            ev = lost = bpe = ""
            if k == "ipctrace":
                events = self.median(r.get("events") for r in res[k])
                lst = [r.get("lost") for r in res[k] if r.get("lost") is not None]
                per = self.median(r["size"] / r["events"] for r in res[k] if r.get("events"))
                per_req = self.median(r["events"] / r["count"] for r in res[k]
                                      if r.get("events") and r.get("count"))
                self.metric(f"{name}.events", events, "events")
                self.metric(f"{name}.events_per_request", per_req and round(per_req, 2), "events")
                self.metric(f"{name}.lost_events", max(lst) if lst else None, "events")
                self.metric(f"{name}.bytes_per_event", per and round(per, 2), "bytes")
                ev = f"{events:.0f} ({per_req:.1f}/req)" if events and per_req else "n/a"
                lost = str(max(lst)) if lst else "n/a"
                bpe = f"{per:.2f}" if per else "n/a"
            label = "ipctrace, hooks only" if k == "hooks" else k
            rows.append([label, f"{med:.0f}" if med else "n/a", f"{rt:.2f}" if rt else "n/a",
                         f"{paired:.2f}" if paired else "n/a", f"{cpu:.2f}" if cpu else "n/a",
                         ev, lost, bpe])
        self.table(["tracer", f"median {unit}", "ratio", "paired", "server CPU/req", "events",
                    "lost", "bytes/event"], rows)
        self.say("  ratio: median throughput traced / untraced (goal: ipctrace >= 0.95); paired: "
                 "median of each round's traced / untraced; server CPU/req: the server "
                 "processes' own CPU per request or transaction, traced / untraced (BPF "
                 "programs run in the traced task and count there); hooks only: ipctrace "
                 "attached to an idle process, its programs filtering out every call of the "
                 "server and the client: the most that recording less could win")


def servers(b, ipctrace, runs, secs, **helpers):
    sb = ServerBench(b, ipctrace, runs, secs, **helpers)
    for cls in (Nginx, Postgres):
        try:
            sb.run(cls, b.has_perf, b.has_strace)
        except Exception as e:  # one server's trouble must not hide the other's numbers
            helpers["notes"].append(f"{cls.name} bench failed: {e!r}")
            helpers["say"](f"  {cls.name} bench failed: {e!r}")
