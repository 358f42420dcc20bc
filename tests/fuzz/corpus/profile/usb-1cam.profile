# Room profile "usb-1cam": one USB (UVC) camera and one ALSA microphone.
# See test.profile for the meaning of every key. Set the device paths to
# stable names (/dev/v4l/by-id/…, ALSA card names) when provisioning.

[profile]
description=One USB camera and a USB or built-in microphone
room=Interview Studio

[video]
source=v4l2src device=/dev/video0
width=1280
height=720
framerate=30
bitrate=4000
encoder=auto
preset=superfast
keyframe-interval=1

[audio]
source=alsasrc device=default
codec=opus
bitrate=64

[container]
format=matroska
