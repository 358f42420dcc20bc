#!/usr/bin/env bash
# SIGTERM and SIGINT end a recording cleanly: end of stream goes through,
# the last segment gets its last chunk (stock age decrypts every segment
# whole), the session is closed and verifies INTACT; SIGUSR1 writes a signed
# mark and SIGUSR2 a break, then a resume, that the verifier's timeline shows.
. "$(dirname "$0")/lib.sh"
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null

for sig in TERM INT; do
  out=$WORK/spool-$sig
  "$RECORDER" --once --segment-time 2s --recipient "$VAULT_RECIPIENT" \
    --device-key "$WORK/device/device.key" --officer 4711 --out "$out" 2>"$WORK/log-$sig" >"$WORK/out-$sig" &
  pid=$!
  for _ in $(seq 1 300); do grep -q "recording into" "$WORK/log-$sig" && break; sleep 0.05; done
  sleep 2.5
  kill -USR1 "$pid"
  sleep 0.5
  kill -USR2 "$pid"
  sleep 0.5
  kill -USR2 "$pid"
  sleep 1
  kill -"$sig" "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  check "SIG$sig: the recorder exits 0 (got $rc)" test "$rc" -eq 0
  session=$(tail -n 1 "$WORK/out-$sig")
  check "SIG$sig: the last line is the session folder" test -d "$session"
  for f in "$session"/seg-*.mkv.age; do
    check "SIG$sig: $(basename "$f") decrypts whole with stock age" age -d -i "$VAULT_KEY" -o /dev/null "$f"
  done
  check "SIG$sig: the mark is in the custody log" grep -q '"event":"mark"' "$session/custody.jsonl"
  # It was made 2.5 s after the pipeline started: it must say so, not lag
  # behind with the muxer's output.
  check "SIG$sig: the mark is placed at the moment it was made" python3 -c '
import json, sys
marks = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] == "mark"]
t = marks[0]["media_ns"] / 1e9
print("mark at %.3f s" % t)
sys.exit(0 if 2.0 <= t <= 4.0 else 1)' "$session/custody.jsonl"
  set +e
  "$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" "$session" >"$WORK/report-$sig"
  rc=$?
  set -e
  check "SIG$sig: the session verifies INTACT (exit $rc)" test "$rc" -eq 0
  check "SIG$sig: the report's timeline shows the mark" grep -qw mark "$WORK/report-$sig"
  check "SIG$sig: SIGUSR2 twice signs a break, then a resume, in that order" python3 -c '
import json, sys
ev = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] in ("break", "resume")]
sys.exit(0 if [e["event"] for e in ev] == ["break", "resume"] and ev[0]["media_ns"] < ev[1]["media_ns"] else 1)' \
    "$session/custody.jsonl"
  check "SIG$sig: the report's timeline shows the break and the resume" \
    bash -c "grep -qw break '$WORK/report-$sig' && grep -qw resume '$WORK/report-$sig'"
done
finish
