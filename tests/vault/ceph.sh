#!/usr/bin/env bash
# A throwaway single-node Ceph RGW for the vault tests, bound to 127.0.0.1,
# with no systemd and no real disks (the OSD is a memstore).
#   ceph.sh start DIR   build and start it in DIR (created; must not exist)
#   ceph.sh stop DIR    kill every daemon it started, by PID, and remove DIR
#   ceph.sh stop-rgw DIR   stop only radosgw (TERM, by PID); the mon and OSD run on
#   ceph.sh kill-rgw DIR   the same with SIGKILL at once (a crash mid-request)
#   ceph.sh start-rgw DIR  start radosgw again on the same port; returns once it answers
# start prints, one per line: endpoint=URL credentials=FILE locked_bucket=NAME
# plain_bucket=NAME env=FILE (a file to source: AWS_* for awscli and CEPH_CONF).
# Needs Debian's ceph-mon ceph-osd radosgw awscli.
set -euo pipefail

die() { echo "ceph.sh: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# spawn NAME CMD…: runs a daemon in the foreground of its own session and
# records its PID, so that stop kills exactly what start started.
spawn() {
  local name=$1; shift
  setsid "$@" </dev/null >"$dir/log/$name.out" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

wait_for() { # wait_for WHAT SECONDS CMD…
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  die "$what did not come up in ${secs}s; logs in $dir/log"
}

write_conf() {
  cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/admin.keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 4294967296
[osd.0]
keyring = $dir/osd/ceph-0/keyring
mon data avail warn = 2
mon data avail crit = 1
auth allow insecure global id reclaim = false
[client.rgw.a]
keyring = $dir/rgw.keyring
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw enable usage log = false
CONF
}

start_mon() {
  ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$dir/admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/admin.keyring" >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
  mkdir -p "$dir/mon/ceph-a"
  ceph-mon -c "$dir/ceph.conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon.keyring"
  spawn mon ceph-mon -c "$dir/ceph.conf" -f -i a
  wait_for ceph-mon 30 ceph -c "$dir/ceph.conf" --connect-timeout 2 mon stat
}

# The OSD's key is registered with the mon before the mkfs, which otherwise
# cannot fetch the mon config.
start_osd() {
  local uuid secret id
  uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
  secret=$(ceph-authtool --gen-print-key)
  id=$(printf '{"cephx_secret": "%s"}' "$secret" |
    ceph -c "$dir/ceph.conf" --connect-timeout 10 osd new "$uuid" -i -)
  [ "$id" = 0 ] || die "ceph osd new gave id '$id', expected 0"
  mkdir -p "$dir/osd/ceph-0"
  ceph-authtool --create-keyring "$dir/osd/ceph-0/keyring" --name osd.0 --add-key "$secret" >/dev/null
  ceph-osd -c "$dir/ceph.conf" -i 0 --mkfs --osd-uuid "$uuid" >"$dir/log/osd-mkfs.out" 2>&1 ||
    die "ceph-osd --mkfs failed: $(tail -n 5 "$dir/log/osd-mkfs.out")"
  spawn osd ceph-osd -c "$dir/ceph.conf" -f -i 0
  wait_for ceph-osd 60 osd_up
}
osd_up() { ceph -c "$dir/ceph.conf" --connect-timeout 2 osd dump | grep -q '^osd.0 up'; }

start_rgw() {
  mkdir -p "$dir/rgw"
  ceph -c "$dir/ceph.conf" --connect-timeout 10 auth get-or-create client.rgw.a \
    mon 'allow rw' osd 'allow rwx' -o "$dir/rgw.keyring"
  spawn rgw radosgw -c "$dir/ceph.conf" -f -n client.rgw.a
  wait_for radosgw 90 curl -sf -o /dev/null "http://127.0.0.1:$rgw_port/"
}

make_user() {
  radosgw-admin -c "$dir/ceph.conf" user create --uid=vault-test --display-name="vault test" >"$dir/user.json"
  python3 - "$dir/user.json" "$dir/credentials" <<'PY'
import json, os, sys
k = json.load(open(sys.argv[1]))["keys"][0]
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, (k["access_key"] + "\n" + k["secret_key"] + "\n").encode())
os.close(fd)
PY
  rm -f "$dir/user.json"
  {
    echo "export CEPH_CONF='$dir/ceph.conf'"
    echo "export AWS_ACCESS_KEY_ID='$(sed -n 1p "$dir/credentials")'"
    echo "export AWS_SECRET_ACCESS_KEY='$(sed -n 2p "$dir/credentials")'"
    echo "export AWS_DEFAULT_REGION=us-east-1"
    # newer botocore adds CRC32 trailers (aws-chunked) that RGW 16 does not know
    echo "export AWS_REQUEST_CHECKSUM_CALCULATION=when_required"
    echo "export AWS_RESPONSE_CHECKSUM_VALIDATION=when_required"
    echo "export AWS_ENDPOINT='http://127.0.0.1:$rgw_port'"
    echo "export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null"
  } >"$dir/env"
}

make_buckets() {
  # shellcheck disable=SC1091
  . "$dir/env"
  aws --endpoint-url "$AWS_ENDPOINT" s3api create-bucket --bucket vault-locked \
    --object-lock-enabled-for-bucket >/dev/null
  aws --endpoint-url "$AWS_ENDPOINT" s3api create-bucket --bucket vault-plain >/dev/null
}

cmd_start() {
  [ -e "$dir" ] && die "$dir exists; give a new folder"
  for t in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool aws curl python3; do
    command -v "$t" >/dev/null || die "$t is missing: apt-get install radosgw ceph-mon ceph-osd awscli"
  done
  mkdir -p "$dir/log" "$dir/run"
  : >"$dir/.ceph-sh"
  fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
  mon_port=$(free_port)
  rgw_port=$(free_port)
  write_conf
  start_mon
  start_osd
  start_rgw
  make_user
  make_buckets
  echo "endpoint=http://127.0.0.1:$rgw_port"
  echo "credentials=$dir/credentials"
  echo "locked_bucket=vault-locked"
  echo "plain_bucket=vault-plain"
  echo "env=$dir/env"
}

# kill_pid PID: TERM, then KILL after 10 s; only a PID this script started.
kill_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  [ -d "$dir" ] || return 0
  [ -e "$dir/.ceph-sh" ] || die "$dir was not made by ceph.sh; not removing it"
  if [ -f "$dir/pids" ]; then
    # newest first: radosgw, then the OSD, then the mon
    tac "$dir/pids" | while read -r pid name; do kill_pid "$pid"; done
  fi
  rm -rf "$dir"
}

# The radosgw line of DIR/pids: its PID, and the others kept for stop.
rgw_pid() { awk '$2 == "rgw" { print $1 }' "$dir/pids" | tail -n 1; }

cmd_stop_rgw() { # cmd_stop_rgw TERM|KILL
  [ -e "$dir/.ceph-sh" ] || die "$dir was not made by ceph.sh"
  local pid
  pid=$(rgw_pid)
  [ -n "$pid" ] || die "no radosgw recorded in $dir/pids"
  if [ "$1" = KILL ]; then
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  else
    kill_pid "$pid"
  fi
  awk '$2 != "rgw"' "$dir/pids" >"$dir/pids.new" && mv "$dir/pids.new" "$dir/pids"
}

cmd_start_rgw() {
  [ -e "$dir/.ceph-sh" ] || die "$dir was not made by ceph.sh"
  [ -z "$(rgw_pid)" ] || die "radosgw is already running"
  rgw_port=$(sed -n 's/.*endpoint=127.0.0.1:\([0-9]*\)$/\1/p' "$dir/ceph.conf")
  [ -n "$rgw_port" ] || die "no rgw frontends port in $dir/ceph.conf"
  spawn rgw radosgw -c "$dir/ceph.conf" -f -n client.rgw.a
  wait_for radosgw 90 curl -sf -o /dev/null "http://127.0.0.1:$rgw_port/"
}

usage="usage: ceph.sh start|stop|stop-rgw|kill-rgw|start-rgw DIR"
[ $# -eq 2 ] || die "$usage"
dir=$(realpath -m "$2")
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  stop-rgw) cmd_stop_rgw TERM ;;
  kill-rgw) cmd_stop_rgw KILL ;;
  start-rgw) cmd_start_rgw ;;
  *) die "$usage" ;;
esac
