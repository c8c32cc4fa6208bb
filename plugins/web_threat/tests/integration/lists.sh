#!/usr/bin/env bash
# The lists in a running agent: the corpus feed samples load from files
# (URLhaus host file, StevenBlack hosts, LOKI c2 IOCs), web_threat.check
# answers from them with categories and trusted addresses, the central node's
# web_threat.set_lists swaps the set and survives a restart, a broken or
# untrusted list file is reported while the other lists keep protecting.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init web_threat_lists
[[ -x $VIGIL_BUILD/plugins/web_threat.so || -f $VIGIL_BUILD/plugins/web_threat.so ]] || { vt_log "no plugin built"; exit 77; }
corpus=$VIGIL_CORPUS/blocklists
[[ -f $corpus/urlhaus-hostfile-20200826-first100.txt ]] || { vt_log "no corpus at $corpus"; exit 77; }

lists=$VT_DIR/lists
mkdir -p "$lists" && chmod 0755 "$lists"
cp "$corpus/urlhaus-hostfile-20200826-first100.txt" "$lists/urlhaus.txt"
cp "$corpus/stevenblack-hosts-first20.txt" "$lists/stevenblack.txt"
cp "$corpus/signature-base-c2-iocs.txt" "$lists/c2.txt"
chmod 0644 "$lists"/*.txt
if [[ $(stat -c %u "$lists/c2.txt") != 0 ]]; then
  vt_log "list files are not root-owned here (not root?): the plugin would refuse them"; exit 77
fi

{
  vt_agent_section
  cat <<EOF2
plugins:
  web_threat:
    enabled: true
    intercept: false
    block_doh: false
    trusted_addresses: [suroot.com, 58.64.200.0/24]
    lists:
      - {name: urlhaus, path: $lists/urlhaus.txt, format: urlhaus_hostfile}
      - {name: stevenblack, path: $lists/stevenblack.txt, format: hosts, category: adware}
      - {name: loki, path: $lists/c2.txt, format: loki_c2}
EOF2
} >"$VT_DIR/vigil.yaml"
running() { [[ $(vt_plugin_state web_threat) == running ]]; }
loaded() { vctl --json status | grep -q '"loaded_at":"'; }
blocks_phish() { vctl --json web_threat check phish.test | grep -q '"decision":"block"'; }
vt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 15 running || vt_fail "web_threat is not running: $(vt_plugin_state web_threat)"

# st EXPR: python expression over web_threat's status object `s`.
st() { vctl --json status | vt_json "(lambda s: $1)(next(p for p in d['plugins'] if p['name'] == 'web_threat')['status'])"; }
check() { vctl --json web_threat check "$@" | vt_json "d['result']['decision'] + ' ' + d['result'].get('list','-') + ' ' + d['result'].get('category','-')"; }
expect() {
  local want=$1; shift
  local got; got=$(check "$@") || vt_fail "check $* failed"
  [[ $got == "$want" ]] || vt_fail "check $*: got '$got', want '$want'"
  vt_log "check $* -> $got"
}

vt_wait_until 10 loaded || vt_fail "no lists loaded"
counts=$(st "[(l['name'], l['domains'], l['ips']) for l in s['lists']]")
vt_log "lists: $counts"
[[ $counts == "[('urlhaus', 100, 0), ('stevenblack', 20, 0), ('loki', 1709, 135)]" ]] || vt_fail "list counts: $counts"

expect "block urlhaus malicious" 01.shgrasp.vip
expect "allow - -" www.01.shgrasp.vip                  # the host file names exact hosts
expect "allow - -" 2no.co                              # adware: check_adware is off by default
expect "block loki malicious" mail.effers.com          # LOKI domains block the names below them
expect "trusted trusted_addresses -" suroot.com
expect "block loki malicious" www.suroot.com           # trusting a name does not trust its subdomains
expect "block loki malicious" 58.64.143.244
expect "trusted trusted_addresses -" 58.64.200.178
expect "block urlhaus malicious" "http://01.shgrasp.vip/any/path?q=1"

# --- lists from the central node --------------------------------------------------------
out=$(vctl --json web_threat set_lists --lists '[{"name":"central-phish","format":"domains","category":"phishing","content":"phish.test\n"},{"name":"central-urls","format":"urls","content":"http://shared.test/bad/\n"}]') ||
  vt_fail "set_lists failed: $out"
expect "block central-phish phishing" login.phish.test
expect "block central-urls malicious" http://shared.test/bad/x
expect "allow - -" http://shared.test/good
bad=$(vctl web_threat set_lists --lists '[{"name":"x","format":"ips","content":"not-an-ip\n"}]' 2>&1) && vt_fail "a bad list was accepted"
grep -q "1 of 1 lines are malformed" <<<"$bad" || vt_fail "refusal does not name the problem: $bad"
expect "block central-phish phishing" phish.test       # the refused command changed nothing

vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 15 blocks_phish
expect "block central-phish phishing" phish.test       # kept across the restart

# --- a broken and an untrusted list file --------------------------------------------------
printf 'garbage line\nmore garbage\n' >"$lists/urlhaus.txt"
chmod 0666 "$lists/stevenblack.txt"
vctl web_threat reload >/dev/null || vt_fail "reload failed"
errors=$(st "s['list_errors']")
vt_log "list errors: $errors"
grep -q "urlhaus" <<<"$errors" || vt_fail "the broken urlhaus list is not reported"
grep -q "stevenblack" <<<"$errors" || vt_fail "the world-writable list is not refused"
expect "allow - -" 01.shgrasp.vip
expect "block loki malicious" effers.com                # the good list still protects
expect "block central-phish phishing" phish.test
running || vt_fail "plugin stopped after a bad reload"
vt_pass
