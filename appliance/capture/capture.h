/* Room profiles (pipelines/NAME.profile) and the recording pipeline built from
 * them: sources -> date/time + room overlay -> H.264 + Opus/AAC ->
 * splitmuxsink (Matroska, streamable) -> studiosealsink.
 *
 * Functions return 0 or -errno; on failure *ret_message (when non-NULL) gets
 * one sentence that names what is wrong and what to do (caller frees). */
#pragma once

#include <gst/gst.h>
#include <stdbool.h>
#include <stdint.h>

#include "room-reasons.h"

typedef struct capture_profile capture_profile;

typedef enum capture_layout {
        CAPTURE_LAYOUT_SINGLE,
        CAPTURE_LAYOUT_SIDE_BY_SIDE,
        CAPTURE_LAYOUT_PICTURE_IN_PICTURE,
        _CAPTURE_LAYOUT_MAX,
        _CAPTURE_LAYOUT_INVALID = -EINVAL,
} capture_layout;

/* The folder holding the built-in profiles: $STUDIO_PIPELINES_DIR, the
 * installed folder, or the source tree's pipelines/. */
const char *capture_profiles_dir(void);

/* name_or_path: "test", "usb-1cam", … (looked up in capture_profiles_dir())
 * or a path to a .profile file. */
int capture_profile_load(const char *name_or_path, capture_profile **ret, gchar **ret_message);
capture_profile *capture_profile_free(capture_profile *p);

const char *capture_profile_name(const capture_profile *p);
const char *capture_profile_path(const capture_profile *p);
/* SHA-256 hex of the profile file as read (for the custody log). */
const char *capture_profile_sha256(const capture_profile *p);
const char *capture_profile_room(const capture_profile *p);
/* Video plus audio bitrate in kbit/s: what a recording hour costs the spool. */
int capture_profile_bitrate_kbps(const capture_profile *p);
/* The camera and microphone sources the profile names, each as its source
 * description followed by what the device is (kernel name, USB
 * vendor:product, serial, bus position), for the custody log;
 * NULL-terminated, g_strfreev. */
gchar **capture_profile_cameras(const capture_profile *p);
gchar **capture_profile_microphones(const capture_profile *p);

/* ---- audio tracks -----------------------------------------------------
 * Every speaker's microphone is its own audio track in the segment, in the
 * profile's order: either a channel of one multichannel source ([audio]
 * source and channels, split in the pipeline: one clock for all) or a
 * source of its own ([audio.track.N] source). A profile without
 * [audio.track.N] groups has one track, role "room", from [audio] source. */
#define CAPTURE_MAX_TRACKS 8

typedef struct capture_track {
        const char *role;     /* one of capture_track_roles */
        const char *label;    /* for people: "Interpreter microphone" */
        const char *language; /* ISO 639-2 code ("nld"), or NULL */
        const char *source;   /* the source description it comes from */
        int channel;          /* 1-based channel of source; 0: the whole source */
        bool required;        /* the pre-flight refuses Start without it */
} capture_track;

/* "interviewee", "interviewer", "interpreter", "second-interviewer",
 * "room"; NULL-terminated. */
extern const char *const capture_track_roles[];

/* The profile's tracks (at least one, at most CAPTURE_MAX_TRACKS), valid
 * while p is. */
const capture_track *capture_profile_tracks(const capture_profile *p, size_t *ret_n);
/* A stereo mix of all tracks as an extra track after them ([audio] mix). */
bool capture_profile_mix(const capture_profile *p);

typedef struct capture_options {
        const char *session_dir;         /* segments go here as seg-000001.mkv.age; NULL: pre-rolled */
        const char *recipients;          /* age1… separated by commas */
        const char *room;                /* NULL: the profile's */
        uint64_t segment_time_ns;        /* 0: default 5 min */
        uint64_t segment_bytes;          /* 0: default 1 GiB */
        uint64_t checkpoint_interval_ns; /* 0: default 2 s */
        /* Health measurements (capture_measure): a level element on the
         * audio and a small, low-rate analysis branch per camera. */
        bool measure;
        /* The observation output: one local sink element each (studio.conf
         * [observation], already checked there), fed from a tee before the
         * encoders through a leaky queue; NULL: none. */
        const char *observation_video;
        const char *observation_audio;
} capture_options;

#define CAPTURE_DEFAULT_SEGMENT_TIME_NS (5ULL * 60 * 1000000000ULL)
#define CAPTURE_DEFAULT_SEGMENT_BYTES (1ULL << 30)

/* Checks that the devices the profile names exist and builds the pipeline.
 * The application must have called seal_register() first. */
int capture_pipeline_build(const capture_profile *p, const capture_options *o, GstElement **ret,
                           gchar **ret_message);

/* Pre-roll, for a short Start. capture_pipeline_build with o->session_dir
 * NULL builds the pipeline pre-rolled: once PLAYING, sources, overlay and
 * encoders run and nothing is written (the segment muxer stays stopped and
 * the encoders' output is dropped). capture_pipeline_open then, from
 * PLAYING, starts the recording into session_dir: the muxer comes up, the
 * video encoder is asked for a keyframe, and video and audio pass from
 * that keyframe on, on a media timeline that starts at 0 (segment times,
 * checkpoints and marks are on it). When no source is live (a file, as
 * the benchmark and tests use), nothing is dropped while pre-rolled: the
 * streams wait at the gates, and the recording holds every frame from the
 * input's first. -EINVAL: not built pre-rolled;
 * -EALREADY: already open (one pipeline records one session: build another
 * for the next); -ENOTDIR: no such folder; -EAGAIN: not PLAYING
 * yet; -EIO: the muxer would not start. A pipeline never opened has nothing
 * to finish: set it to NULL (an EOS sent to it never comes through). */
int capture_pipeline_open(GstElement *pipeline, const char *session_dir, gchar **ret_message);

/* Stop between capture_pipeline_open and the first picture through the
 * gate: closes the gates so that nothing ever passes, and returns TRUE:
 * nothing was written, and the pipeline goes to NULL without an end of
 * stream (splitmuxsink never ends a stream it never began, so an EOS
 * would never come through). FALSE once the first picture has passed:
 * end the recording with EOS. */
gboolean capture_pipeline_cancel_unopened(GstElement *pipeline);

/* The current position on the recording's media timeline (where a mark
 * goes): GST_CLOCK_TIME_NONE before capture_pipeline_open. For a pipeline
 * built with a session folder, its running time. */
GstClockTime capture_pipeline_media_time(GstElement *pipeline);
/* How much video the recording holds so far: the media time at the end of
 * the last picture past the gate, which trails the media time when the
 * machine cannot encode as fast as the clock runs. GST_CLOCK_TIME_NONE
 * until the first picture has passed, and for a pipeline without a gate. */
GstClockTime capture_pipeline_recorded_time(GstElement *pipeline);

/* ---- health measurements --------------------------------------------
 * With capture_options.measure the pipeline posts element messages on its
 * bus: the audio level (GStreamer's level element, about every 250 ms) and
 * picture statistics from each camera before the overlay (about twice a
 * second, from a downscaled grey copy on a leaky branch that never holds
 * the recording back). capture_measure_parse reads either. */
typedef enum capture_measure_kind {
        CAPTURE_MEASURE_AUDIO,
        CAPTURE_MEASURE_PICTURE,
} capture_measure_kind;

typedef struct capture_measure {
        capture_measure_kind kind;
        int camera;                /* picture: 1 or 2; audio: 0 */
        int track;                 /* audio: the track, 1-based (capture_profile_tracks); picture: 0 */
        GstClockTime running_time; /* when it was measured, on the pipeline's clock */
        double rms_db;             /* audio: the loudest channel's RMS in dBFS; digital silence -200 */
        double luma;               /* picture: mean luma 0..255 (video black is 16) */
        double change;             /* picture: mean absolute luma difference from the previous one, 0..255 */
} capture_measure;

/* true when m is a measurement, filled into *ret. */
bool capture_measure_parse(GstMessage *m, capture_measure *ret);

/* ---- faults the recording survives ---------------------------------- */
/* For an error message from the pipeline: 1 when it came from a part the
 * recording goes on without, now taken out of the pipeline: a camera (its
 * picture is replaced by black, the audio and the other camera go on;
 * *ret_reason gets REASON_CAMERA_DISCONNECTED or REASON_CAMERA2_DISCONNECTED)
 * or the observation output (*ret_reason _ROOM_REASON_INVALID: a warning,
 * not attention).
 * *ret_detail gets a sentence for the log. 0: an error that ends the
 * recording. A later error from a part already taken out (a failing
 * source posts more than one) also gives 1, with *ret_detail NULL: nothing
 * new to tell. Called from the loop. */
int capture_pipeline_survive_error(GstElement *pipeline, GstMessage *error, room_reason *ret_reason,
                                   gchar **ret_detail);

/* ---- devices --------------------------------------------------------- */
/* Looks at the devices the profile names without building a pipeline:
 * each camera (device=/dev/video…) through libv4l2 (present, a capture
 * device, offers a format and size the profile can use) and each ALSA
 * microphone (alsasrc device=…: present and able to capture). 0 when all are
 * usable or the profile names no device (test sources); otherwise -ENODEV,
 * -EACCES or -ENOTSUP with *ret_reason (a REASON_… from room-reasons.h) and
 * *ret_message (a sentence for the log that names the device and what to
 * do). Cheap enough to run every few seconds while the room is free. */
int capture_probe_devices(const capture_profile *p, room_reason *ret_reason, gchar **ret_message);

/* The H.264 encoder this machine will use for p ("x264enc", …), or NULL
 * with a message when none is installed. */
const char *capture_choose_encoder(const capture_profile *p, gchar **ret_message);

/* SOURCE (a profile's source description) with the identity of the device
 * it names, e.g. "v4l2src device=/dev/video0 (video0 'HD Webcam', usb
 * 046d:0825 serial 8A1B at 1-1.2)"; the description alone when the device
 * says nothing. root is "" on the appliance; tests give a folder that stands
 * in for /sys, /proc and /dev (the hardware cannot exist there). */
gchar *capture_source_identity(const char *source, const char *root);

/* Turns a pipeline error message into one sentence for the user (camera
 * busy or missing, disk full, …); caller frees. */
gchar *capture_explain_error(GstMessage *error_message);
