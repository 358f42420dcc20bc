#!/usr/bin/env bash
# studio-verify --chain: a device's sessions as one chain in recording
# order; a missing session is a gap (INCOMPLETE), two sessions after the
# same entry a fork (TAMPERED), and the order given does not matter.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"
mk() { "$MS" --spool "$WORK/$1" --state "$WORK/$2" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
         --segments 1 --segment-bytes 40000 --session-id "$3"; }
for i in 1 2 3 4; do S[$i]=$(mk spool state "20261128T12000${i}Z-0000000$i"); done
FORK=$(mk spool2 state2 "20261128T120002Z-0000000f")   # a second chain from the same device key

chain() { # chain WANT_WORD WANT_EXIT PATTERN DIR…
  local want=$1 code=$2 pat=$3 out rc; shift 3
  set +e; out=$(timeout 60 "$VERIFY" --device-key "$WORK/dev.pub" --chain "$@" 2>&1); rc=$?; set -e
  if [ "${out%%:*}" = "$want" ] && [ "$rc" -eq "$code" ] && echo "$out" | head -n 1 | grep -q -- "$pat"; then
    pass "$want ($rc): $(echo "$out" | head -n 1 | cut -c1-110)"
  else
    fail "wanted $want/$code and /$pat/ on the first line, got $rc: $(echo "$out" | head -n 3)"
  fi
}
chain INTACT 0 "4 sessions, each intact" "${S[@]}"
chain INTACT 0 "4 sessions, each intact" "${S[4]}" "${S[2]}" "${S[1]}" "${S[3]}"   # any order given
chain INCOMPLETE 4 "a session is missing between them" "${S[1]}" "${S[2]}" "${S[4]}"
chain TAMPERED 3 "the device chain forks" "${S[1]}" "$FORK" "${S[2]}"
rm "${S[3]}/seg-000001.mkv.age"
chain INCOMPLETE 4 "session 20261128T120003Z-00000003" "${S[@]}"   # a member's own verdict counts
set +e; out=$("$VERIFY" --device-key "$WORK/dev.pub" --json --chain "${S[1]}" "${S[2]}"); set -e
check "--json lists each session with its links" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["verdict"] == "INTACT" and len(d["sessions"]) == 2
assert d["sessions"][1]["first_prev"] == d["sessions"][0]["last_line_sha256"]' "$out"
set +e; "$VERIFY" --device-key "$WORK/dev.pub" --chain "$WORK/spool" >/dev/null 2>&1; rc=$?; set -e
check "a folder that holds no session is a usage error (exit $rc)" test "$rc" -eq 1
finish
