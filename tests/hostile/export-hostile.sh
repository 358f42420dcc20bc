#!/usr/bin/env bash
# studio-export on hostile input (DESIGN.md "Hostile input"): it verifies
# the session before it decrypts anything (--device-key or --registry;
# --no-verify says so on purpose), never decrypts a segment that is not the
# session's own, never follows a link in the session or in --out, and never
# replaces or writes through anything already in --out. See common.sh for
# what every run is checked for besides its exit status.
#   studio-export --identity FILE --device-key FILE|--registry FILE
#                 [--salvage] [--no-verify] --out DIR SESSION_DIR
. "$(dirname "$0")/common.sh"

BASE=$(mk --session-id 20261128T100000Z-aaaaaaaa)
# a second session for the same vault recipient: its segments open with the
# same identity, so only the signed manifest can tell them apart
OTHER=$(mk --session-id 20261128T110000Z-bbbbbbbb)
python3 - "$DEV_PUB" >"$WORK/registry.json" <<'PY'
import base64, json, sys
pk = open(sys.argv[1]).read().splitlines()[1]
kid = base64.b64decode(pk)[2:10][::-1].hex().upper()
print(json.dumps({"devices": [{"device_id": "studio-test-01", "key_id": kid, "public_key": pk,
                               "enrolled": "2026-01-01T00:00:00Z"}]}))
PY
n=0
outdir() { n=$((n + 1)); X=$WORK/x/out-$n; }
WHOLE="seg-000001.mkv seg-000002.mkv seg-000003.mkv "

# export_case NAME WANT_EXIT WANT_MEDIA NAMES ARGS…: WANT_MEDIA the media
# files --out must hold afterwards ("" for none), or "without:NAME" when
# only NAME must be absent; NAMES an ERE the messages must match ("" for
# none): a refusal names what it refuses, so that a refusal for some other
# reason (an option this build does not know) never passes for one.
export_case() {
  local name=$1 want=$2 media=$3 names=$4
  shift 4
  export_run "$name" "$X" "$@"
  if [ "$RC" -ne "$want" ]; then
    PROBLEMS+=("want exit $want, got $RC: $(head -c 300 "$ERR")")
  fi
  if [ -n "$names" ] && ! grep -aqE -- "$names" "$OUT" "$ERR"; then
    PROBLEMS+=("the messages do not name /$names/: $(head -c 300 "$OUT") $(head -c 300 "$ERR")")
  fi
  case $media in
    without:*) [[ " $MEDIA" != *" ${media#without:} "* ]] || PROBLEMS+=("--out holds ${media#without:}") ;;
    *) [ "$MEDIA" = "$media" ] || PROBLEMS+=("--out holds '${MEDIA:-nothing}', want '${media:-nothing}'") ;;
  esac
  report "$name" "exit $RC, --out holds ${MEDIA:-no media}"
}

# ---- controls: what must still work ------------------------------------------
outdir; export_case "control: the untouched session with --device-key" 0 "$WHOLE" "" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
if (cd "$X" && sha256sum --quiet -c SHA256SUMS) >/dev/null 2>&1; then
  pass "control: sha256sum -c accepts the working copy"
else
  fail "control: sha256sum -c does not accept the working copy in $X"
fi
outdir; export_case "control: the untouched session with --registry" 0 "$WHOLE" "" \
  --identity "$VAULT_KEY" --registry "$WORK/registry.json" --out "$X" "$BASE"
outdir; export_case "control: --no-verify without a device key exports" 0 "$WHOLE" "" \
  --identity "$VAULT_KEY" --no-verify --out "$X" "$BASE"

# ---- 10. nothing is decrypted before the session verifies --------------------
outdir; export_case "without --device-key, --registry or --no-verify it refuses" 1 "" "--device-key" \
  --identity "$VAULT_KEY" --out "$X" "$BASE"
fresh "$BASE"; cp "$OTHER/seg-000002.mkv.age" "$T/seg-000002.mkv.age"
outdir; export_case "a segment substituted by another session's (same recipient)" 3 "" "seg-000002\.mkv\.age" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"
outdir; export_case "a segment substituted by another session's, with --salvage" 3 "" "seg-000002\.mkv\.age" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --salvage --out "$X" "$T"
fresh "$BASE"; cp "$T/seg-000001.mkv.age" "$T/seg-000009.mkv.age"
outdir; export_case "an extra segment seg-000009.mkv.age (a copy of seg-000001)" 3 "" "seg-000009\.mkv\.age" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"
fresh "$BASE"; cp "$OTHER/seg-000003.mkv.age" "$T/seg-000004.mkv.age"
outdir; export_case "an extra segment seg-000004.mkv.age from another session" 3 "" "seg-000004\.mkv\.age" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"
fresh "$BASE"; flip "$T/seg-000002.mkv.age" 100000
outdir; export_case "a flipped bit in seg-000002: nothing at all is written" 3 "" "seg-000002\.mkv\.age" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"

# ---- links in the session folder are never followed ----------------------------
for target in genuine secret vault-key /dev/urandom /proc/self/pagemap fifo; do
  fresh "$BASE"
  case $target in
    genuine) mv "$T/seg-000001.mkv.age" "$OUTSIDE/genuine-seg"; ln -s "$OUTSIDE/genuine-seg" "$T/seg-000001.mkv.age" ;;
    secret) rm "$T/seg-000001.mkv.age"; ln -s "$OUTSIDE/secret" "$T/seg-000001.mkv.age" ;;
    vault-key) rm "$T/seg-000001.mkv.age"; ln -s "$VAULT_KEY" "$T/seg-000001.mkv.age" ;;
    fifo) rm "$T/seg-000001.mkv.age"; ln -s "$OUTSIDE/fifo" "$T/seg-000001.mkv.age" ;;
    *) rm "$T/seg-000001.mkv.age"; ln -s "$target" "$T/seg-000001.mkv.age" ;;
  esac
  outdir; export_case "seg-000001.mkv.age -> $target in the session" 3 "" "seg-000001\.mkv\.age" \
    --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"
  # even unverified, a link is not an input
  outdir; export_case "seg-000001.mkv.age -> $target, with --no-verify: seg-000001 is not exported" 3 \
    without:seg-000001.mkv "seg-000001\.mkv\.age" --identity "$VAULT_KEY" --no-verify --out "$X" "$T"
  rm -f "$OUTSIDE/genuine-seg"
done
fresh "$BASE"; rm "$T/seg-000002.mkv.age"; mkfifo "$T/seg-000002.mkv.age"
outdir; export_case "a FIFO in place of seg-000002.mkv.age" 3 "" "seg-000002\.mkv\.age" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$T"
outdir; export_case "a FIFO in place of seg-000002.mkv.age, with --no-verify" 3 \
  without:seg-000002.mkv "seg-000002\.mkv\.age" --identity "$VAULT_KEY" --no-verify --out "$X" "$T"

# ---- 4. --out: nothing planted there is followed or replaced -------------------
victim_sum=$(sha256sum "$OUTSIDE/victim")
victim_ok() { # victim_ok NAME: the victim outside is unchanged
  [ "$(sha256sum "$OUTSIDE/victim" 2>/dev/null)" = "$victim_sum" ] && [ -f "$OUTSIDE/victim" ] && [ ! -L "$OUTSIDE/victim" ] ||
    PROBLEMS+=("the victim outside --out was changed")
}
refusal_names() { # refusal_names NAME: a non-zero exit whose message names --out/NAME
  [ "$RC" -ne 0 ] || PROBLEMS+=("exit 0: it should refuse a --out that already holds $1")
  cat "$OUT" "$ERR" | grep -aqF -- "$1" || PROBLEMS+=("the refusal does not name $1: $(head -c 300 "$ERR")")
  ! cat "$OUT" "$ERR" | grep -aqiE 'unknown option|see --help' || PROBLEMS+=("refused as a usage error: $(head -c 200 "$ERR")")
}
plant() { # plant NAME [TARGET]: a fresh --out holding NAME -> TARGET (default the victim)
  outdir; mkdir -p "$X"; ln -s "${2:-$OUTSIDE/victim}" "$X/$1"
}
plant seg-000001.mkv
export_run "--out/seg-000001.mkv planted as a link to a file outside" "$X" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
refusal_names seg-000001.mkv
victim_ok
[ -L "$X/seg-000001.mkv" ] && [ "$(readlink "$X/seg-000001.mkv")" = "$OUTSIDE/victim" ] ||
  PROBLEMS+=("the planted link was replaced (outputs never replace anything)")
report "--out/seg-000001.mkv planted as a link to a file outside" "exit $RC, the victim unchanged"

plant SHA256SUMS
export_run "--out/SHA256SUMS planted as a link to a file outside" "$X" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
refusal_names SHA256SUMS
victim_ok
report "--out/SHA256SUMS planted as a link to a file outside" "exit $RC, the victim unchanged"

plant SHA256SUMS.minisig
export_run "--out/SHA256SUMS.minisig planted as a link to a file outside" "$X" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
refusal_names SHA256SUMS.minisig
victim_ok
report "--out/SHA256SUMS.minisig planted as a link to a file outside" "exit $RC, the victim unchanged"

# the temporary name the export used to write through: whatever it uses now,
# nothing is written through a planted link
plant .seg-000001.mkv.partial
export_run "--out/.seg-000001.mkv.partial planted as a link to a file outside" "$X" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
victim_ok
# it either exported around the planted name or refused, naming it
whole=1
for f in $WHOLE; do [ -f "$X/$f" ] && [ ! -L "$X/$f" ] || whole=0; done
if ! { [ "$RC" -eq 0 ] && [ "$whole" -eq 1 ]; }; then refusal_names .seg-000001.mkv.partial; fi
report "--out/.seg-000001.mkv.partial planted as a link to a file outside" "exit $RC, the victim unchanged"

plant seg-000002.mkv "$OUTSIDE"
export_run "--out/seg-000002.mkv planted as a link to a folder outside" "$X" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
refusal_names seg-000002.mkv
[ -z "$(find "$OUTSIDE" -maxdepth 1 -name 'seg-*')" ] || PROBLEMS+=("a segment was written into the folder outside")
report "--out/seg-000002.mkv planted as a link to a folder outside" "exit $RC, nothing written outside"

outdir; mkdir -p "$X"; printf 'an earlier export\n' >"$X/seg-000001.mkv"
export_run "--out already holds a regular seg-000001.mkv" "$X" \
  --identity "$VAULT_KEY" --device-key "$DEV_PUB" --out "$X" "$BASE"
refusal_names seg-000001.mkv
[ "$(cat "$X/seg-000001.mkv")" = "an earlier export" ] || PROBLEMS+=("the existing seg-000001.mkv was replaced")
report "--out already holds a regular seg-000001.mkv" "exit $RC, the file kept"

finish
