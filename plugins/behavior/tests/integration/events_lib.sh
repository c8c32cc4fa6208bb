# Helpers for behavior's integration tests that read the `vigilctl events`
# stream (bash; source after tests/lib/vigil.sh).

# be_has_event FILE PYTHON-PREDICATE: exit 0 when some event (one JSON object a
# line of FILE) makes PREDICATE true; it sees t (type), e (payload), p (the
# payload's process) and ev (the whole event). Lines that are not JSON are skipped.
be_has_event() {
  python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    t = ev.get("type"); e = ev.get("payload", {}); p = e.get("process", {})
    if eval(sys.argv[2]):
        sys.exit(0)
sys.exit(1)
PY
}
