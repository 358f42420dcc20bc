# Room profile "test": a moving test picture and a tone, so that everything
# runs without a camera or microphone (demo, tests, benchmarks).
#
# Keys (all profiles):
#   [profile]   description; room = name burned into the picture (overridden
#               by --room or the daemon's configuration)
#   [video]     source = a GStreamer source description (gst-launch syntax)
#               that yields raw video; source2 = a second camera (optional);
#               layout = side-by-side | picture-in-picture (with source2);
#               width, height, framerate; bitrate in kbit/s;
#               encoder = auto | x264enc | vaapih264enc | v4l2h264enc;
#               preset = x264 speed preset; keyframe-interval in seconds
#               (splitmuxsink holds one keyframe interval in memory to place
#               segment boundaries, so this is what a power cut can lose)
#   [audio]     source = a GStreamer source description yielding raw audio;
#               codec = opus | aac; bitrate in kbit/s
#   [container] format = matroska (survives a power cut: plays up to the
#               last written cluster; see docs/recording.md for the measurement)

[profile]
description=Test pattern and tone; needs no hardware
room=Interview Studio

[video]
source=videotestsrc is-live=true pattern=smpte horizontal-speed=4
width=1280
height=720
framerate=30
bitrate=4000
encoder=auto
preset=superfast
keyframe-interval=1

[audio]
source=audiotestsrc is-live=true wave=sine freq=440 volume=0.1
codec=opus
bitrate=64

[container]
format=matroska
