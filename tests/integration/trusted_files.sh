#!/usr/bin/env bash
# vigild trusts only root-owned code and config: a plugin whose file or any
# directory on its path others can write (or that another user owns) is
# refused with the path named, before its code is loaded (a canary plugin
# proves that dlopen never happened), also by --check-config; an untrusted
# vigil.yaml refuses the start. The loud developer override loads it anyway.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init host_trusted_files
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (ownership checks)" >&2; exit 77; }
export VIGIL_CANARY=$VT_DIR/canary.log
unset VIGIL_INSECURE_DEV_PERMISSIONS

plugins=$VT_DIR/lib/plugins
good=$VT_DIR/good
mkdir -p "$plugins" "$good"
chmod 0755 "$VT_DIR/lib" "$plugins" "$good"
cp "$VIGIL_BUILD/test-plugins/canary.so" "$plugins/"
cp "$VIGIL_BUILD/test-plugins/test_source.so" "$good/"
chmod 0644 "$plugins"/*.so "$good"/*.so
cfg=$VT_DIR/vigil.yaml
cat >"$cfg" <<EOS
agent:
  plugin_dir: [$good, $plugins]
  state_dir: $VT_DIR/state
  control_socket: $VT_DIR/vigild.sock
plugins:
  test_source:
    enabled: true
  canary:
    enabled: true
EOS
chmod 0600 "$cfg"
state() { vt_plugin_state "$1"; }
plugin_error() { vctl --json plugins | vt_json "next(p.get('error','') for p in d if p['name']=='$1')"; }
canary_ran() { [[ -s $VIGIL_CANARY ]]; }

# expect_refused WHAT NAMED_PATH REASON: --check-config and a start both
# refuse the canary plugin and name the path; its code never ran.
expect_refused() {
  local what=$1 named=$2 reason=$3 out
  rm -f "$VIGIL_CANARY"
  if out=$("$VIGIL_BUILD/bin/vigild" --check-config "$cfg" 2>&1); then vt_fail "--check-config accepted $what"; fi
  [[ $out == *"plugin $plugins/canary.so: not trusted: $named: $reason"* ]] || vt_fail "--check-config message for $what: $out"
  canary_ran && vt_fail "--check-config ran the code of $what"
  vt_start_daemon "$cfg"
  [[ $(state canary) == failed ]] || vt_fail "$what was not refused at start: $(state canary)"
  [[ $(plugin_error canary) == *"$named: $reason"* ]] || vt_fail "start refusal for $what: $(plugin_error canary)"
  grep -q "not trusted: $named: $reason" "$VT_DIR/vigild.log" || vt_fail "no log line for $what"
  [[ $(state test_source) == running ]] || vt_fail "the trusted plugin did not run next to $what"
  canary_ran && vt_fail "vigild ran the code of $what"
  vt_stop_daemon || vt_fail "vigild did not stop"
  vt_log "refused $what: $(grep -o "plugin $plugins/canary.so: not trusted: [^(]*" "$VT_DIR/vigild.log" | tail -1)"
}

# 0. Everything root-owned and not writable by others: loaded.
"$VIGIL_BUILD/bin/vigild" --check-config "$cfg" | grep -q ": OK" || vt_fail "--check-config refused a trusted setup"
vt_start_daemon "$cfg"
[[ $(state canary) == running ]] || vt_fail "trusted canary not running: $(plugin_error canary)"
canary_ran || vt_fail "the canary plugin does not record its loading (the test could not fail)"
vt_stop_daemon || vt_fail "vigild did not stop"

# 1. A world-writable plugin directory.
chmod 0777 "$plugins"
expect_refused "a world-writable plugin directory" "$plugins" "writable by group or others (mode 0777)"
# 2. A group-writable directory higher up.
chmod 0755 "$plugins"; chmod 0775 "$VT_DIR/lib"
expect_refused "a group-writable parent directory" "$VT_DIR/lib" "writable by group or others (mode 0775)"
chmod 0755 "$VT_DIR/lib"
# 3. A world-writable .so.
chmod 0666 "$plugins/canary.so"
expect_refused "a world-writable plugin file" "$plugins/canary.so" "writable by group or others (mode 0666)"
chmod 0644 "$plugins/canary.so"
# 4. A plugin file owned by another user.
chown 65534:65534 "$plugins/canary.so"
expect_refused "a plugin file owned by nobody" "$plugins/canary.so" "owned by uid 65534, not root"
chown 0:0 "$plugins/canary.so"
# 5. A root-owned plugin reached through a directory another user owns (symlinked in).
mkdir "$VT_DIR/userdir" && chown 65534:65534 "$VT_DIR/userdir"
mv "$plugins/canary.so" "$VT_DIR/userdir/canary.so"
ln -s "$VT_DIR/userdir/canary.so" "$plugins/canary.so"
expect_refused "a plugin linked from a user's directory" "$VT_DIR/userdir" "owned by uid 65534, not root"
rm "$plugins/canary.so"; mv "$VT_DIR/userdir/canary.so" "$plugins/canary.so"

# 6. vigil.yaml that others can write: nothing starts, the file is named.
chmod 0666 "$cfg"
if out=$("$VIGIL_BUILD/bin/vigild" --config "$cfg" 2>&1); then vt_fail "vigild started with a world-writable config"; fi
[[ $out == *"config $cfg: not trusted: $cfg: writable by group or others (mode 0666)"* ]] ||
  vt_fail "config refusal: $out"
[[ -e $VT_DIR/vigild.sock ]] && vt_fail "control socket exists after a refused start"
out=$("$VIGIL_BUILD/bin/vigild" --check-config "$cfg" 2>&1) && vt_fail "--check-config accepted a world-writable config"
vt_log "refused a world-writable config: ${out%%(*}"
chmod 0600 "$cfg"

# 7. The developer override: loads with a loud warning, never silently.
chmod 0777 "$plugins"
rm -f "$VIGIL_CANARY"
VIGIL_INSECURE_DEV_PERMISSIONS=1 vt_start_daemon "$cfg"
[[ $(state canary) == running ]] || vt_fail "override did not load the plugin: $(plugin_error canary)"
grep -q "SECURITY: VIGIL_INSECURE_DEV_PERMISSIONS=1" "$VT_DIR/vigild.log" || vt_fail "no loud warning for the override"
grep -q "INSECURE (VIGIL_INSECURE_DEV_PERMISSIONS=1): using it anyway: plugin $plugins/canary.so" "$VT_DIR/vigild.log" ||
  vt_fail "the override does not name what it let through"
vt_stop_daemon || vt_fail "vigild did not stop"
chmod 0755 "$plugins"
vt_pass
