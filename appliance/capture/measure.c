/* Health measurements (capture.h): the audio level from GStreamer's level
 * element, and picture statistics from each camera before the overlay.
 *
 * The picture is sampled by a pad probe on the camera's caps filter rather
 * than on a tee branch: a tee holds a reference to every frame, so the
 * clock overlay, which draws in place, would have to copy each whole frame
 * (1.4 MB at 720p, 30 times a second) to write on it. The probe looks at
 * one frame in fifteen at 30 fps (twice a second, by running time), reads
 * a 64 x 36 nearest-neighbour grid of its luma plane (what a nearest
 * videoscale to GRAY8 64x36 would give) and posts the mean and the mean
 * absolute difference from the last sample: 2,304 bytes read twice a
 * second, in the camera's own thread, with no copy, queue or thread. */
#include <math.h>
#include <string.h>

#include <gst/video/video.h>

#include "capture.h"
#include "measure-internal.h"

#define PICTURE_W 64
#define PICTURE_H 36
#define PICTURE_INTERVAL (500 * GST_MSECOND)
#define LEVEL_INTERVAL (250 * GST_MSECOND)
#define RMS_FLOOR_DB (-200.0)
#define LEVEL_MAX_CHANNELS 64

typedef struct picture_tap {
        int camera;
        GstClockTime next; /* running time of the next sample */
        gboolean have_previous;
        guint8 previous[PICTURE_W * PICTURE_H];
} picture_tap;

GstElement *capture_measure_level(GstBin *bin, int track) {
        g_autofree gchar *name = g_strdup_printf(CAPTURE_MEASURE_LEVEL_PREFIX "%d", track);
        GstElement *level = gst_element_factory_make("level", name);

        if (!level)
                return NULL;
        g_object_set(level, "interval", (guint64) LEVEL_INTERVAL, "post-messages", TRUE, NULL);
        gst_bin_add(bin, level);
        return level;
}

static GstClockTime running_time_of(GstPad *pad, GstBuffer *buf) {
        g_autoptr(GstEvent) ev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
        const GstSegment *segment;

        if (!ev || !GST_BUFFER_PTS_IS_VALID(buf))
                return GST_CLOCK_TIME_NONE;
        gst_event_parse_segment(ev, &segment);
        if (segment->format != GST_FORMAT_TIME)
                return GST_CLOCK_TIME_NONE;
        return gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
}

/* The grid's luma into sample[]; FALSE for a picture without a luma plane. */
static gboolean sample_luma(GstPad *pad, GstBuffer *buf, guint8 *sample) {
        g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
        GstVideoInfo info;
        GstVideoFrame frame;
        const guint8 *plane;
        int stride, w, h;

        if (!caps || !gst_video_info_from_caps(&info, caps) ||
            !(GST_VIDEO_INFO_IS_YUV(&info) || GST_VIDEO_INFO_IS_GRAY(&info)) ||
            GST_VIDEO_INFO_COMP_DEPTH(&info, 0) != 8 || GST_VIDEO_INFO_COMP_PSTRIDE(&info, 0) != 1)
                return FALSE;
        if (!gst_video_frame_map(&frame, &info, buf, GST_MAP_READ))
                return FALSE;
        plane = GST_VIDEO_FRAME_COMP_DATA(&frame, 0);
        stride = GST_VIDEO_FRAME_COMP_STRIDE(&frame, 0);
        w = GST_VIDEO_FRAME_COMP_WIDTH(&frame, 0);
        h = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, 0);
        for (int y = 0; y < PICTURE_H; y++) {
                const guint8 *row = plane + (gsize) ((2 * y + 1) * h / (2 * PICTURE_H)) * stride;
                for (int x = 0; x < PICTURE_W; x++)
                        sample[y * PICTURE_W + x] = row[(2 * x + 1) * w / (2 * PICTURE_W)];
        }
        gst_video_frame_unmap(&frame);
        return TRUE;
}

static void post_picture(GstPad *pad, picture_tap *t, GstClockTime rt, const guint8 *sample) {
        GstElement *parent = GST_ELEMENT(gst_pad_get_parent(pad));
        guint64 sum = 0, diff = 0;
        const double n = PICTURE_W * PICTURE_H;

        for (int i = 0; i < PICTURE_W * PICTURE_H; i++) {
                sum += sample[i];
                diff += (guint) abs((int) sample[i] - (int) t->previous[i]);
        }
        if (parent && t->have_previous)
                gst_element_post_message(
                        parent,
                        gst_message_new_element(GST_OBJECT(parent),
                                                gst_structure_new(CAPTURE_MEASURE_PICTURE_MESSAGE, "camera",
                                                                  G_TYPE_INT, t->camera, "running-time",
                                                                  G_TYPE_UINT64, rt, "luma", G_TYPE_DOUBLE,
                                                                  (double) sum / n, "change", G_TYPE_DOUBLE,
                                                                  (double) diff / n, NULL)));
        memcpy(t->previous, sample, sizeof(t->previous));
        t->have_previous = TRUE;
        gst_clear_object(&parent);
}

/* Runs in the camera's streaming thread only, so t needs no lock. */
static GstPadProbeReturn on_picture(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        picture_tap *t = data;
        GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
        GstClockTime rt = running_time_of(pad, buf);
        guint8 sample[PICTURE_W * PICTURE_H];

        if (!GST_CLOCK_TIME_IS_VALID(rt) || (GST_CLOCK_TIME_IS_VALID(t->next) && rt < t->next))
                return GST_PAD_PROBE_OK;
        /* a gap (a camera replaced, a clock step) restarts the rhythm */
        t->next = GST_CLOCK_TIME_IS_VALID(t->next) && rt < t->next + PICTURE_INTERVAL
                          ? t->next + PICTURE_INTERVAL
                          : rt + PICTURE_INTERVAL;
        if (sample_luma(pad, buf, sample))
                post_picture(pad, t, rt, sample);
        return GST_PAD_PROBE_OK;
}

int capture_measure_picture_install(GstElement *camera_caps, int camera) {
        g_autoptr(GstPad) pad = gst_element_get_static_pad(camera_caps, "src");
        picture_tap *t;

        if (!pad)
                return -EINVAL;
        t = g_new0(picture_tap, 1);
        t->camera = camera;
        t->next = GST_CLOCK_TIME_NONE;
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_picture, t, g_free);
        return 0;
}

/* ---- reading the messages ---------------------------------------------- */

static bool in_range(double v, double lo, double hi) {
        return isfinite(v) && v >= lo && v <= hi;
}

static bool parse_picture(const GstStructure *s, capture_measure *ret) {
        int camera;
        guint64 rt;
        double luma, change;

        if (!gst_structure_get_int(s, "camera", &camera) || (camera != 1 && camera != 2) ||
            !gst_structure_get_uint64(s, "running-time", &rt) || !GST_CLOCK_TIME_IS_VALID(rt) ||
            !gst_structure_get_double(s, "luma", &luma) || !in_range(luma, 0, 255) ||
            !gst_structure_get_double(s, "change", &change) || !in_range(change, 0, 255))
                return false;
        *ret = (capture_measure){
                .kind = CAPTURE_MEASURE_PICTURE,
                .camera = camera,
                .running_time = rt,
                .rms_db = RMS_FLOOR_DB,
                .luma = luma,
                .change = change,
        };
        return true;
}

/* The level element reports each channel's RMS as a GValueArray of
 * doubles (-inf, or about -700, for digital silence). */
static bool loudest_rms(const GstStructure *s, double *ret) {
        const GValue *v = gst_structure_get_value(s, "rms");
        double loudest = -INFINITY;
        GValueArray *arr;

        G_GNUC_BEGIN_IGNORE_DEPRECATIONS
        if (!v || !G_VALUE_HOLDS(v, g_value_array_get_type()))
                return false;
        arr = g_value_get_boxed(v);
        if (!arr || arr->n_values == 0 || arr->n_values > LEVEL_MAX_CHANNELS)
                return false;
        for (guint i = 0; i < arr->n_values; i++) {
                const GValue *ch = &arr->values[i];
                double db;
                if (!G_VALUE_HOLDS_DOUBLE(ch))
                        return false;
                db = g_value_get_double(ch);
                if (isnan(db))
                        return false;
                loudest = MAX(loudest, db);
        }
        G_GNUC_END_IGNORE_DEPRECATIONS
        *ret = loudest < RMS_FLOOR_DB ? RMS_FLOOR_DB : MIN(loudest, 0.0);
        return true;
}

/* Only our level elements, "audio-level-N": a profile's source may hold
 * another. */
static int level_track(GstMessage *m) {
        const char *name = GST_MESSAGE_SRC(m) ? GST_OBJECT_NAME(GST_MESSAGE_SRC(m)) : NULL;
        guint64 track;

        if (!name || !g_str_has_prefix(name, CAPTURE_MEASURE_LEVEL_PREFIX) ||
            !g_ascii_string_to_unsigned(name + strlen(CAPTURE_MEASURE_LEVEL_PREFIX), 10, 1,
                                        CAPTURE_MAX_TRACKS, &track, NULL))
                return 0;
        return (int) track;
}

static bool parse_level(const GstStructure *s, int track, capture_measure *ret) {
        guint64 rt;
        double rms;

        if (!gst_structure_get_uint64(s, "running-time", &rt) || !GST_CLOCK_TIME_IS_VALID(rt) ||
            !loudest_rms(s, &rms))
                return false;
        *ret = (capture_measure){
                .kind = CAPTURE_MEASURE_AUDIO,
                .track = track,
                .running_time = rt,
                .rms_db = rms,
        };
        return true;
}

bool capture_measure_parse(GstMessage *m, capture_measure *ret) {
        const GstStructure *s;

        if (!m || GST_MESSAGE_TYPE(m) != GST_MESSAGE_ELEMENT || !(s = gst_message_get_structure(m)))
                return false;
        if (gst_structure_has_name(s, CAPTURE_MEASURE_PICTURE_MESSAGE))
                return parse_picture(s, ret);
        if (gst_structure_has_name(s, "level") && level_track(m) > 0)
                return parse_level(s, level_track(m), ret);
        return false;
}
