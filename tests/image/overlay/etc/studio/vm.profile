# Room profile for the VM test (tests/image): the guest's vivid camera and
# ALSA loopback card, light enough for QEMU's TCG (the built-in 720p test
# profile's pre-flight got no picture in time there). studio.conf's
# [recorder] profile names this file; the test's bundle leaves profile out,
# so provisioning keeps it. Keys: pipelines/test.profile.

[profile]
description=VM test room: vivid camera, ALSA loopback microphone
room=VM Room

[video]
# vivid's webcam input offers 640x360 at 30/1 (its default is 5 fps); the
# recorder asks for the profile's mode. The moving pattern is set by
# studio-vm-room.service.
source=v4l2src device=/dev/video0
width=640
height=360
framerate=30
bitrate=800
encoder=x264enc
preset=ultrafast
keyframe-interval=1

[audio]
# The loopback's capture side; studio-vm-room.service plays a tone into
# its playback side (device 0; the first free subdevices pair up).
source=alsasrc device=hw:CARD=Loopback,DEV=1
codec=opus
bitrate=64

[container]
format=matroska
