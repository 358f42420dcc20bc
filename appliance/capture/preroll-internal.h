/* Pre-roll: the gates between the encoders and the segment muxer (see
 * capture_pipeline_open in capture.h). */
#pragma once

#include <gst/gst.h>

/* Keeps mux out of the running state and puts a closed gate on the source
 * pad of video_out (the H.264 parser's queue) and audio_out (the audio
 * encoder). video_kbps: the video bitrate, which sets when the first short
 * keyframe interval ends (see capture_pipeline_open). */
int capture_preroll_install(GstElement *pipeline, GstElement *mux, GstElement *video_out,
                            GstElement *audio_out, int video_kbps);
