#!/usr/bin/env bash
# What a user sees, in Debian's chromium (headless, playwright-core) inside
# the client namespace behind the worker: an allowed site loads over HTTP and
# HTTPS, a blocked HTTP URL shows the block page, a blocked HTTPS site fails
# with ERR_SSL_UNRECOGNIZED_NAME_ALERT (0 packets at the origin); QUIC (F13):
# the origin offers h3 by Alt-Svc, the page loads again over TCP, no UDP/443
# packet reaches the origin. Screenshots are kept in $VIGIL_WEB_SHOTS
# (default <build>/test-artifacts/web_threat); tests/browser/web.mjs has the
# scenario.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/playwright.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_browser
wt_require
vt_playwright_require
node_dir=$VIGIL_BUILD/web-threat-browser-node
vt_playwright_install "$node_dir" "$VIGIL_SOURCE/plugins/web_threat/tests/browser/web.mjs"

wt_topology_up
WT_ORIGIN_ARGS=--alt-svc wt_origin_up
# UDP/443 from the client, counted at the origin (QUIC must never get there).
ip netns exec "$WT_O" nft add counter inet wt_leak udp443 &&
  ip netns exec "$WT_O" nft add rule inet wt_leak input ip saddr 10.9.0.1 udp dport 443 counter name udp443 ||
  vt_fail "origin UDP counter"
wt_config "$VT_DIR/vigil.yaml"
wt_start "$VT_DIR/vigil.yaml"
wt_events

shots=${VIGIL_WEB_SHOTS:-$VIGIL_BUILD/test-artifacts/web_threat}
mkdir -p "$shots" && rm -f "$shots"/web-*.png
before80=$(wt_count 80) before443=$(wt_count 443)
spki=$(openssl x509 -in "$VT_DIR/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
export SHOTS=$shots PROFILE_DIR=$VT_DIR/chromium-profile NETLOG=$VT_DIR/netlog.json HOME=$VT_DIR SPKI=$spki
(cd "$node_dir" && timeout 180 ip netns exec "$WT_C" node web.mjs) >"$VT_DIR/web.log" 2>&1 ||
  vt_fail "browser scenario failed (screenshots in $shots): $(cat "$VT_DIR/web.log")"
cat "$VT_DIR/web.log" >&2
for want in "blocked|http|http://blocked.test/some/path?q=<b>x</b>|bad-domains:blocked.test" \
  "blocked|http|http://shared.test/bad/page|bad-urls:shared.test/bad/" "blocked|tls|blocked.test|bad-domains:blocked.test"; do
  wt_wait_threat "$want" || vt_fail "no threat event '$want'; got: $(wt_threats)"
done
# Nothing of the blocked requests reached the origin: the allowed ones did,
# and every HTTPS connection the origin saw was an allowed one (chromium
# reuses connections, so the counters are checked against the events).
(($(wt_count 80) > before80)) || vt_fail "the allowed HTTP load never reached the origin"
vt_log "origin packets: port 80 +$(($(wt_count 80) - before80)), port 443 +$(($(wt_count 443) - before443)) (allowed loads only)"

# F13: chromium tried h3 (the static table's UDP/443 counter moved), the
# origin saw none of it, and the page loaded over TCP (web.mjs).
udp_origin=$(ip netns exec "$WT_O" nft list counter inet wt_leak udp443 | sed -n 's/.*packets \([0-9]*\).*/\1/p')
[[ $udp_origin == 0 ]] || vt_fail "QUIC reached the origin: $udp_origin UDP/443 packets"
refused=$(ip netns exec "$WT_C" nft list chain inet vigil_web_static output | sed -n 's/.*udp dport 443 counter packets \([0-9]*\).*/\1/p')
quic=$(grep -c '"QUIC_SESSION' "$VT_DIR/netlog.json" 2>/dev/null || true)
((refused > 0)) || vt_fail "F13: chromium did not try h3 after the origin's Alt-Svc (netlog: $quic QUIC events)"
vt_log "F13: chromium tried h3 ($refused UDP/443 packets refused at once, $quic QUIC netlog events), both loads over TCP"
vt_log "screenshots in $shots: $(cd "$shots" && ls web-*.png | tr '\n' ' ')"
vt_pass
