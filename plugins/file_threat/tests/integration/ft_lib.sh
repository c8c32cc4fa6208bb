# Helpers shared by the file_threat integration tests (bash; source after
# tests/lib/vigil.sh).
#
# Every test runs in its own private mount namespace and watches only a tmpfs
# it mounts there, so fanotify never slows down or blocks the rest of the
# machine, and the mount disappears with the namespace even on a crash.

# ft_enter_namespace "$0" "$@": re-executes the test in a private mount namespace.
ft_enter_namespace() {
  if [[ -z ${FT_IN_MNTNS:-} ]]; then
    exec unshare --mount --propagation private env FT_IN_MNTNS=1 bash "$@"
  fi
}

# ft_mount_tmpfs: mounts $VT_DIR/mnt (the watched file system) -> $FT_MNT
ft_mount_tmpfs() {
  FT_MNT=$VT_DIR/mnt
  mkdir -p "$FT_MNT"
  mount -t tmpfs -o size=256m "ft$$" "$FT_MNT" || vt_fail "cannot mount a tmpfs (needs root)"
  vt_on_exit "umount -l '$FT_MNT'"
}

# ft_eicar FILE: writes the 68-byte EICAR test string (never stored in the repo).
ft_eicar() {
  printf '%s' 'WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=' |
    base64 -d >"$1"
}


# ft_config_tmpfs FILE <<YAML : vt_config with file_threat's section only: its keys
# (4-space indent, with an `on_access:` block) after `enabled: true` and a 200 ms status
# interval; on-access scanning watches the test tmpfs only (mounts: [$FT_MNT] and
# local_filesystems: false are put into the on_access block), never the host.
ft_config_tmpfs() {
  local body
  body=$(cat)
  grep -q '^    on_access:$' <<<"$body" || vt_fail "ft_config_tmpfs: the section has no on_access block"
  vt_config "$1" <<EOF
  file_threat:
    enabled: true
    status_interval_ms: 200
$(awk -v mnt="$FT_MNT" '{ print } /^    on_access:$/ { print "      mounts: [" mnt "]"; print "      local_filesystems: false" }' <<<"$body")
EOF
}

# ft_status EXPR: evaluates EXPR over file_threat's status JSON (as `s`).
ft_status() { vt_status file_threat "$1"; }

# ft_events_start FILE: records live threat and action_result events into FILE.
ft_events_start() {
  vctl events --type threat --type action_result >"$1" 2>/dev/null &
  FT_EVENTS_PID=$!
  vt_track_pid "$FT_EVENTS_PID"
  sleep 0.3
}

# ft_event_count FILE PYEXPR: number of events `e` in FILE for which PYEXPR holds.
ft_event_count() {
  python3 -c "
import json, sys
n = 0
for line in open('$1'):
    line = line.strip()
    if not line: continue
    e = json.loads(line)
    if $2: n += 1
print(n)"
}

ft_on_access_running() { [[ $(ft_status "s['on_access']['running']") == True ]]; }

# ft_wait_on_access: waits until on-access scanning runs.
ft_wait_on_access() {
  vt_wait_until 10 ft_on_access_running || vt_fail "on-access scanning did not start"
}

# ft_wait_status PYBOOL: waits (5 s) until PYBOOL holds over the status `s`
# (the status is refreshed every status_interval_ms).
_ft_status_true() { [[ $(ft_status "$1") == True ]]; }
ft_wait_status() { vt_wait_until 5 _ft_status_true "$1"; }
