#!/usr/bin/env bash
# file_threat's fail-open paths, attacked by an unprivileged user:
#  A. a binary padded past max_file_size (hash on a hash list; a YARA rule
#     for its head; one for its tail) is still scanned and its exec denied;
#  B. with every scan slower than the time limit, and with the queue kept
#     full by a flood of opens, the user's own programs never run: exec of
#     an untrusted file is answered EPERM at the limit or at once, never a
#     hang; a trusted (root-only-writable, trusted path) program still runs
#     and plain opens are still allowed.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/attack.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_fail_mode_attack
va_require
ft_mount_tmpfs
secs=$(va_seconds)
home=$FT_MNT/home
va_home "$home"

# --- A: padded binaries (max_file_size_mb: 1, files of 3 MiB) ----------------
pad() {  # pad OUT MARKER_AT_HEAD MARKER_AT_TAIL
  { cat /bin/true; printf '%s' "$2"; head -c $((3 << 20)) /dev/zero; printf '%s' "$3"; } >"$1"
  chmod 0755 "$1"
}
pad "$VT_DIR/hashed" "" ""
pad "$VT_DIR/headmark" "VIGIL-TEST-HEAD-MARKER" ""
pad "$VT_DIR/tailmark" "" "VIGIL-TEST-TAIL-MARKER"
pad "$VT_DIR/clean" "" "x"
echo "$(sha256sum "$VT_DIR/hashed" | cut -d' ' -f1);Padded.Test.Binary" >"$VT_DIR/hashes.txt"
cat >"$VT_DIR/rules.yar" <<'EOF'
rule padded_head { strings: $m = "VIGIL-TEST-HEAD-MARKER" condition: $m in (0..1048576) }
rule padded_tail { strings: $m = "VIGIL-TEST-TAIL-MARKER" condition: $m at filesize - 22 }
EOF
ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    max_file_size_mb: 1
    yara_rules: [$VT_DIR/rules.yar]
    hash_lists: [$VT_DIR/hashes.txt]
    on_access:
      scan_after_write: false
      first_action: block
      second_action: notify
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
for f in hashed headmark tailmark clean; do
  install -o "$VA_UID" -g "$VA_UID" -m 0755 "$VT_DIR/$f" "$home/$f"
done
for f in hashed headmark tailmark; do
  va_as_attacker "$home/$f" 2>"$VT_DIR/exec.err" && vt_fail "padded binary $f (3 MiB > max_file_size 1 MiB) ran"
  grep -q "Operation not permitted" "$VT_DIR/exec.err" || vt_fail "exec of $f failed otherwise: $(cat "$VT_DIR/exec.err")"
  va_record "file_threat-padded-exec-$f" 1 "denied (EPERM)"
done
va_as_attacker "$home/clean" || vt_fail "a clean padded binary was denied"
ft_wait_status "s['partial_scans'] >= 4" || vt_fail "padded files not counted as head+tail scans: $(ft_status "s['partial_scans']")"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"

# --- B: time limit and full queue, for VIGIL_ATTACK_SECONDS --------------------
mkdir -p "$FT_MNT/trusted" "$home/flood"
for i in $(seq 16); do echo "flood $i" >"$home/flood/f$i"; done   # before the agent runs: not scanned yet
chown -R "$VA_UID:$VA_UID" "$home/flood"
install -o root -g root -m 0755 /bin/true "$FT_MNT/trusted/tool"
install -o "$VA_UID" -g "$VA_UID" -m 0755 /bin/true "$home/mine"
ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    scan_timeout_ms: 300
    on_access:
      scan_on_open: true
      scan_after_write: false
      kernel_cache: false
      workers: 1
      queue_size: 4
      trusted_paths: [$FT_MNT/trusted/]
      test_scan_delay_ms: 2000   # TEST ONLY: every scan is slower than the limit
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
va_as_attacker "$VA_PY" "$VIGIL_SOURCE/plugins/file_threat/tests/integration/attack_exec.py" "$secs" "$home/flood" "$home/mine" \
  >"$VT_DIR/attack.out" 2>&1 || vt_fail "attacker failed: $(cat "$VT_DIR/attack.out")"
out=$(cat "$VT_DIR/attack.out")
tries=$(sed -n 's/.*tries=\([0-9]*\).*/\1/p' <<<"$out")
ran=$(sed -n 's/.*ran=\([0-9]*\).*/\1/p' <<<"$out")
slowest=$(sed -n 's/.*slowest_ms=\([0-9]*\).*/\1/p' <<<"$out")
va_record "file_threat-exec-under-timeouts-and-full-queue" "$tries" "ran=$ran ($out) timeouts=$(ft_status "s['on_access']['timeouts']") queue_full=$(ft_status "s['on_access']['queue_full']") failed_closed=$(ft_status "s['on_access']['failed_closed']")"
[[ -n $tries ]] && ((tries > 0)) || vt_fail "the attacker did not run: $out"
((ran == 0)) || vt_fail "the user's program ran $ran times while scans could not finish: $out"
((slowest < 5000)) || vt_fail "an exec waited ${slowest} ms: fail-closed must be quick"
ft_wait_status "s['on_access']['queue_full'] >= 1" || vt_fail "the queue was never full: $(ft_status "s['on_access']")"
ft_wait_status "s['on_access']['failed_closed'] >= 1" || vt_fail "nothing failed closed: $(ft_status "s['on_access']")"
timeout 10 "$FT_MNT/trusted/tool" || vt_fail "a trusted program was denied when its scan timed out"
echo hi >"$FT_MNT/plain.txt"
va_as_attacker cat "$FT_MNT/plain.txt" >/dev/null || vt_fail "an open was denied (open fail mode is allow)"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
