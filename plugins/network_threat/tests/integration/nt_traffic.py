#!/usr/bin/env python3
"""Traffic for the network_threat integration tests and benchmark.

  http PORT                      a threaded HTTP server (IPv4 and IPv6)
  listen PORT                    accepts, answers "ok", closes (asyncio)
  udp-echo PORT                  echoes datagrams
  udp-slow PORT                  a UDP service that cannot keep up (small buffer, slow reads)
  connect ADDR PORT TIMEOUT [SRC]  exit 0 when a TCP connection (from SRC) works
  send ADDR PORT TEXT            connects, sends TEXT, waits for the answer or close
  load ADDR PORT RATE SECONDS    RATE new TCP connections a second; prints a JSON summary
  poll ADDR SECONDS INTERVAL PORT...  connects to each port every INTERVAL s
  late-replies ADDR SECONDS      server replies to closed ephemeral ports (UDP from 53/123/443,
                                 TCP ACK/FIN from 443), ~50 of each kind a minute
  noise IFADDR SECONDS           broadcast and multicast service traffic
  spoof-syn ADDR PORT RATE SECONDS   SYNs from random spoofed sources (198.18.0.0/15); prints the rate
  frag-overlap ADDR              two overlapping UDP fragments (teardrop style)
"""
import asyncio
import json
import os
import random
import socket
import struct
import sys
import threading
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4_header(src: str, dst: str, proto: int, payload_len: int, ident=0, frag=0) -> bytes:
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, frag, 64, proto, 0,
                       socket.inet_aton(src), socket.inet_aton(dst))


def tcp_segment(src, dst, sport, dport, flags, seq=0, ack=0, window=29200) -> bytes:
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src), socket.inet_aton(dst), 0, 6, len(hdr))
    c = checksum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def raw_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return s


def dualstack_bind(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    return s


def http(port):
    from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6
        request_queue_size = 1024
        daemon_threads = True

        def server_bind(self):
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()

    os.chdir("/tmp")
    Server(("::", port), Quiet).serve_forever()


async def listen_async(port):
    async def handle(reader, writer):
        try:
            await asyncio.wait_for(reader.read(1024), 1.0)
            writer.write(b"ok\n")
            await writer.drain()
        except Exception:
            pass
        writer.close()

    server = await asyncio.start_server(handle, sock=dualstack_bind(socket.SOCK_STREAM, port), backlog=4096)
    async with server:
        await server.serve_forever()


def udp_echo(port, slow=False):
    s = dualstack_bind(socket.SOCK_DGRAM, port)
    if slow:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    while True:
        data, addr = s.recvfrom(4096)
        s.sendto(data, addr)
        if slow:
            time.sleep(0.01)


def connect(addr, port, timeout, src=None):
    try:
        socket.create_connection((addr, int(port)), timeout=float(timeout),
                                 source_address=(src, 0) if src else None).close()
        return 0
    except OSError:
        return 1


def await_open(addr, port, src, deadline_ms, start_ms=0):
    """From start_ms (epoch ms) on, connects every 50 ms (0.2 s timeout each)
    until one works or the deadline passes; prints when the last failed and the
    first working attempt began. One process for the whole wait, so a loaded
    machine's process start-up time does not blur the measurement."""
    while time.time() * 1000 < int(start_ms):
        time.sleep(0.05)
    last_fail = None
    while True:
        started = int(time.time() * 1000)
        if started > int(deadline_ms):
            print(json.dumps({"ok": False, "last_fail_ms": last_fail}))
            return 1
        if connect(addr, port, 0.2, src) == 0:
            print(json.dumps({"ok": True, "last_fail_ms": last_fail, "first_ok_ms": started}))
            return 0
        last_fail = started
        time.sleep(0.05)


def send(addr, port, text):
    with socket.create_connection((addr, int(port)), timeout=3) as s:
        s.sendall(text.encode())
        s.settimeout(2)
        try:
            s.recv(4096)
        except OSError:
            pass
    return 0


async def load_async(addr, port, rate, seconds):
    stats = {"attempted": 0, "ok": 0, "failed": 0}

    async def one():
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(addr, port), 3)
            w.write(b"GET / HTTP/1.0\r\n\r\n")
            await w.drain()
            await asyncio.wait_for(r.read(64), 3)
            w.close()
            stats["ok"] += 1
        except Exception:
            stats["failed"] += 1

    tasks = set()
    start = time.monotonic()
    interval = 1.0 / rate
    n = 0
    while time.monotonic() - start < seconds:
        target = start + n * interval
        delay = target - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t = asyncio.create_task(one())
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        n += 1
        stats["attempted"] += 1
    await asyncio.gather(*tasks, return_exceptions=True)
    stats["seconds"] = round(time.monotonic() - start, 2)
    print(json.dumps(stats))


def poll(addr, seconds, interval, ports):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for p in ports:
            connect(addr, p, 1)
        time.sleep(interval)


def local_address_for(dst):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((dst, 9))
    return s.getsockname()[0]


def late_replies(addr, seconds):
    src = local_address_for(addr)
    raw = raw_socket()
    udp = {}
    for sport in (53, 123, 443):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((src, sport))
        udp[sport] = u
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for sport, u in udp.items():
            u.sendto(b"late reply", (addr, random.randint(32768, 60999)))
        for flags in (0x10, 0x11):  # ACK, FIN|ACK
            dport = random.randint(32768, 60999)
            seg = tcp_segment(src, addr, 443, dport, flags, random.getrandbits(32), random.getrandbits(32))
            raw.sendto(ipv4_header(src, addr, 6, len(seg)) + seg, (addr, 0))
        time.sleep(1.2)  # ~50 of each kind a minute


def noise(ifaddr, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind((ifaddr, 0))
    bcast = ifaddr.rsplit(".", 1)[0] + ".255"
    targets = [(bcast, 137), (bcast, 138), ("255.255.255.255", 67), ("239.255.255.250", 1900),
               ("224.0.0.251", 5353), ("224.0.0.252", 5355)]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for t in targets:
            try:
                s.sendto(b"noise", t)
            except OSError:
                pass
        time.sleep(0.5)


def spoof_syn(addr, port, rate, seconds):
    raw = raw_socket()
    sent = 0
    start = time.monotonic()
    end = start + seconds
    batch = max(1, int(rate) // 100)
    while time.monotonic() < end:
        for _ in range(batch):
            src = "198.%d.%d.%d" % (18 + random.getrandbits(1), random.getrandbits(8), random.randint(1, 254))
            seg = tcp_segment(src, addr, random.randint(1024, 65000), int(port), 0x02, random.getrandbits(32))
            raw.sendto(ipv4_header(src, addr, 6, len(seg)) + seg, (addr, 0))
            sent += 1
        target = start + sent / float(rate)
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(json.dumps({"sent": sent, "pps": round(sent / (time.monotonic() - start))}))


def frag_overlap(addr):
    src = local_address_for(addr)
    raw = raw_socket()
    ident = random.getrandbits(16)
    # Fragments of 160 and 120 bytes: not "tiny", so the only anomaly is the overlap.
    udp = struct.pack("!HHHH", 40000, 9, 8 + 240, 0) + b"A" * 240
    first = udp[:160]
    second = b"B" * 120  # offset 80 overlaps the first fragment's bytes 80-159
    raw.sendto(ipv4_header(src, addr, 17, len(first), ident, 0x2000 | 0) + first, (addr, 0))
    raw.sendto(ipv4_header(src, addr, 17, len(second), ident, 80 // 8) + second, (addr, 0))


def main(argv):
    mode = argv[1]
    if mode == "http":
        http(int(argv[2]))
    elif mode == "listen":
        asyncio.run(listen_async(int(argv[2])))
    elif mode == "udp-echo":
        udp_echo(int(argv[2]))
    elif mode == "udp-slow":
        udp_echo(int(argv[2]), slow=True)
    elif mode == "connect":
        return connect(argv[2], argv[3], argv[4], argv[5] if len(argv) > 5 else None)
    elif mode == "await-open":
        return await_open(*argv[2:7])
    elif mode == "send":
        return send(argv[2], argv[3], argv[4])
    elif mode == "load":
        asyncio.run(load_async(argv[2], int(argv[3]), float(argv[4]), float(argv[5])))
    elif mode == "poll":
        poll(argv[2], float(argv[3]), float(argv[4]), [int(p) for p in argv[5:]])
    elif mode == "late-replies":
        late_replies(argv[2], float(argv[3]))
    elif mode == "noise":
        noise(argv[2], float(argv[3]))
    elif mode == "spoof-syn":
        spoof_syn(argv[2], argv[3], float(argv[4]), float(argv[5]))
    elif mode == "frag-overlap":
        frag_overlap(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
