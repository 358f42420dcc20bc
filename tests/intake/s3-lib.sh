# The intake's S3 tests (sourced after lib.sh): the RGW the fixture
# intake-ceph started (tests/intake/ceph-fixture.sh), awscli on it, and a
# bucket of this test's own with Object Lock. Skips (exit 77) without it.
CEPH=$STUDIO_BUILD_DIR/intake-ceph
[ -f "$CEPH/env" ] || { echo "skip: no RGW from the fixture intake-ceph (ctest -L intake runs it; it skips without radosgw)"; exit 77; }
. "$CEPH/env"
AWS=aws
[ -x /usr/bin/aws ] && AWS=/usr/bin/aws
s3() { "$AWS" --endpoint-url "$AWS_ENDPOINT" s3api "$@"; }
# make_bucket NAME: a fresh Object Lock bucket for this test
make_bucket() {
  s3 create-bucket --bucket "$1" --object-lock-enabled-for-bucket >/dev/null
}
# s3_conf: the uploader's studio.conf and the intake's intake.conf on BUCKET/PREFIX
s3_conf() { # s3_conf BUCKET PREFIX
  printf '[recorder]\nspool = %s/spool\n[uploader]\nvault = s3://%s/%s\nendpoint = %s\ncredentials_file = %s\nretention_days = 1\nbacklog_file = %s/backlog.json\n' \
    "$WORK" "$1" "$2" "$AWS_ENDPOINT" "$CEPH/credentials" "$WORK" >studio.conf
  cp "$CEPH/credentials" "$WORK/s3.cred"
  chmod 600 "$WORK/s3.cred"
  mkdir -p "$WORK/scratch"
  printf '[intake]\nvault = s3://%s/%s\nendpoint = %s\ncredentials_file = %s/s3.cred\nretention_days = 1\nregistry = reg.json\nregistry_key = it/police-it.pub\nsigning_key = ik/intake.key\nindex = index.sqlite\nscratch = %s/scratch\n' \
    "$1" "$2" "$AWS_ENDPOINT" "$WORK" "$WORK" >intake.conf
}
