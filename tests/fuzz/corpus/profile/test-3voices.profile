# Room profile "test-3voices": the test picture and three speakers, each
# on its own audio track with a tone of its own (300, 700 and 1500 Hz), so
# that every test can tell the tracks apart by ear and by FFT. Needs no
# hardware. See test.profile for the keys all profiles share, and
# docs/recording.md for [audio.track.N]:
#   role     = interviewee | interviewer | interpreter | second-interviewer | room
#   label    = what people call it (default: "Interpreter microphone", …)
#   channel  = N: channel N of [audio] source (with [audio] channels), or
#   source   = a source of its own
#   language = ISO 639-2 code of what is spoken on it (nld, ara, …)
#   required = yes | no: the pre-flight refuses Start without it
#              (default: yes for the interviewee, no for the others)

[profile]
description=Test pattern and three voices on three tracks; needs no hardware
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
codec=opus
bitrate=64

[audio.track.1]
role=interviewee
source=audiotestsrc is-live=true wave=sine freq=300 volume=0.1

[audio.track.2]
role=interviewer
source=audiotestsrc is-live=true wave=sine freq=700 volume=0.1

[audio.track.3]
role=interpreter
source=audiotestsrc is-live=true wave=sine freq=1500 volume=0.1
language=nld

[container]
format=matroska
