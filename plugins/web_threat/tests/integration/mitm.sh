#!/usr/bin/env bash
# The encrypted connections scan (mitm.enabled) in a private client namespace
# against origin namespaces: `vigilctl web_threat ca` prints the CA (kept
# root-only); a scanned site is served under a certificate from that CA; F8 a
# blocked URL path over HTTPS gets the block page inside TLS and the origin
# receives no packet (IPv4 and IPv6); every request of a keep-alive
# connection is judged; SNI ok.test with Host blocked.test (domain fronting)
# is blocked; F9 a site whose certificate does not verify gets the
# untrusted-certificate page (untrusted_certificate_action: block) or its
# content (allow); F10 a client that refuses the Vigil certificate gets the
# site excluded, its next connection passes through unscanned with the
# origin's own certificate; an excluded domain is never scanned; threat
# records carry the https URL.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_mitm
wt_require
wt_topology_up
wt_origin_up
# A second origin whose certificate the worker does not trust (F9) and that
# serves an excluded name.
ip -n "$WT_O" addr add 10.9.0.3/24 dev "wto$WT_TAG"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=untrusted.test \
  -addext "subjectAltName=DNS:untrusted.test,DNS:www.excluded.test" \
  -keyout "$VT_DIR/other.key" -out "$VT_DIR/other.pem" >/dev/null 2>&1 || vt_fail "openssl req (other)"
ip netns exec "$WT_O" /usr/bin/python3 "$WT_HELPER" --tls 10.9.0.3:443 --cert "$VT_DIR/other.pem" \
  --key "$VT_DIR/other.key" >"$VT_DIR/origin2.log" 2>&1 &
vt_track_pid $!
vt_wait_until 10 grep -q ready "$VT_DIR/origin2.log" || vt_fail "second origin did not start"
# A third that requires a client certificate (its own as the client CA);
# the worker trusts it (mitm.upstream_ca_file holds it and the first origin's).
ip -n "$WT_O" addr add 10.9.0.4/24 dev "wto$WT_TAG"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=clientcert.test \
  -addext "subjectAltName=DNS:clientcert.test" -keyout "$VT_DIR/cc.key" -out "$VT_DIR/cc.pem" >/dev/null 2>&1 ||
  vt_fail "openssl req (client certificate origin)"
cat "$VT_DIR/cert.pem" "$VT_DIR/cc.pem" >"$VT_DIR/upstream.pem"
ip netns exec "$WT_O" /usr/bin/python3 "$WT_HELPER" --tls 10.9.0.4:443 --cert "$VT_DIR/cc.pem" \
  --key "$VT_DIR/cc.key" --client-ca "$VT_DIR/cc.pem" >"$VT_DIR/origin3.log" 2>&1 &
vt_track_pid $!
vt_wait_until 10 grep -q ready "$VT_DIR/origin3.log" || vt_fail "third origin did not start"

# mitm_config ACTION HTTPS_BLOCK_PAGE: the config with the scan on; the first and third
# origins' certificates are extra trusted roots for the worker
# (mitm.upstream_ca_file).
mitm_config() {
  wt_config "$VT_DIR/vigil.yaml" "mitm:" "  enabled: true" "  upstream_ca_file: $VT_DIR/upstream.pem" \
    "  untrusted_certificate_action: $1" "  https_block_page: $2" "  excluded_domains: ['*.excluded.test']"
}
mitm_config block true
wt_start "$VT_DIR/vigil.yaml"
wt_events

# The CA: printed by vigilctl, a CA certificate, its key root-only in the state directory.
vctl web_threat ca >"$VT_DIR/vigil-ca.pem" || vt_fail "vigilctl web_threat ca failed"
openssl x509 -in "$VT_DIR/vigil-ca.pem" -noout -text | grep -q "CA:TRUE" || vt_fail "not a CA: $(cat "$VT_DIR/vigil-ca.pem")"
key=$VT_DIR/state/plugins/web_threat/mitm_ca.key
[[ $(stat -c '%a %u' "$key") == "600 0" ]] || vt_fail "CA key: $(stat -c '%a %u' "$key")"

res4=(--resolve ok.test:443:10.9.0.2 --resolve shared.test:443:10.9.0.2 --resolve blocked.test:443:10.9.0.2
  --resolve trusted.test:443:10.9.0.2 --resolve untrusted.test:443:10.9.0.3 --resolve www.excluded.test:443:10.9.0.3
  --resolve clientcert.test:443:10.9.0.4)
vca=(--cacert "$VT_DIR/vigil-ca.pem")

# A scanned site: its content, under a certificate only the Vigil CA verifies.
got=$(wt_curl "${vca[@]}" "${res4[@]}" https://ok.test/tls)
[[ $got == "origin /tls"*" 200" ]] || vt_fail "scanned HTTPS: got '$got' ($(tail -5 "$VT_DIR/vigild.log"))"
issuer=$(ip netns exec "$WT_C" openssl s_client -connect 10.9.0.2:443 -servername ok.test </dev/null 2>/dev/null |
  openssl x509 -noout -issuer)
[[ $issuer == *"Vigil web_threat CA"* ]] || vt_fail "scanned HTTPS: issuer '$issuer'"
vt_log "scanned HTTPS: 200 under $issuer"

# F8: a blocked URL path over HTTPS: block page inside TLS, origin packets +0.
before=$(wt_count_settled 443)
got=$(wt_curl "${vca[@]}" "${res4[@]}" https://shared.test/bad/x)
[[ $got == *'id="vigil-block-page"'*"https://shared.test/bad/x"*" 403" ]] || vt_fail "F8 blocked URL over TLS: got '$got'"
[[ $(wt_count 443) == "$before" ]] || vt_fail "F8: the origin received $(($(wt_count 443) - before)) packets"
wt_wait_threat "blocked|http|https://shared.test/bad/x|bad-urls:shared.test/bad/" ||
  vt_fail "F8: no threat record: $(wt_threats)"
vt_log "F8 blocked URL path over MITM: 403 block page, origin packets +0, threat record with the https URL"

# Keep-alive: the second request on the same scanned connection is judged too.
got=$(ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "${vca[@]}" \
  "${res4[@]}" https://shared.test/good https://shared.test/bad/y | tr '\n' ' ')
[[ $got == "200 1 403 0 " ]] || vt_fail "keep-alive over MITM: got '$got'"
vt_log "keep-alive over MITM: $got"

# Domain fronting: SNI ok.test, Host blocked.test -> judged by the Host.
got=$(wt_curl "${vca[@]}" "${res4[@]}" -H "Host: blocked.test" https://ok.test/front)
[[ $got == *'id="vigil-block-page"'*" 403" ]] || vt_fail "SNI/Host fronting not blocked: got '$got'"
# A site blocked by its SNI (https_block_page: true): the block page inside
# TLS, and the origin never gets a packet.
before=$(wt_count_settled 443)
got=$(wt_curl "${vca[@]}" "${res4[@]}" https://blocked.test/page)
[[ $got == *'id="vigil-block-page"'*"https://blocked.test/"*" 403" ]] || vt_fail "blocked SNI block page: got '$got'"
[[ $(wt_count 443) == "$before" ]] || vt_fail "blocked SNI block page: the origin received packets"
vt_log "F8 blocked SNI with the Vigil CA: 403 block page inside TLS, origin packets +0"

# IPv6: scanned, and a blocked path refused with 0 packets at the origin.
res6=(--resolve 'ok.test:443:[fd09::2]' --resolve 'shared.test:443:[fd09::2]')
[[ $(wt_curl "${vca[@]}" "${res6[@]}" https://ok.test/v6) == "origin /v6"*" 200" ]] || vt_fail "IPv6 scanned HTTPS failed"
before=$(wt_count_settled 443)
[[ $(wt_curl "${vca[@]}" "${res6[@]}" https://shared.test/bad/6) == *" 403" ]] || vt_fail "IPv6 blocked URL over TLS"
[[ $(wt_count 443) == "$before" ]] || vt_fail "IPv6 F8: the origin received packets"
vt_log "IPv6: scanned 200, blocked path 403 with origin packets +0"

# F9: a site whose certificate does not verify -> the untrusted-certificate page.
got=$(wt_curl "${vca[@]}" "${res4[@]}" https://untrusted.test/)
[[ $got == *'id="vigil-untrusted-certificate"'*" 502" ]] || vt_fail "F9 untrusted site: got '$got'"
vt_log "F9 untrusted certificate (block): 502 page"

# An excluded domain is never scanned: the client sees the origin's own certificate.
got=$(wt_curl --cacert "$VT_DIR/other.pem" "${res4[@]}" https://www.excluded.test/ex)
[[ $got == "origin /ex"*" 200" ]] || vt_fail "excluded domain: got '$got'"

# F10: a client that refuses the Vigil certificate -> the site is excluded;
# its next connection passes through with the origin's certificate.
ip netns exec "$WT_C" curl -s -m 5 --cacert "$VT_DIR/cert.pem" "${res4[@]}" https://trusted.test/ >/dev/null 2>&1
rc=$?
[[ $rc == 60 ]] || vt_fail "F10: the refusing client got curl exit $rc (want 60, certificate problem)"
vt_wait_until 5 grep -q "trusted.test excluded from the encrypted connections scan" "$VT_DIR/vigild.log" ||
  vt_fail "F10: no exclusion logged: $(grep -i mitm "$VT_DIR/vigild.log" | tail -3)"
got=$(wt_curl --cacert "$VT_DIR/cert.pem" "${res4[@]}" https://trusted.test/again)
[[ $got == "origin /again"*" 200" ]] || vt_fail "F10: the excluded site's next connection: got '$got'"
vt_log "F10 client refused the certificate (curl 60): excluded, next connection 200 with the origin's certificate"
# The status counts it (published within the 10 s status period).
excluded_counted() { [[ $(wt_st "s['interception']['mitm']['excluded']") -ge 1 ]]; }
vt_wait_until 12 excluded_counted ||
  vt_fail "status: $(wt_st "s['interception']['mitm']")"

# A site that asks for a client certificate (the worker has none to give)
# is excluded; the client's next connection reaches it with its own.
wt_curl "${vca[@]}" "${res4[@]}" https://clientcert.test/ >/dev/null
vt_wait_until 5 grep -q "clientcert.test excluded from the encrypted connections scan: site: asks for a client certificate" \
  "$VT_DIR/vigild.log" || vt_fail "client certificate: no exclusion logged: $(grep -i clientcert "$VT_DIR/vigild.log" | tail -3)"
got=$(wt_curl --cacert "$VT_DIR/cc.pem" --cert "$VT_DIR/cc.pem" --key "$VT_DIR/cc.key" "${res4[@]}" \
  https://clientcert.test/mine)
[[ $got == "origin /mine"*" 200" ]] || vt_fail "client certificate: the excluded site's next connection: got '$got'"
vt_log "site asking for a client certificate: excluded, next connection 200 with the client's own certificate"

# F9 with untrusted_certificate_action: allow -> the content passes.
vt_stop_daemon
mitm_config allow false
wt_start "$VT_DIR/vigil.yaml"
got=$(wt_curl "${vca[@]}" "${res4[@]}" https://untrusted.test/allowed)
[[ $got == "origin /allowed"*" 200" ]] || vt_fail "F9 allow: got '$got'"
vt_log "F9 untrusted certificate (allow): 200"
# https_block_page: false -> a blocked SNI gets the alert, before any certificate.
err=$(ip netns exec "$WT_C" curl -sS -m 5 -o /dev/null "${vca[@]}" "${res4[@]}" https://blocked.test/ 2>&1); rc=$?
[[ $rc == 35 && ${err,,} == *"unrecognized name"* ]] || vt_fail "blocked SNI without the page: curl exit $rc: $err"
vt_pass
