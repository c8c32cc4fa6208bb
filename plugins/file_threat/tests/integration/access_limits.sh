#!/usr/bin/env bash
# The limits that keep on-access scanning from ever hanging the host:
#  A. excluded paths (prefix and mask) are not scanned; a control file is;
#  B. a scan slower than scan_timeout_ms lets the access through (fail open)
#     and is counted - the slowness comes from on_access.test_scan_delay_ms, a
#     TEST ONLY setting;
#  C. stopping vigild (SIGTERM) while an open waits for its scan releases it;
#  D. killing vigild (SIGKILL) mid-scan releases it too (the kernel answers);
#  and a reload (SIGHUP) with a rule that does not compile is refused with the
#  reason while the previous settings keep protecting; a good reload applies.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_access_limits
ft_mount_tmpfs

config() {  # config DELAY_MS TIMEOUT_MS [EXTRA_EXCLUSION [YARA_FILE]]
  ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    scan_timeout_ms: $2
    yara_rules: [${4:-}]
    exclusions: [$FT_MNT/excluded, "*.skip"${3:+, $3}]
    on_access:
      scan_on_open: true
      kernel_cache: false
      first_action: quarantine
      second_action: block
      test_scan_delay_ms: $1
EOF
}

# --- A: exclusions -----------------------------------------------------------
config 0 5000
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
mkdir -p "$FT_MNT/excluded"
ft_eicar "$FT_MNT/excluded/eicar.com"
ft_eicar "$FT_MNT/test.skip"
ft_eicar "$FT_MNT/control.com"
vt_wait_until 10 test ! -e "$FT_MNT/control.com" || vt_fail "control EICAR file was not quarantined"
cat "$FT_MNT/excluded/eicar.com" "$FT_MNT/test.skip" >/dev/null || vt_fail "open of an excluded file was denied"
sleep 0.5
[[ -f $FT_MNT/excluded/eicar.com && -f $FT_MNT/test.skip ]] || vt_fail "an excluded file was acted on"
ft_wait_status "s['on_access']['excluded'] >= 4" || vt_fail "exclusions not counted: $(ft_status "s['on_access']")"
[[ $(ft_status "s['threats']") == 1 ]] || vt_fail "excluded files were scanned: threats=$(ft_status "s['threats']")"

# Reload with a broken rule file: refused, named, the old settings still protect.
echo 'rule broken { condition: no_such_identifier }' >"$VT_DIR/broken.yar"
config 0 5000 "" "$VT_DIR/broken.yar"
kill -HUP "$VT_VIGILD_PID"
ft_wait_status "'broken.yar:1' in s['reload_error']" || vt_fail "bad reload not reported: $(ft_status "s['reload_error']")"
[[ $(vt_plugin_state file_threat) == running ]] || vt_fail "plugin not running after a bad reload"
ft_eicar "$FT_MNT/control2.com"
vt_wait_until 10 test ! -e "$FT_MNT/control2.com" || vt_fail "protection lost after a bad reload"
# A good reload applies in place (a new exclusion).
config 0 5000 "$FT_MNT/later"
kill -HUP "$VT_VIGILD_PID"
ft_wait_status "s['reload_error'] == ''" || vt_fail "good reload not applied: $(ft_status "s['reload_error']")"
mkdir -p "$FT_MNT/later"
ft_eicar "$FT_MNT/later/eicar.com"
sleep 0.5
[[ -f $FT_MNT/later/eicar.com ]] || vt_fail "exclusion added by reload not applied"
ft_wait_status "s['on_access']['running']" || vt_fail "on-access not running after reload"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"

# --- B: a scan over its time limit lets the access through --------------------
echo "slow" >"$FT_MNT/slow.txt"   # written while no agent runs: no scan pending
config 5000 300
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
out=$(timeout 4 cat "$FT_MNT/slow.txt") || vt_fail "open did not complete after the scan time limit"
[[ $out == slow ]] || vt_fail "wrong content: $out"
ft_wait_status "s['on_access']['timeouts'] >= 1" || vt_fail "timeout not counted: $(ft_status "s['on_access']")"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"

# --- C, D: stop or kill vigild while an open waits for its scan ---------------
echo "held" >"$FT_MNT/held.txt"
config 60000 120000
pending_is_1() { [[ $(ft_status "s['on_access']['pending']") == 1 ]]; }
for how in TERM KILL; do
  vt_start_daemon "$VT_DIR/vigil.yaml"
  ft_wait_on_access
  cat "$FT_MNT/held.txt" >"$VT_DIR/held.out" 2>&1 &
  reader=$!
  vt_track_pid "$reader"
  vt_wait_until 10 pending_is_1 || vt_fail "the open is not waiting for its scan"
  kill -0 "$reader" 2>/dev/null || vt_fail "the open did not wait for the scan"
  kill -"$how" "$VT_VIGILD_PID"
  vt_wait_until 10 bash -c "! kill -0 $reader 2>/dev/null" || vt_fail "open still hangs after SIG$how to vigild"
  wait "$reader" || vt_fail "open failed after SIG$how to vigild: $(cat "$VT_DIR/held.out")"
  [[ $(cat "$VT_DIR/held.out") == held ]] || vt_fail "wrong content after SIG$how"
  wait "$VT_VIGILD_PID" 2>/dev/null
  VT_VIGILD_PID=""
done
vt_pass
