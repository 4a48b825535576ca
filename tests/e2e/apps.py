"""Real servers from Debian's packages under ipctrace: starting them on loopback with their data in
a scratch directory, recording them attached (-p) or as the command (--), and the oracles that
ipctrace does not share (the clients' own counts, the servers' statistics, strace -f).

Every process started here is in its own session and registered with a Procs, which kills each
session at teardown, so a failing test leaves no server behind.
"""

import glob
import os
import pwd
import re
import signal
import socket
import subprocess
import time

from lib import IPCTRACE, Fail, check, record_flags, short, wait_for

# Idle time around a server's load, so that asleep and running read differently.
IDLE = 0.5

# Enough ring buffer that a few seconds of server load lose nothing: exact counts need every event.
RING_MIB = "64"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_user(name):
    """A preexec_fn that drops root for servers that refuse it (postgres)."""
    pw = pwd.getpwnam(name)

    def drop():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
        # the checkout may sit under a 0700 directory (root's home) the user cannot enter
        os.chdir("/")
    return drop


def wait_port(port, timeout=20):
    def up():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False
    return wait_for(up, timeout)


class Procs:
    """The processes a test started; stop() kills every one's session (its children too)."""

    def __init__(self):
        self.started = []

    def start(self, argv, out=None, preexec=None, env=None, cwd="/"):
        """argv in its own session; in / by default, which a server dropping root can enter."""
        f = open(out, "w") if out else subprocess.DEVNULL
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                                 stderr=subprocess.STDOUT if out else subprocess.DEVNULL,
                                 start_new_session=True, preexec_fn=preexec, env=env, cwd=cwd)
        finally:
            if out:
                f.close()
        self.started.append(p)
        return p

    def stop(self):
        for p in reversed(self.started):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def recording_began(trace):
    """The temporary trace has its header: written once the BPF programs are attached."""
    return any(os.path.getsize(t) > 0 for t in glob.glob(trace + ".tmp.*"))


class Recording:
    """ipctrace recording in the background: attached to pids (-p) or running argv (--)."""

    def __init__(self, procs, ctx, pids=None, argv=None, duration=None, stdout=None):
        opts = ["-b", RING_MIB, "-o", ctx.trace, "-w", ctx.svg]
        if duration is not None:
            opts += ["-d", str(duration)]
        if pids is not None:
            opts += ["-p", ",".join(str(p) for p in pids)]
        else:
            opts += ["--"] + list(argv)
        self.ctx, self.log = ctx, ctx.path("ipctrace.stderr")
        self.argv = [IPCTRACE] + record_flags() + opts
        self.p = procs.start(self.argv, out=stdout or self.log)
        if not wait_for(lambda: recording_began(ctx.trace) or self.p.poll() is not None, 30):
            raise Fail("ipctrace did not start recording within 30s: " + self.stderr())
        check(self.p.poll() is None, "ipctrace exited before recording: " + self.stderr())
        # The recording began at the latest now: window_ns counts from here.
        self.t0 = time.monotonic()

    def stderr(self):
        try:
            with open(self.log, errors="replace") as f:
                return short(f.read())
        except OSError:
            return ""

    def stop(self, sig=signal.SIGINT):
        """Stops an attached recording as Ctrl-C does; returns ipctrace's exit status."""
        self.stopping = time.monotonic()
        self.p.send_signal(sig)
        return self.wait()

    def end_command(self, pid, sig):
        """Ends a recorded command by sending its server pid sig; returns ipctrace's status."""
        self.stopping = time.monotonic()
        os.kill(pid, sig)
        return self.wait()

    def wait(self, timeout=60):
        """Waits for the recording to end by itself (-d, or the command exited)."""
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Fail("%s did not stop within %ss" % (" ".join(self.argv[:8]), timeout))
        check(os.path.exists(self.ctx.trace), "no trace written: exit %s, %s"
              % (rc, self.stderr()))
        return rc

    def window_ns(self):
        """The least the recording lasted: from its header on to the stop we asked for."""
        return int((self.stopping - self.t0) * 1e9)


# --- facts of a server's part of the report ---------------------------------

def threads_of(j, pids):
    return [(p, t) for p in j["processes"] if p.get("pid") in pids for t in p.get("threads", [])]


def running_threads(j, pids, share=0.25):
    """Threads of pids said to run in user space for more than share of the trace: an idle
    server's threads sleep (blocked), they do not run."""
    duration = j["trace"]["duration_ns"]
    return ["%d %s: user %.0f%%" % (t.get("tid"), t.get("comm"),
                                    100 * t.get("user_ns", 0) / duration)
            for p, t in threads_of(j, pids) if t.get("user_ns", 0) > share * duration]


def window_check(j, recorded):
    """The trace lasts as long as the recording (start to stop), not first to last event."""
    __tracebackhide__ = True
    ns = j["trace"]["duration_ns"]
    check(ns >= recorded["window_ns"], "the trace lasts %.3f s, ipctrace recorded for at least "
          "%.3f s" % (ns / 1e9, recorded["window_ns"] / 1e9))


def wrong_exes(j, pids, program):
    """Processes of pids whose exe is not program: as run, or resolved as /proc/PID/exe has it
    (/usr/bin/python3 is python3.11)."""
    exes = {program, os.path.realpath(program)}
    return [(p["pid"], p.get("exe")) for p in j["processes"]
            if p.get("pid") in pids and p.get("exe") not in exes]


def channels_of(j, kind, pids, name_part=None):
    return [c for c in j["channels"] if c.get("kind") == kind
            and {e.get("pid") for e in c.get("endpoints", [])} & set(pids)
            and (name_part is None or name_part in (c.get("name") or ""))]


def port_channel(j, kind, port, pids):
    """The one channel of kind named with the client's port (the 4-tuple names a connection)."""
    __tracebackhide__ = True
    pat = re.compile(r":%d\b" % port)
    found = [c for c in channels_of(j, kind, pids) if pat.search(c.get("name") or "")]
    if len(found) != 1:
        raise Fail("expected one %s channel naming port %d, found %d: %s"
                   % (kind, port, len(found), short(str([c.get("name") for c in
                                                          channels_of(j, kind, pids)]), 400)))
    return found[0]


def side(ch, pids):
    """The server's side of a channel: its endpoints' counts summed over pids."""
    eps = [e for e in ch.get("endpoints", []) if e.get("pid") in pids]
    keys = ("sends", "recvs", "bytes_sent", "bytes_received", "blocked", "eagain")
    return {k: sum(e.get(k, 0) for e in eps) for k in keys}


# --- strace -f as a differential oracle --------------------------------------

STRACE_CALLS = "read,write,readv,writev,recvfrom,sendto,recvmsg,sendmsg,sendfile"
STRACE_IN = {"read", "readv", "recvfrom", "recvmsg"}
# One syscall on a socket: `write(7<TCP:[127.0.0.1:80->127.0.0.1:4242]>, ...) = 120`.
STRACE_LINE = re.compile(r"^(\w+)\((\d+)<([A-Z0-9-]+:\[[^]]*\])>.* = (\d+)$")


def strace_argv(prefix):
    """strace -f writing one file per thread (no interleaved unfinished calls), fds decoded."""
    return ["strace", "-f", "-ff", "-yy", "-qq", "-s", "0", "-e", "trace=" + STRACE_CALLS,
            "-e", "signal=none", "-o", prefix]


def strace_socket_bytes(prefix, kind="TCP"):
    """{socket: [bytes sent, bytes received]} over every thread's strace file; a unix socket is
    its inode (strace names it [inode] before it connects and [inode->peer] after)."""
    totals = {}
    files = glob.glob(prefix + ".*")
    check(files, "strace wrote no file at %s.*" % prefix)
    for path in files:
        with open(path, errors="replace") as f:
            for line in f:
                m = STRACE_LINE.match(line.strip())
                if not m or not m.group(3).startswith(kind + ":"):
                    continue
                key = m.group(3) if kind == "TCP" else m.group(3).split("->")[0].rstrip("]")
                t = totals.setdefault(key, [0, 0])
                # sendfile(out, in, ...): the socket is the out fd, bytes go out.
                t[1 if m.group(1) in STRACE_IN else 0] += int(m.group(4))
    return totals


# The two ways to record a server: attached (-p) and as the command (--).
MODES = ["attached", "command"]
