#!/usr/bin/env bash
# With no mount configured, on-access scanning covers every writable local
# file system, tmpfs included (/dev/shm, /run/user/UID), with one
# FAN_MARK_FILESYSTEM each, and names every file system it skips and why.
#
# The test runs in a private mount namespace in which every file system of
# the host is made read-only (a per-mount flag: the host is untouched), so
# the only writable ones are the tmpfs mounts made here, and vigild marks only
# those superblocks, never the host's. If anything else stays writable the
# test is skipped rather than watch the host.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/attack.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_filesystem_coverage
va_require
parent_mount=$(findmnt -no TARGET -T "$(dirname "$VT_DIR")")
mount -t tmpfs -o size=64m "ftcov$$" "$VT_DIR" || vt_fail "cannot mount a tmpfs (needs root)"
# At exit (last registered runs first): unmount, make the parent writable
# again in this namespace, then the test directory itself can be removed.
vt_on_exit "mount -o remount,bind,rw '$parent_mount'"
vt_on_exit "umount -l '$VT_DIR'"
chmod 0755 "$VT_DIR"

# Everything else read-only in this namespace (deepest first, so a parent's
# remount does not hide a child).
awk '{print $5}' /proc/self/mountinfo | sort -r | while read -r mp; do
  mp=$(printf "%b" "$mp")
  [[ $mp == "$VT_DIR" || $mp == "$VT_DIR"/* ]] && continue
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
mount -t tmpfs -o size=16m "ftshm$$" /dev/shm || vt_fail "cannot mount a private /dev/shm"
mkdir -p "$VT_DIR/run/user/$VA_UID"
mount -t tmpfs -o size=16m,mode=0700,uid=$VA_UID "ftrun$$" "$VT_DIR/run/user/$VA_UID" ||
  vt_fail "cannot mount a /run/user tmpfs"
writable=$(awk '{for (i = 7; $i != "-"; i++); split($6, o, ","); ro = 0; for (k in o) if (o[k] == "ro") ro = 1;
  if (!ro && $(i + 1) ~ /^(ext[234]|xfs|btrfs|tmpfs|overlay|f2fs|vfat|exfat|jfs|reiserfs|zfs|bcachefs)$/) print $5}' \
  /proc/self/mountinfo | sort -u)
expected=$(printf '%s\n' "$VT_DIR" /dev/shm "$VT_DIR/run/user/$VA_UID" | sort -u)
if [[ $writable != "$expected" ]]; then
  vt_log "SKIP: cannot make the host's file systems read-only in this namespace; still writable: $writable"
  exit 77
fi

vt_config "$VT_DIR/vigil.yaml" <<EOF
  file_threat:
    enabled: true
    status_interval_ms: 200
    on_access:
      scan_after_write: true
      first_action: quarantine
      second_action: block
EOF
# The test's own copy is written before the agent watches (every writable
# file system is marked, so a later write would be quarantined at once).
ft_eicar "$VT_DIR/payload"
chmod 0644 "$VT_DIR/payload"
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
marks=$(ft_status "sorted(s['on_access']['marks'])")
for fs in "$VT_DIR" /dev/shm "$VT_DIR/run/user/$VA_UID"; do
  [[ $marks == *"'filesystem:$fs'"* ]] || vt_fail "$fs is not marked: $marks"
done
[[ $(ft_status "len(s['on_access']['marks'])") == 3 ]] || vt_fail "unexpected marks: $marks"
skipped=$(ft_status "s['on_access']['skipped']")
[[ $skipped == *"/ ("*"): read-only"* ]] || vt_fail "the read-only root is not listed as skipped: $skipped"
[[ $skipped == *"/proc (proc): pseudo file system"* ]] || vt_fail "/proc is not listed as skipped: $skipped"
vt_log "marks: $marks"

# Detections in both tmpfs mounts, written by an unprivileged user.
va_as_attacker cp "$VT_DIR/payload" /dev/shm/x.com || vt_fail "cannot write to /dev/shm"
va_as_attacker cp "$VT_DIR/payload" "$VT_DIR/run/user/$VA_UID/x.com" || vt_fail "cannot write to /run/user"
vt_wait_until 10 test ! -e /dev/shm/x.com || vt_fail "EICAR in /dev/shm was not quarantined"
vt_wait_until 10 test ! -e "$VT_DIR/run/user/$VA_UID/x.com" || vt_fail "EICAR in /run/user was not quarantined"
va_record "file_threat-filesystem-coverage" 2 "quarantined in /dev/shm and /run/user/$VA_UID (marks: $marks)"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
