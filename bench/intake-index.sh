#!/usr/bin/env bash
# The intake's index under load (issue 24's benchmark): 100,000 synthetic
# session rows, then `studio-intake sessions --room X --since D` timed as
# police IT runs it (the whole command: start, configuration, SQLite open,
# query, printing). Prints the median and the worst of 20 runs, for the
# table and for --json; the target is a median of at most 50 ms.
#   usage: bench/intake-index.sh [BUILD_DIR]   (default: build-gcc, the
#          Release build users get)
# The rows go in through SQLite in one transaction, in the schema the
# intake itself makes (its first `sessions` call creates it).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build-gcc}" && pwd)
INTAKE=$build/appliance/intake/studio-intake
KEYS=$build/keys/studio-keys
ROWS=${ROWS:-100000}
for t in "$INTAKE" "$KEYS"; do
  [ -x "$t" ] || { echo "missing $t: build $build first (./run test builds build-gcc)" >&2; exit 1; }
done
python3 -c 'import sqlite3' 2>/dev/null || { echo "needs python3's sqlite3 module" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/var/tmp}/bench-intake-index.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
"$KEYS" it-key-init --out it >/dev/null 2>&1
"$KEYS" intake-init --dir ik >/dev/null
printf '{}' >reg.json
mkdir vault
printf '[intake]\nvault = dir:%s/vault\nregistry = reg.json\nregistry_key = it/police-it.pub\nsigning_key = ik/intake.key\nindex = %s/index.sqlite\n' \
  "$W" "$W" >intake.conf
"$INTAKE" --config intake.conf sessions >/dev/null # makes the schema

echo "intake-index: filling the index with $ROWS synthetic sessions …"
python3 - "$W/index.sqlite" "$ROWS" <<'EOF'
import datetime, random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows, rnd = int(sys.argv[2]), random.Random(24)
start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
def utc(t): return t.strftime("%Y-%m-%dT%H:%M:%SZ")
with db:
    for i in range(rows):
        t = start + datetime.timedelta(seconds=rnd.randrange(2 * 365 * 86400))
        end = t + datetime.timedelta(seconds=rnd.randrange(600, 7200))
        sid = t.strftime("%Y%m%dT%H%M%SZ") + "-%08x" % i
        verdict = "INTACT" if rnd.random() < 0.98 else rnd.choice(["TAMPERED", "INCOMPLETE", "TRUNCATED"])
        db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (sid, "studio-%03d" % rnd.randrange(200), "Studio %d" % rnd.randrange(200),
                    str(4000 + rnd.randrange(900)), utc(t), utc(end), rnd.randrange(1, 60),
                    rnd.randrange(10**8, 10**10), int((end - t).total_seconds() * 1e9), verdict,
                    utc(end + datetime.timedelta(minutes=3)), utc(end + datetime.timedelta(minutes=4)),
                    utc(end + datetime.timedelta(minutes=4))))
EOF
echo "intake-index: $(du -h index.sqlite | cut -f1) index; load average $(cut -d' ' -f1-3 /proc/loadavg)"

time_query() { # time_query ARGS…: prints "median worst" in ms of 20 runs
  python3 - "$INTAKE" "$@" <<'EOF'
import statistics, subprocess, sys, time
cmd = [sys.argv[1], "--config", "intake.conf", "sessions"] + sys.argv[2:]
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm the page cache
ms = []
for _ in range(20):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    ms.append((time.perf_counter() - t0) * 1000)
print("%.1f %.1f %d" % (statistics.median(ms), max(ms), len(out.splitlines())))
EOF
}
read -r smed sworst _ < <(python3 - "$INTAKE" <<'EOF'
import statistics, subprocess, sys, time
ms = []
for _ in range(20):
    t0 = time.perf_counter()
    subprocess.run([sys.argv[1], "--version"], check=True, stdout=subprocess.DEVNULL)
    ms.append((time.perf_counter() - t0) * 1000)
print("%.1f %.1f 0" % (statistics.median(ms), max(ms)))
EOF
)
echo "intake-index: the process alone (studio-intake --version, its libraries loaded): median $smed ms, worst $sworst ms"
read -r med worst lines < <(time_query --room "Studio 17" --since 2026-06-01)
echo "intake-index: sessions --room 'Studio 17' --since 2026-06-01: median $med ms, worst $worst ms ($lines lines)"
read -r jmed jworst jlines < <(time_query --room "Studio 17" --since 2026-06-01 --json)
echo "intake-index: the same with --json: median $jmed ms, worst $jworst ms"
read -r amed aworst alines < <(time_query --since 2026-12-01)
echo "intake-index: sessions --since 2026-12-01 (every room): median $amed ms, worst $aworst ms ($alines lines)"
python3 -c "import sys; sys.exit(0 if float('$med') <= 50 else 1)" &&
  echo "intake-index: target (median <= 50 ms) met" ||
  { echo "intake-index: target (median <= 50 ms) missed"; exit 1; }
