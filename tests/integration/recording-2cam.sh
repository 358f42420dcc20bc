#!/usr/bin/env bash
# The two-camera profile's compositing, with test sources standing in for the
# two USB cameras (the rest of usb-2cam.profile unchanged): both layouts
# record, seal and play at the profile's full picture size.
. "$(dirname "$0")/lib.sh"
make_vault

for layout in picture-in-picture side-by-side; do
  sed -e 's|^source=v4l2src device=/dev/video0|source=videotestsrc is-live=true pattern=smpte horizontal-speed=4|' \
      -e 's|^source2=v4l2src device=/dev/video2|source2=videotestsrc is-live=true pattern=ball|' \
      -e 's|^source=alsasrc device=default|source=audiotestsrc is-live=true|' \
      -e "s|^layout=.*|layout=$layout|" \
      "$STUDIO_SOURCE_DIR/pipelines/usb-2cam.profile" >"$WORK/$layout.profile"
  check "$layout: the profile keeps two cameras" grep -q '^source2=videotestsrc' "$WORK/$layout.profile"
  session=$("$RECORDER" --once --profile "$WORK/$layout.profile" --duration 4s \
              --recipient "$VAULT_RECIPIENT" --out "$WORK/spool" 2>"$WORK/$layout.log" | tail -n 1)
  seg=$(ls "$session"/seg-*.mkv.age | head -n 1)
  check "$layout: stock age decrypts the segment" age -d -i "$VAULT_KEY" -o "$WORK/$layout.mkv" "$seg"
  size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$WORK/$layout.mkv")
  check "$layout: 1920x1080 composite ($size)" test "$size" = "1920,1080"
  read -r frames _ < <(decoded_frames "$WORK/$layout.mkv")
  span=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" span "$WORK/$layout.mkv")
  judge_against_clock "$WORK/$layout.log" "$layout: the video spans the 4 s recorded ($span s, $frames frames)" \
    python3 -c "import sys; sys.exit(0 if $span >= 3.5 else 1)"
  # The compositor drops a picture it cannot make in time, so the frame
  # count says whether the machine had the CPU, not whether the recorder
  # works: judged only when the machine is not busier than its cores.
  if machine_has_spare_cpu; then
    check "$layout: video decodes at 30 fps ($frames frames in 4 s)" test "$frames" -ge 60
  else
    skip_part "$layout: 30 fps composite ($frames frames): the load average $(cut -d' ' -f1 /proc/loadavg) is above the $(nproc) cores"
  fi
done
finish
