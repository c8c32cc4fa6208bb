#!/usr/bin/env python3
"""Small network peer for the isolation integration tests.

  nettool.py listen ADDR PORT           accept TCP connections, answer "ok\\n" (runs until killed)
  nettool.py connect ADDR PORT [SECS]   exit 0 when a TCP connection to ADDR:PORT answers "ok"
  nettool.py ping ADDR [SECS]           exit 0 when ADDR answers one ICMP/ICMPv6 echo request
  nettool.py hold ADDR PORT FILE        connect, write "connected" to FILE, then every 0.2 s send
                                        a byte; write "cut: <error>" to FILE when the connection dies
  nettool.py idle ADDR PORT FILE        like hold, but never sends: waits in recv until the
                                        connection ends
"""
import os
import select
import socket
import struct
import sys
import threading
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listen(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def serve(c):
    try:
        c.sendall(b"ok\n")
        c.settimeout(30)
        # Read until the peer closes (for "hold" connections).
        while c.recv(64):
            pass
    except OSError:
        pass
    finally:
        c.close()


def connect(addr, port, secs="2"):
    try:
        c = socket.create_connection((addr, int(port)), timeout=float(secs))
        c.settimeout(float(secs))
        data = c.recv(3)
        c.close()
        return 0 if data == b"ok\n" else 1
    except OSError as e:
        print(f"connect {addr}:{port}: {e}", file=sys.stderr)
        return 1


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ping(addr, secs="2"):
    v6 = ":" in addr
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    s = socket.socket(family_of(addr), socket.SOCK_RAW, proto)
    ident = os.getpid() & 0xFFFF
    typ = 128 if v6 else 8
    payload = b"vigil-isolation"
    hdr = struct.pack("!BBHHH", typ, 0, 0, ident, 1)
    csum = 0 if v6 else checksum(hdr + payload)  # the kernel fills the ICMPv6 checksum
    pkt = struct.pack("!BBHHH", typ, 0, csum, ident, 1) + payload
    try:
        s.sendto(pkt, (addr, 0))
    except OSError as e:
        print(f"ping {addr}: {e}", file=sys.stderr)
        return 1
    deadline = time.time() + float(secs)
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.time()))
        if not r:
            break
        data, src = s.recvfrom(2048)
        icmp = data if v6 else data[(data[0] & 0x0F) * 4:]
        want = 129 if v6 else 0
        if len(icmp) >= 8 and icmp[0] == want and struct.unpack("!H", icmp[4:6])[0] == ident:
            return 0
    print(f"ping {addr}: no reply", file=sys.stderr)
    return 1


def open_connection(addr, port, path):
    """Connects and reads the greeting; writes "connected" or "failed: ..." to path.
    Returns the socket, or None when it failed."""
    try:
        c = socket.create_connection((addr, int(port)), timeout=3)
        c.recv(3)
    except OSError as e:
        open(path, "w").write(f"failed: {e}\n")
        return None
    open(path, "w").write("connected\n")
    return c


def hold(addr, port, path):
    c = open_connection(addr, port, path)
    if c is None:
        return 1
    c.settimeout(1)
    while True:
        try:
            c.send(b".")
        except OSError as e:
            open(path, "w").write(f"cut: {e}\n")
            return 0
        time.sleep(0.2)


def idle(addr, port, path):
    c = open_connection(addr, port, path)
    if c is None:
        return 1
    c.settimeout(None)
    try:
        d = c.recv(64)
        open(path, "w").write(f"cut: recv returned {d!r}\n")
    except OSError as e:
        open(path, "w").write(f"cut: {e}\n")
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"listen": listen, "connect": connect, "ping": ping, "hold": hold, "idle": idle}[cmd]
    sys.exit(fn(*args) or 0)
