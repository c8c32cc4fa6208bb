#!/usr/bin/env bash
# E1: a payload matching a default signature on a listed port is detected
# from its first packet and the sender banned; a later connection fails.
# D2: overlapping fragments (teardrop style) are reported.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/nt_lib.sh"
nt_require_tools
vt_init network_threat_signatures
nt_topology_up
nt_services_up
nt_bg "$NT_VIC" python3 "$NT_HELPER" listen 80
vt_wait_until 10 nt_tcp "$NT_LEG" 10.78.0.1 80 || vt_fail "port 80 did not start"
nt_agent_config ""
nt_start_agent

ip netns exec "$NT_LEG" python3 "$NT_HELPER" send 10.78.0.1 80 "GET / HTTP/1.1\r\nHost: x\r\n\r\n" || vt_fail "plain request failed"
ip netns exec "$NT_ATK" python3 - "$NT_HELPER" <<'PY' || vt_fail "could not send the signature payload"
import socket, sys
s = socket.create_connection(("10.78.0.1", 80), source_address=("10.78.0.80", 0), timeout=3)
s.sendall(b"GET /?q=VIGIL-NETWORK-THREAT-TEST-7f3a HTTP/1.1\r\nHost: x\r\n\r\n")
s.close()
PY
vt_wait_until 5 nt_has_threat 10.78.0.80 exploit || vt_fail "test signature not detected"
nt_threats 10.78.0.80 | grep -q "^exploit|misc-activity|blocked|sid:9100001" || vt_fail "exploit event: $(nt_threats 10.78.0.80)"
nt_tcp "$NT_ATK" 10.78.0.1 80 10.78.0.80 && vt_fail "the exploit's sender still connects"
# Shellshock in a header.
ip netns exec "$NT_ATK" python3 - <<'PY' || vt_fail "could not send shellshock"
import socket
s = socket.create_connection(("10.78.0.1", 80), source_address=("10.78.0.81", 0), timeout=3)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: () { :; }; /bin/id\r\n\r\n")
s.close()
PY
vt_wait_until 5 nt_has_threat 10.78.0.81 exploit || vt_fail "shellshock not detected"
nt_threats 10.78.0.81 | grep -q "sid:9100010" || vt_fail "shellshock: $(nt_threats 10.78.0.81)"
# The benign client was never reported.
[[ -z $(nt_threats 10.78.0.4) ]] || vt_fail "benign request reported: $(nt_threats 10.78.0.4)"

# D2: overlapping fragments.
ip netns exec "$NT_LEG" python3 "$NT_HELPER" frag-overlap 10.78.0.1
vt_wait_until 5 nt_has_threat 10.78.0.4 malformed.fragment || vt_fail "overlapping fragments not reported"
grep -a '"object":"10.78.0.4"' "$VT_DIR/threats.log" | grep -q 'overlap' || vt_fail "anomaly not named overlap"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
