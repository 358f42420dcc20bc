#!/usr/bin/env bash
# One Ceph RGW for every S3 test of the intake label (ctest FIXTURES_SETUP /
# FIXTURES_CLEANUP of the fixture "intake-ceph"): started once in
# $STUDIO_BUILD_DIR/intake-ceph, each test makes its own buckets in it.
#   ceph-fixture.sh start | stop
# start exits 77 (skipped) without the Debian packages; the tests then skip too.
set -euo pipefail
: "${STUDIO_BUILD_DIR:?run through ctest}"
DIR=$STUDIO_BUILD_DIR/intake-ceph
CEPH_SH=$STUDIO_SOURCE_DIR/tests/vault/ceph.sh
case "${1:-}" in
  start)
    for t in radosgw ceph-mon ceph-osd aws; do
      command -v "$t" >/dev/null || { echo "skip: $t missing (apt-get install radosgw ceph-mon ceph-osd awscli)"; exit 77; }
    done
    # what an earlier run killed before its cleanup left behind
    [ ! -e "$DIR/.ceph-sh" ] || bash "$CEPH_SH" stop "$DIR"
    rm -rf "$DIR"
    bash "$CEPH_SH" start "$DIR"
    ;;
  stop) bash "$CEPH_SH" stop "$DIR" ;;
  *) echo "usage: ceph-fixture.sh start|stop" >&2; exit 2 ;;
esac
