#!/usr/bin/python3
"""Origin services for the web_threat interception tests (run in the origin
namespace): HTTP/1.1 with keep-alive on every ADDR:PORT given with --http,
TLS (HTTP behind it) with --tls ADDR:PORT --cert --key, and a DNS responder
on --dns ADDR (UDP and TCP 53, IPv4 or IPv6) answering A 10.9.0.2 / AAAA fd09::2 for every name,
a SOCKS5 proxy (--socks) and a server that speaks first (--banner).
Each HTTP answer body is "origin <path>" (/bytes/N: N bytes of a fixed
pattern); the header X-Peer names the
client's address and port as the origin saw them (a redirected connection
comes from the worker's own socket). --udp ADDR:PORT echoes datagrams."""
import argparse
import http.server
import socket
import socketserver
import ssl
import struct
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    extra = ""  # --alt-svc: an Alt-Svc header offering HTTP/3 on the same port

    def do_GET(self):
        if self.path.startswith("/bytes/"):
            return self.stream(int(self.path[7:]))
        body = ("origin %s\n" % self.path).encode()
        peer = "%s:%d" % self.client_address[:2]
        head = "HTTP/1.1 200 OK\r\nX-Peer: %s\r\n%sContent-Length: %d\r\n\r\n" % (peer, self.extra, len(body))
        self.wfile.write(head.encode() + body)

    def stream(self, n):
        """/bytes/N: N bytes of a fixed pattern (the client checks the sha256)."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
        block = bytes(range(256)) * 256
        while n > 0:
            self.wfile.write(block[:n])
            n -= min(n, len(block))

    def log_message(self, *args):  # quiet: the test reads only its own output
        return None


def http_server(addr, port, tls=None):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        address_family = family
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 1024  # the default 5 drops SYNs under parallel clients (1 s retransmits)

    srv = Server((addr, port), Handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        if len(tls) > 2 and tls[2]:  # --client-ca: a client certificate is required
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(tls[2])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()


def dns_answer(msg):
    """A 10.9.0.2 / AAAA fd09::2 for every name; HTTPS for ech.test only (no
    other name, so browsers are not sent to https:// by it): priority 1,
    target ".", alpn h2, ech (fake ECH keys, which the forwarder must
    strip), ipv4hint; no data for other types."""
    end = 12
    while end < len(msg) and msg[end] != 0:
        end += msg[end] + 1
    question = msg[12:end + 5]
    qtype = struct.unpack("!H", msg[end + 1:end + 3])[0]
    if qtype == 1:
        rdata, n = socket.inet_pton(socket.AF_INET, "10.9.0.2"), 1
    elif qtype == 28:
        rdata, n = socket.inet_pton(socket.AF_INET6, "fd09::2"), 1
    elif qtype == 65 and msg[12:end].lower() == b"\x03ech\x04test":
        params = [(1, b"\x02h2"), (5, b"FAKE-ECHCONFIGLIST"), (4, socket.inet_pton(socket.AF_INET, "10.9.0.2"))]
        rdata = b"\x00\x01\x00" + b"".join(struct.pack("!HH", k, len(v)) + v for k, v in params)
        n = 1
    else:
        rdata, n = b"", 0
    head = msg[:2] + b"\x81\x80" + struct.pack("!HHHH", 1, n, 0, 0)
    answer = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata if n else b""
    return head + question + answer


def dns_tcp_client(c):
    """DNS over TCP: length-prefixed queries, one answer each."""
    pending = b""
    for data in iter(lambda: c.recv(4096), b""):
        pending += data
        while len(pending) >= 2:
            size = struct.unpack("!H", pending[:2])[0]
            if len(pending) < 2 + size:
                break
            query, pending = pending[2:2 + size], pending[2 + size:]
            if len(query) >= 12:
                reply = dns_answer(query)
                c.sendall(struct.pack("!H", len(reply)) + reply)
    c.close()


def dns_server(addr):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, 53))

    def serve():
        while True:
            msg, peer = s.recvfrom(4096)
            if len(msg) >= 12:
                s.sendto(dns_answer(msg), peer)

    threading.Thread(target=serve, daemon=True).start()
    tcp_server(addr, 53, dns_tcp_client)


def udp_echo(addr, port):
    addr = addr.strip("[]")
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))

    def serve():
        while True:
            msg, peer = s.recvfrom(4096)
            s.sendto(msg, peer)

    threading.Thread(target=serve, daemon=True).start()


def relay(a, b):
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    threading.Thread(target=pump, args=(a, b), daemon=True).start()
    pump(b, a)


def socks5_client(c):
    """SOCKS5, no authentication, CONNECT; every name means 10.9.0.2."""
    try:
        head = c.recv(2)
        c.recv(head[1])
        c.sendall(b"\x05\x00")
        req = c.recv(4)
        if req[3] == 3:
            c.recv(c.recv(1)[0])
        else:
            c.recv(4 if req[3] == 1 else 16)
        port = struct.unpack("!H", c.recv(2))[0]
        up = socket.create_connection(("10.9.0.2", port))
        c.sendall(b"\x05\x00\x00\x01" + bytes(6))
        relay(c, up)
    except (OSError, IndexError):
        pass


def tcp_server(addr, port, handle):
    addr = addr.strip("[]")  # "[fd09::2]:1080" on the command line
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)

    def serve():
        while True:
            c, _ = s.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()


def banner_client(c):
    """A server that speaks first (SSH-like)."""
    c.sendall(b"SSH-2.0-origin\r\n")
    c.recv(100)
    c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--http", action="append", default=[])
    ap.add_argument("--tls", action="append", default=[])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    ap.add_argument("--dns", action="append", default=[])
    ap.add_argument("--socks", action="append", default=[])
    ap.add_argument("--banner", action="append", default=[])
    ap.add_argument("--udp", action="append", default=[])
    ap.add_argument("--alt-svc", action="store_true")
    a = ap.parse_args()
    if a.alt_svc:
        Handler.extra = 'Alt-Svc: h3=":443"; ma=86400\r\n'
    for spec in a.http:
        addr, port = spec.rsplit(":", 1)
        http_server(addr.strip("[]"), int(port))
    for spec in a.tls:
        addr, port = spec.rsplit(":", 1)
        http_server(addr.strip("[]"), int(port), (a.cert, a.key, a.client_ca))
    for addr in a.dns:
        dns_server(addr)
    for spec in a.socks:
        addr, port = spec.rsplit(":", 1)
        tcp_server(addr, int(port), socks5_client)
    for spec in a.banner:
        addr, port = spec.rsplit(":", 1)
        tcp_server(addr, int(port), banner_client)
    for spec in a.udp:
        addr, port = spec.rsplit(":", 1)
        udp_echo(addr, int(port))
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
