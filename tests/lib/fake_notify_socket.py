#!/usr/bin/env python3
"""Stands in for systemd's notify socket: binds a datagram socket at PATH and
appends each datagram received to OUT as one line "<unix time>\t<datagram>"
(newlines in the datagram written as \\n) until killed."""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.exists(path):
    os.unlink(path)
sock.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data = sock.recv(65536).decode("utf-8", "replace")
        f.write("%.6f\t%s\n" % (time.time(), data.replace("\\", "\\\\").replace("\n", "\\n")))
