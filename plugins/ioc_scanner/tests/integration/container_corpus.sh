#!/usr/bin/env bash
# A real corpus IOC (XOR.DDoS, "Anatomy of a brute force campaign", whose
# FileItem terms are Linux paths) finds its files inside another mount
# namespace (a chrooted process in a private tmpfs, like a container) only
# when scan_other_mount_namespaces is on; evidence names the namespace.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init ioc_scanner_container_corpus
rj() { python3 -c "import json,sys; d=json.load(sys.stdin); d=d.get('result', d); print($1)"; }

IOC="$VIGIL_CORPUS/openioc/iocs-1.0/mandiant-iocs/BlogPosts/9a7a6929-25ea-4254-a300-13fd6b39c490.ioc"
[[ -f $IOC ]] || vt_fail "corpus IOC missing: $IOC"
for p in /etc/cron.hourly/cron.sh /lib/libgcc4.so; do
  [[ -e $p ]] && vt_fail "$p exists on this host; the test would not prove anything"
done

R="$VT_DIR/root"
mkdir -p "$R"
unshare --mount --propagation private sh -c "
  mount -t tmpfs none '$R' &&
  mkdir -p '$R/etc/cron.hourly' '$R/usr/lib' '$R/bin' && ln -s usr/lib '$R/lib' &&
  echo 'payload' >'$R/etc/cron.hourly/cron.sh' && echo 'elf' >'$R/usr/lib/libgcc4.so' &&
  echo 'near miss' >'$R/etc/cron.hourly/cron.sh.bak' &&
  cp /bin/sleep '$R/bin/' &&
  for l in \$(ldd /bin/sleep | grep -o '/[^ ]*'); do mkdir -p \"$R\$(dirname \$l)\"; cp -L \"\$l\" \"$R\$l\"; done &&
  touch '$VT_DIR/ready' && exec chroot '$R' /bin/sleep 120" >"$VT_DIR/unshare.log" 2>&1 &
NS_PID=$!
vt_track_pid $NS_PID
vt_wait_until 10 test -e "$VT_DIR/ready" || { vt_log "cannot create a mount namespace here: $(cat "$VT_DIR/unshare.log")"; vt_pass; }

vt_config "$VT_DIR/vigil.yaml" <<EOF2
  ioc_scanner:
    enabled: true
EOF2
vt_start_daemon "$VT_DIR/vigil.yaml"

vctl --json --timeout 120 scan ioc "$IOC" --path /etc/cron.hourly --path /lib --documents '{"files":true,"processes":false,"ports":false,"dns":false}' \
  >"$VT_DIR/host.json" || vt_fail "scan failed: $(cat "$VT_DIR/host.json")"
[[ $(rj 'len(d["matches"])' <"$VT_DIR/host.json") == 0 ]] || vt_fail "matched without namespaces: $(cat "$VT_DIR/host.json")"

vctl --json --timeout 120 scan ioc "$IOC" --path /etc/cron.hourly --path /lib --scan_other_mount_namespaces true \
  --documents '{"files":true,"processes":false,"ports":false,"dns":false}' >"$VT_DIR/ns.json" \
  || vt_fail "scan failed: $(cat "$VT_DIR/ns.json")"
R2="$VT_DIR/ns.json"
paths=$(rj 'sorted(e["path"] for m in d["matches"] for e in m["evidence"])' <"$R2")
[[ $paths == "['/etc/cron.hourly/cron.sh', '/lib/libgcc4.so']" ]] || vt_fail "evidence paths: $paths ($(cat "$R2"))"
rj 'all(e.get("mount_ns") and e["host_path"].startswith("/proc/") for m in d["matches"] for e in m["evidence"])' <"$R2" | grep -q True \
  || vt_fail "evidence lacks the namespace: $(cat "$R2")"
[[ $(rj 'd["matches"][0]["ioc_id"]' <"$R2") == 9a7a6929-25ea-4254-a300-13fd6b39c490 ]] || vt_fail "wrong IOC"
rj '[w["term"] for w in d["warnings"] if "term" in w]' <"$R2" | grep -q "Network/URI" || vt_fail "no warning for Network/URI"

vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
