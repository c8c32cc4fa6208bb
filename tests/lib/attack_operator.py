#!/usr/bin/python3
"""The operator's side of an attack test: calls vigild's control socket in a
loop (no vigilctl process per call, so a 30 s loop makes many tries).

attack_operator.py SOCKET SECONDS delete PATH [SHA256]
    response.delete_file of PATH (with the expected SHA-256 when given)
attack_operator.py SOCKET SECONDS restore PATH
    response.delete_file of PATH, then agent.quarantine_restore of that entry
    with overwrite (only pairs whose delete worked count as tries)

Prints "tries=N ok=M" (ok: delete_file / restore calls that succeeded).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vigild_control import call as control_call  # noqa: E402


def call(sock_path, name, args):
    return control_call(sock_path, name, args, timeout_ms=30000)


sock, seconds, mode, path = sys.argv[1:5]
sha = sys.argv[5] if len(sys.argv) > 5 else None
deadline = time.time() + float(seconds)
tries = ok = 0
while time.time() < deadline:
    args = {'path': path}
    if sha:
        args['sha256'] = sha
    r = call(sock, 'response.delete_file', args)
    if mode == 'delete':
        tries += 1
        ok += bool(r.get('ok'))
        continue
    if not r.get('ok'):
        continue  # the directory was a symlink at that moment: no entry to restore
    tries += 1
    r = call(sock, 'agent.quarantine_restore', {'id': r['result']['backup_id'], 'overwrite': True})
    ok += bool(r.get('ok'))
print('tries=%d ok=%d' % (tries, ok))
