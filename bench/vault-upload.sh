#!/bin/bash
# Upload throughput of one sealed-segment-sized object to a throwaway Ceph
# RGW on 127.0.0.1 (tests/vault/ceph.sh): our S3 backend (vault-tool put,
# the code studio-uploader runs) against `curl --aws-sigv4` sending the same
# file with the same headers (x-amz-content-sha256, Content-MD5, the Object
# Lock headers), in the same run, alternately. Both sides must hash the
# file before they can send those headers, and both are timed with it:
#   ours: SHA-256 and MD5 in one read, HEAD (idempotence), PUT, HEAD (lock)
#   curl: sha256sum and openssl md5 (two reads), PUT
# Prints both times, our throughput as a fraction of curl's (target >= 0.9)
# and our peak RSS (VmHWM via /usr/bin/time; target <= 32 MiB). Figures
# only, never a test.
#   usage: bench/vault-upload.sh BUILD_DIR [SIZE_MIB] [RUNS]
set -euo pipefail

build=${1:?usage: vault-upload.sh BUILD_DIR [SIZE_MIB] [RUNS]}
mib=${2:-512}
runs=${3:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
tool=$build/tests/vault-tool
[ -x "$tool" ] || { echo "no $tool: build the vault-tool target first" >&2; exit 1; }
for t in curl openssl sha256sum /usr/bin/time radosgw; do
  command -v "$t" >/dev/null || { echo "$t is missing (apt-get install curl openssl time radosgw ceph-mon ceph-osd awscli)" >&2; exit 1; }
done
grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null &&
  echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
# memstore keeps every locked object in RAM for its retention: room for all runs
need=$(((mib * runs * 2 + 256) * 1024 * 1024))
[ "$need" -le 4294967296 ] || { echo "SIZE_MIB x RUNS x 2 must fit the 4 GiB memstore" >&2; exit 1; }

work=$(mktemp -d)
trap 'bash "$src/tests/vault/ceph.sh" stop "$work/ceph" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "starting a throwaway Ceph RGW on 127.0.0.1 ..." >&2
bash "$src/tests/vault/ceph.sh" start "$work/ceph" >"$work/ceph.out"
. "$work/ceph/env"
ak=$(sed -n 1p "$work/ceph/credentials"); sk=$(sed -n 2p "$work/ceph/credentials")
cat >"$work/vault.conf" <<CONF
[uploader]
vault = s3://vault-locked/bench
endpoint = $AWS_ENDPOINT
credentials_file = $work/ceph/credentials
retention_days = 1
CONF

head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/seg"
cat "$work/seg" >/dev/null # the page cache warm for both sides

ours() { # ours N: prints "elapsed_s max_rss_kib"
  /usr/bin/time -f '%e %M' -o "$work/time" "$tool" put "$work/vault.conf" "S-bench/ours-$1.mkv.age" "$work/seg" \
    >"$work/ours.out"
  grep -qx 'mode=COMPLIANCE' "$work/ours.out" || { echo "our upload was not confirmed" >&2; exit 1; }
  cat "$work/time"
}
theirs() { # theirs N: prints "elapsed_s"
  local t0 t1 sha md5 until
  t0=$(date +%s.%N)
  sha=$(sha256sum "$work/seg" | cut -c1-64)
  md5=$(openssl md5 -binary "$work/seg" | base64)
  until=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
  curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ak:$sk" -T "$work/seg" \
    -H "Content-Type: application/octet-stream" -H "Content-MD5: $md5" -H "x-amz-content-sha256: $sha" \
    -H "x-amz-meta-sha256: $sha" -H "x-amz-object-lock-mode: COMPLIANCE" \
    -H "x-amz-object-lock-retain-until-date: $until" \
    "$AWS_ENDPOINT/vault-locked/bench/S-bench/curl-$1.mkv.age" -o /dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

best_ours= best_curl= rss=0
for i in $(seq "$runs"); do
  read -r t m < <(ours "$i")
  c=$(theirs "$i")
  echo "run $i: ours ${t} s (peak RSS $((m / 1024)) MiB), curl ${c} s" >&2
  [ -z "$best_ours" ] || awk -v a="$t" -v b="$best_ours" 'BEGIN { exit !(a < b) }' && best_ours=$t
  [ -z "$best_curl" ] || awk -v a="$c" -v b="$best_curl" 'BEGIN { exit !(a < b) }' && best_curl=$c
  [ "$m" -gt "$rss" ] && rss=$m
done
echo "object: $mib MiB of urandom, RGW (memstore) on 127.0.0.1, best of $runs runs each"
echo "ours (one read for SHA-256+MD5, HEAD, PUT, HEAD): $best_ours s = $(awk -v s="$best_ours" -v m="$mib" 'BEGIN { printf "%.0f", m / s }') MiB/s"
echo "curl --aws-sigv4 (sha256sum, openssl md5, PUT):   $best_curl s = $(awk -v s="$best_curl" -v m="$mib" 'BEGIN { printf "%.0f", m / s }') MiB/s"
echo "throughput ratio, ours / curl: $(awk -v a="$best_ours" -v b="$best_curl" 'BEGIN { printf "%.2f", b / a }') (target >= 0.9)"
echo "our peak RSS (VmHWM): $((rss / 1024)) MiB ($rss KiB; target <= 32 MiB)"
