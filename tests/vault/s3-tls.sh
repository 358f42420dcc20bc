#!/usr/bin/env bash
# [uploader] ca_file and pinned_key against real TLS: a TLS terminator
# (tests/vault/tls-proxy.py, Python's ssl) in front of the test RGW, with a
# CA and a server certificate for 127.0.0.1 made here with the openssl CLI.
# With ca_file naming the test CA the upload works; without it (system
# CAs) or with another CA it is refused, naming ca_file; a matching
# pinned_key works, a wrong one is refused, naming pinned_key. http:// to
# anything but loopback is refused before any connection. Then the
# uploader daemon files an idle status object through this https vault.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
TOOL=$STUDIO_BUILD_DIR/tests/vault-tool
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
command -v openssl >/dev/null || { echo "skip: openssl missing (apt-get install openssl)"; exit 77; }
. "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
trap 'kill -9 $proxy $uploader 2>/dev/null || true; bash "$CEPH_SH" stop "$CEPH" || true; rm -rf "$WORK"' EXIT
proxy= uploader=

# ---- certificates --------------------------------------------------------
T=$WORK/tls; mkdir -p "$T"
ca() { # ca NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null
}
ca test-ca; ca other-ca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$T/server.key" -out "$T/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$T/ext"
openssl x509 -req -in "$T/server.csr" -CA "$T/test-ca.pem" -CAkey "$T/test-ca.key" -CAcreateserial \
  -days 2 -extfile "$T/ext" -out "$T/server.pem" 2>/dev/null
check "the openssl CLI made a server certificate the test CA signed" \
  openssl verify -CAfile "$T/test-ca.pem" "$T/server.pem"
pin() { openssl pkey -pubin -outform DER 2>/dev/null | openssl dgst -sha256 -binary | base64; }
PIN_OK="sha256//$(openssl x509 -in "$T/server.pem" -pubkey -noout | pin)"
PIN_BAD="sha256//$(openssl pkey -in "$T/other-ca.key" -pubout | pin)"

RGW_PORT=${AWS_ENDPOINT##*:}
python3 "$STUDIO_SOURCE_DIR/tests/vault/tls-proxy.py" "$T/server.pem" "$T/server.key" "$RGW_PORT" "$T/port" &
proxy=$!
for _ in $(seq 50); do test -s "$T/port" && break; sleep 0.1; done
HTTPS=https://127.0.0.1:$(cat "$T/port")

conf() { # conf FILE ENDPOINT [KEY VALUE]…
  local f=$1 e=$2; shift 2
  { echo "[uploader]"; echo "vault = s3://vault-locked/tls"; echo "endpoint = $e"
    echo "credentials_file = $CEPH/credentials"; echo "retention_days = 1"
    while [ $# -gt 0 ]; do echo "$1 = $2"; shift 2; done; } >"$f"
}
head -c 200000 /dev/urandom >"$WORK/seg"
n=0
put() { # put CONF: a fresh key each time, so no earlier PUT can confirm it
  n=$((n + 1)); "$TOOL" put "$1" "S-tls/seg-$(printf %06d $n).mkv.age" "$WORK/seg"
}
refused() { # refused WHAT CONF PATTERN
  if put "$2" >"$WORK/out" 2>"$WORK/err"; then fail "$1 is refused"; else pass "$1 is refused"; fi
  check "... naming $3" grep -q "$3" "$WORK/err"
  sed 's/^/  stderr: /' "$WORK/err"
}

conf "$WORK/ca.conf" "$HTTPS" ca_file "$T/test-ca.pem"
accepted() { # accepted WHAT CONF
  if put "$2" >"$WORK/r1" 2>"$WORK/err"; then pass "$1"; else fail "$1"; cat "$WORK/err" >&2; fi
}
accepted "https with ca_file naming the test CA: the upload is confirmed" "$WORK/ca.conf"
check "... under COMPLIANCE" grep -qx 'mode=COMPLIANCE' "$WORK/r1"
conf "$WORK/sys.conf" "$HTTPS"
refused "https without ca_file (system CAs only)" "$WORK/sys.conf" "ca_file"
conf "$WORK/other.conf" "$HTTPS" ca_file "$T/other-ca.pem"
refused "https with ca_file naming another CA" "$WORK/other.conf" "ca_file"
printf 'not a certificate\n' >"$T/garbage.pem"
conf "$WORK/garbage.conf" "$HTTPS" ca_file "$T/garbage.pem"
refused "a ca_file that holds no certificate" "$WORK/garbage.conf" "ca_file"
conf "$WORK/pin.conf" "$HTTPS" ca_file "$T/test-ca.pem" pinned_key "$PIN_OK"
accepted "a matching pinned_key: the upload is confirmed" "$WORK/pin.conf"
conf "$WORK/badpin.conf" "$HTTPS" ca_file "$T/test-ca.pem" pinned_key "$PIN_BAD"
refused "a wrong pinned_key" "$WORK/badpin.conf" "pinned_key"
conf "$WORK/remote.conf" "http://192.0.2.10:7480"
if "$TOOL" head "$WORK/remote.conf" S-tls/x 2>"$WORK/err"; then fail "http:// to a remote endpoint is refused"; else
  pass "http:// to a remote endpoint is refused"; fi
check "... asking for https://" grep -q "https://" "$WORK/err"
versions=$(s3 list-object-versions --bucket vault-locked --prefix tls/S-tls/ --query 'length(Versions)' --output text)
check "RGW holds exactly the two confirmed uploads (got $versions)" test "$versions" = 2

# ---- the idle status object through the https vault ------------------------
make_studio
DEVICE=$(cat "$WORK/studio/keys/device.id")
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" uploader vault s3://vault-locked/tls \
  uploader endpoint "$HTTPS" uploader ca_file "$T/test-ca.pem" uploader credentials_file "$CEPH/credentials" \
  uploader retention_days 1 uploader status_interval 10s uploader backlog_file "$WORK/backlog.json"
"$UPLOADER" --config "$CONF" 2>"$WORK/uploader.log" & uploader=$!
has_status() { s3 list-objects-v2 --bucket vault-locked --prefix "tls/heartbeats/$DEVICE/" \
  --query 'Contents[].Key' --output text 2>/dev/null | grep -q -- '-status.json'; }
found=
for _ in $(seq 60); do has_status && { found=1; break; }; sleep 0.5; done
check "an idle uploader files a status object in the S3 vault" test -n "$found"
KEY=$(s3 list-objects-v2 --bucket vault-locked --prefix "tls/heartbeats/$DEVICE/" --query 'Contents[0].Key' --output text)
s3 get-object --bucket vault-locked --key "$KEY" "$WORK/status.json" >/dev/null
check "... that awscli reads as the status of this device" \
  python3 -c "import json,sys; d=json.load(open('$WORK/status.json')); sys.exit(0 if d['kind']=='status' and d['device_id']=='$DEVICE' else 1)"
kill -TERM "$uploader"; wait "$uploader" || true; uploader=
finish
