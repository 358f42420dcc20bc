/* The observation output: the colleague in the next room watches the
 * recording on a directly connected monitor and speaker.
 *
 *   ... -> tee --------------------------------------> the recording
 *           \-> [observation-video: queue (leaky) ! videoconvert ! SINK]
 *
 * The branch must never hold the recording back or end it:
 * - the queue is leaky and small, so a sink that stops consuming only
 *   loses pictures of its own;
 * - the tee's pad into the branch carries a probe that hands each buffer
 *   on itself and always answers OK, because a queue whose sink failed
 *   answers every later buffer with that failure, and a tee passes a
 *   failure on to the camera, which would stop;
 * - the bin is not counted as one of the pipeline's sinks, so end of stream
 *   and state changes never wait for a monitor that is stuck;
 * - an error from inside the bin takes the branch out (survive.c). */
#include <string.h>

#include "observation-internal.h"

#define OBSERVATION_STATE_KEY "studio-observation"

typedef struct branch_state {
        gint lost; /* atomic: nothing more goes into the branch */
} branch_state;

static GstPadProbeReturn shield(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        branch_state *st = data;
        g_autoptr(GstPad) peer = NULL;
        GstFlowReturn r;

        if (g_atomic_int_get(&st->lost) || !(peer = gst_pad_get_peer(pad)))
                return GST_PAD_PROBE_DROP;
        if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
                r = gst_pad_chain_list(peer, GST_PAD_PROBE_INFO_BUFFER_LIST(info));
        else
                r = gst_pad_chain(peer, GST_PAD_PROBE_INFO_BUFFER(info));
        GST_PAD_PROBE_INFO_DATA(info) = NULL; /* taken by the chain */
        if (r <= GST_FLOW_NOT_NEGOTIATED)
                g_atomic_int_set(&st->lost, 1);
        GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_OK;
        return GST_PAD_PROBE_HANDLED;
}

/* A live monitor shows what comes as it comes (sync=false) unless the
 * configuration says otherwise, and never holds up a state change. */
static void live_sinks(GstElement *branch, const char *sink_description) {
        g_autoptr(GstIterator) it = gst_bin_iterate_sinks(GST_BIN(branch));
        GValue v = G_VALUE_INIT;
        gboolean sync_given = strstr(sink_description, " sync=") != NULL;

        while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
                GObject *sink = g_value_get_object(&v);
                if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "async"))
                        g_object_set(sink, "async", FALSE, NULL);
                if (!sync_given && g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "sync"))
                        g_object_set(sink, "sync", FALSE, NULL);
                g_value_reset(&v);
        }
        g_value_unset(&v);
}

static GstElement *make_branch(const char *name, const char *sink_description, bool video,
                               gchar **ret_message) {
        g_autofree gchar *desc =
                g_strdup_printf("queue name=%s-queue leaky=downstream max-size-buffers=%u max-size-bytes=0 "
                                "max-size-time=0 ! %s ! %s",
                                name, video ? 2u : 8u,
                                video ? "videoconvert" : "audioconvert ! audioresample", sink_description);
        g_autoptr(GError) error = NULL;
        GstElement *branch = gst_parse_bin_from_description(desc, TRUE, &error);

        if (!branch) {
                *ret_message = g_strdup_printf(
                        "the observation %s sink '%s' cannot be built: %s (fix [observation] %s in "
                        "studio.conf, or leave it out)",
                        video ? "video" : "audio", sink_description,
                        error ? error->message : "unknown error", video ? "video_sink" : "audio_sink");
                return NULL;
        }
        gst_element_set_name(branch, name);
        live_sinks(branch, sink_description);
        return branch;
}

GstElement *capture_observation_tee(GstBin *bin, const char *sink_description, bool video,
                                    gchar **ret_message) {
        const char *name = video ? CAPTURE_OBSERVATION_VIDEO : CAPTURE_OBSERVATION_AUDIO;
        g_autofree gchar *tee_name = g_strdup_printf("%s-tee", name);
        GstElement *branch = make_branch(name, sink_description, video, ret_message);
        GstElement *tee;
        g_autoptr(GstPad) sink_pad = NULL, tee_pad = NULL;
        branch_state *st;

        if (!branch)
                return NULL;
        tee = gst_element_factory_make("tee", tee_name);
        g_object_set(tee, "allow-not-linked", TRUE, NULL);
        gst_bin_add_many(bin, tee, branch, NULL);
        /* not one of the pipeline's sinks (see the top of the file) */
        GST_OBJECT_FLAG_UNSET(branch, GST_ELEMENT_FLAG_SINK);
        if (!gst_element_link(tee, branch)) {
                *ret_message = g_strdup_printf("could not link the observation output to the %s",
                                               video ? "picture" : "sound");
                return NULL;
        }
        sink_pad = gst_element_get_static_pad(branch, "sink");
        tee_pad = gst_pad_get_peer(sink_pad);
        /* shared by the bin and the probe, whichever goes last */
        st = g_rc_box_new0(branch_state);
        g_object_set_data_full(G_OBJECT(branch), OBSERVATION_STATE_KEY, st, g_rc_box_release);
        gst_pad_add_probe(tee_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, shield,
                          g_rc_box_acquire(st), g_rc_box_release);
        return tee;
}

void capture_observation_remove(GstElement *pipeline, GstElement *observation_bin) {
        branch_state *st = g_object_get_data(G_OBJECT(observation_bin), OBSERVATION_STATE_KEY);
        g_autoptr(GstPad) sink_pad = gst_element_get_static_pad(observation_bin, "sink");
        g_autoptr(GstPad) tee_pad = sink_pad ? gst_pad_get_peer(sink_pad) : NULL;
        g_autoptr(GstElement) tee = tee_pad ? gst_pad_get_parent_element(tee_pad) : NULL;

        if (st)
                g_atomic_int_set(&st->lost, 1);
        if (tee_pad) {
                (void) gst_pad_unlink(tee_pad, sink_pad);
                gst_element_release_request_pad(tee, tee_pad);
        }
        gst_object_ref(observation_bin);
        (void) gst_bin_remove(GST_BIN(pipeline), observation_bin);
        (void) gst_element_set_state(observation_bin, GST_STATE_NULL);
        gst_object_unref(observation_bin);
}
