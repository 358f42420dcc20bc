/* Health measurements: what pipeline.c puts into the pipeline when
 * capture_options.measure is set (see capture_measure in capture.h). */
#pragma once

#include <gst/gst.h>

/* The element message a camera's picture statistics travel in. */
#define CAPTURE_MEASURE_PICTURE_MESSAGE "studio-picture"
/* The level element on track N is "audio-level-N" (its messages are "level"). */
#define CAPTURE_MEASURE_LEVEL_PREFIX "audio-level-"

/* A level element for track (1-based) added to bin, posting about every
 * 250 ms; NULL when the plugin is missing. */
GstElement *capture_measure_level(GstBin *bin, int track);

/* Samples the picture leaving a camera's caps filter (raw video, before
 * the overlay) twice a second and posts its statistics from that element.
 * camera: 1 or 2. */
int capture_measure_picture_install(GstElement *camera_caps, int camera);
