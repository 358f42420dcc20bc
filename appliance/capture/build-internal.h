/* Building the recording pipeline: what pipeline.c and audio.c share. */
#pragma once

#include <gst/gst.h>
#include <stdbool.h>

#include "profile-internal.h"

/* The audio tracks, and the mix after them when the profile asks for it. */
#define CAPTURE_MAX_AUDIO_OUTPUTS (CAPTURE_MAX_TRACKS + 1)

typedef struct build {
        const capture_profile *p;
        const capture_options *o;
        GstBin *bin;
        gchar *msg;
        int error; /* 0: -EINVAL */
} build;

/* An element of factory added to the pipeline; NULL with b->msg naming
 * the missing plugin. */
GstElement *make(build *b, const char *factory, const char *name);
/* A profile's source description as a bin named what. */
GstElement *make_source(build *b, const char *description, const char *what);
/* Links a chain of elements; any NULL means an earlier make() failed. */
gboolean link_chain(build *b, GstElement **chain, size_t n);
/* The tee for the observation output, when one is configured. */
GstElement *observation(build *b, const char *sink, bool video);

/* The encoded audio tracks, in the profile's order, each ready to link to
 * the segment muxer (audio.c). */
int capture_audio_build(build *b, GstElement **ret_outputs, size_t *ret_n);
