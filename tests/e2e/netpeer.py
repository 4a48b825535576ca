#!/usr/bin/env python3
"""A client and a server for the merge tests, run in network namespaces; each prints its
own count of what it did (the oracle the merged trace is checked against).

  netpeer.py server TCP_PORT CONNS [UDP_PORT DATAGRAMS]
  netpeer.py client HOST TCP_PORT GO_FILE CONNS ROUND_TRIPS SIZE GAP_S [UDP_PORT DATAGRAMS]

The server echoes CONNS connections one after another, then DATAGRAMS UDP datagrams;
the client waits for GO_FILE (both machines being recorded), then does CONNS connections
of ROUND_TRIPS echoes of SIZE bytes GAP_S apart, then DATAGRAMS UDP echoes, and prints
the smallest round trip it measured around its own send and receive.
"""
import os
import socket
import sys
import time


def server(tcp_port, conns, udp_port=0, dgrams=0):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", tcp_port))
    ls.listen(16)
    us = None
    if udp_port:
        us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        us.bind(("0.0.0.0", udp_port))
    print("ready", flush=True)
    got = sent = 0
    for _ in range(conns):
        c, _ = ls.accept()
        while True:
            d = c.recv(65536)
            if not d:
                break
            got += len(d)
            c.sendall(d)
            sent += len(d)
        c.close()
    ugot = usent = 0
    for _ in range(dgrams):
        d, peer = us.recvfrom(65536)
        ugot += len(d)
        usent += us.sendto(d, peer)
    print("server got %d sent %d udp_got %d udp_sent %d" % (got, sent, ugot, usent), flush=True)


def client(host, tcp_port, go, conns, rts, size, gap, udp_port=0, dgrams=0):
    while not os.path.exists(go):
        time.sleep(0.01)
    sent = got = 0
    rtt = []
    for _ in range(conns):
        s = socket.create_connection((host, tcp_port))
        for _ in range(rts):
            t0 = time.monotonic_ns()
            s.sendall(b"x" * size)
            n = 0
            while n < size:
                d = s.recv(size - n)
                if not d:
                    raise SystemExit("server closed early")
                n += len(d)
            rtt.append(time.monotonic_ns() - t0)
            sent += size
            got += n
            time.sleep(gap)
        s.close()
    usent = ugot = 0
    if udp_port:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.connect((host, udp_port))
        u.settimeout(5)
        for i in range(dgrams):
            usent += u.send(b"u" * (100 + i))
            ugot += len(u.recv(65536))
    print("client sent %d got %d min_rtt_ns %d udp_sent %d udp_got %d"
          % (sent, got, min(rtt), usent, ugot), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "server":
        server(*[int(x) for x in a[1:]])
    else:
        client(a[1], int(a[2]), a[3], int(a[4]), int(a[5]), int(a[6]), float(a[7]),
               *[int(x) for x in a[8:]])
