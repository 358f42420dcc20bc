/* Pre-roll: the gates between the encoders and the segment muxer (see
 * capture_pipeline_open in capture.h). */
#pragma once

#include <gst/gst.h>

/* Keeps mux out of the running state and puts a closed gate on the source
 * pad of video_out (the H.264 parser) and audio_out (the audio encoder). */
int capture_preroll_install(GstElement *pipeline, GstElement *mux, GstElement *video_out,
                            GstElement *audio_out);
