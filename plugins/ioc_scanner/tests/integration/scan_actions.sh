#!/usr/bin/env bash
# ioc_scanner through vigild/vigilctl: hand-written IOCs match planted files,
# a running process and a listening port, miss the near misses, and their
# actions are carried out (quarantine, terminate; isolate refused because the
# isolation plugin is disabled). Threat and action_result events reach the bus.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init ioc_scanner_scan_actions

# vigilctl --json wraps a command's result: {"ok":..,"result":{...}}
rj() { python3 -c "import json,sys; d=json.load(sys.stdin); d=d.get('result', d); print($1)"; }

T=$VT_DIR/tree
MARK="IOC_MARK_$$_$RANDOM"
mkdir -p "$T/etc/cron.hourly" "$T/lib" "$T/home"
printf '#!/bin/sh\n%s\n' "$MARK" >"$T/etc/cron.hourly/cron.sh"        # match: name + string
printf '#!/bin/sh\necho ok\n' >"$T/etc/cron.hourly/cron.sh.orig"      # near miss: other name
printf '#!/bin/sh\necho clean\n' >"$T/home/cron.sh"                   # near miss: no marker
printf 'libgcc-payload-%s' "$MARK" >"$T/lib/libgcc4.so"                # match: md5
printf 'libgcc-payload-%sX' "$MARK" >"$T/lib/libgcc4.so.1"             # near miss: other md5
MD5=$(md5sum "$T/lib/libgcc4.so" | cut -d' ' -f1)

# OpenIOC 1.0 (legacy conditions) for the files
cat >"$VT_DIR/files.ioc" <<IOC
<?xml version="1.0" encoding="us-ascii"?>
<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="it-files-$$" last-modified="2024-01-01T00:00:00Z">
  <short_description>PLANTED FILES</short_description>
  <authored_date>2024-01-01T00:00:00Z</authored_date>
  <definition>
    <Indicator operator="OR" id="root">
      <Indicator operator="AND" id="cron">
        <IndicatorItem id="name" condition="is"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">cron.sh</Content></IndicatorItem>
        <IndicatorItem id="path" condition="contains"><Context document="FileItem" search="FileItem/FilePath" type="mir"/><Content type="string">/etc/cron.hourly</Content></IndicatorItem>
        <IndicatorItem id="str" condition="contains"><Context document="FileItem" search="FileItem/StringList/string" type="mir"/><Content type="string">$MARK</Content></IndicatorItem>
      </Indicator>
      <IndicatorItem id="md5" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">$MD5</Content></IndicatorItem>
      <IndicatorItem id="reg" condition="contains"><Context document="RegistryItem" search="RegistryItem/Path" type="mir"/><Content type="string">Run</Content></IndicatorItem>
    </Indicator>
  </definition>
</ioc>
IOC

# A process (a sleep copy with a unique name) and a loopback listener.
NAME="iocsleep$$"
cp /bin/sleep "$VT_DIR/$NAME"; cp /bin/sleep "$VT_DIR/${NAME}x"
"$VT_DIR/$NAME" 300 & SLEEP_PID=$!; vt_track_pid $SLEEP_PID
"$VT_DIR/${NAME}x" 300 & NEAR_PID=$!; vt_track_pid $NEAR_PID
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(300)' \
  >"$VT_DIR/port" & LISTEN_PID=$!; vt_track_pid $LISTEN_PID
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(300)' \
  >"$VT_DIR/port2" & LISTEN2_PID=$!; vt_track_pid $LISTEN2_PID   # near miss: another port
vt_wait_until 30 test -s "$VT_DIR/port" || vt_fail "listener did not start"
vt_wait_until 30 test -s "$VT_DIR/port2" || vt_fail "second listener did not start"
PORT=$(cat "$VT_DIR/port")

cat >"$VT_DIR/procs.ioc" <<IOC
<?xml version="1.0" encoding="utf-8"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="it-procs-$$" last-modified="2024-01-01T00:00:00Z" published-date="2024-01-01T00:00:00Z">
  <metadata><short_description>PLANTED PROCESS AND PORT</short_description><authored_date>2024-01-01T00:00:00Z</authored_date></metadata>
  <criteria>
    <Indicator operator="OR" id="root">
      <IndicatorItem id="pname" condition="is" preserve-case="true" negate="false"><Context document="ProcessItem" search="ProcessItem/name" type="mir"/><Content type="string">$NAME</Content></IndicatorItem>
      <Indicator operator="AND" id="listener">
        <IndicatorItem id="lport" condition="is" preserve-case="false" negate="false"><Context document="PortItem" search="PortItem/localPort" type="mir"/><Content type="int">$PORT</Content></IndicatorItem>
        <IndicatorItem id="lip" condition="is" preserve-case="false" negate="false"><Context document="PortItem" search="PortItem/localIP" type="mir"/><Content type="IP">127.0.0.1</Content></IndicatorItem>
        <IndicatorItem id="lstate" condition="is" preserve-case="false" negate="false"><Context document="PortItem" search="PortItem/state" type="mir"/><Content type="string">LISTEN</Content></IndicatorItem>
      </Indicator>
    </Indicator>
  </criteria>
</OpenIOC>
IOC

vt_config "$VT_DIR/vigil.yaml" <<EOF2
  ioc_scanner:
    enabled: true
    workers: 2
  isolation:
    enabled: false
  response:            # carries out ioc_scanner's terminate (response.terminate_process)
    enabled: true
  test_source:
    enabled: true
EOF2
vt_start_daemon "$VT_DIR/vigil.yaml"
[[ $(vt_plugin_state ioc_scanner) == running ]] || vt_fail "ioc_scanner is not running"

vctl --json events --type threat --type action_result --type ioc_scanner.progress >"$VT_DIR/events.jsonl" 2>/dev/null &
vt_track_pid $!
# The event stream is live once a marker event sent now shows up in it.
SYNC="sync$$"
synced() { vctl call test_source.emit "{\"type\":\"threat\",\"count\":1,\"marker\":\"$SYNC\"}" >/dev/null; grep -q "$SYNC" "$VT_DIR/events.jsonl"; }
vt_wait_until 15 synced || vt_fail "event stream did not connect"

# --- files: vigilctl alias, 1.0 IOC, quarantine + isolate (refused) ---
vctl --json --timeout 120 scan ioc "$VT_DIR/files.ioc" --path "$T" --actions quarantine --actions isolate \
  >"$VT_DIR/files.json" || vt_fail "file scan failed: $(cat "$VT_DIR/files.json")"
R="$VT_DIR/files.json"
[[ $(rj 'd["status"]' <"$R") == completed ]] || vt_fail "status: $(cat "$R")"
matched=$(rj 'sorted(e["path"] for m in d["matches"] for e in m["evidence"])' <"$R")
[[ $matched == "['$T/etc/cron.hourly/cron.sh', '$T/lib/libgcc4.so']" ]] || vt_fail "file matches: $matched"
[[ $(rj 'd["counts"]["files_scanned"]' <"$R") == 5 ]] || vt_fail "files_scanned: $(cat "$R")"
rj '[w["term"] for w in d["warnings"] if "term" in w]' <"$R" | grep -q RegistryItem/Path || vt_fail "no warning for RegistryItem"
[[ $(rj 'sum(1 for a in d["actions"] if a["action"]=="quarantine" and a["ok"])' <"$R") == 2 ]] || vt_fail "quarantine: $(cat "$R")"
iso=$(rj '[a.get("error","") for a in d["actions"] if a["action"]=="isolate"][0]' <"$R")
[[ $iso == *disabled* ]] || vt_fail "isolate should report the disabled plugin, got: $iso"
[[ ! -e $T/etc/cron.hourly/cron.sh && ! -e $T/lib/libgcc4.so ]] || vt_fail "matched files are still in place"
[[ -e $T/etc/cron.hourly/cron.sh.orig && -e $T/home/cron.sh && -e $T/lib/libgcc4.so.1 ]] || vt_fail "a near miss was touched"
vctl --json quarantine list | grep -q "$T/lib/libgcc4.so" || vt_fail "quarantine list lacks the file"

# --- process and port: generic call, terminate ---
vctl --json --timeout 120 call ioc_scanner.scan \
  "{\"ioc_files\":[\"$VT_DIR/procs.ioc\"],\"documents\":{\"files\":false},\"actions\":[\"report\",\"terminate\"]}" \
  >"$VT_DIR/procs.json" || vt_fail "process scan failed: $(cat "$VT_DIR/procs.json")"
R="$VT_DIR/procs.json"
pids=$(rj 'sorted(e["pid"] for m in d["matches"] for e in m["evidence"])' <"$R")
expected=$(python3 -c "print(sorted([$SLEEP_PID, $LISTEN_PID]))")
[[ $pids == "$expected" ]] || vt_fail "process/port evidence pids $pids, expected $expected: $(cat "$R")"
[[ $(rj 'sum(1 for a in d["actions"] if a["action"]=="terminate" and a["ok"])' <"$R") == 2 ]] || vt_fail "terminate: $(cat "$R")"
# Done by response.terminate_process: its answer (pid, signal) is in each action's details.
signals=$(rj 'sorted((a["details"]["response"]["terminated"][0]["pid"] == a["details"]["pid"], a["details"]["response"]["terminated"][0]["signal"]) for a in d["actions"] if a["action"]=="terminate")' <"$R")
[[ $signals == "[(True, 'SIGTERM'), (True, 'SIGTERM')]" ]] || vt_fail "terminate details lack response's answer: $signals $(cat "$R")"
vt_wait_until 5 bash -c "! kill -0 $SLEEP_PID 2>/dev/null" || vt_fail "matched process still runs"
vt_wait_until 5 bash -c "! kill -0 $LISTEN_PID 2>/dev/null" || vt_fail "listener still runs"
kill -0 $NEAR_PID 2>/dev/null || vt_fail "near-miss process was killed"
kill -0 $LISTEN2_PID 2>/dev/null || vt_fail "near-miss listener was killed"

# --- events on the bus ---
vt_wait_until 5 grep -q '"action":"terminate"' "$VT_DIR/events.jsonl" || vt_fail "no terminate action_result event"
grep -q '"detector":"openioc"' "$VT_DIR/events.jsonl" || vt_fail "no openioc threat event"
grep -q '"action":"quarantine"' "$VT_DIR/events.jsonl" || vt_fail "no quarantine action_result event"
grep -q '"type":"ioc_scanner.progress"' "$VT_DIR/events.jsonl" || vt_fail "no progress event"

# --- a broken IOC is a clear error and the daemon keeps running ---
BAD="$VIGIL_CORPUS/openioc/iocs-1.1/ioc_writer-tests/d7ec102e-b8df-41d5-8189-352f378f0cce.ioc"
if vctl --timeout 60 scan ioc "$BAD" --path "$T" >"$VT_DIR/bad.out" 2>&1; then vt_fail "invalid IOC accepted"; fi
grep -q "$BAD:5: <short_description> comes after <authored_date>" "$VT_DIR/bad.out" || vt_fail "unclear error: $(cat "$VT_DIR/bad.out")"
vctl call ioc_scanner.scan '{"args":["relative.ioc"]}' >"$VT_DIR/rel.out" 2>&1 && vt_fail "relative path accepted"
grep -q "not an absolute path" "$VT_DIR/rel.out" || vt_fail "unclear error: $(cat "$VT_DIR/rel.out")"

# --- a long scan runs in the background and can be canceled ---
cat >"$VT_DIR/sha.ioc" <<IOC
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="it-sha-$$"><metadata><authored_date>2024-01-01T00:00:00Z</authored_date></metadata><criteria><Indicator operator="OR" id="r"><IndicatorItem id="s" condition="is" preserve-case="false" negate="false"><Context document="FileItem" search="FileItem/Sha256sum" type="mir"/><Content type="sha256">0000000000000000000000000000000000000000000000000000000000000000</Content></IndicatorItem></Indicator></criteria></OpenIOC>
IOC
id=$(vctl --json call ioc_scanner.scan "{\"ioc_files\":[\"$VT_DIR/sha.ioc\"],\"paths\":[\"/usr\"],\"wait\":false}" | rj 'd["scan_id"]') \
  || vt_fail "background scan did not start"
vctl --json call ioc_scanner.status | grep -q '"running":true' || vt_fail "status does not show the running scan"
vctl --json call ioc_scanner.scan "{\"ioc_files\":[\"$VT_DIR/sha.ioc\"]}" >/dev/null 2>&1 && vt_fail "second concurrent scan accepted"
vctl --json call ioc_scanner.cancel | grep -q '"canceled":true' || vt_fail "cancel refused"
vt_wait_until 20 bash -c "$VIGIL_BUILD/bin/vigilctl --socket $VT_DIR/vigild.sock --json call ioc_scanner.status '{\"scan_id\":$id}' | grep -q '\"status\":\"canceled\"'" \
  || vt_fail "scan $id did not end canceled"

# --- stopping the daemon during a scan is quick and clean ---
vctl --json call ioc_scanner.scan "{\"ioc_files\":[\"$VT_DIR/sha.ioc\"],\"paths\":[\"/usr\"],\"wait\":false}" >/dev/null \
  || vt_fail "second background scan did not start"
start=$SECONDS
vt_stop_daemon || vt_fail "vigild did not stop cleanly during a scan"
((SECONDS - start <= 5)) || vt_fail "stopping during a scan took $((SECONDS - start)) s"
vt_pass
