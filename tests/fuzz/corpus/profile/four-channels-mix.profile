[profile]
room=Interview Studio
[video]
source=videotestsrc is-live=true pattern=smpte
width=640
height=360
framerate=30
bitrate=1000
keyframe-interval=1
[audio]
source=interleave name=mic audiotestsrc is-live=true freq=300 volume=0.1 ! mic. audiotestsrc is-live=true freq=700 volume=0.1 ! mic. audiotestsrc is-live=true freq=1500 volume=0.1 ! mic. audiotestsrc is-live=true freq=2500 volume=0.1 ! mic.
channels=4
mix=yes
[audio.track.1]
role=interpreter
channel=3
[audio.track.2]
role=interviewee
channel=1
