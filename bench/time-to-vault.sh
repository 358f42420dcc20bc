#!/bin/bash
# Time to vault: a `test`-profile session recorded through the recorder
# daemon with 1-minute segments while the uploader daemon runs against a
# throwaway Ceph RGW on 127.0.0.1 (tests/vault/ceph.sh). Prints the time
# from Stop (when studioctl stop is issued) to the receipt of the last
# object (the manifest: every other file's receipt comes before it), to
# the receipts file in the vault, and to the local wipe. Target: <= 10 s,
# because every closed segment is already in the vault at Stop. The
# police side runs beside it: studio-intake as a daemon polling every 5 s
# with a real TSA (tests/intake/tsa-server.py), and the time from Stop to
# the session's verified, signed and time-stamped record in the vault is
# printed too (target <= 15 s for a 10-minute session). Figures only,
# never a test.
#   usage: bench/time-to-vault.sh BUILD_DIR [MINUTES]   (default 10)
set -euo pipefail

build=${1:?usage: time-to-vault.sh BUILD_DIR [MINUTES]}
minutes=${2:-10}
src=$(cd "$(dirname "$0")/.." && pwd)
ctl=$build/appliance/ctl/studioctl
recorder=$build/appliance/recorder/studio-recorder
uploader=$build/appliance/uploader/studio-uploader
intake=$build/appliance/intake/studio-intake
keys=$build/keys/studio-keys
for b in "$ctl" "$recorder" "$uploader" "$intake" "$keys"; do
  [ -x "$b" ] || { echo "no $b: build studioctl, studio-recorder, studio-uploader, studio-intake and studio-keys first" >&2; exit 1; }
done
grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null &&
  echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
set_conf() { python3 "$src/tests/integration/conf-set.py" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

work=$(mktemp -d)
rec_pid= up_pid= in_pid= tsa_pid=
trap 'kill $rec_pid $up_pid $in_pid $tsa_pid 2>/dev/null || true; wait 2>/dev/null || true
      bash "$src/tests/vault/ceph.sh" stop "$work/ceph" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "starting a throwaway Ceph RGW on 127.0.0.1 ..." >&2
bash "$src/tests/vault/ceph.sh" start "$work/ceph" >"$work/ceph.out"
. "$work/ceph/env"

printf '683921\n' >"$work/pin"
"$ctl" init --dir "$work/studio" --officer 40417 --pin-file "$work/pin" >"$work/init.out"
conf=$(sed -n 's/^config: //p' "$work/init.out")
touch "$work/timesync"
set_conf "$conf" health timesync_file "$work/timesync" recorder segment_time 1min \
  uploader vault s3://vault-locked/ttv uploader endpoint "$AWS_ENDPOINT" \
  uploader credentials_file "$work/ceph/credentials" uploader retention_days 1 uploader local_retention 0 \
  uploader backlog_file "$work/backlog.json"
spool=$work/studio/spool

# the police side: the intake's key, the studio enrolled, a real TSA
"$keys" it-key-init --out "$work/it" >/dev/null 2>&1
"$keys" intake-init --dir "$work/ik" >/dev/null
"$keys" enrol --dir "$work/studio" --registry "$work/reg.json" --it-key "$work/it/police-it.key" >/dev/null 2>&1
bash "$src/tests/intake/tsa-make-ca.sh" "$work/tsa" >/dev/null 2>&1
python3 "$src/tests/intake/tsa-server.py" "$work/tsa" 0 & tsa_pid=$!
until [ -s "$work/tsa/port" ]; do sleep 0.1; done
cp "$work/ceph/credentials" "$work/intake.cred" && chmod 600 "$work/intake.cred"
cat >"$work/intake.conf" <<CONF
[intake]
vault = s3://vault-locked/ttv
endpoint = $AWS_ENDPOINT
credentials_file = $work/intake.cred
retention_days = 1
registry = $work/reg.json
registry_key = $work/it/police-it.pub
signing_key = $work/ik/intake.key
index = $work/index.sqlite
scratch = $work/scratch
interval = 5s
tsa_url = http://127.0.0.1:$(cat "$work/tsa/port")/
tsa_ca_file = $work/tsa/tsa-ca.pem
CONF
"$intake" --config "$work/intake.conf" 2>"$work/intake.log" & in_pid=$!

"$recorder" --config "$conf" 2>"$work/recorder.log" & rec_pid=$!
"$uploader" --config "$conf" 2>"$work/uploader.log" & up_pid=$!
for _ in $(seq 100); do "$ctl" --config "$conf" status >/dev/null 2>&1 && break; sleep 0.1; done
"$ctl" --config "$conf" start --officer 40417 <"$work/pin" >/dev/null
session=$(ls -d "$spool"/*/ | grep -v '/receipts/$' | tail -n 1); session=${session%/}
id=$(basename "$session")
echo "recording $minutes min ($id) ..." >&2
sleep $((minutes * 60))
segments_before=$(grep -c '"key":"[^"]*seg-' "$spool/receipts/$id.jsonl" 2>/dev/null || echo 0)
t0=$(now)
"$ctl" --config "$conf" stop >/dev/null
t_stop=$(now)
# the intake's time-stamp token is the last thing it writes for a session
python3 - "intake/ttv/verifications/$id.json.tsr" "$work/t_record" <<'EOF' & rec_waiter=$!
import os, sys, time
import botocore.session
c = botocore.session.get_session().create_client("s3", endpoint_url=os.environ["AWS_ENDPOINT"], region_name="us-east-1")
while True:
    try:
        c.head_object(Bucket="vault-locked", Key=sys.argv[1])
        break
    except c.exceptions.ClientError:
        time.sleep(0.1)
open(sys.argv[2], "w").write("%.3f\n" % time.time())
EOF

receipts=$spool/receipts/$id.jsonl
until grep -q "\"key\":\"$id/manifest.json\"" "$receipts" 2>/dev/null; do sleep 0.05; done
t_manifest=$(now)
until aws --endpoint-url "$AWS_ENDPOINT" s3api head-object --bucket vault-locked --key "ttv/receipts/$id.jsonl" \
  >/dev/null 2>&1; do sleep 0.1; done
t_receipts=$(now)
until [ ! -e "$session" ]; do sleep 0.05; done
t_wipe=$(now)
wait "$rec_waiter"
t_record=$(cat "$work/t_record")
grep -q "session $id device .* verdict INTACT" "$work/intake.log" ||
  { echo "the intake did not find $id INTACT:" >&2; tail -n 5 "$work/intake.log" >&2; exit 1; }

objects=$(wc -l <"$receipts")
segments=$(grep -c '"key":"[^"]*seg-' "$receipts")
bytes=$(python3 -c 'import json,sys; print(sum(json.loads(l)["size"] for l in open(sys.argv[1])))' "$receipts")
echo "session: $minutes min of the test profile, 1-minute segments: $segments segments, $objects objects, $((bytes / 1048576)) MiB"
echo "segments already confirmed by the vault when Stop was pressed: $segments_before of $segments"
echo "studioctl stop returned (session closed and signed): $(since "$t0" "$t_stop") s"
echo "Stop -> last object's confirmed receipt (manifest.json): $(since "$t0" "$t_manifest") s (target <= 10 s)"
echo "Stop -> receipts file in the vault (awscli head-object sees it): $(since "$t0" "$t_receipts") s"
echo "Stop -> local copy wiped: $(since "$t0" "$t_wipe") s"
echo "Stop -> the intake's verified, signed, time-stamped record in the vault (polling every 5 s): $(since "$t0" "$t_record") s (target <= 15 s)"
