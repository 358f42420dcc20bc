/* Faults the recording survives (capture.h).
 *
 * A camera that fails posts its error and then sends end of stream down
 * its branch, from its own thread, before the loop hears of the error: that
 * end of stream would close the recording's video. So a sync-message
 * handler marks the camera failed the moment its error is posted, and a
 * probe on the camera's output drops the end of stream that follows. The
 * loop then (capture_pipeline_survive_error) takes the camera out and links
 * a live black source in its place, its timestamps starting at the running
 * time, so the overlay, the encoder and the audio go on.
 *
 * The black source is added only on the fault, so the recording pays
 * nothing for it until then (a standby videotestsrc at 720p30 behind an
 * input-selector would run all the time). */
#include <errno.h>

#include "capture.h"
#include "observation-internal.h"
#include "room-reasons.h"
#include "survive-internal.h"

#define SURVIVE_KEY "studio-capture-survive"
#define CAMERAS 2

typedef struct survive {
        GstElement *camera[CAMERAS]; /* borrowed from the pipeline; owned once taken out */
        gint failed[CAMERAS];        /* atomic: the camera posted an error */
        gboolean replaced[CAMERAS];
} survive;

static void survive_free(gpointer p) {
        survive *s = p;

        for (int i = 0; i < CAMERAS; i++)
                if (s->replaced[i])
                        gst_clear_object(&s->camera[i]);
        g_free(s);
}

static int camera_of(survive *s, GstObject *src) {
        for (int i = 0; i < CAMERAS; i++)
                if (s->camera[i] && (src == GST_OBJECT(s->camera[i]) ||
                                     gst_object_has_as_ancestor(src, GST_OBJECT(s->camera[i]))))
                        return i;
        return -1;
}

/* In the thread that posts the error, before it sends end of stream. */
static void on_sync_error(GstBus *bus, GstMessage *m, gpointer data) {
        survive *s = data;
        int i = camera_of(s, GST_MESSAGE_SRC(m));

        (void) bus;
        if (i >= 0)
                g_atomic_int_set(&s->failed[i], 1);
}

static GstPadProbeReturn drop_eos_after_error(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        gint *failed = data;

        (void) pad;
        if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS && g_atomic_int_get(failed))
                return GST_PAD_PROBE_DROP;
        return GST_PAD_PROBE_OK;
}

int capture_survive_install(GstElement *pipeline) {
        survive *s = g_new0(survive, 1);
        g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);

        for (int i = 0; i < CAMERAS; i++) {
                g_autofree gchar *name = g_strdup_printf("camera%d", i + 1);
                g_autoptr(GstElement) cam = gst_bin_get_by_name(GST_BIN(pipeline), name);
                g_autoptr(GstPad) pad = cam ? gst_element_get_static_pad(cam, "src") : NULL;
                if (!pad)
                        continue;
                s->camera[i] = cam;
                gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, drop_eos_after_error,
                                  &s->failed[i], NULL);
        }
        g_object_set_data_full(G_OBJECT(pipeline), SURVIVE_KEY, s, survive_free);
        gst_bus_enable_sync_message_emission(bus);
        g_signal_connect(bus, "sync-message::error", G_CALLBACK(on_sync_error), s);
        return 0;
}

/* The replacement continues the camera's stream: its own stream-start is
 * swapped for the one already downstream and its segment dropped, so
 * nothing after it sees a new stream. Its timestamps start at the running
 * time and the camera's segment (a live source's: start 0, base 0) maps
 * them to the same running time; with its own segment the encoder's output
 * went back in time and splitmuxsink refused it ("Queued GOP time is
 * negative", measured). */
static GstPadProbeReturn same_stream(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        GstEvent *old = data;

        (void) pad;
        if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_SEGMENT)
                return GST_PAD_PROBE_DROP;
        if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_STREAM_START)
                return GST_PAD_PROBE_OK;
        gst_event_unref(GST_PAD_PROBE_INFO_EVENT(info));
        GST_PAD_PROBE_INFO_DATA(info) = gst_event_ref(old);
        return GST_PAD_PROBE_OK;
}

static int replace_with_black(GstElement *pipeline, survive *s, int i) {
        GstElement *cam = s->camera[i];
        g_autoptr(GstPad) out = gst_element_get_static_pad(cam, "src");
        g_autoptr(GstPad) peer = out ? gst_pad_get_peer(out) : NULL;
        g_autoptr(GstPad) black_out = NULL;
        g_autofree gchar *name = g_strdup_printf("camera%d-black", i + 1);
        GstClockTime now = gst_element_get_current_running_time(pipeline);
        GstElement *black;
        GstEvent *stream_start;

        if (!peer)
                return -ENOTCONN;
        (void) gst_pad_unlink(out, peer);
        gst_object_ref(cam);
        (void) gst_bin_remove(GST_BIN(pipeline), cam);
        (void) gst_element_set_state(cam, GST_STATE_NULL);
        s->replaced[i] = TRUE; /* s->camera[i] is now our reference */

        black = gst_element_factory_make("videotestsrc", name);
        if (!black)
                return -ENOENT;
        g_object_set(black, "is-live", TRUE, "pattern", 2 /* black */, "timestamp-offset",
                     (gint64) (GST_CLOCK_TIME_IS_VALID(now) ? now : 0), NULL);
        gst_bin_add(GST_BIN(pipeline), black);
        black_out = gst_element_get_static_pad(black, "src");
        stream_start = gst_pad_get_sticky_event(peer, GST_EVENT_STREAM_START, 0);
        if (stream_start)
                gst_pad_add_probe(black_out, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, same_stream, stream_start,
                                  (GDestroyNotify) gst_event_unref);
        if (GST_PAD_LINK_FAILED(gst_pad_link(black_out, peer)) || !gst_element_sync_state_with_parent(black))
                return -EIO;
        return 0;
}

static GstElement *observation_of(GstObject *src) {
        for (GstObject *o = src; o; o = GST_OBJECT_PARENT(o))
                if (GST_IS_BIN(o) && (g_strcmp0(GST_OBJECT_NAME(o), CAPTURE_OBSERVATION_VIDEO) == 0 ||
                                      g_strcmp0(GST_OBJECT_NAME(o), CAPTURE_OBSERVATION_AUDIO) == 0))
                        return GST_ELEMENT(o);
        return NULL;
}

static gchar *error_text(GstMessage *error) {
        g_autoptr(GError) e = NULL;

        gst_message_parse_error(error, &e, NULL);
        return g_strdup(e && e->message ? e->message : "unknown error");
}

int capture_pipeline_survive_error(GstElement *pipeline, GstMessage *error, room_reason *ret_reason,
                                   gchar **ret_detail) {
        survive *s = pipeline ? g_object_get_data(G_OBJECT(pipeline), SURVIVE_KEY) : NULL;
        GstObject *src = GST_MESSAGE_SRC(error);
        g_autofree gchar *why = NULL;
        GstElement *obs;
        int i, r;

        if (!s || !src || GST_MESSAGE_TYPE(error) != GST_MESSAGE_ERROR)
                return 0;
        why = error_text(error);
        if ((obs = observation_of(src))) {
                gboolean attached = GST_OBJECT_PARENT(obs) == GST_OBJECT(pipeline);
                *ret_reason = _ROOM_REASON_INVALID;
                *ret_detail = attached ? g_strdup_printf("the observation output %s failed (%s) and was "
                                                         "turned off; the recording goes on",
                                                         GST_OBJECT_NAME(obs), why)
                                       : NULL;
                if (attached)
                        capture_observation_remove(pipeline, obs);
                return 1;
        }
        if ((i = camera_of(s, src)) < 0)
                return 0;
        *ret_reason = i == 0 ? REASON_CAMERA_DISCONNECTED : REASON_CAMERA2_DISCONNECTED;
        if (s->replaced[i]) { /* the same failure's later messages */
                *ret_detail = NULL;
                return 1;
        }
        r = replace_with_black(pipeline, s, i);
        if (r < 0 && r != -EIO)
                return 0;
        *ret_detail = g_strdup_printf("%s failed (%s): its picture is black from here on and the sound is "
                                      "still recorded; check the cable",
                                      i == 0 ? "the camera" : "the second camera", why);
        return 1;
}
