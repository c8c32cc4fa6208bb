#!/usr/bin/python3
"""A FUSE file system that never answers the agent.

fuse_stall.py MOUNTPOINT EXE_SOURCE AGENT_PID LOG

Speaks the FUSE protocol directly on /dev/fuse (no libfuse): mounts
MOUNTPOINT (allow_other, owned by uid/gid 65534 like a user's FUSE mount)
holding one executable file "prog" with EXE_SOURCE's bytes. Every request
from a thread of AGENT_PID (vigild) is left unanswered forever, so a reader
in the agent blocks; everyone else is served. Attribute caching is off, so
each stat from the agent reaches this server. Writes one line per request of
the agent to LOG ("<opcode name> pid=<tid>"), flushed at once. Runs until
killed; closing /dev/fuse (on exit) aborts the connection and releases every
blocked request, so killing this process is the way to unblock the agent.
"""
import ctypes
import os
import stat
import struct
import sys

mnt, src, agent, log_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
data = open(src, 'rb').read()
log = open(log_path, 'a', buffering=1)

NAMES = {1: 'LOOKUP', 3: 'GETATTR', 14: 'OPEN', 15: 'READ', 17: 'STATFS', 18: 'RELEASE', 22: 'GETXATTR',
         25: 'FLUSH', 26: 'INIT', 27: 'OPENDIR', 28: 'READDIR', 29: 'RELEASEDIR', 34: 'ACCESS', 52: 'STATX'}
NO_REPLY = {2, 36, 42}  # FORGET, INTERRUPT, BATCH_FORGET
ROOT, PROG = 1, 2
UID = GID = 65534


def attr(node):
    if node == ROOT:
        mode, size, nlink = stat.S_IFDIR | 0o755, 0, 2
    else:
        mode, size, nlink = stat.S_IFREG | 0o755, len(data), 1
    # ino size blocks atime mtime ctime atimens mtimens ctimens mode nlink uid gid rdev blksize flags
    return struct.pack('<QQQQQQIIIIIIIIII', node, size, (size + 511) // 512, 1, 1, 1, 0, 0, 0, mode, nlink,
                       UID, GID, 0, 4096, 0)


def reply(fd, unique, error=0, body=b''):
    os.write(fd, struct.pack('<IiQ', 16 + len(body), -error, unique) + body)


def handle(fd, op, unique, node, body):
    if op == 26:  # INIT: protocol 7.31, no optional features
        major, minor, readahead = struct.unpack_from('<III', body)
        out = struct.pack('<IIIIHHIIHHI', 7, 31, readahead, 0, 16, 12, 4096, 1, 32, 0, 0)
        reply(fd, unique, 0, out + b'\0' * (64 - len(out)))
    elif op == 1:  # LOOKUP
        name = body.split(b'\0', 1)[0]
        if node == ROOT and name == b'prog':
            reply(fd, unique, 0, struct.pack('<QQQQII', PROG, 1, 0, 0, 0, 0) + attr(PROG))
        else:
            reply(fd, unique, 2)  # ENOENT
    elif op == 4:  # SETATTR (chmod): accepted, attributes unchanged
        reply(fd, unique, 0, struct.pack('<QII', 0, 0, 0) + attr(node))
    elif op == 3:  # GETATTR: never cached (attr_valid 0)
        reply(fd, unique, 0, struct.pack('<QII', 0, 0, 0) + attr(node))
    elif op in (14, 27):  # OPEN / OPENDIR: fh 0; no keep-cache, so each open drops cached pages
        reply(fd, unique, 0, struct.pack("<QII", 0, 0, 0))
    elif op == 15:  # READ
        _, offset, size = struct.unpack_from('<QQI', body)
        reply(fd, unique, 0, data[offset:offset + size])
    elif op == 17:  # STATFS
        reply(fd, unique, 0, struct.pack('<QQQQQIIII', 1, 0, 0, 2, 0, 4096, 255, 4096, 0) + b'\0' * 24)
    elif op in (18, 25, 29, 34):  # RELEASE, FLUSH, RELEASEDIR, ACCESS
        reply(fd, unique)
    elif op == 28:  # READDIR: empty
        reply(fd, unique)
    elif op not in NO_REPLY:
        reply(fd, unique, 38)  # ENOSYS (GETXATTR, STATX, LSEEK, POLL, ...)


def from_agent(pid):
    return pid != 0 and os.path.exists('/proc/%d/task/%d' % (agent, pid))


def main():
    fd = os.open('/dev/fuse', os.O_RDWR | os.O_CLOEXEC)
    libc = ctypes.CDLL(None, use_errno=True)
    opts = 'fd=%d,rootmode=40000,user_id=%d,group_id=%d,allow_other' % (fd, UID, GID)
    if libc.mount(b'fuse_stall', mnt.encode(), b'fuse.fuse_stall', 2 | 4, opts.encode()) != 0:
        sys.exit('mount: ' + os.strerror(ctypes.get_errno()))
    print('mounted', flush=True)
    while True:
        try:
            msg = os.read(fd, 1 << 20)
        except OSError as e:
            if e.errno == 4:  # EINTR
                continue
            return  # ENODEV: unmounted
        _, op, unique, node, _, _, pid = struct.unpack_from('<IIQQIII', msg)
        if from_agent(pid) and op not in NO_REPLY:
            log.write('%s pid=%d\n' % (NAMES.get(op, str(op)), pid))
            continue  # never answered: the agent's thread waits
        handle(fd, op, unique, node, msg[40:])


main()
