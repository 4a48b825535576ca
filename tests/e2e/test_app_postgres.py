"""Issue 9: PostgreSQL (Debian's postgresql) under its own benchmark client, pgbench, traced
attached to every server process (-p) and as the command (--), the server dropping to the
postgres user. Oracles: pgbench's own count of transactions, and pgbench under strace -f (the
bytes each of its connections sent and received, compared with the backend that served it); the
waiting facts: backends sleep in epoll_wait (async-blocking), idle auxiliary processes are
asleep, every process is an endpoint of the shared buffers it inherited, and each process, each
connection and each semaphore has a name of its own."""

import glob
import os
import pwd
import re
import signal
import time

import pytest

from apps import (IDLE, MODES, Procs, Recording, as_user, channels_of, free_port,
                  running_threads, strace_argv, strace_socket_bytes, window_check, wrong_exes)
from lib import Skip, check, excerpt, expect, expect_comm, expect_ge, process, report, run, short
from lib import wait_for

CLIENTS, TXNS = 2, 100


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise Skip("PostgreSQL is not installed (tools/install-deps.sh installs it)")
    return os.path.dirname(found[-1])


def as_postgres(argv):
    """argv run as the postgres user by exec (the server refuses root; ipctrace -- runs it)."""
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"] + argv


class Cluster:
    """A database cluster in a scratch directory, initialised once with pgbench's tables."""

    def __init__(self, ctx):
        self.bindir, self.dir = postgres_bin(), ctx.dir
        self.data, self.port = ctx.path("data"), free_port()
        own_by_postgres(ctx.dir)
        r = run([self.bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres",
                 "--no-sync"], timeout=120, preexec=as_user("postgres"))
        check(r.rc == 0, "initdb: " + r.why())
        procs = Procs()
        try:
            procs.start(self.server_argv(), out=ctx.path("init.log"))
            self.wait_ready(ctx.path("init.log"))
            r = self.client(["pgbench", "-i", "-s", "1", "-q"])
            check(r.rc == 0, "pgbench -i: " + r.why())
            self.stop()
        finally:
            procs.stop()

    def bin(self, name):
        return os.path.join(self.bindir, name)

    def server_argv(self):
        return as_postgres([self.bin("postgres"), "-D", self.data, "-k", self.dir,
                            "-p", str(self.port), "-c", "listen_addresses=", "-c", "fsync=off",
                            "-c", "shared_buffers=32MB", "-c", "huge_pages=off",
                            # No autovacuum workers coming and going while -p attaches.
                            "-c", "autovacuum=off",
                            # Idle auxiliary processes stay asleep (they wake every 200 ms).
                            "-c", "bgwriter_delay=10s", "-c", "wal_writer_delay=10s"])

    def conn(self):
        return ["-h", self.dir, "-p", str(self.port), "-U", "postgres"]

    def client(self, argv, timeout=120, wrap=()):
        return run(list(wrap) + [self.bin(argv[0])] + argv[1:] + self.conn() + ["postgres"],
                   timeout=timeout, preexec=as_user("postgres"))

    def wait_ready(self, log):
        """The postmaster says "ready" in postmaster.pid (pg_isready would connect: one more
        backend in the recording)."""
        def ready():
            try:
                with open(os.path.join(self.data, "postmaster.pid")) as f:
                    return f.read().split("\n")[7].strip() == "ready"
            except (OSError, IndexError):
                return False
        check(wait_for(ready, 60), "postgres did not start: %s" % short(open(log).read()))

    def postmaster(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def stop(self):
        """A fast shutdown (SIGINT), waited for."""
        pid = self.postmaster()
        os.kill(pid, signal.SIGINT)
        check(wait_for(lambda: exited(pid), 60), "postgres %d did not shut down" % pid)


def own_by_postgres(path):
    pw = pwd.getpwnam("postgres")
    os.chown(path, pw.pw_uid, pw.pw_gid)


def exited(pid):
    """pid is gone or a zombie (the test is its parent: Procs reaps it)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return {int(x) for x in f.read().split()}


def lasting_children(pid):
    """The postmaster's children that stay (its auxiliary processes), not a backend that is
    just ending: the same set twice, 0.3 s apart."""
    seen = []

    def settled():
        seen.append({c for c in children(pid) if not exited(c)})
        time.sleep(0.3)
        return seen[-1] == {c for c in children(pid) if not exited(c)}
    check(wait_for(settled, 20), "postgres %d's children keep changing: %s" % (pid, seen[-3:]))
    return sorted(seen[-1])


def pgbench(cluster, ctx):
    """pgbench -S under strace -f: its own count of transactions and the bytes of each of its
    connections, as strace saw them."""
    prefix = ctx.path("pgbench-strace")
    r = cluster.client(["pgbench", "-n", "-S", "-c", str(CLIENTS), "-j", "1", "-t", str(TXNS)],
                       wrap=strace_argv(prefix))
    check(r.rc == 0, "pgbench: " + r.why())
    m = re.search(r"actually processed: (\d+)/", r.out)
    check(m and int(m.group(1)) == CLIENTS * TXNS, "pgbench did not finish: " + short(r.out))
    return sorted(tuple(v) for v in strace_socket_bytes(prefix, "UNIX-STREAM").values())


def run_postgres(cluster, ctx, attached):
    own_by_postgres(ctx.dir)  # pgbench's strace writes there as postgres
    procs = Procs()
    log = ctx.path("postgres.log")
    try:
        if attached:
            procs.start(cluster.server_argv(), out=log)
            cluster.wait_ready(log)
            postmaster = cluster.postmaster()
            rec = Recording(procs, ctx, pids=[postmaster] + lasting_children(postmaster),
                            duration=120)
        else:
            rec = Recording(procs, ctx, argv=cluster.server_argv(), stdout=log)
            cluster.wait_ready(log)
            postmaster = cluster.postmaster()
        time.sleep(IDLE)
        connections = pgbench(cluster, ctx)
        time.sleep(IDLE)
        if attached:
            rc = rec.stop()
            cluster.stop()
        else:
            rc = rec.end_command(postmaster, signal.SIGINT)
        check(rc == 0, "ipctrace exited %s: %s" % (rc, rec.stderr()))
        return {"j": report(ctx.trace), "postmaster": postmaster, "connections": connections,
                "window_ns": rec.window_ns()}
    finally:
        procs.stop()


@pytest.fixture(scope="module")
def cluster(can_record, module_ctx):
    return Cluster(module_ctx("postgres-cluster"))


@pytest.fixture(scope="module", params=MODES)
def pg(request, cluster, module_ctx):
    return run_postgres(cluster, module_ctx("postgres-" + request.param),
                        request.param == "attached")


def server_pids(pg):
    return [p["pid"] for p in pg["j"]["processes"] if p.get("comm") == "postgres"]


def client_sockets(pg):
    """The connections from pgbench: unix sockets on the server's path, not its listening one."""
    return [c for c in channels_of(pg["j"], "unix-stream", server_pids(pg), ".s.PGSQL.")
            if not c.get("listening") and "(listening)" not in (c.get("name") or "")]


def backends(pg):
    """{backend pid: its endpoint counts summed over its client sockets}."""
    found = {}
    for c in client_sockets(pg):
        for e in c["endpoints"]:
            if e["pid"] != pg["postmaster"]:
                acc = found.setdefault(e["pid"], {"bytes_sent": 0, "bytes_received": 0})
                acc["bytes_sent"] += e.get("bytes_sent", 0)
                acc["bytes_received"] += e.get("bytes_received", 0)
    return found


def test_postgres_backends_serve_pgbench(pg):
    """Each pgbench client got a backend forked after recording began, answering it over a unix
    socket, waiting for its client in epoll_wait."""
    busy = [(c, e) for c in client_sockets(pg) for e in c["endpoints"]
            if e.get("pid") != pg["postmaster"] and e.get("recvs", 0) >= TXNS]
    check(len(busy) >= CLIENTS, "expected %d backends each with >= %d receives on a unix socket, "
          "found %d; unix-stream channels: %s" % (CLIENTS, TXNS, len(busy),
                                                 excerpt(client_sockets(pg))))
    for c, e in busy:
        what = "backend %d" % e["pid"]
        expect_comm(pg["j"], e["pid"], "postgres")
        expect_ge(e, "sends", TXNS, what)
        expect(e, "mode", "async-blocking", what + " (waits for its client in epoll_wait)")
        expect(c, "direction", "half-duplex", what + "'s client socket")


def test_postgres_bytes_match_strace(pg):
    """Every pgbench connection, as strace saw it from the client's side, is one backend's
    traffic as ipctrace saw it from the server's: the same bytes each way."""
    seen = sorted((b["bytes_received"], b["bytes_sent"]) for b in backends(pg).values())
    check(seen == pg["connections"], "per connection (client sent, client received): strace "
          "saw %s, ipctrace's backends %s" % (pg["connections"], seen))


def test_postgres_idle_processes_asleep(pg):
    """The checkpointer, background writer, WAL writer and launchers sleep in epoll_wait while
    pgbench runs: none is said to run for most of the recording."""
    busy = running_threads(pg["j"], server_pids(pg), share=0.5)
    check(not busy, "idle postgres processes said to run: %s" % busy)


def test_postgres_window_is_the_recording(pg):
    window_check(pg["j"], pg)


def test_postgres_shared_buffers_every_process(pg):
    """The main shared memory (anonymous, mapped by the postmaster before it forks) is shared by
    every server process: each is an endpoint of it."""
    pids = set(server_pids(pg))
    main = [c for c in channels_of(pg["j"], "shm", [pg["postmaster"]])
            if "PostgreSQL." not in (c.get("name") or "")]
    check(main, "no anonymous shm channel of the postmaster; shm channels: %s"
          % [(c.get("name"), len(c["endpoints"])) for c in channels_of(pg["j"], "shm", pids)])
    missing = [sorted(pids - {e["pid"] for e in c["endpoints"]}) for c in main]
    check(any(not m for m in missing), "shared buffers %s lack endpoints %s"
          % ([c.get("name") for c in main], missing))


def test_postgres_roles(pg):
    roles = {process(pg["j"], pid).get("cmdline") for pid in server_pids(pg)}
    check({"postgres: checkpointer", "postgres: background writer"} <= roles,
          "postgres processes' cmdlines: %s" % sorted(map(str, roles)))


def test_postgres_connections_told_apart(pg):
    names = [c.get("name") for c in client_sockets(pg)]
    check(len(set(names)) == len(names), "%d connections have %d names: %s"
          % (len(names), len(set(names)), sorted(set(map(str, names)))))
    # a connection is one client and one backend, even when its sockets reuse a closed one's address
    crowded = [(c["name"], [e["pid"] for e in c["endpoints"]]) for c in client_sockets(pg)
               if len(c["endpoints"]) > 2]
    check(not crowded, "connections with more than two ends: %s" % crowded)


def test_postgres_exe(pg):
    wrong = wrong_exes(pg["j"], server_pids(pg), os.path.join(postgres_bin(), "postgres"))
    check(not wrong, "postgres processes with another exe (pid, exe): %s" % wrong)
