#!/usr/bin/env bash
# The review's H2 and variants: an unprivileged user writes a detectable file
# named like a root-owned canary in /etc and swaps a path component (parent
# directory, a higher directory, an atomic rename exchange, the file itself,
# a hard link, and during a waiting exec) for a link towards /etc. Each
# attack loops for VIGIL_ATTACK_SECONDS (30 s by default, all variants at
# once) against a real vigild whose on-access action is quarantine, then
# delete. The canaries must survive unchanged and vigild must keep running;
# the attacker's own files must still be acted on (the protection works).
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/attack.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_symlink_swap_attack
va_require
ft_mount_tmpfs
secs=$(va_seconds)
ft_eicar "$VT_DIR/payload"
chmod 0644 "$VT_DIR/payload"

run_phase() {  # run_phase ACTION VARIANT...
  local action=$1; shift
  ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    on_access:
      scan_after_write: true
      scan_on_exec: true
      workers: 2
      first_action: $action
      second_action: block
EOF
  vt_start_daemon "$VT_DIR/vigil.yaml"
  ft_wait_on_access
  local v pids=() home
  for v in "$@"; do
    home=$FT_MNT/home-$action-$v
    va_home "$home"
    va_canary "vigil-canary-swap-$action-$v-$$"
    va_as_attacker "$VA_PY" "$VIGIL_SOURCE/plugins/file_threat/tests/integration/attack_swap.py" "$v" "$home" "$VA_CANARY" \
      "$secs" "$VT_DIR/payload" >"$VT_DIR/attack-$action-$v.out" 2>&1 &
    pids+=($!)
    vt_track_pid "$!"
  done
  for p in "${pids[@]}"; do wait "$p"; done
  kill -0 "$VT_VIGILD_PID" 2>/dev/null || vt_fail "vigild died during the $action attacks"
  local acted
  acted=$(ft_status "s['actions_ok']")
  for v in "$@"; do
    local out
    out=$(cat "$VT_DIR/attack-$action-$v.out")
    [[ $out == tries=* ]] || vt_fail "attacker $v did not run: $out"
    va_record "file_threat-$action-$v" "$(sed 's/tries=\([0-9]*\).*/\1/' <<<"$out")" \
      "canary intact=$([[ -f /etc/vigil-canary-swap-$action-$v-$$ ]] && echo yes || echo NO) ($out)"
  done
  vt_log "$action: actions_ok=$acted actions_failed=$(ft_status "s['actions_failed']")"
  ((acted > 0)) || vt_fail "the attacker's files were never $action""d: the test proves nothing"
  va_check_canaries
  vt_stop_daemon || vt_fail "vigild did not stop cleanly"
}

run_phase quarantine dir deep exchange final hardlink exec
run_phase delete dir exchange
vt_pass
