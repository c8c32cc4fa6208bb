# Helpers for attack tests (bash; source after tests/lib/vigil.sh): an
# unprivileged attacker (setpriv to an unused uid, no capabilities, no
# groups), root-owned canaries in /etc that must survive, and how long an
# attack loop runs.
#
#   VIGIL_ATTACK_SECONDS   length of each attack loop (default 30; 300 with
#                          VIGIL_LONG=1, which `tools/test --long` sets)
VA_UID=${VA_UID:-64123}
VA_PY=/usr/bin/python3   # not a per-user shim: the attacker must be able to run it
VA_CANARIES=()

va_seconds() {
  if [[ -n ${VIGIL_ATTACK_SECONDS:-} ]]; then echo "$VIGIL_ATTACK_SECONDS"
  elif [[ ${VIGIL_LONG:-0} == 1 ]]; then echo 300
  else echo 30; fi
}

# va_require: skips (77) when the test cannot run here.
va_require() {
  [[ $(id -u) == 0 ]] || { vt_log "SKIP: needs root"; exit 77; }
  command -v setpriv >/dev/null || { vt_log "SKIP: no setpriv"; exit 77; }
  [[ -x $VA_PY ]] || { vt_log "SKIP: no $VA_PY"; exit 77; }
}

# va_as_attacker CMD...: runs CMD as the unprivileged attacker.
va_as_attacker() {
  setpriv --reuid="$VA_UID" --regid="$VA_UID" --clear-groups --no-new-privs --inh-caps=-all -- "$@"
}

# va_home DIR: a directory the attacker owns (its "home").
va_home() {
  mkdir -p "$1" && chown "$VA_UID:$VA_UID" "$1" && chmod 0755 "$1"
}

# va_canary NAME: creates the root-owned /etc/NAME (removed at exit); its path
# is in $VA_CANARY (call it directly, not in $(...), so it is remembered).
va_canary() {
  local p=/etc/$1
  printf 'vigil canary %s\n' "$1" >"$p" && chown root:root "$p" && chmod 0644 "$p" || vt_fail "cannot create $p"
  vt_on_exit "rm -f '$p'"
  VA_CANARIES+=("$p:$(stat -c %i "$p")")
  VA_CANARY=$p
}

# va_check_canaries: every canary is still in place, unchanged, root-owned.
va_check_canaries() {
  local entry p ino
  for entry in "${VA_CANARIES[@]}"; do
    p=${entry%%:*}; ino=${entry##*:}
    [[ -f $p ]] || vt_fail "canary $p was moved or deleted"
    [[ $(stat -c %i "$p") == "$ino" ]] || vt_fail "canary $p was replaced (inode changed)"
    [[ $(stat -c %u "$p") == 0 ]] || vt_fail "canary $p is no longer owned by root"
    [[ $(cat "$p") == "vigil canary $(basename "$p")" ]] || vt_fail "canary $p content changed"
  done
}

# va_record NAME TRIES OUTCOME: one line for the report (and the log).
va_record() {
  vt_log "ATTACK $1: $2 tries, $3"
  echo "$1 tries=$2 $3" >>"${VIGIL_ATTACK_REPORT:-/dev/null}"
}

# The directory-exchange attack against an operator's file actions (response.delete_file,
# agent.quarantine_restore): per KEY, the attacker exchanges HOME/d with a link to /etc
# while an operator acts on HOME/d/NAME over and over.
declare -A VA_EXCHANGE_HOMES=() VA_EXCHANGE_PIDS=()
VA_OPERATOR_PIDS=()

# va_exchange_attacker KEY HOME NAME SECONDS CONTENT: starts the attacker (in HOME, a
# va_home) writing CONTENT to HOME/d/NAME; its output goes to $VT_DIR/attack-KEY.out.
va_exchange_attacker() {
  VA_EXCHANGE_HOMES[$1]=$2
  va_as_attacker "$VA_PY" "$VIGIL_SOURCE/tests/lib/attack_exchange.py" "$2" "$3" /etc "$4" "$5" \
    >"$VT_DIR/attack-$1.out" 2>&1 &
  VA_EXCHANGE_PIDS[$1]=$!
  vt_track_pid "$!"
}

# va_operator KEY SECONDS ACTION ARGS...: the operator's loop (tests/lib/attack_operator.py)
# against this test's agent; "tries=N ok=M" goes to $VT_DIR/op-KEY.out.
va_operator() {
  local key=$1 secs=$2; shift 2
  "$VA_PY" "$VIGIL_SOURCE/tests/lib/attack_operator.py" "$VT_DIR/vigild.sock" "$secs" "$@" >"$VT_DIR/op-$key.out" &
  VA_OPERATOR_PIDS+=($!)
}

# va_finish_exchange: waits for the operators, then stops the attackers; fails when vigild died.
va_finish_exchange() {
  local k
  wait "${VA_OPERATOR_PIDS[@]}"
  for k in "${!VA_EXCHANGE_PIDS[@]}"; do
    touch "${VA_EXCHANGE_HOMES[$k]}/stop"
    wait "${VA_EXCHANGE_PIDS[$k]}"
  done
  kill -0 "$VT_VIGILD_PID" 2>/dev/null || vt_fail "vigild died during the attack"
}

# va_operator_result KEY: "TRIES OK" of the operator's loop.
va_operator_result() { sed 's/tries=\([0-9]*\) ok=\([0-9]*\)/\1 \2/' "$VT_DIR/op-$1.out"; }
