# Shared by the hostile-input scripts (sourced, not run).
#
# Every case starts from a REAL signed session made by make-session
# (age-sealed segments, signed custody log, closed manifest), attacks it,
# runs the real studio-verify or studio-export and checks the property, not
# only the exit code. Every run of a tool is checked for:
#   - a bound: run under `timeout` (TOOL_TIMEOUT s, then killed); a timeout
#     fails, and so does any process of the run still alive afterwards;
#   - no crash: an exit status >= 128, or "AddressSanitizer", "LeakSanitizer"
#     or "runtime error" on stderr, fails;
#   - nothing outside is read: the sentinels (a random secret in
#     $OUTSIDE/secret, the vault identity, the device's secret key, their
#     SHA-256 and prefixes) appear in no report (stdout, stderr, --json,
#     --html) and nowhere under export's --out;
#   - nothing is written but the outputs: every file under $WORK other than
#     the reports ($WORK/r) and export folders ($WORK/x) is listed and
#     hashed before and after (the session under test included: the tools
#     only read it);
#   - every session string is escaped: no report holds a raw ESC, another C0
#     control but \n and \t, DEL, a C1 control, a bidi control, or bytes
#     that are not UTF-8 (no-controls.py).
# Each case prints one line, "ok: NAME …" or "FAIL: NAME: every problem";
# finish prints "N passed, M failed".
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

HOSTILE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MS=$STUDIO_BUILD_DIR/tests/make-session
TOOL_TIMEOUT=${TOOL_TIMEOUT:-60}
for t in age age-keygen python3 sha256sum timeout pgrep truncate mkfifo; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
for t in "$MS" "$VERIFY" "$EXPORT"; do
  [ -x "$t" ] || { echo "FAIL: $t is not built" >&2; exit 1; }
done

declare -A VERDICT_CODE=([INTACT]=0 [TRUNCATED]=2 [TAMPERED]=3 [INCOMPLETE]=4 [UNSIGNED]=5 [UNTRUSTED-KEY]=6)

# ---- what lies outside every session folder --------------------------------
OUTSIDE=$WORK/outside
mkdir -p "$OUTSIDE" "$WORK/r" "$WORK/x"
SECRET_TEXT=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$SECRET_TEXT" >"$OUTSIDE/secret"
printf 'victim %s\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$OUTSIDE/victim"
mkfifo "$OUTSIDE/fifo"
VAULT_KEY=$OUTSIDE/vault.key
age-keygen -o "$VAULT_KEY" 2>/dev/null
VAULT_RECIPIENT=$(age-keygen -y "$VAULT_KEY")
DEV_KEY=$OUTSIDE/dev.key
DEV_PUB=$WORK/dev.pub
"$MS" --gen-key "$DEV_KEY" "$DEV_PUB"

# The sentinels: a report or an export that holds one of these read a file
# it must not have (or printed a key it was given).
SENTINELS=$WORK/sentinels
{
  vault_line=$(grep '^AGE-SECRET-KEY-' "$VAULT_KEY")
  dev_line=$(sed -n 2p "$DEV_KEY")
  for s in "$SECRET_TEXT" "$vault_line" "$dev_line"; do
    echo "$s"
  done
  echo "${SECRET_TEXT:0:12}"
  echo "$vault_line" | tr 'A-Z' 'a-z'
  echo "${vault_line:16:16}"
  echo "${dev_line:10:16}"
  printf '%s' "${SECRET_TEXT:0:8}" | od -An -tx1 | tr -d ' \n'; echo
  for f in "$OUTSIDE/secret" "$VAULT_KEY" "$DEV_KEY"; do sha256sum "$f" | cut -d' ' -f1; done
} | grep -v '^$' >"$SENTINELS"

# ---- sessions --------------------------------------------------------------
mk() { # mk ARGS…: a closed session in $WORK/spool; prints its folder
  "$MS" --spool "$WORK/spool" --state "$WORK/state" --key "$DEV_KEY" --recipient "$VAULT_RECIPIENT" \
    --segments 3 --segment-bytes 200000 "$@"
}
T=$WORK/t
fresh() { # fresh SESSION: $T becomes a copy of it
  rm -rf "$T"
  cp -a "$1" "$T"
}
flip() { # flip FILE OFFSET: flips the lowest bit of one byte
  python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[o] ^= 1; open(p, "wb").write(b)' "$1" "$2"
}
nested() { # nested KIND DEPTH: JSON nested DEPTH levels deep (KIND array or object)
  python3 -c 'import sys
k, n = sys.argv[1], int(sys.argv[2])
sys.stdout.write("[" * n + "]" * n if k == "array" else "{\"a\":" * n + "1" + "}" * n)' "$1" "$2"
}

# ---- running a tool --------------------------------------------------------
snapshot() { # every file a tool must leave alone: kind, size, mode, link target, hash
  (
    cd "$WORK"
    find . \( -path ./r -o -path ./x \) -prune -o -printf '%p %y %s %m %l\n' | LC_ALL=C sort
    find . \( -path ./r -o -path ./x \) -prune -o -type f -size -1G -print0 | LC_ALL=C sort -z |
      xargs -0 -r sha256sum
  )
}

# run_tool NAME TOOL ARGS…: stdout to $WORK/r/NAME.out, stderr to NAME.err;
# sets RC, SECS, RSS_KIB and OUT, ERR; adds to PROBLEMS every property the run
# breaks. EXTRA_TEXT (reports the run wrote) and EXTRA_TREE (export
# folders) are checked too.
EXTRA_TEXT=()
EXTRA_TREE=()
PROBLEMS=()
run_tool() {
  local name=$1 before after left key
  shift
  key=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
  OUT=$WORK/r/$key.out ERR=$WORK/r/$key.err
  before=$(snapshot)
  set +e
  python3 "$HOSTILE/bounded-run.py" "$WORK/r/$key.stats" \
    timeout -k 5 "$TOOL_TIMEOUT" "$@" >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  set -e
  read -r SECS RSS_KIB <"$WORK/r/$key.stats"
  left=$(pgrep -f -- "$WORK" || true)
  if [ -n "$left" ]; then
    PROBLEMS+=("processes left running: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" | head -3)")
    for p in $left; do kill -9 "$p" 2>/dev/null || true; done
  fi
  if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
    PROBLEMS+=("did not finish within ${TOOL_TIMEOUT} s (killed)")
  elif [ "$RC" -ge 128 ]; then
    PROBLEMS+=("crashed: exit $RC (signal $((RC - 128)))")
  fi
  if grep -aqE 'AddressSanitizer|LeakSanitizer|runtime error' "$ERR"; then
    PROBLEMS+=("sanitizer report: $(grep -aE -m1 'AddressSanitizer|LeakSanitizer|runtime error' "$ERR")")
  fi
  local texts=("$OUT" "$ERR")
  for f in "${EXTRA_TEXT[@]}"; do [ -f "$f" ] && texts+=("$f"); done
  local leaked
  leaked=$(grep -laFf "$SENTINELS" "${texts[@]}" 2>/dev/null || true)
  for d in "${EXTRA_TREE[@]}"; do
    [ -e "$d" ] && leaked+=$(grep -rlaFf "$SENTINELS" "$d" 2>/dev/null || true)
  done
  [ -z "$leaked" ] || PROBLEMS+=("a file from outside the folder was read: a sentinel is in $(echo $leaked | sed "s|$WORK/||g")")
  local ctl
  ctl=$(python3 "$HOSTILE/no-controls.py" "${texts[@]}" 2>&1) || PROBLEMS+=("unescaped output: $(echo "$ctl" | head -2 | sed "s|$WORK/||g")")
  after=$(snapshot)
  if [ "$before" != "$after" ]; then
    PROBLEMS+=("files outside the outputs changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')")
  fi
}

# report NAME SUMMARY: one line for the case, from PROBLEMS; resets them.
report() {
  if [ ${#PROBLEMS[@]} -eq 0 ]; then
    pass "$1: $2"
  else
    local p msg=""
    for p in "${PROBLEMS[@]}"; do msg+="
      - $p"; done
    fail "$1 ($2):$msg"
  fi
  PROBLEMS=()
  EXTRA_TEXT=()
  EXTRA_TREE=()
}

first_word() { local l; l=$(head -n 1 "$1"); echo "${l%%:*}"; }

# verify_case NAME WANT [--has ERE]… [--first TEXT] [--text-only] [--max-secs S] -- ARGS…
# WANT is one verdict or several as A|B. Runs studio-verify on ARGS (the
# last is the session) three times: the text report (its first word is the
# verdict, the exit code that verdict's), --json (parses, same verdict and
# exit code) and --html FILE (same exit code, the file names the verdict).
# --has: the text report matches ERE; --first: its first line contains TEXT.
# Leaves the reports in TEXT_OUT and JSON_OUT.
verify_case() {
  local name=$1 want=$2 has=() first="" text_only=0 max_secs=""
  shift 2
  while [ "$1" != "--" ]; do
    case $1 in
      --has) has+=("$2"); shift 2 ;;
      --first) first=$2; shift 2 ;;
      --text-only) text_only=1; shift ;;
      --max-secs) max_secs=$2; shift 2 ;;
      *) echo "verify_case: bad option $1" >&2; exit 1 ;;
    esac
  done
  shift
  local word code
  run_tool "$name" "$VERIFY" "$@"
  word=$(first_word "$OUT")
  code=none
  [ -z "$word" ] || code=${VERDICT_CODE[$word]:-none}
  if ! [[ "$word" =~ ^($want)$ ]] || [ "$RC" != "$code" ]; then
    PROBLEMS+=("want $want (exit ${VERDICT_CODE[${want%%|*}]}), got '$(head -c 200 "$OUT" | head -n 1)' exit $RC $(head -c 300 "$ERR")")
  fi
  for re in "${has[@]}"; do
    grep -aqE -- "$re" "$OUT" || PROBLEMS+=("the report does not match /$re/: $(sed -n '1p' "$OUT" | head -c 300)")
  done
  if [ -n "$first" ] && ! head -n 1 "$OUT" | grep -aqF -- "$first"; then
    PROBLEMS+=("the first line lacks '$first': $(head -n 1 "$OUT" | head -c 300)")
  fi
  if [ -n "$max_secs" ] && python3 -c "import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))" "$SECS" "$max_secs"; then
    PROBLEMS+=("took $SECS s, over the bound of $max_secs s")
  fi
  local secs=$SECS
  TEXT_OUT=$OUT
  # after a timeout the other two modes would only wait as long again
  if [ "$text_only" -eq 0 ] && [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ]; then
    local jword
    run_tool "$name.json" "$VERIFY" --json "$@"
    JSON_OUT=$OUT
    jword=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$OUT" 2>/dev/null || echo "(no JSON)")
    if [ "$jword" != "$word" ] || [ "$RC" != "$code" ]; then
      PROBLEMS+=("--json: verdict '$jword' exit $RC, the text report said $word ($code)")
    fi
    local html
    html=$WORK/r/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').html
    rm -f "$html"
    EXTRA_TEXT=("$html")
    run_tool "$name.html" "$VERIFY" --html "$html" "$@"
    if [ "$RC" != "$code" ] || ! grep -aq -- "$word" "$html" 2>/dev/null; then
      PROBLEMS+=("--html: exit $RC, or the page does not name $word")
    fi
  fi
  report "$name" "$word ($code) in ${secs} s"
}

# verify_usage NAME ERE -- ARGS…: a usage error (exit 1) whose message matches ERE
verify_usage() {
  local name=$1 re=$2
  shift 3
  run_tool "$name" "$VERIFY" "$@"
  if [ "$RC" -ne 1 ] || ! grep -aqE -- "$re" "$OUT" "$ERR"; then
    PROBLEMS+=("want exit 1 and /$re/, got exit $RC: $(head -c 300 "$ERR") $(head -n 1 "$OUT" | head -c 200)")
  fi
  report "$name" "usage error: $(head -n 1 "$ERR" | head -c 160)"
}

media_in() { # media_in DIR: the media (or partial media) files export left in DIR
  [ -d "$1" ] || return 0
  find "$1" -name '*.mkv*' -printf '%f\n' | LC_ALL=C sort | tr '\n' ' '
}

# export_run NAME OUTDIR ARGS…: studio-export ARGS… --out OUTDIR (OUTDIR
# checked for sentinels); sets RC and MEDIA (what it left in OUTDIR).
export_run() {
  local name=$1 out=$2
  shift 2
  EXTRA_TREE=("$out")
  run_tool "$name" "$EXPORT" "$@"
  MEDIA=$(media_in "$out")
}
