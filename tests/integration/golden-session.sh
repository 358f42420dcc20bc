#!/usr/bin/env bash
# A session recorded by version 0.1.0 (tests/data/session-v1, never
# regenerated) must stay verifiable by this version's tools and by stock
# tools: evidence outlives software releases.
. "$(dirname "$0")/lib.sh"
golden=$STUDIO_SOURCE_DIR/tests/data/session-v1
cp -r "$golden" "$WORK/g"   # work on a copy: the tree may be read-only
# stored as "session"; a folder named otherwise than its session id gets a
# warning, so the copy takes its signed name, as in the vault
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$WORK/g/session/manifest.json")
mv "$WORK/g/session" "$WORK/g/$id"
session=$WORK/g/$id

set +e
"$VERIFY" --device-key "$WORK/g/dev.pub" --identity "$WORK/g/vault.key" "$session" >"$WORK/report"
rc=$?
set -e
head -n 1 "$WORK/report"
check "studio-verify: INTACT (exit $rc)" test "$rc" -eq 0
check "the report names the recording device" grep -q 'studio-golden' "$WORK/report"
check "and the officer" grep -q '4711' "$WORK/report"
check "the timeline shows its mark, break and resume" \
  bash -c "grep -qw mark '$WORK/report' && grep -qw break '$WORK/report' && grep -qw resume '$WORK/report'"
check "no finding or warning" bash -c "! grep -qiE 'warning|jumps|missing' '$WORK/report'"
pushd "$session" >/dev/null
for f in manifest.json SHA256SUMS SHA256SUMS.sealed; do
  check "stock minisign accepts $f" minisign -Vq -p "$WORK/g/dev.pub" -m "$f"
done
check "sha256sum -c accepts the sealed files" sha256sum --quiet -c SHA256SUMS.sealed
popd >/dev/null
check "studio-export decrypts it whole" "$EXPORT" --identity "$WORK/g/vault.key" --device-key "$WORK/g/dev.pub" --out "$WORK/copy" "$session"
check "sha256sum -c accepts the working copy" bash -c "cd '$WORK/copy' && sha256sum --quiet -c SHA256SUMS"
for f in "$session"/seg-*.mkv.age; do
  check "stock age decrypts $(basename "$f")" age -d -i "$WORK/g/vault.key" -o "$WORK/$(basename "${f%.age}")" "$f"
done
read -r frames _ < <(decoded_frames "$WORK/copy/seg-000001.mkv")
check "the media plays ($frames frames in the first segment)" test "$frames" -ge 50
check "the manifest declares format studio-session/1" grep -q '"format" : "studio-session/1"' "$session/manifest.json"
finish
