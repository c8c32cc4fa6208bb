#!/usr/bin/python3
"""Planted events and event counts for the console browser test. The text to plant or
count comes from the environment (CB_TEXT), never from the command line: the test runs
the real behavior sensor, which reports every command line on the host, so a marker in
an argv would itself become one more matching event.

console_events.py emit SOCKET TYPE COUNT
    test_source.emit of COUNT events of TYPE carrying CB_TEXT, through vigild's control
    socket; fails unless all were published
console_events.py wait URL CA TOKEN TYPE N SECONDS
    waits until vigil-central stores exactly N events of TYPE ('' = any) matching
    CB_TEXT (GET /api/v1/events as an operator); N = +K: at least K
"""
import json
import os
import ssl
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tests', 'lib'))
from vigild_control import call  # noqa: E402


def emit(sock_path, event_type, count):
    args = {'type': event_type, 'count': int(count), 'marker': os.environ['CB_TEXT']}
    reply = call(sock_path, 'test_source.emit', args, timeout_s=30)
    published = (reply.get('result') or {}).get('published')
    if not reply.get('ok') or published != int(count):
        sys.exit('emit %s: not all published: %s' % (event_type, reply))


def count_events(url, ca, token, event_type):
    query = {'text': os.environ['CB_TEXT'], 'limit': '10000'}
    if event_type:
        query['type'] = event_type
    req = urllib.request.Request(url + '/api/v1/events?' + urllib.parse.urlencode(query),
                                 headers={'Authorization': 'Bearer ' + token})
    with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca), timeout=10) as r:
        return len(json.load(r)['events'])


def wait(url, ca, token, event_type, n, seconds):
    deadline = time.time() + float(seconds)
    found = -1
    while time.time() < deadline:
        try:
            found = count_events(url, ca, token, event_type)
        except OSError as e:
            print('query failed: %s' % e, file=sys.stderr)
        if found == int(n) or (n.startswith('+') and found >= int(n)):
            return
        time.sleep(0.3)
    sys.exit('expected %s events, found %d' % (n, found))


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == 'emit':
        emit(*sys.argv[2:])
    elif len(sys.argv) == 8 and sys.argv[1] == 'wait':
        wait(*sys.argv[2:])
    else:
        sys.exit(__doc__)
