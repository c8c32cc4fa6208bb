#!/usr/bin/env python3
"""Peers and attack loops for the isolation escape test (agent_only.sh).

  escape_tool.py dns ADDR NAME=IP...        a DNS server (UDP and TCP port 53 on ADDR) answering
                                            A queries for the given names, NXDOMAIN otherwise
  escape_tool.py udp-echo ADDR PORT FILE    echo UDP datagrams back, append one line per datagram to FILE
  escape_tool.py http ADDR PORT TEXT        an HTTP server answering TEXT to every GET
  escape_tool.py proxy-get PROXY PORT URL TEXT TRIES
                                            TRIES GETs of URL through the HTTP proxy; counts answers
                                            that contain TEXT
  escape_tool.py tcp ADDR PORT TRIES        TRIES TCP connections; counts those answered "ok"
  escape_tool.py connect ADDR PORT TRIES    TRIES TCP connections; counts those that connect
  escape_tool.py udp ADDR PORT TRIES        TRIES datagrams, each waiting 50 ms for its echo; counts echoes
  escape_tool.py dns-query SERVER NAME      one A query over UDP; prints the address, exit 1 without answer

The attack loops print "tries=N escaped=M elapsed_s=S" and always exit 0, so the
test decides what M must be.
"""
import http.server
import socket
import socketserver
import struct
import sys
import threading
import time


def dns_answer(query, names):
    """The response to one DNS query packet (A records from `names`)."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    pos, labels = 12, []
    while pos < len(query) and query[pos] != 0:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    question = query[12:pos + 5]
    qtype = struct.unpack("!H", query[pos + 1:pos + 3])[0] if pos + 3 <= len(query) else 0
    name = ".".join(labels).lower()
    addr = names.get(name)
    rcode = 0 if addr else 3
    answers = b""
    if addr and qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + socket.inet_aton(addr)
    header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 1 if answers else 0, 0, 0)
    return header + question + answers


def dns(addr, *pairs):
    names = dict(p.lower().split("=", 1) for p in pairs)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, 53))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, 53))
    tcp.listen(16)

    def serve_tcp():
        while True:
            c, _ = tcp.accept()
            try:
                c.settimeout(2)
                n = struct.unpack("!H", c.recv(2))[0]
                reply = dns_answer(c.recv(n), names) or b""
                c.sendall(struct.pack("!H", len(reply)) + reply)
            except (OSError, struct.error):
                pass
            finally:
                c.close()

    threading.Thread(target=serve_tcp, daemon=True).start()
    while True:
        data, peer = udp.recvfrom(4096)
        reply = dns_answer(data, names)
        if reply:
            udp.sendto(reply, peer)


def udp_echo(addr, port, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    with open(path, "a", buffering=1) as log:
        while True:
            data, peer = s.recvfrom(4096)
            log.write("%s %r\n" % (peer[0], data[:32]))
            s.sendto(data, peer)


def serve_http(addr, port, text):
    body = text.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer((addr, int(port)), Handler).serve_forever()


def loop(tries, attempt):
    start, escaped = time.monotonic(), 0
    for _ in range(int(tries)):
        try:
            escaped += 1 if attempt() else 0
        except OSError:
            pass
    print("tries=%s escaped=%d elapsed_s=%.1f" % (tries, escaped, time.monotonic() - start))


def proxy_get(proxy, port, url, text, tries):
    def attempt():
        with socket.create_connection((proxy, int(port)), timeout=2) as c:
            c.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % url).encode())
            data = b""
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            return text.encode() in data
    loop(tries, attempt)


def tcp(addr, port, tries):
    def attempt():
        with socket.create_connection((addr, int(port)), timeout=2) as c:
            c.settimeout(2)
            return c.recv(16).startswith(b"ok")
    loop(tries, attempt)


def connect(addr, port, tries):
    def attempt():
        with socket.create_connection((addr, int(port)), timeout=2):
            return True
    loop(tries, attempt)


def udp(addr, port, tries):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.05)

    def attempt():
        s.sendto(b"escape", (addr, int(port)))
        try:
            return s.recvfrom(64)[0] == b"escape"
        except socket.timeout:
            return False
    loop(tries, attempt)


def dns_query(server, name):
    q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack("!HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (server, 53))
    data = s.recvfrom(512)[0]
    if struct.unpack("!H", data[6:8])[0] < 1:
        sys.exit(1)
    print(socket.inet_ntoa(data[-4:]))


if __name__ == "__main__":
    modes = {"dns": dns, "udp-echo": udp_echo, "http": serve_http, "proxy-get": proxy_get, "tcp": tcp,
             "connect": connect, "udp": udp, "dns-query": dns_query}
    if len(sys.argv) < 2 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    try:
        modes[sys.argv[1]](*sys.argv[2:])
    except OSError as e:
        sys.exit(str(e))
