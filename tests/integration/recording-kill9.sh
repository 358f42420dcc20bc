#!/usr/bin/env bash
# kill -9 at a random moment: every closed segment decrypts whole with stock
# age and plays; the last one reads as truncated, and its salvaged prefix
# plays up to within about 1 s of the kill.
. "$(dirname "$0")/lib.sh"
make_vault

"$RECORDER" --once --profile test --duration 120s --segment-time 3s \
  --recipient "$VAULT_RECIPIENT" --out "$WORK/spool" 2>"$WORK/log" >/dev/null &
pid=$!
for _ in $(seq 1 300); do grep -q "recording into" "$WORK/log" && break; sleep 0.05; done
started=$(date +%s.%N)
delay=$(python3 -c "import random; print('%.2f' % random.uniform(4.0, 11.0))")
sleep "$delay"
kill -9 "$pid"
killed=$(date +%s.%N)
wait "$pid" 2>/dev/null || true
elapsed=$(python3 -c "print('%.3f' % ($killed - $started))")
echo "killed after $elapsed s of recording"

session=$(ls -d "$WORK"/spool/*/)
segments=("$session"seg-*.mkv.age)
last=${segments[-1]}
mkdir -p "$WORK/plain"
decoded=()
for f in "${segments[@]}"; do
  [ "$f" = "$last" ] && continue
  out=$WORK/plain/$(basename "${f%.age}")
  check "closed segment $(basename "$f") decrypts whole with stock age" age -d -i "$VAULT_KEY" -o "$out" "$f"
  decoded+=("$out")
done
check "stock age refuses the cut last segment" bash -c "! age -d -i '$VAULT_KEY' '$last' >/dev/null 2>&1"
set +e
"$EXPORT" --identity "$VAULT_KEY" --out "$WORK/plain" --salvage "$last" >"$WORK/export.log" 2>&1
rc=$?
set -e
cat "$WORK/export.log"
check "studio-export --salvage exits 2 (truncated, prefix saved)" test "$rc" -eq 2
check "export reports TRUNCATED" grep -q TRUNCATED "$WORK/export.log"
salvaged=$(ls "$WORK"/plain/*.salvaged.mkv)
decoded+=("$salvaged")
total=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" continuity "${decoded[@]}") \
  || fail "segments do not form one continuous timeline: $total"
echo "decoded video through the salvaged segment: $total s"
check "salvaged media reaches within ~1 s of the kill ($total s of $elapsed s)" \
  python3 -c "import sys; sys.exit(0 if $elapsed - 1.3 <= $total <= $elapsed + 0.3 else 1)"
finish
