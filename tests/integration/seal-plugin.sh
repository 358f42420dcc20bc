#!/usr/bin/env bash
# The sealing sink as a plugin for gst-launch-1.0 diagnosis: what it seals
# decrypts with stock age and plays; bad properties get a clear error.
. "$(dirname "$0")/lib.sh"
make_vault
export GST_PLUGIN_PATH=$STUDIO_BUILD_DIR/appliance/seal
unset GST_REGISTRY

check "gst-inspect-1.0 finds studiosealsink" gst-inspect-1.0 studiosealsink
gst-launch-1.0 -q videotestsrc num-buffers=45 ! video/x-raw,framerate=30/1 ! x264enc ! h264parse \
  ! matroskamux streamable=true ! studiosealsink location="$WORK/x.mkv.age" recipients="$VAULT_RECIPIENT"
check "stock age decrypts what gst-launch sealed" age -d -i "$VAULT_KEY" -o "$WORK/x.mkv" "$WORK/x.mkv.age"
read -r frames _ < <(decoded_frames "$WORK/x.mkv")
check "all 45 frames play ($frames)" test "$frames" -eq 45

set +e
gst-launch-1.0 -q videotestsrc num-buffers=5 ! studiosealsink location="$WORK/y.age" recipients=age1bad \
  >"$WORK/err" 2>&1
rc=$?
set -e
check "a bad recipient fails the pipeline (exit $rc)" test "$rc" -ne 0
check "the error names the recipients property" grep -q "not a list of age recipients" "$WORK/err"
check "no file was created for the refused start" test ! -e "$WORK/y.age"
set +e
gst-launch-1.0 -q videotestsrc num-buffers=5 ! studiosealsink location="$WORK/x.mkv.age" \
  recipients="$VAULT_RECIPIENT" >"$WORK/err" 2>&1
set -e
check "an existing sealed file is never overwritten" grep -q "Could not create sealed file" "$WORK/err"
finish
