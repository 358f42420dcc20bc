# Room profile "usb-2cam": an overview camera and a close-up camera,
# composited picture-in-picture (close-up in the corner) or side by side,
# plus one ALSA microphone. See test.profile for the meaning of every key.

[profile]
description=Overview and close-up USB cameras, composited, and a microphone
room=Interview Studio

[video]
source=v4l2src device=/dev/video0
source2=v4l2src device=/dev/video2
layout=picture-in-picture
width=1920
height=1080
framerate=30
bitrate=6000
encoder=auto
preset=superfast
keyframe-interval=1

[audio]
source=alsasrc device=default
codec=opus
bitrate=64

[container]
format=matroska
