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
        gchar *audio_source;   /* NULL when every track has its own */
        gchar *audio_codec;    /* "opus" or "aac" */
        int audio_bitrate;     /* kbit/s, each track's */
        int audio_channels;    /* of audio_source; 0: as it comes (one track) */
        bool mix;
        capture_track tracks[CAPTURE_MAX_TRACKS];
        size_t n_tracks;
        gchar *container; /* "matroska" */
};

/* A profile from memory (data as the file at path holds it), as
 * capture_profile_load reads it: what the fuzz target drives. */
int capture_profile_parse_data(const char *path, const char *data, size_t len, capture_profile **ret,
                               gchar **ret_message);

#define CAPTURE_MAX_CHANNELS 32 /* of one multichannel [audio] source */

/* Reads [audio] channels and mix and the [audio.track.N] groups into
 * p->tracks (tracks.c); the [audio] keys are read already. */
typedef struct config_file config_file;
int capture_profile_read_tracks(const config_file *c, capture_profile *p, gchar **msg);
void capture_profile_free_tracks(capture_profile *p);
/* "audio.track.1" … "audio.track.8": the groups a profile may have. */
extern const char *const capture_track_groups[];

void capture_configure_encoder(GstElement *enc, const char *name, const capture_profile *p);
