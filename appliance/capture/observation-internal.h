/* The observation output (capture_options.observation_video/_audio): a tee
 * on the recording's raw video (after the overlay) or audio, and a bin
 * holding a leaky queue and the configured sink. */
#pragma once

#include <gst/gst.h>
#include <stdbool.h>

#define CAPTURE_OBSERVATION_VIDEO "observation-video"
#define CAPTURE_OBSERVATION_AUDIO "observation-audio"

/* Adds to bin a tee whose second branch feeds sink_description (one sink
 * element with name=value properties); the recording continues from the
 * tee. NULL with *ret_message when the sink cannot be built. */
GstElement *capture_observation_tee(GstBin *bin, const char *sink_description, bool video,
                                    gchar **ret_message);

/* Takes the observation bin out of the pipeline (after an error from
 * it): its tee branch is cut first, so the recording never waits on it. */
void capture_observation_remove(GstElement *pipeline, GstElement *observation_bin);
