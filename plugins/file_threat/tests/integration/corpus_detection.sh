#!/usr/bin/env bash
# Real third-party material: every YARA file of the corpus compiles together
# (order and external variables), a corpus rule matches a file built to match
# it, EICAR is found by the built-in engine and by YARA, and Debian's
# clamav-testfiles are all detected through hash lists built here from the
# corpus (SHA-256 in "hash;comment" form, MD5 plain) - by `vigilctl scan file`
# and on access.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_corpus_detection
ft_mount_tmpfs

testfiles=/usr/share/clamav-testfiles
[[ -d $testfiles ]] || vt_fail "$testfiles missing: apt-get install clamav-testfiles"
hashes=$VIGIL_CORPUS/hashes
# SHA-256 list in LOKI form (hash;comment) from the TSV; MD5 list plain.
tail -n +2 "$hashes/clamav-testfiles-1.4.6+dfsg-0+deb12u1.tsv" |
  awk -F'\t' '{print $5 ";clamav-testfiles " $1}' >"$VT_DIR/clamav.sha256.txt"
awk '{print $1}' "$hashes/clamav-testfiles.md5sum" >"$VT_DIR/clamav.md5.txt"
expected=$(ls "$testfiles" | wc -l)
[[ $(wc -l <"$VT_DIR/clamav.sha256.txt") == "$expected" ]] || vt_fail "hash list and $testfiles disagree"

ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    yara_rules: [$VIGIL_CORPUS/yara/yara-rules/malware, $VIGIL_CORPUS/yara/signature-base]
    hash_lists: [$VT_DIR/clamav.sha256.txt, $VT_DIR/clamav.md5.txt]
    on_access:
      scan_on_open: true
      first_action: block
      second_action: notify
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
[[ $(ft_status "s['engines']['yara']['files']") == 41 ]] || vt_fail "not all 41 corpus rule files loaded"
[[ $(ft_status "s['engines']['hash']['sha256']") == "$expected" ]] || vt_fail "SHA-256 list not loaded"

# A file built to match Yara-Rules' Mirai_Okiru (needs is__elf and is__Mirai_gen7
# from 000_common_rules.yar, compiled first).
mkdir -p "$VT_DIR/samples"
{
  printf '\x7fELF'; head -c 60 /dev/zero
  for c in rm echo wget tftp cp; do printf '/bin/busybox %s\0' "$c"; done
  printf '\x68\x7f\x27\x70\x60\x62\x73\x3c\x27\x28\x65\x6e\x69\x28\x65\x72\0'
  printf '\x74\x7e\x65\x68\x7f\x27\x73\x61\x73\x77\x3c\x27\x28\x65\x6e\x69'
} >"$VT_DIR/samples/okiru.bin"
ft_eicar "$VT_DIR/samples/eicar.com"
echo "just text" >"$VT_DIR/samples/clean.txt"

out=$(vctl --json --timeout 120 scan file "$VT_DIR/samples" --actions notify) || vt_fail "scan failed: $out"
echo "$out" | python3 -c "
import json, sys
r = json.load(sys.stdin)['result']
assert r['files'] == 3 and r['infected'] == 2, r
by = {d['path'].rsplit('/', 1)[1]: {(x['engine'], x['rule']) for x in d['detections']} for d in r['detections']}
assert ('yara', 'Mirai_Okiru') in by['okiru.bin'], by
assert ('eicar', 'EICAR-Test-File') in by['eicar.com'], by
assert ('yara', 'SUSP_Just_EICAR') in by['eicar.com'] and ('yara', 'eicar') in by['eicar.com'], by
assert all(a['action'] == 'notify' and a['ok'] for d in r['detections'] for a in d['actions'])
" || vt_fail "unexpected YARA/EICAR scan result: $out"
# The yara CLI (real peer, same libyara version) agrees on the sample.
if command -v yara >/dev/null; then
  rules=$VIGIL_CORPUS/yara/yara-rules/malware
  yara "$rules/000_common_rules.yar" "$rules/MALW_Mirai_Okiru_ELF.yar" "$VT_DIR/samples/okiru.bin" |
    grep -q '^Mirai_Okiru ' || vt_fail "the yara CLI does not match the built sample"
fi

# clamav-testfiles: every file detected by hash, on demand (with progress
# events and published threats) ...
vctl events --type file_threat.scan_progress --type threat >"$VT_DIR/events.jsonl" 2>/dev/null &
vt_track_pid $!
sleep 0.3
out=$(vctl --json --timeout 120 scan file "$testfiles" --actions notify) || vt_fail "scan failed: $out"
echo "$out" | python3 -c "
import json, sys
r = json.load(sys.stdin)['result']
assert r['files'] == $expected and r['infected'] == $expected and r['errors'] == 0, {k: r[k] for k in ('files', 'infected', 'errors')}
assert all(any(x['engine'] == 'hash' for x in d['detections']) for d in r['detections'])
" || vt_fail "not every clamav test file was detected: $(echo "$out" | head -c 600)"
vt_wait_until 5 grep -q '"file_threat.scan_progress"' "$VT_DIR/events.jsonl" || vt_fail "no progress event"
n=$(ft_event_count "$VT_DIR/events.jsonl" "e['type']=='file_threat.scan_progress' and json.loads(e['payload']['text'])['done'] and json.loads(e['payload']['text'])['infected']==$expected")
[[ $n == 1 ]] || vt_fail "no final progress event: $(grep progress "$VT_DIR/events.jsonl")"
n=$(ft_event_count "$VT_DIR/events.jsonl" "e['type']=='threat' and e['payload']['detector']=='hash' and e['payload']['object'].startswith('$testfiles/')")
[[ $n == "$expected" ]] || vt_fail "expected $expected published threats, got $n"

# ... and on access: opening a copy on the watched mount is denied.
cp "$testfiles/clam.exe" "$FT_MNT/clam.exe"
cat "$FT_MNT/clam.exe" >/dev/null 2>&1 && vt_fail "open of a clamav test file was allowed"
cp "$VT_DIR/samples/clean.txt" "$FT_MNT/clean.txt"
cat "$FT_MNT/clean.txt" >/dev/null || vt_fail "open of a clean file was denied"

vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
