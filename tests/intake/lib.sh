# Shared set-up of the intake's tests (sourced): the integration helpers,
# police IT's key, a device and the intake's key enrolled in a signed
# registry, a dir: vault fed by the real uploader, and intake.conf.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for t in minisign age-keygen python3 sha256sum openssl; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
INTAKE=$STUDIO_BUILD_DIR/appliance/intake/studio-intake
cd "$WORK"
rec() { echo "$WORK/vault/verifications/$1.json"; }
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("" if v is None else v)' "$@"; }
intake() { local r=0; "$INTAKE" --config intake.conf --once >"$WORK/in.out" 2>"$WORK/in.err" || r=$?; echo "$r"; }
mk() { "$MS" --spool spool --state spool.state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
         --segments 2 --segment-bytes 100000 "$@" | xargs basename; }
upload() { "$UPLOADER" --config studio.conf --once >/dev/null 2>&1; }
# revoked_session ID: studio-test-01's key replaced by a new one that is
# revoked from a day ago, and a session ID signed with it (prints its name):
# the verdict is UNTRUSTED-KEY.
revoked_session() {
  "$KEYS" device-init --dir rv --device-id studio-test-01 >/dev/null
  "$KEYS" enrol --dir rv --registry reg.json --it-key it/police-it.key --replace --reason "test: stolen" 2>/dev/null
  local id
  id=$("$KEYS" enrol --dir rv | sed -n 's/^key_id: //p')
  "$KEYS" revoke --registry reg.json --key-id "$id" --date "$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)" \
    --it-key it/police-it.key 2>/dev/null
  "$MS" --spool spool --state spool.state2 --key rv/device.key --recipient "$VAULT_RECIPIENT" --segments 1 \
    --segment-bytes 50000 --session-id "$1" | xargs basename
}

make_vault
"$KEYS" it-key-init --out it >/dev/null 2>&1
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
"$KEYS" intake-init --dir ik >/dev/null
"$KEYS" enrol --dir dev --registry reg.json --it-key it/police-it.key 2>/dev/null
"$KEYS" enrol --kind intake --pub ik/intake.pub --name hq --registry reg.json --it-key it/police-it.key 2>/dev/null
mkdir vault spool
printf '[recorder]\nspool = %s/spool\n[uploader]\nvault = dir:%s/vault\nbacklog_file = %s/backlog.json\n' \
  "$WORK" "$WORK" "$WORK" >studio.conf
printf '[intake]\nvault = dir:%s/vault\nregistry = reg.json\nregistry_key = it/police-it.pub\nsigning_key = ik/intake.key\nindex = index.sqlite\n' \
  "$WORK" >intake.conf

# A real TSA (tsa-server.py) on 127.0.0.1; TSA_DIR/tsa-ca.pem is its CA.
TSA_DIR=$WORK/tsa
tsa_pid=
tsa_start() { # tsa_start [PORT]: sets TSA_PORT once it listens
  rm -f "$TSA_DIR/port"
  python3 "$STUDIO_SOURCE_DIR/tests/intake/tsa-server.py" "$TSA_DIR" "${1:-0}" &
  tsa_pid=$!
  while [ ! -s "$TSA_DIR/port" ]; do
    kill -0 "$tsa_pid" 2>/dev/null || { echo "FAIL: the test TSA did not start" >&2; exit 1; }
    sleep 0.1
  done
  TSA_PORT=$(cat "$TSA_DIR/port")
}
tsa_stop() { [ -z "$tsa_pid" ] || { kill "$tsa_pid" 2>/dev/null; wait "$tsa_pid" 2>/dev/null || true; tsa_pid=; }; }
trap 'tsa_stop; rm -rf "$WORK"' EXIT
