# Helpers for the vault tests (sourced after lib.sh): a throwaway Ceph RGW
# started by tests/vault/ceph.sh for this test only, stopped on exit, and
# awscli on it (s3 …). Skips (exit 77) without the Debian packages.
CEPH_SH=$STUDIO_SOURCE_DIR/tests/vault/ceph.sh
for t in radosgw ceph-mon ceph-osd aws; do
  command -v "$t" >/dev/null || { echo "skip: $t missing (apt-get install radosgw ceph-mon ceph-osd awscli)"; exit 77; }
done
AWS=aws
[ -x /usr/bin/aws ] && AWS=/usr/bin/aws
CEPH=$WORK/ceph
daemon_pid=
trap 'kill -9 $daemon_pid 2>/dev/null || true; bash "$CEPH_SH" stop "$CEPH" || true; rm -rf "$WORK"' EXIT
bash "$CEPH_SH" start "$CEPH" >"$WORK/ceph.out"
. "$CEPH/env"
s3() { "$AWS" --endpoint-url "$AWS_ENDPOINT" s3api "$@"; }
