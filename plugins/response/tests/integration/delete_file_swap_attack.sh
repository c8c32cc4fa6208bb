#!/usr/bin/env bash
# response.delete_file against a user who swaps the parent directory of the
# file being deleted with a symlink to /etc (atomic rename exchange, as fast
# as it can): an operator deletes the user's file by path (with and without
# the expected SHA-256) over and over for VIGIL_ATTACK_SECONDS. A root-owned
# canary in /etc with the same name must never be moved or deleted, and the
# user's own file must still be deleted when the directory is real.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/attack.sh"
vt_init response_delete_file_swap_attack
va_require
secs=$(va_seconds)

vt_start_plugins response
content="malware $$"
sha=$(printf '%s' "$content" | sha256sum | cut -d' ' -f1)

declare -A canary
for v in sha path; do
  va_home "$VT_DIR/home-$v"
  va_canary "vigil-canary-delete-$v-$$"
  canary[$v]=$VA_CANARY
  va_exchange_attacker "$v" "$VT_DIR/home-$v" "$(basename "$VA_CANARY")" "$secs" "$content"
done
for v in sha path; do
  va_operator "$v" "$secs" delete "$VT_DIR/home-$v/d/$(basename "${canary[$v]}")" $([[ $v == sha ]] && echo "$sha")
done
va_finish_exchange
for v in sha path; do
  read -r tries ok < <(va_operator_result "$v")
  va_record "response-delete_file-$v" "$tries" \
    "deleted the user's file $ok times, canary intact=$([[ -f ${canary[$v]} ]] && echo yes || echo NO) (attacker: $(cat "$VT_DIR/attack-$v.out"))"
  ((ok > 0)) || vt_fail "delete_file never deleted the user's own file ($v): the test proves nothing"
done
va_check_canaries
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
