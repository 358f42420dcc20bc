# Helpers for the vault fault tests (sourced after lib.sh, daemon-lib.sh and,
# for S3, vault-lib.sh; the directory vault's restart test uses them too): a studio whose uploader goes to the locked RGW bucket (or
# through tests/vault/proxy.py), sessions recorded through the daemon, and
# the checks every fault test makes: each local file still there with its
# hash until its receipt exists, the backlog as the uploader publishes it.
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"
PROXY=$STUDIO_SOURCE_DIR/tests/vault/proxy.py
BACKLOG=$WORK/backlog.json
RECEIPTS=$WORK/studio/spool/receipts
uploader=
proxy_pid=
# Nothing outlives the test; a test adds its own undoing (a mount) to on_exit.
on_exit=
faults_cleanup() {
  kill -9 $daemon_pid $uploader $proxy_pid ${status_pid:-} 2>/dev/null || true
  eval "${on_exit:-true}" || true
  [ -z "${CEPH:-}" ] || bash "$CEPH_SH" stop "$CEPH" || true
  rm -rf "$WORK"
}
trap faults_cleanup EXIT

# wait_for SECONDS COMMAND…: a bound on a wait, not a speed assertion
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }

# fault_studio: the studio, its uploader on vault-locked at RGW, backlog in $WORK.
fault_studio() {
  make_studio
  $SET "$CONF" uploader vault s3://vault-locked/shelter-7 uploader endpoint "$AWS_ENDPOINT" \
    uploader credentials_file "$CEPH/credentials" uploader retention_days 2 \
    uploader backlog_file "$BACKLOG" uploader local_retention 0 uploader scan_interval 5s \
    uploader retry_max 8s uploader heartbeat_interval 1h uploader status_interval 1h \
    recorder segment_time 3s
}

# record SECONDS: one test-profile session through the daemon (started if
# needed); sets S (its folder) and ID, and saves its files' hashes in
# $WORK/$ID.sums (sha256sum -c format, relative to the folder).
record() {
  [ -n "$daemon_pid" ] || start_daemon "$WORK/daemon.log"
  start_session >/dev/null
  sleep "$1"
  "$CTL" --config "$CONF" stop >/dev/null
  S=$(last_session)
  ID=$(basename "$S")
  (cd "$S" && find . -type f | sort | xargs sha256sum) >"$WORK/$ID.sums"
}

# session_bytes ID: the sealed bytes of the session's files, as hashed at Stop.
session_bytes() { (cd "$WORK/studio/spool/$1" && find . -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'); }

# intact_locally ID: every file of the session is in the spool with the hash it had at Stop.
intact_locally() { [ -d "$WORK/studio/spool/$1" ] && (cd "$WORK/studio/spool/$1" && sha256sum -c --quiet "$WORK/$1.sums"); }

# receipt_lines ID NAME: how many receipts the spool holds for the session's file NAME.
receipt_lines() {
  [ -f "$RECEIPTS/$1.jsonl" ] || { echo 0; return; }
  python3 -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("key") == sys.argv[2]))' "$RECEIPTS/$1.jsonl" "$1/$2"
}

# all_receipted ID: a receipt whose size and SHA-256 match for every file hashed at Stop.
all_receipted() {
  python3 - "$WORK/$1.sums" "$RECEIPTS/$1.jsonl" "$1" <<'PY'
import json, sys
sums, receipts, sid = sys.argv[1:]
want = {}
for line in open(sums):
    sha, name = line.split(None, 1)
    want[sid + "/" + name.strip()[2:]] = sha
got = {}
for line in open(receipts):
    r = json.loads(line)
    got[r["key"]] = r.get("sha256")
missing = [k for k, sha in want.items() if got.get(k) != sha]
sys.exit(1 if missing else 0)
PY
}

# backlog KEY: a member of the published backlog (None for null).
backlog() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))" "$BACKLOG" "$1"; }
backlog_is() { [ -f "$BACKLOG" ] && [ "$(backlog "$1")" = "$2" ]; }

start_uploader() { # start_uploader CONF LOG
  "$UPLOADER" --config "$1" 2>>"$2" &
  uploader=$!
}
stop_uploader() {
  [ -n "$uploader" ] || return 0
  kill -TERM "$uploader" 2>/dev/null || true
  wait "$uploader" 2>/dev/null || true
  uploader=
}

# start_proxy ARGS…: proxy.py in front of RGW; sets PROXY_ENDPOINT and COUNT.
start_proxy() {
  local port_file=$WORK/proxy.port
  COUNT=$WORK/proxy.count
  rm -f "$port_file"
  python3 "$PROXY" --target "${AWS_ENDPOINT##*:}" --port-file "$port_file" --count-file "$COUNT" \
    "$@" 2>>"$WORK/proxy.log" &
  proxy_pid=$!
  wait_for 10 test -s "$port_file" || { echo "proxy.py did not start" >&2; cat "$WORK/proxy.log" >&2; return 1; }
  PROXY_ENDPOINT=http://127.0.0.1:$(cat "$port_file")
}
stop_proxy() {
  [ -n "$proxy_pid" ] || return 0
  kill -TERM "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=
}

# verified_from_vault ID: the session downloaded with awscli alone verifies INTACT.
verified_from_vault() {
  local d=$WORK/download/$1 key
  rm -rf "$d"
  mkdir -p "$d"
  s3 list-objects-v2 --bucket vault-locked --prefix "shelter-7/$1/" --query 'Contents[].Key' \
    --output text | tr '\t' '\n' >"$WORK/keys"
  while read -r key; do
    [ -n "$key" ] && [ "$key" != None ] || continue
    s3 get-object --bucket vault-locked --key "$key" "$d/${key#shelter-7/$1/}" >/dev/null
  done <"$WORK/keys"
  "$VERIFY" --device-key "$WORK/studio/device.pub" "$d" >"$WORK/verify.out" 2>&1 || true
  grep -q "^INTACT" "$WORK/verify.out"
}

# versions ID NAME: how many versions RGW holds of the session's file NAME.
versions() {
  s3 list-object-versions --bucket vault-locked --prefix "shelter-7/$1/$2" \
    --query 'length(Versions)' --output text
}
