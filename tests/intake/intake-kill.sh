#!/usr/bin/env bash
# The intake killed mid-pass (SIGKILL as soon as its first record is in
# the vault) and run again: every session has exactly one record, each
# signed, none missing, and the second run exits 0.
. "$(dirname "$0")/lib.sh"
S=()
for i in 1 2 3 4 5 6; do S+=("$(mk --session-id 20261201T09000${i}Z-0000000$i --segments 3)"); done
upload
"$INTAKE" --config intake.conf --once >kill.out 2>&1 &
pid=$!
while ! ls vault/verifications/*.json >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null && killed=yes || killed=no
wait "$pid" 2>/dev/null || true
n_before=$(ls vault/verifications/*.json 2>/dev/null | wc -l)
echo "killed: $killed with $n_before record(s) written"
check "the run after the kill exits 0" test "$(intake)" = 0
for s in "${S[@]}"; do
  check "$s: one record, signed" bash -c "test \$(ls vault/verifications/ | grep -c '^$s.json\$') = 1 && minisign -Vqm '$(rec $s)' -p ik/intake.pub"
done
check "nothing but records, signatures and no stray file in verifications/" \
  test "$(ls -A vault/verifications | grep -cvE '^2026[0-9T]+Z-[0-9a-f]{8}\.json(\.minisig)?$')" = 0
check "a third run rewrites nothing" bash -c "before=\$(cat vault/verifications/* | sha256sum); test \"\$(\"$INTAKE\" --config intake.conf --once 2>/dev/null; echo \$?)\" = 0 && test \"\$(cat vault/verifications/* | sha256sum)\" = \"\$before\""
finish
