#pragma once

#include "capture.h"

struct capture_profile {
        gchar *name;
        gchar *path;
        gchar *sha256;
        gchar *description;
        gchar *room;
        gchar *video_source;
        gchar *video_source2;
        capture_layout layout;
        int width, height, framerate;
        int video_bitrate; /* kbit/s */
        gchar *encoder;    /* "auto" or an element name */
        gchar *preset;
        int keyframe_interval; /* seconds */
        gchar *audio_source;
        gchar *audio_codec; /* "opus" or "aac" */
        int audio_bitrate;  /* kbit/s */
        gchar *container;   /* "matroska" */
};

void capture_configure_encoder(GstElement *enc, const char *name, const capture_profile *p);
