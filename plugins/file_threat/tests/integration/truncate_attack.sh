#!/usr/bin/env bash
# The review's H1: an unprivileged user truncates files while file_threat
# scans them, for VIGIL_ATTACK_SECONDS, with YARA rules, hash lists and a
# prevention list configured (so every scan reads the whole file and the
# window is wide). vigild must survive (no SIGBUS), keep scanning, and still
# quarantine a detection afterwards.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/attack.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_truncate_attack
va_require
ft_mount_tmpfs
secs=$(va_seconds)

ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    yara_rules: [$VIGIL_CORPUS/yara/yara-rules/malware]
    hash_lists: [$VIGIL_CORPUS/hashes/clamav-testfiles.md5sum]
    on_access:
      scan_after_write: true
      scan_on_exec: true
      workers: 2
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
out=$(vctl --json call file_threat.set_prevention_list "{\"sha256\":[\"$(printf 'ab%.0s' {1..32})\"]}") ||
  vt_fail "set_prevention_list failed: $out"
echo "$VT_VIGILD_PID" >"$VT_DIR/vigild.pid"
home=$FT_MNT/home
va_home "$home"
scans_before=$(ft_status "s['on_access']['close_write_events']")
va_as_attacker "$VA_PY" "$VIGIL_SOURCE/plugins/file_threat/tests/integration/attack_truncate.py" "$home" "$secs" 48 \
  "$VT_DIR/vigild.pid" >"$VT_DIR/attack.out" 2>&1 &
attacker=$!
vt_track_pid "$attacker"
wait "$attacker"
alive=yes
kill -0 "$VT_VIGILD_PID" 2>/dev/null || alive=NO
tries=$(sed -n 's/tries=\([0-9]*\).*/\1/p' "$VT_DIR/attack.out")
va_record "file_threat-truncate-during-scan" "${tries:-0}" "vigild alive=$alive"
[[ $alive == yes ]] || vt_fail "vigild died while files were truncated under its scans ($(cat "$VT_DIR/attack.out"))"
[[ -n $tries ]] || vt_fail "the attacker did not run: $(cat "$VT_DIR/attack.out")"
vt_log "status after the attack: $(ft_status "{k: s[k] for k in ('scan_errors', 'partial_scans', 'changed_during_scan')}") close_write_events=$(ft_status "s['on_access']['close_write_events']") (before: $scans_before)"
# Still protecting: a new detection is acted on.
ft_eicar "$home/eicar.com"
vt_wait_until 20 test ! -e "$home/eicar.com" || vt_fail "no quarantine after the attack: scanning stopped"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
