/* Pre-roll: the gates between the encoders and the segment muxer (see
 * capture_pipeline_open in capture.h). */
#pragma once

#include <gst/gst.h>

#define CAPTURE_MAX_AUDIO_GATES 16

/* Whether any source inside bin (recursively) is live. */
gboolean capture_any_live_source(GstElement *bin);

/* Keeps mux out of the running state and puts a closed gate on the source
 * pad of video_out (the H.264 parser's queue) and of each of the n_audio
 * audio_out (each audio track's last element). video_kbps: the video
 * bitrate, which sets when the first short keyframe interval ends (see
 * capture_pipeline_open). */
int capture_preroll_install(GstElement *pipeline, GstElement *mux, GstElement *video_out,
                            GstElement *const *audio_out, size_t n_audio, int video_kbps);
