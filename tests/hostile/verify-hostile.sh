#!/usr/bin/env bash
# studio-verify on hostile session folders (DESIGN.md "Hostile input"):
# links are never followed, files that are not regular files are named and
# never read, a deeply nested JSON file is refused before it is parsed, and
# every string from the session is escaped before it is shown. Each case
# starts from a real signed session; see common.sh for what every run is
# checked for besides its verdict.
. "$(dirname "$0")/common.sh"

BASE=$(mk --session-id 20261128T100000Z-aaaaaaaa)

verify_case "control: the untouched session" INTACT -- --device-key "$DEV_PUB" "$BASE"

# ---- 1. symbolic links are never followed ---------------------------------
# Each link target outside the folder: the sentinel, the vault identity, the
# device's secret key, the very file it replaces (moved outside, so a
# verifier that follows links would find it intact), devices and a FIFO.
link_to() { # link_to NAME TARGET: $T/NAME becomes a link to TARGET
  case $2 in
    genuine) mv "$T/$1" "$OUTSIDE/genuine-$1"; ln -s "$OUTSIDE/genuine-$1" "$T/$1" ;;
    secret) rm "$T/$1"; ln -s "$OUTSIDE/secret" "$T/$1" ;;
    vault-key) rm "$T/$1"; ln -s "$VAULT_KEY" "$T/$1" ;;
    device-key) rm "$T/$1"; ln -s "$DEV_KEY" "$T/$1" ;;
    fifo) rm "$T/$1"; ln -s "$OUTSIDE/fifo" "$T/$1" ;;
    *) rm "$T/$1"; ln -s "$2" "$T/$1" ;;
  esac
}
cleanup_genuine() { rm -f "$OUTSIDE"/genuine-*; }
re_escape() { printf '%s' "$1" | sed 's/\./\\./g'; }

for target in genuine secret vault-key device-key /dev/zero /dev/urandom /proc/self/pagemap fifo; do
  for spec in seg-000001.mkv.age:INCOMPLETE manifest.json.minisig:UNSIGNED SHA256SUMS.sealed:INCOMPLETE; do
    f=${spec%%:*} want=${spec#*:}
    fresh "$BASE"; link_to "$f" "$target"
    verify_case "symlink: $f -> $target" "$want" --has "$(re_escape "$f").*symbolic link" -- \
      --device-key "$DEV_PUB" "$T"
    cleanup_genuine
  done
done
# the other files of a session, each replaced by a link to its own genuine copy
for spec in custody.jsonl:INCOMPLETE manifest.json:INCOMPLETE SHA256SUMS:INCOMPLETE \
  SHA256SUMS.minisig:UNSIGNED SHA256SUMS.sealed.minisig:UNSIGNED seg-000003.mkv.age:INCOMPLETE; do
  f=${spec%%:*} want=${spec#*:}
  fresh "$BASE"; link_to "$f" genuine
  verify_case "symlink: $f -> genuine copy outside" "$want" --has "$(re_escape "$f").*symbolic link" -- \
    --device-key "$DEV_PUB" "$T"
  cleanup_genuine
done
# with the vault identity the segments are decrypted too: a link is still not followed
fresh "$BASE"; link_to seg-000002.mkv.age genuine
verify_case "symlink: seg-000002.mkv.age -> genuine copy, with --identity" INCOMPLETE \
  --has 'seg-000002\.mkv\.age.*symbolic link' -- --device-key "$DEV_PUB" --identity "$VAULT_KEY" "$T"
cleanup_genuine
# a link that is also an unlisted file name
fresh "$BASE"; ln -s "$OUTSIDE/secret" "$T/notes.txt"
verify_case "symlink: unlisted notes.txt -> secret" INCOMPLETE --has 'notes\.txt' -- --device-key "$DEV_PUB" "$T"

# not a regular file, right in the folder where a segment belongs
fresh "$BASE"; rm "$T/seg-000002.mkv.age"; mkfifo "$T/seg-000002.mkv.age"
verify_case "FIFO in place of seg-000002.mkv.age" INCOMPLETE \
  --has 'seg-000002\.mkv\.age.*(FIFO|not a regular file)' -- --device-key "$DEV_PUB" "$T"
fresh "$BASE"; rm "$T/seg-000002.mkv.age"; mkfifo "$T/seg-000002.mkv.age"
verify_case "FIFO in place of seg-000002.mkv.age, with --identity" INCOMPLETE \
  --has 'seg-000002\.mkv\.age.*(FIFO|not a regular file)' -- --device-key "$DEV_PUB" --identity "$VAULT_KEY" "$T"
fresh "$BASE"; rm "$T/seg-000002.mkv.age"; mkdir "$T/seg-000002.mkv.age"
verify_case "folder in place of seg-000002.mkv.age" INCOMPLETE \
  --has 'seg-000002\.mkv\.age.*(folder|not a regular file)' -- --device-key "$DEV_PUB" "$T"
fresh "$BASE"; rm "$T/seg-000002.mkv.age"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/seg-000002.mkv.age"
verify_case "socket in place of seg-000002.mkv.age" INCOMPLETE \
  --has 'seg-000002\.mkv\.age.*(socket|not a regular file)' -- --device-key "$DEV_PUB" "$T"

# ---- 2. symbolic link loops -------------------------------------------------
fresh "$BASE"; rm "$T/seg-000001.mkv.age"; ln -s seg-000001.mkv.age "$T/seg-000001.mkv.age"
verify_case "symlink loop: seg-000001.mkv.age -> itself" INCOMPLETE \
  --has 'seg-000001\.mkv\.age.*symbolic link' -- --device-key "$DEV_PUB" "$T"
fresh "$BASE"; rm "$T/seg-000001.mkv.age"
ln -s loop-b "$T/seg-000001.mkv.age"; ln -s seg-000001.mkv.age "$T/loop-b"
verify_case "symlink loop: seg-000001.mkv.age -> loop-b -> seg-000001.mkv.age" INCOMPLETE \
  --has 'seg-000001\.mkv\.age.*symbolic link' -- --device-key "$DEV_PUB" "$T"
fresh "$BASE"; rm "$T/manifest.json.minisig"; ln -s manifest.json.minisig "$T/manifest.json.minisig"
verify_case "symlink loop: manifest.json.minisig -> itself" UNSIGNED \
  --has 'manifest\.json\.minisig.*symbolic link' -- --device-key "$DEV_PUB" "$T"

# ---- 3. the session folder itself may be given through a link --------------
fresh "$BASE"; ln -sfn "$T" "$WORK/session-link"
verify_case "the session folder through a symlink" INTACT -- --device-key "$DEV_PUB" "$WORK/session-link"
verify_case "the session folder through a symlink, with a trailing slash" INTACT -- \
  --device-key "$DEV_PUB" "$WORK/session-link/"
verify_case "the session folder through a symlink, with --identity" INTACT -- \
  --device-key "$DEV_PUB" --identity "$VAULT_KEY" "$WORK/session-link"
rm -f "$WORK/session-link"

# ---- 6. deeply nested JSON: refused before it is parsed, never a crash ------
for kind in array object; do
  fresh "$BASE"; nested $kind 100000 >"$T/manifest.json"
  verify_case "manifest.json nested 100000 levels ($kind)" 'TAMPERED|INCOMPLETE|UNSIGNED' -- \
    --device-key "$DEV_PUB" "$T"
done
# one custody line (the mark) nested deep but under the 64 KiB line limit
deep_line() { # deep_line KIND DEPTH: replaces the mark's line in $T/custody.jsonl
  python3 - "$T/custody.jsonl" "$1" "$2" <<'PY'
import sys
p, k, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(p, "rb").read().split(b"\n")
i = next(i for i, l in enumerate(lines) if b'"event":"mark"' in l)
deep = ("[" * n + "]" * n if k == "array" else '{"a":' * n + "1" + "}" * n).encode()
assert len(deep) < 64 * 1024
lines[i] = deep
open(p, "wb").write(b"\n".join(lines))
PY
}
fresh "$BASE"; deep_line object 8000
verify_case "custody.jsonl line nested 8000 levels (object)" TAMPERED -- --device-key "$DEV_PUB" "$T"
fresh "$BASE"; deep_line array 30000
verify_case "custody.jsonl line nested 30000 levels (array)" TAMPERED -- --device-key "$DEV_PUB" "$T"
# the registry comes from police IT, but it is a file like any other
for kind in array object; do
  nested $kind 100000 >"$WORK/deep-registry-$kind.json"
  verify_usage "--registry nested 100000 levels ($kind)" "deep-registry-$kind\.json" -- \
    --registry "$WORK/deep-registry-$kind.json" "$BASE"
done
python3 -c 'import sys; n = 100000; sys.stdout.write("{\"devices\":" + "[" * n + "]" * n + "}")' \
  >"$WORK/deep-registry-devices.json"
verify_usage "--registry whose devices nest 100000 levels" "deep-registry-devices\.json" -- \
  --registry "$WORK/deep-registry-devices.json" "$BASE"
# the previous session's manifest is read too (--previous)
PREV=$(mk --session-id 20261128T090000Z-99999999)
rm -rf "$WORK/prev"; cp -a "$PREV" "$WORK/prev"; nested array 100000 >"$WORK/prev/manifest.json"
run_tool "--previous whose manifest nests 100000 levels" "$VERIFY" --device-key "$DEV_PUB" --previous "$WORK/prev" "$BASE"
w=$(first_word "$OUT")
[ "$RC" -eq 1 ] || { [ -n "$w" ] && [ "${VERDICT_CODE[$w]:-none}" = "$RC" ]; } ||
  PROBLEMS+=("neither a verdict nor a usage error: exit $RC $(head -n 1 "$OUT" "$ERR" | head -c 300)")
report "--previous whose manifest nests 100000 levels" "exit $RC: $(head -n 1 "$OUT" "$ERR" | tr '\n' ' ' | head -c 120)"

# ---- 9. escape codes, bidi controls and invisible characters (word joiner,
# soft hyphen, tags) in signed fields and in file names ---
OFFICER=$'4711\e[2K\e[1G\e[32mINTACT\e[0m'
ROOM=$'Studio \u202eA\u202c \u2066x\u2069 \u200f\u061c\x7f\u0085\u009b \u2060W\u00ad\U000E0041\U000E007F'
ESC=$(mk --session-id 20261128T100000Z-eeeeeeee --officer "$OFFICER" --room "$ROOM")
escape_case() { # escape_case NAME WANT ARGS…: verify_case, then the JSON decodes back to the originals
  local name=$1 want=$2
  shift 2
  verify_case "$name" "$want" --first "$want" --has '\\u001b' -- "$@"
  # the JSON report holds the officer and room exactly, as JSON escapes
  cp "$JSON_OUT" "$WORK/r/esc.json"
  OFFICER="$OFFICER" ROOM="$ROOM" python3 - "$WORK/r/esc.json" <<'PY' || PROBLEMS+=("--json: $(cat "$WORK/r/esc.err" 2>/dev/null)")
import json, os, sys
try:
    r = json.load(open(sys.argv[1], encoding="utf-8"))
except ValueError as e:
    open(os.path.join(os.path.dirname(sys.argv[1]), "esc.err"), "w").write(f"does not parse: {e}")
    sys.exit(1)
bad = [k for k, want in (("officer", os.environ["OFFICER"]), ("room", os.environ["ROOM"])) if r.get(k) != want]
if bad:
    open(os.path.join(os.path.dirname(sys.argv[1]), "esc.err"), "w").write(
        "; ".join(f"{k} decodes to {r.get(k)!a}, not the signed {os.environ[k.upper()]!a}" for k in bad))
    sys.exit(1)
PY
  rm -f "$WORK/r/esc.err"
  report "$name: the JSON report decodes back to the signed officer and room" "exact"
}
fresh "$ESC"; flip "$T/seg-000002.mkv.age" 100000
escape_case "escapes: officer ESC[2K…INTACT, room with bidi overrides, segment tampered" TAMPERED \
  --device-key "$DEV_PUB" "$T"
escape_case "escapes: the same session untouched" INTACT --device-key "$DEV_PUB" "$ESC"
# file names are not signed at all: anyone can put one in the folder
fresh "$BASE"; : >"$T/"$'notes\e]0;pwned\a\e[2J\e[32mINTACT\e[0m.txt'
verify_case "escapes: an unlisted file named with OSC and CSI sequences" INCOMPLETE --first INCOMPLETE -- \
  --device-key "$DEV_PUB" "$T"
fresh "$BASE"; : >"$T/"$'x\x9b2J\xff\xfe.txt'
verify_case "escapes: an unlisted file whose name is not UTF-8 (a raw C1 CSI byte)" INCOMPLETE -- \
  --device-key "$DEV_PUB" "$T"
fresh "$BASE"; : >"$T/"$'gpj.\u202eexe.txt'
verify_case "escapes: an unlisted file named with a bidi override" INCOMPLETE -- --device-key "$DEV_PUB" "$T"
fresh "$BASE"; : >"$T/"$'notes\nINTACT: forged by a file name'
verify_case "escapes: an unlisted file whose name holds a newline" INCOMPLETE -- --device-key "$DEV_PUB" "$T"
if grep -aq '^INTACT: forged' "$TEXT_OUT"; then
  fail "escapes: a newline in a file name starts a forged report line"
else
  pass "escapes: a newline in a file name starts no report line of its own"
fi

finish
