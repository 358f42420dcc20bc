#!/usr/bin/env bash
# Intake of one large session from a throwaway Ceph RGW on 127.0.0.1
# (tests/vault/ceph.sh) against the stock pipeline that does the same
# reading: `aws s3 cp --recursive` of the session's objects, then
# `sha256sum` of them. The session is made by make-session and sent by
# the real uploader; each round of ours is a fresh `studio-intake --once`
# (a new records prefix and index, so it verifies again: list, bounded
# GETs into scratch, every hash, the signatures, the record written,
# signed and locked). Rounds alternate. Prints both times, our throughput
# as a fraction of the pipeline's (target >= 0.9) and our peak RSS
# (target <= 64 MiB). Figures only, never a test.
#   usage: bench/intake-throughput.sh [BUILD_DIR] [SIZE_MIB] [ROUNDS]
#   (default: build-gcc, the Release build users get; 2048 MiB; 2 rounds)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build-gcc}" && pwd)
mib=${2:-2048}
rounds=${3:-2}
MS=$build/tests/make-session
UPLOADER=$build/appliance/uploader/studio-uploader
INTAKE=$build/appliance/intake/studio-intake
KEYS=$build/keys/studio-keys
for t in "$MS" "$UPLOADER" "$INTAKE" "$KEYS"; do
  [ -x "$t" ] || { echo "missing $t: build $build first" >&2; exit 1; }
done
for t in aws age-keygen sha256sum /usr/bin/time radosgw; do
  command -v "$t" >/dev/null || { echo "$t is missing (apt-get install awscli age time radosgw ceph-mon ceph-osd)" >&2; exit 1; }
done
grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null &&
  echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
# memstore keeps every locked object in RAM: the session and the records
[ "$mib" -le 3072 ] || { echo "SIZE_MIB must fit the 4 GiB memstore with room to spare" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/bench-intake.XXXXXX")
trap 'bash "$src/tests/vault/ceph.sh" stop "$work/ceph" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"
echo "starting a throwaway Ceph RGW on 127.0.0.1 ..." >&2
bash "$src/tests/vault/ceph.sh" start "$work/ceph" >"$work/ceph.out"
. "$work/ceph/env"
cp "$work/ceph/credentials" s3.cred && chmod 600 s3.cred

"$KEYS" it-key-init --out it >/dev/null 2>&1
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
"$KEYS" intake-init --dir ik >/dev/null
"$KEYS" enrol --dir dev --registry reg.json --it-key it/police-it.key 2>/dev/null
"$KEYS" enrol --kind intake --pub ik/intake.pub --name hq --registry reg.json --it-key it/police-it.key 2>/dev/null
age-keygen -o vault.key 2>/dev/null
segs=8
echo "making a $mib MiB session ($segs segments) and uploading it ..." >&2
S=$("$MS" --spool spool --state spool.state --key dev/device.key --recipient "$(age-keygen -y vault.key)" \
      --segments $segs --segment-bytes $((mib * 1024 * 1024 / segs)) --checkpoint-every 64 | xargs basename)
printf '[recorder]\nspool = %s/spool\n[uploader]\nvault = s3://vault-locked/bench\nendpoint = %s\ncredentials_file = %s/s3.cred\nretention_days = 1\nbacklog_file = %s/backlog.json\n' \
  "$work" "$AWS_ENDPOINT" "$work" "$work" >studio.conf
"$UPLOADER" --config studio.conf --once >up.out 2>&1 || { tail -n 20 up.out >&2; exit 1; }
bytes=$(python3 -c 'import json,sys; print(sum(json.loads(l)["size"] for l in open(sys.argv[1])))' \
  "spool/receipts/$S.jsonl")
echo "session $S: $bytes bytes in the vault" >&2

theirs() { # prints elapsed seconds
  local t0
  rm -rf dl
  t0=$(date +%s.%N)
  aws --endpoint-url "$AWS_ENDPOINT" s3 cp --quiet --recursive "s3://vault-locked/bench/$S/" dl/
  (cd dl && sha256sum -- * >/dev/null)
  echo "$(date +%s.%N) - $t0" | bc
}
ours() { # ours N: prints "elapsed_s max_rss_kib"
  rm -rf scratch && mkdir scratch
  printf '[intake]\nvault = s3://vault-locked/bench\nendpoint = %s\ncredentials_file = %s/s3.cred\nretention_days = 1\nregistry = reg.json\nregistry_key = it/police-it.pub\nsigning_key = ik/intake.key\nindex = index-%s.sqlite\nscratch = %s/scratch\nrecords = s3://vault-locked/intake/round-%s\n' \
    "$AWS_ENDPOINT" "$work" "$1" "$work" "$1" >intake.conf
  /usr/bin/time -f '%e %M' -o time.out "$INTAKE" --config intake.conf --once >in.out 2>&1 ||
    { tail -n 20 in.out >&2; exit 1; }
  grep -q "verdict INTACT" in.out || { echo "the intake did not find the session INTACT" >&2; exit 1; }
  cat time.out
}
command -v bc >/dev/null || { echo "bc is missing (apt-get install bc)" >&2; exit 1; }
best_ours="" best_theirs="" rss=0
for r in $(seq "$rounds"); do
  t=$(theirs)
  read -r o m < <(ours "$r")
  echo "round $r: aws s3 cp + sha256sum ${t} s, studio-intake --once ${o} s (peak RSS $((m / 1024)) MiB)"
  [ -z "$best_theirs" ] || [ "$(echo "$t < $best_theirs" | bc)" = 1 ] && best_theirs=$t
  [ -z "$best_ours" ] || [ "$(echo "$o < $best_ours" | bc)" = 1 ] && best_ours=$o
  [ "$m" -gt "$rss" ] && rss=$m
done
mb=$(echo "$bytes / 1048576" | bc)
echo "intake-throughput: $mb MiB; best of $rounds: aws s3 cp + sha256sum $best_theirs s ($(echo "scale=1; $mb / $best_theirs" | bc) MiB/s), studio-intake $best_ours s ($(echo "scale=1; $mb / $best_ours" | bc) MiB/s)"
echo "intake-throughput: ratio $(echo "scale=2; $best_theirs / $best_ours" | bc)x (target >= 0.9), peak RSS $((rss / 1024)) MiB (target <= 64)"
