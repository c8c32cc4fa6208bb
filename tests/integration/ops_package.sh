#!/usr/bin/env bash
# The .deb packages: built with tools/package, inspected (dpkg-deb -c/-I,
# lintian: no errors), units verified and scored (systemd-analyze verify and
# security --offline), installed (users, directories, modes, unit enabled not
# started), vigild from the package run with the shipped config under the
# unit's capability bounding set, upgraded to a rebuilt higher version
# (conffile edits, state and an older-ABI plugin kept; restart only if the
# config checks; release 2 is a second tools/package run), removed and purged
# (state gone).
# Maintainer scripts see a /run/systemd/system and logging systemctl /
# deb-systemd-invoke stand-ins, so what they would do under systemd is checked.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init ops_package
[[ $(id -u) == 0 ]] || { vt_log "SKIP: needs root (dpkg -i)"; exit 77; }
for p in vigil-agent vigil-central vigil-sdk-dev; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
    vt_log "SKIP: $p is installed on this machine; this test would replace and purge it"
    exit 77
  fi
done
for t in dpkg-deb lintian systemd-analyze setpriv; do
  command -v "$t" >/dev/null || vt_fail "$t missing (tools/setup installs it)"
done
installed=0
vt_on_exit 'if ((installed)); then dpkg --purge vigil-agent vigil-central vigil-sdk-dev >/dev/null 2>&1; fi; rm -rf /opt/vigil-test'

# --- stand-ins for systemd, seen by the maintainer scripts only ---
shims=$VT_DIR/shims
calls=$VT_DIR/systemd-calls.log
mkdir -p "$shims"
# Offline calls (--root=/: deb-systemd-helper enables units through
# `systemctl --root=/ preset`) only edit /etc and go to the real systemctl.
for tool in systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>%s\n' "$tool" "$calls" >"$shims/$tool"
  [[ $tool == systemctl ]] && printf 'case " $* " in *" --root="*) exec %s "$@" ;; esac\n' "$(command -v systemctl)" >>"$shims/$tool"
  echo 'exit 0' >>"$shims/$tool"
  chmod 0755 "$shims/$tool"
done
made_run_systemd=0
if [[ ! -e /run/systemd/system ]]; then
  mkdir -p /run/systemd/system
  made_run_systemd=1
  vt_on_exit 'rmdir /run/systemd/system 2>/dev/null; rmdir /run/systemd 2>/dev/null'
fi
dpkg_i() { PATH=$shims:$PATH dpkg "$@" >>"$VT_DIR/dpkg.log" 2>&1 || vt_fail "dpkg $*: $(tail -20 "$VT_DIR/dpkg.log")"; }

# --- 1. build (release 1) and inspect ---
VIGIL_BUILD_DIR=$VIGIL_BUILD "$VIGIL_SOURCE/tools/package" --release 1 --out "$VT_DIR/r1" >"$VT_DIR/package1.log" 2>&1 ||
  vt_fail "tools/package: $(tail -20 "$VT_DIR/package1.log")"
agent=$(ls "$VT_DIR"/r1/vigil-agent_*_*.deb)
central=$(ls "$VT_DIR"/r1/vigil-central_*_*.deb 2>/dev/null || true)
sdk=$(ls "$VT_DIR"/r1/vigil-sdk-dev_*_all.deb)
[[ -n $central ]] || vt_fail "no vigil-central package (is vigil-central built?)"
for deb in "$agent" "$central" "$sdk"; do vt_log "$(basename "$deb"): $(stat -c %s "$deb") bytes"; done

contents() { dpkg-deb -c "$1" | awk '{print $1, $2, $6}'; }
has() { # $1 deb, $2 mode, $3 path
  contents "$1" | grep -qxF -- "$2 root/root ./${3#/}" || vt_fail "$(basename "$1"): no '$2 root/root $3'"
}
has "$agent" -rwxr-xr-x /usr/sbin/vigild
has "$agent" -rwxr-xr-x /usr/bin/vigilctl
has "$agent" -rw------- /etc/vigil/vigil.yaml
has "$agent" -rw-r--r-- /lib/systemd/system/vigild.service
has "$agent" -rw-r--r-- /usr/share/doc/vigil-agent/copyright
has "$agent" -rw-r--r-- /usr/share/doc/vigil-agent/changelog.Debian.gz
has "$agent" -rw-r--r-- /usr/share/man/man8/vigild.8.gz
has "$agent" -rw-r--r-- /usr/share/man/man8/vigilctl.8.gz
for so in "$VIGIL_BUILD"/plugins/*.so; do has "$agent" -rw-r--r-- "/usr/lib/vigil/plugins/$(basename "$so")"; done
contents "$agent" | grep -q 'test-plugins\|abi_v1_0\|test_source' && vt_fail "test plugins in vigil-agent"
# Every shipped plugin is listed in the shipped configuration.
for so in "$VIGIL_BUILD"/plugins/*.so; do
  grep -qE "^  $(basename "$so" .so):" "$VIGIL_SOURCE/configs/vigil.yaml" || vt_fail "$(basename "$so" .so) missing in configs/vigil.yaml"
done
has "$central" -rwxr-xr-x /usr/bin/vigil-central
has "$central" -rw-r----- /etc/vigil/central.yaml
has "$central" -rw-r--r-- /lib/systemd/system/vigil-central.service
has "$central" -rw-r--r-- /usr/share/man/man8/vigil-central.8.gz
has "$sdk" -rw-r--r-- /usr/include/vigil/plugin.h
has "$sdk" -rw-r--r-- /usr/include/vigil/sdk.hpp
contents "$sdk" | grep -q 'usr/share/cmake/VigilSDK/VigilSDKConfig.cmake' || vt_fail "sdk: no CMake package"
contents "$sdk" | grep -q 'usr/share/pkgconfig/vigil-sdk.pc' || vt_fail "sdk: no pkg-config file"
contents "$sdk" | grep -q 'usr/share/doc/vigil-sdk-dev/examples/hello_c/hello.c' || vt_fail "sdk: no examples"
[[ $(dpkg-deb -f "$agent" Version) == *-1 ]] || vt_fail "agent version $(dpkg-deb -f "$agent" Version)"
dpkg-deb -f "$agent" Depends | grep -q libc6 || vt_fail "agent Depends lacks shlibdeps: $(dpkg-deb -f "$agent" Depends)"
[[ $(dpkg-deb -I "$agent" conffiles) == /etc/vigil/vigil.yaml ]] || vt_fail "agent conffiles"
[[ $(dpkg-deb -I "$central" conffiles) == /etc/vigil/central.yaml ]] || vt_fail "central conffiles"

lintian --tag-display-limit 0 "$agent" "$central" "$sdk" >"$VT_DIR/lintian.txt" 2>&1
# No error and no warning; what is overridden is listed with its reason in
# packaging/debian/*lintian-overrides.
grep -E '^[EW]: ' "$VT_DIR/lintian.txt" && vt_fail "lintian errors or warnings (above)"
vt_log "lintian: no errors or warnings, $(grep -c '^I: ' "$VT_DIR/lintian.txt") info, $(lintian --show-overrides "$agent" "$central" "$sdk" 2>/dev/null | grep -c '^O: ') overridden"
cp "$VT_DIR/lintian.txt" "$VIGIL_BUILD/lintian.txt" 2>/dev/null || true

# --- 2. install ---
dpkg_i -i "$agent" "$central" "$sdk"
installed=1
[[ $(stat -c '%a %U %G' /var/lib/vigil) == "700 root root" ]] || vt_fail "/var/lib/vigil: $(stat -c '%a %U %G' /var/lib/vigil)"
[[ $(stat -c '%a %U %G' /etc/vigil/vigil.yaml) == "600 root root" ]] || vt_fail "vigil.yaml mode"
[[ $(stat -c '%a %U %G' /usr/lib/vigil/plugins) == "755 root root" ]] || vt_fail "plugin dir mode"
getent passwd vigil-central | grep -q ':/var/lib/vigil-central:/usr/sbin/nologin$' || vt_fail "vigil-central user: $(getent passwd vigil-central)"
getent passwd _vigil-web | grep -q ':/nonexistent:/usr/sbin/nologin$' || vt_fail "web_threat worker user: $(getent passwd _vigil-web)"
[[ $(stat -c '%a %U %G' /etc/vigil/central.yaml) == "640 root vigil-central" ]] || vt_fail "central.yaml: $(stat -c '%a %U %G' /etc/vigil/central.yaml)"
[[ $(stat -c '%a %U %G' /var/lib/vigil-central) == "750 vigil-central vigil-central" ]] || vt_fail "/var/lib/vigil-central"
for unit in vigild vigil-central; do
  [[ -L /etc/systemd/system/multi-user.target.wants/$unit.service ]] || vt_fail "$unit not enabled"
done
grep -E '(start|restart) ' "$calls" && vt_fail "a first install started a service"
grep -q 'systemctl --system daemon-reload' "$calls" || vt_fail "no daemon-reload on install"

# --- 3. units: verified and scored ---
systemd-analyze verify /lib/systemd/system/vigild.service /lib/systemd/system/vigil-central.service \
  >"$VT_DIR/verify.txt" 2>&1 || vt_fail "systemd-analyze verify: $(cat "$VT_DIR/verify.txt")"
[[ -s $VT_DIR/verify.txt ]] && vt_fail "systemd-analyze verify warnings: $(cat "$VT_DIR/verify.txt")"
score() { systemd-analyze security --offline=true "/lib/systemd/system/$1" 2>&1 | sed -nE 's/.*Overall exposure level for .*: ([0-9.]+) .*/\1/p'; }
agent_score=$(score vigild.service)
central_score=$(score vigil-central.service)
vt_log "systemd-analyze security --offline: vigild.service $agent_score, vigil-central.service $central_score"
awk -v a="$agent_score" -v c="$central_score" 'BEGIN { exit !(a != "" && c != "" && a <= 7.5 && c <= 2.0) }' ||
  vt_fail "exposure too high: vigild $agent_score (limit 7.5), vigil-central $central_score (limit 2.0)"

# --- 4. vigild from the package, shipped config, the unit's capability bounding set ---
/usr/sbin/vigild --check-config /etc/vigil/vigil.yaml >/dev/null || vt_fail "shipped config does not check"
caps=$(sed -nE 's/^CapabilityBoundingSet=//p' /lib/systemd/system/vigild.service | sed 's/CAP_//g' | tr 'A-Z' 'a-z' | sed -E 's/(^| )/\1+/g; s/ /,/g')
run_packaged_vigild() { # runs until the control socket answers; sets VT_VIGILD_PID
  setpriv --bounding-set "-all,$caps" --inh-caps=-all --no-new-privs /usr/sbin/vigild --config /etc/vigil/vigil.yaml \
    >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  VIGIL_SOCKET=/run/vigil/vigild.sock vt_wait_until 30 /usr/bin/vigilctl status || vt_fail "packaged vigild did not come up"
}
state_of() { /usr/bin/vigilctl --json plugins | python3 -c "import json,sys; print({p['name']: p['state'] for p in json.load(sys.stdin)})"; }
run_packaged_vigild
states=$(state_of)
for p in behavior response ioc_scanner file_threat; do
  [[ $states == *"'$p': 'running'"* ]] || vt_fail "$p not running under the unit's bounding set: $states"
done
[[ $states == *"'kataedr': 'disabled'"* && $states == *"'isolation': 'disabled'"* ]] || vt_fail "unsafe plugins enabled: $states"
/usr/bin/vigilctl --json status | grep -q '"on_access":{"running":true' || vt_fail "on-access scanning not running"
# Tasks that need the bounding set's capabilities: run as another user (SETUID/SETGID),
# delete another user's file from sticky /tmp into quarantine and restore it with its
# owner and mode (DAC_*, FOWNER, CHOWN), terminate another user's process (KILL).
ctl() { /usr/bin/vigilctl --socket /run/vigil/vigild.sock "$@"; }
[[ $(ctl response run_process /usr/bin/id -u --user nobody) == *'"stdout": "65534\n"'* ]] ||
  vt_fail "run_process as nobody: $(ctl response run_process /usr/bin/id -u --user nobody 2>&1)"
victim=$(mktemp /tmp/vigil-ops-package.XXXXXX)
echo "owned by nobody" >"$victim"
chown nobody:nogroup "$victim"
chmod 0600 "$victim"
out=$(ctl --json response delete_file "$victim") || vt_fail "delete_file: $out"
[[ -e $victim ]] && vt_fail "delete_file left $victim"
qid=$(ctl --json quarantine list | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["entries"][-1]["id"])')
ctl quarantine restore "$qid" >/dev/null || vt_fail "quarantine restore"
[[ $(stat -c '%U %a' "$victim") == "nobody 600" ]] || vt_fail "restored with $(stat -c '%U %a' "$victim")"
rm -f "$victim"
setpriv --reuid nobody --regid nogroup --clear-groups sleep 120 &
sleeper=$!
vt_track_pid "$sleeper"
ctl response terminate_process "$sleeper" >/dev/null || vt_fail "terminate_process as root over nobody's process"
vt_wait_until 10 bash -c "! kill -0 $sleeper 2>/dev/null" || vt_fail "process of nobody not terminated"
agent_id=$(cat /var/lib/vigil/agent_id)
vt_stop_daemon || vt_fail "packaged vigild exit status"

# --- 5. upgrade to a rebuilt higher version, with a local plugin of an older ABI minor ---
install -d -m 0755 /opt/vigil-test/plugins
install -m 0644 "$VIGIL_BUILD/test-plugins/abi_v1_0.so" /opt/vigil-test/plugins/
sed -i 's|^  plugin_dir: /usr/lib/vigil/plugins.*|  plugin_dir: [/usr/lib/vigil/plugins, /opt/vigil-test/plugins]|' /etc/vigil/vigil.yaml
printf '  abi_v1_0:\n    enabled: true\n' >>/etc/vigil/vigil.yaml
/usr/sbin/vigild --check-config /etc/vigil/vigil.yaml >/dev/null || vt_fail "edited config does not check"
cp /etc/vigil/vigil.yaml "$VT_DIR/edited.yaml"
# Release 2 is a real second CPack run (tools/package --release 2), as a
# packager's rebuild would be.
VIGIL_BUILD_DIR=$VIGIL_BUILD "$VIGIL_SOURCE/tools/package" --release 2 --out "$VT_DIR/r2" >"$VT_DIR/package2.log" 2>&1 ||
  vt_fail "tools/package --release 2: $(tail -20 "$VT_DIR/package2.log")"
: >"$calls"
dpkg_i -i "$VT_DIR"/r2/vigil-agent_*.deb "$VT_DIR"/r2/vigil-central_*.deb "$VT_DIR"/r2/vigil-sdk-dev_*.deb
[[ $(dpkg-query -W -f='${Version}' vigil-agent) == *-2 ]] || vt_fail "not upgraded: $(dpkg-query -W -f='${Version}' vigil-agent)"
cmp -s /etc/vigil/vigil.yaml "$VT_DIR/edited.yaml" || vt_fail "the upgrade replaced the edited conffile"
[[ $(cat /var/lib/vigil/agent_id) == "$agent_id" ]] || vt_fail "agent state lost on upgrade"
grep -q "deb-systemd-invoke try-restart vigild.service" "$calls" || vt_fail "upgrade did not try-restart vigild: $(cat "$calls")"
run_packaged_vigild
[[ $(state_of) == *"'abi_v1_0': 'running'"* ]] || vt_fail "older-ABI plugin not running after the upgrade: $(state_of)"
vt_stop_daemon || true
# A config that no longer checks: the upgrade must not restart the running agent.
printf '  bogus_key_for_test: 1\n' >>/etc/vigil/vigil.yaml
: >"$calls"
dpkg_i -i "$VT_DIR"/r2/vigil-agent_*.deb
grep -q "try-restart vigild" "$calls" && vt_fail "restarted vigild with a config that fails --check-config"
grep -q "does not pass 'vigild --check-config'" "$VT_DIR/dpkg.log" || vt_fail "no warning about the bad config"
cp "$VT_DIR/edited.yaml" /etc/vigil/vigil.yaml

# --- 6. remove keeps config and state; purge removes them ---
: >"$calls"
dpkg_i -r vigil-agent vigil-central vigil-sdk-dev
grep -q "deb-systemd-invoke stop vigild.service" "$calls" || vt_fail "remove did not stop vigild"
[[ -f /etc/vigil/vigil.yaml && -f /var/lib/vigil/agent_id && -d /var/lib/vigil-central ]] || vt_fail "remove deleted config or state"
dpkg_i --purge vigil-agent vigil-central vigil-sdk-dev
installed=0
for gone in /etc/vigil/vigil.yaml /etc/vigil/central.yaml /var/lib/vigil /var/lib/vigil-central \
  /etc/systemd/system/multi-user.target.wants/vigild.service /usr/sbin/vigild; do
  [[ -e $gone || -L $gone ]] && vt_fail "$gone left after purge"
done
rm -rf /opt/vigil-test
vt_pass
