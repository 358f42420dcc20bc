/* Device probing inside appliance/capture: cameras through libv4l2
 * (v4l2.c), microphones through alsa-lib (alsa.c), and the pure choice of a
 * camera mode that both the probe and the pipeline builder use.
 *
 * Functions return 0 or -errno: -ENODEV the device is not there, -EACCES
 * this user may not open it, -ENOTSUP it is there but cannot be used (not
 * a capture device, no format that fits, a device string that names
 * nothing). *ret_message gets one sentence that names the device (escaped)
 * and what to do; outputs are untouched on failure unless said. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One picture mode a camera offers, as V4L2 enumerates it. */
typedef struct capture_v4l2_mode {
        uint32_t fourcc; /* V4L2_PIX_FMT_… */
        uint32_t width, height;
        /* seconds per frame, as V4L2 gives it: 1001/30000 is 29.97 fps */
        uint32_t interval_num, interval_den;
} capture_v4l2_mode;

/* Bounds on what a camera's driver may make us enumerate. */
#define CAPTURE_V4L2_MAX_FORMATS 32
#define CAPTURE_V4L2_MAX_SIZES 64
#define CAPTURE_V4L2_MAX_INTERVALS 32
#define CAPTURE_V4L2_MAX_MODES 2048

/* The GStreamer caps media type (and format) for a V4L2 pixel format:
 * "video/x-raw,format=YUY2", "image/jpeg"; NULL when the recording cannot
 * take it (H.264 from the camera, Bayer, vendor formats). */
const char *capture_v4l2_format_caps(uint32_t fourcc);

/* Chooses among modes[n] for a picture of width x height at fps frames a
 * second. A mode is "at the framerate" when it gives at least 99 % of fps
 * (29.97 is 30; videorate drops the extra frames of a faster one). Among
 * those: an exact raw mode, then exact MJPEG (decoded with jpegdec), then the
 * nearest larger size (the pipeline scales down), then the nearest smaller;
 * raw before MJPEG at the same size, the rate nearest fps last. Only when no
 * mode reaches the framerate, the fastest of them in the same order.
 * -ENOTSUP with *ret_message (a phrase to follow the device's name, e.g.
 * "offers no picture format GStreamer can record (it offers H264)") when
 * nothing fits. */
int capture_v4l2_choose_mode(const capture_v4l2_mode *modes, size_t n, int width, int height, int fps,
                             capture_v4l2_mode *ret, gchar **ret_message);

/* The caps for a mode, e.g. "image/jpeg,width=1280,height=720,framerate=30/1"
 * (caller g_frees); NULL for a format capture_v4l2_format_caps refuses. */
gchar *capture_v4l2_mode_caps(const capture_v4l2_mode *m);

/* Opens the camera at path (v4l2_open, O_RDWR|O_NONBLOCK), checks that it is
 * a video capture device, enumerates its modes and chooses one for the
 * picture; closes it again. what names it in messages ("camera", "second
 * camera"). */
int capture_v4l2_probe(const char *path, const char *what, int width, int height, int fps,
                       capture_v4l2_mode *ret_mode, gchar **ret_message);

/* For a pipeline source description: when it is a lone v4l2src, the same
 * source followed by the caps of the mode chosen from the camera (and
 * jpegdec for MJPEG) in *ret_description; otherwise *ret_description is
 * set to NULL and nothing changes (test sources, a profile that gives its
 * own caps after the source). */
/* description (a lone v4l2src) followed by the caps of m, and jpegdec for
 * MJPEG (caller g_frees); NULL for a format the recording cannot take. */
gchar *capture_v4l2_describe(const char *description, const capture_v4l2_mode *m);

int capture_v4l2_source(const char *description, const char *what, int width, int height, int fps,
                        gchar **ret_description, gchar **ret_message);

/* The microphone an alsasrc device string names ("hw:1", "hw:1,0",
 * "plughw:CARD=C920,DEV=0", "default" or NULL: any card) exists and has a
 * capture PCM. Looks through the card's control device only, so it neither
 * holds nor disturbs the PCM a running pipeline records from. A PCM name
 * alsa-lib defines elsewhere (an asoundrc entry) cannot be checked this way
 * and gives 0. */
int capture_alsa_probe(const char *device, gchar **ret_message);

/* The first element of a source description: its factory name and the
 * value of its device= property (quotes removed; NULL when absent), and
 * whether anything follows it ("! …"). Outputs always set. */
void capture_source_parse(const char *description, gchar **ret_factory, gchar **ret_device, bool *ret_more);

/* device as it may be shown: escaped, and cut to a readable length. */
gchar *capture_device_shown(const char *device);
