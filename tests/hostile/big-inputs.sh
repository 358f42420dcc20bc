#!/usr/bin/env bash
# Inputs far larger than they should be (DESIGN.md "Hostile input": sizes
# checked against the signed manifest before anything is hashed; cost
# linear in the session and memory bounded): sparse files of 200 GB, a
# custody log of 200,000 signed entries, 20,000 unlisted files. The time
# bounds are functional (a 200 GB hash would take minutes), not benchmarks:
# bench/verify-million.sh measures. See common.sh for what every run is
# checked for besides its verdict.
. "$(dirname "$0")/common.sh"

BASE=$(mk --session-id 20261128T100000Z-aaaaaaaa)

# ---- 5. sparse files far larger than the manifest says ----------------------------
# $WORK is on /tmp: it must take a 200 GB sparse file that uses no space
sparse_ok=0
probe=$WORK/sparse-probe
if truncate -s 200G "$probe" 2>/dev/null && [ "$(stat -c %b "$probe")" -lt 1024 ]; then
  sparse_ok=1
fi
rm -f "$probe"
df -h "$WORK" | tail -n 1 | sed 's/^/df: /'
if [ "$sparse_ok" -eq 1 ]; then
  fresh "$BASE"; truncate -s 200G "$T/seg-000002.mkv.age"
  verify_case "seg-000002.mkv.age sparse to 200 GB" TAMPERED --max-secs 20 \
    --has 'seg-000002\.mkv\.age' -- --device-key "$DEV_PUB" "$T"
  verify_case "seg-000002.mkv.age sparse to 200 GB, with --identity" TAMPERED --max-secs 20 --text-only -- \
    --device-key "$DEV_PUB" --identity "$VAULT_KEY" "$T"
  X=$WORK/x/sparse
  export_run "export: seg-000002.mkv.age sparse to 200 GB" "$X" \
    --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"
  [ "$RC" -eq 3 ] || PROBLEMS+=("want exit 3, got $RC: $(head -c 300 "$ERR")")
  [ -z "$MEDIA" ] || PROBLEMS+=("--out holds $MEDIA")
  python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 20)" "$SECS" || PROBLEMS+=("took $SECS s, over 20 s")
  report "export: seg-000002.mkv.age sparse to 200 GB" "exit $RC in $SECS s"
  fresh "$BASE"; truncate -s 200G "$T/custody.jsonl"
  verify_case "custody.jsonl sparse to 200 GB" TAMPERED --max-secs 20 --has 'custody\.jsonl' -- \
    --device-key "$DEV_PUB" "$T"
  fresh "$BASE"; truncate -s 200G "$T/manifest.json"
  verify_case "manifest.json sparse to 200 GB" 'TAMPERED|INCOMPLETE|UNSIGNED' --max-secs 20 --has 'manifest\.json' -- \
    --device-key "$DEV_PUB" "$T"
  fresh "$BASE"; truncate -s 200G "$T/SHA256SUMS.sealed"
  verify_case "SHA256SUMS.sealed sparse to 200 GB" 'TAMPERED|INCOMPLETE|UNSIGNED' --max-secs 20 -- \
    --device-key "$DEV_PUB" "$T"
  rm -rf "$T"
else
  skip_part "$WORK does not hold sparse files; the 200 GB cases did not run"
fi

# ---- 8. thousands of unlisted files -----------------------------------------------
fresh "$BASE"
(cd "$T" && seq -f 'x-%05g' 1 20000 | xargs touch)
# the first few are named, and the report says how many there are in all
verify_case "20000 unlisted files" INCOMPLETE --has 'x-[0-9]{5}' --has '(19,?975|20,?000)' -- \
  --device-key "$DEV_PUB" "$T"
lines=$(wc -l <"$TEXT_OUT")
[ "$lines" -lt 2000 ] || PROBLEMS+=("the text report is $lines lines: unlisted files past the first few dozen belong in one summary finding")
findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$JSON_OUT" 2>/dev/null || echo "?")
[ "$findings" != "?" ] && [ "$findings" -lt 2000 ] || PROBLEMS+=("the --json report holds $findings findings")
report "20000 unlisted files: the report stays readable" "$lines lines, $findings JSON findings"
rm -rf "$T"

# ---- 7. a custody log of 200,000 signed entries -------------------------------------
# make-session writes them buffered with the custody module's entry builder
# (checkpoints: marks go into the manifest's events, which the closer caps
# at CUSTODY_EVENTS_MAX). The verifier must say INTACT with memory that does not grow with
# the log: under 256 MiB, and at most 32 MiB more than for the 30-entry
# session (holding the 85 MB log, or ~160 bytes per entry, fails). ASan's
# quarantine keeps freed memory for up to 256 MiB by default and would
# measure ASan, not the verifier: it is off for these two runs only.
ENTRIES=${HOSTILE_BIG_LOG_ENTRIES:-200000}
t0=$(date +%s)
BIG=$(mk --session-id 20261128T120000Z-b1b1b1b1 --bulk-checkpoints "$ENTRIES" 2>"$WORK/big.err") ||
  { cat "$WORK/big.err" >&2; fail "make-session could not write a $ENTRIES-entry log"; finish; exit 1; }
echo "made a log of $(wc -l <"$BIG/custody.jsonl") entries, $(stat -c %s "$BIG/custody.jsonl") bytes, in $(($(date +%s) - t0)) s"
ASAN_OPTIONS=${ASAN_OPTIONS:-}:quarantine_size_mb=0
export ASAN_OPTIONS
verify_case "control: the 30-entry session, memory baseline" INTACT --text-only -- --device-key "$DEV_PUB" "$BASE"
base_kib=$RSS_KIB
verify_case "a custody log of $ENTRIES signed entries" INTACT --text-only -- --device-key "$DEV_PUB" "$BIG"
big_kib=$RSS_KIB big_secs=$SECS
[ "$big_kib" -lt $((256 * 1024)) ] || PROBLEMS+=("peak RSS $((big_kib / 1024)) MiB, over 256 MiB")
[ $((big_kib - base_kib)) -lt $((32 * 1024)) ] ||
  PROBLEMS+=("peak RSS grows with the log: $((big_kib / 1024)) MiB against $((base_kib / 1024)) MiB for the 30-entry session")
report "a custody log of $ENTRIES signed entries: memory bounded" \
  "peak RSS $((big_kib / 1024)) MiB (30-entry session $((base_kib / 1024)) MiB), $big_secs s"

finish
