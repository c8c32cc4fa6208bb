#!/usr/bin/env bash
# Quarantine restore against a user who swaps the directory of the original
# path with a symlink to /etc (the review's M5): the user's file is put into
# the store (response.delete_file) and restored (agent.quarantine_restore,
# with overwrite) over and over for VIGIL_ATTACK_SECONDS while the user
# exchanges the directory and the symlink as fast as it can. A root-owned
# canary in /etc is never replaced, no new file appears in /etc, and restores
# into the real directory still work.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/tests/lib/attack.sh"
vt_init quarantine_restore_swap_attack
va_require
secs=$(va_seconds)

vt_start_plugins response

va_canary "vigil-canary-restore-$$"
new_name=vigil-restore-new-$$   # must never appear in /etc
vt_on_exit "rm -f /etc/$new_name"
declare -A names=([over]=$(basename "$VA_CANARY") [new]=$new_name)
for v in over new; do
  va_home "$VT_DIR/home-$v"
  va_exchange_attacker "$v" "$VT_DIR/home-$v" "${names[$v]}" "$secs" "payload $$"
done
for v in over new; do
  va_operator "$v" "$secs" restore "$VT_DIR/home-$v/d/${names[$v]}"
done
va_finish_exchange
read -r tries ok < <(va_operator_result over)
va_record "quarantine-restore-overwrite" "$tries" \
  "restored into the user's directory $ok times, canary intact=$([[ $(cat "$VA_CANARY") == "vigil canary $(basename "$VA_CANARY")" ]] && echo yes || echo NO) (attacker: $(cat "$VT_DIR/attack-over.out"))"
((ok > 0)) || vt_fail "no restore into the user's own directory worked: the test proves nothing"
read -r tries ok < <(va_operator_result new)
va_record "quarantine-restore-new" "$tries" \
  "restored $ok times, /etc/$new_name created=$([[ -e /etc/$new_name ]] && echo YES || echo no) (attacker: $(cat "$VT_DIR/attack-new.out"))"
[[ ! -e /etc/$new_name ]] || vt_fail "a restore created /etc/$new_name"
((ok > 0)) || vt_fail "no restore into the user's own directory worked (new): the test proves nothing"
va_check_canaries
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
