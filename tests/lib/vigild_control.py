"""vigild's control socket from Python tests: one JSON request line, one JSON reply line."""
import json
import socket


def call(sock_path, name, args, timeout_ms=None, timeout_s=60):
    """Sends command NAME with ARGS over the control socket at SOCK_PATH; returns the reply."""
    request = {'cmd': 'call', 'name': name, 'args': args}
    if timeout_ms is not None:
        request['timeout_ms'] = timeout_ms
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout_s)
    s.connect(sock_path)
    s.sendall((json.dumps(request) + '\n').encode())
    buf = b''
    while not buf.endswith(b'\n'):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf)
