#!/usr/bin/python3
"""F22 under load (run in the client namespace): CLIENTS threads open new
connections to 10.9.0.2:80 (through the worker while it intercepts) and
fetch /bytes/SIZE (SIZE 0: a short page), while the worker, the child of
vigild PID, is killed with SIGKILL KILLS times (each time once it is back
and intercepting). Every connection is timed from connect() to its end;
one that waited more than HANG_MS for anything (no data, no reset, no end)
is a hang. Prints one JSON line: kills, connections, outcomes, the slowest
connection and the hangs (start relative to the nearest kill)."""
import json
import os
import signal
import socket
import sys
import threading
import time

vigild, kills, clients, size = (int(a) for a in sys.argv[1:5])
HANG_MS = 1000
stop = threading.Event()
lock = threading.Lock()
records = []  # (start, seconds, outcome, longest wait for a byte, connect seconds)
kill_times = []


def worker_pid():
    """The worker is vigild's only child process (its tasks' children)."""
    for task in os.listdir("/proc/%d/task" % vigild):
        with open("/proc/%d/task/%s/children" % (vigild, task)) as f:
            for pid in f.read().split():
                try:
                    with open("/proc/%s/comm" % pid) as c:
                        if c.read().strip().startswith("vigil-web-work"):
                            return int(pid)
                except OSError:
                    pass
    return None


def intercepting():
    """A blocked host gets the worker's 403 (the redirect is in place)."""
    try:
        s = socket.create_connection(("10.9.0.2", 80), timeout=1)
        s.sendall(b"GET /k HTTP/1.1\r\nHost: blocked.test\r\nConnection: close\r\n\r\n")
        ok = b" 403 " in s.recv(64)
        s.close()
        return ok
    except OSError:
        return False


def fetch():
    """One connection: (outcome, longest silence, time to connect) in seconds."""
    path = "/bytes/%d" % size if size else "/p"
    s = socket.socket()
    s.settimeout(5)
    longest, got, phase, connect_s = 0.0, 0, "connect", 0.0
    try:
        t = time.monotonic()
        s.connect(("10.9.0.2", 80))
        connect_s = longest = time.monotonic() - t
        phase = "response"
        s.sendall(("GET %s HTTP/1.1\r\nHost: ok.test\r\nConnection: close\r\n\r\n" % path).encode())
        while True:
            t = time.monotonic()
            n = len(s.recv(1 << 16))
            longest = max(longest, time.monotonic() - t)
            if n == 0:
                return ("complete" if got > size else "cut"), longest, connect_s
            got += n
    except ConnectionRefusedError:
        return "refused", longest, connect_s
    except ConnectionResetError:
        return "reset", longest, connect_s
    except socket.timeout:
        return "%s-timeout" % phase, 5.0, connect_s
    except OSError as e:
        return type(e).__name__, longest, connect_s
    finally:
        s.close()


def client():
    while not stop.is_set():
        start = time.monotonic()
        outcome, longest, connect_s = fetch()
        with lock:
            records.append((start, time.monotonic() - start, outcome, longest, connect_s))


gaps = []  # (start, seconds): the client process itself was not running


def ticker():
    """Notes when this process was not scheduled (a 10 ms sleep that took
    over 300 ms): a connection waiting through such a gap was not held by
    the network or the worker."""
    last = time.monotonic()
    while not stop.is_set():
        time.sleep(0.01)
        now = time.monotonic()
        if now - last > 0.3:
            gaps.append((last, now - last))
        last = now


def kill_loop():
    last = None
    for _ in range(kills):
        deadline = time.monotonic() + 10
        while True:
            pid = worker_pid()
            if pid and pid != last and intercepting():
                break
            if time.monotonic() > deadline:
                return "the worker did not come back within 10 s"
            time.sleep(0.05)
        time.sleep(0.3)  # connections of the load in every state
        kill_times.append(time.monotonic())
        os.kill(pid, signal.SIGKILL)
        last = pid
        time.sleep(0.2)
    time.sleep(1.5)
    return None


threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
threads.append(threading.Thread(target=ticker, daemon=True))
for t in threads:
    t.start()
error = kill_loop()
stop.set()
for t in threads:
    t.join(10)
outcomes = {}
for r in records:
    outcomes[r[2]] = outcomes.get(r[2], 0) + 1


def near_kill(start):
    return min((start - k for k in kill_times), key=abs) * 1000 if kill_times else 0


hangs = [{"start_ms_from_kill": round(near_kill(r[0]), 1), "waited_ms": round(r[3] * 1000),
          "connect_ms": round(r[4] * 1000), "outcome": r[2]}
         for r in records if r[3] * 1000 > HANG_MS]
slowest = max((r[3] for r in records), default=0)
print(json.dumps({"error": error, "kills": len(kill_times), "clients": clients, "size": size,
                  "connections": len(records), "outcomes": outcomes,
                  "longest_wait_ms": round(slowest * 1000, 1), "hangs": hangs[:20], "hang_count": len(hangs),
                  "client_gaps": [{"ms_from_kill": round(near_kill(g[0]), 1), "ms": round(g[1] * 1000)} for g in gaps]}))
