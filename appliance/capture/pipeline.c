/* Builds the recording pipeline from a profile:
 *
 *   video source(s) -> [compositor] -> videoconvert/scale/rate -> caps
 *     -> clockoverlay (date/time + room) -> H.264 -> h264parse -> queue --\
 *   audio tracks (audio.c), each -> Opus|AAC -----------------------------+-> splitmuxsink
 *        (matroskamux streamable, one studiosealsink per segment)
 *
 * Without a session folder the pipeline is built pre-rolled (preroll.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "build-internal.h"
#include "measure-internal.h"
#include "observation-internal.h"
#include "preroll-internal.h"
#include "probe-internal.h"
#include "profile-internal.h"
#include "survive-internal.h"

GstElement *make(build *b, const char *factory, const char *name) {
        GstElement *e = gst_element_factory_make(factory, name);

        if (!e) {
                if (!b->msg)
                        b->msg = g_strdup_printf(
                                "the GStreamer element '%s' is not installed on this machine "
                                "(./run demo installs the plugin packages)",
                                factory);
                return NULL;
        }
        gst_bin_add(b->bin, e);
        return e;
}

GstElement *make_source(build *b, const char *description, const char *what) {
        g_autoptr(GError) error = NULL;
        GstElement *src = gst_parse_bin_from_description(description, TRUE, &error);

        if (!src) {
                b->msg = g_strdup_printf("the %s source '%s' in profile %s cannot be built: %s", what,
                                         description, b->p->path, error ? error->message : "unknown error");
                return NULL;
        }
        /* named, so that an error from inside it is known to be this
         * source's (survive.c) */
        gst_element_set_name(src, what);
        gst_bin_add(b->bin, src);
        return src;
}

gboolean link_chain(build *b, GstElement **chain, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!chain[i])
                        return FALSE;
        for (size_t i = 0; i + 1 < n; i++) {
                if (!gst_element_link(chain[i], chain[i + 1])) {
                        b->msg = g_strdup_printf("could not link %s to %s in profile %s",
                                                 GST_ELEMENT_NAME(chain[i]), GST_ELEMENT_NAME(chain[i + 1]),
                                                 b->p->path);
                        return FALSE;
                }
        }
        return TRUE;
}

static GstElement *scaled_camera(build *b, const char *description, int camera, int w, int h) {
        const char *name = camera == 1 ? "camera1" : "camera2";
        g_autofree gchar *caps_name = g_strdup_printf("%s-caps", name);
        g_autofree gchar *with_caps = NULL;
        /* a camera's caps from what it offers (v4l2.c); other sources as
         * written */
        int r = capture_v4l2_source(description, camera == 1 ? "camera" : "second camera", w, h,
                                    b->p->framerate, &with_caps, &b->msg);
        GstElement *chain[] = {
                r < 0 ? NULL : make_source(b, with_caps ? with_caps : description, name),
                make(b, "videoconvert", NULL),
                make(b, "videoscale", NULL),
                make(b, "videorate", NULL),
                make(b, "capsfilter", caps_name),
        };
        g_autoptr(GstCaps) caps = NULL;

        if (r < 0)
                b->error = r;
        if (!chain[4] || r < 0)
                return NULL;
        /* I420 end to end: what the encoders take, and test sources make it
         * directly, which halves their cost (measured) */
        caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, w,
                                   "height", G_TYPE_INT, h, "framerate", GST_TYPE_FRACTION, b->p->framerate,
                                   1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
        g_object_set(chain[4], "caps", caps, NULL);
        if (!link_chain(b, chain, G_N_ELEMENTS(chain)))
                return NULL;
        /* before the overlay: its running clock would hide a frozen
         * picture and its text would lift a black one */
        if (b->o->measure && capture_measure_picture_install(chain[4], camera) < 0) {
                b->msg = g_strdup("could not put the picture measurement on the camera");
                return NULL;
        }
        return chain[4];
}

static void place(GstElement *mixer, const char *pad_name, int x, int y, int w, int h, guint zorder) {
        g_autoptr(GstPad) pad = gst_element_get_static_pad(mixer, pad_name);
        g_object_set(pad, "xpos", x, "ypos", y, "width", w, "height", h, "zorder", zorder, NULL);
}

/* The compositor sizes its output to the inputs' extent; the picture must be
 * the profile's size whatever the layout (side by side leaves bars). */
static gboolean fixed_size(build *b, GstElement *mixer, GstElement **ret) {
        GstElement *filter = make(b, "capsfilter", "mixer-caps");
        g_autoptr(GstCaps) caps = NULL;

        if (!filter)
                return FALSE;
        caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                                   b->p->width, "height", G_TYPE_INT, b->p->height, NULL);
        g_object_set(filter, "caps", caps, NULL);
        if (!gst_element_link(mixer, filter)) {
                b->msg = g_strdup("could not link the compositor to its output size");
                return FALSE;
        }
        *ret = filter;
        return TRUE;
}

/* Two cameras into one picture: side by side, or the close-up (source2)
 * as a quarter-size inset in the lower right corner of the overview. */
static GstElement *composited_video(build *b) {
        const capture_profile *p = b->p;
        gboolean pip = p->layout == CAPTURE_LAYOUT_PICTURE_IN_PICTURE;
        int half_w = (p->width / 2) & ~1;
        /* Inset a third of the picture; side by side each gets half the width. */
        int w2 = pip ? (p->width / 3) & ~1 : half_w;
        int h2 = pip ? (p->height / 3) & ~1 : (p->height / 2) & ~1;
        GstElement *mixer = make(b, "compositor", "mixer");
        GstElement *cam1, *cam2, *out = NULL;

        if (!mixer)
                return NULL;
        cam1 = scaled_camera(b, p->video_source, 1, pip ? p->width : half_w, pip ? p->height : h2);
        cam2 = scaled_camera(b, p->video_source2, 2, w2, h2);
        if (!cam1 || !cam2)
                return NULL;
        if (!gst_element_link_pads(cam1, "src", mixer, "sink_0") ||
            !gst_element_link_pads(cam2, "src", mixer, "sink_1")) {
                b->msg = g_strdup("could not link the two cameras to the compositor");
                return NULL;
        }
        if (!fixed_size(b, mixer, &out))
                return NULL;
        if (pip) {
                place(mixer, "sink_0", 0, 0, p->width, p->height, 0);
                place(mixer, "sink_1", p->width - w2 - 16, p->height - h2 - 16, w2, h2, 1);
        } else {
                place(mixer, "sink_0", 0, (p->height - h2) / 2, half_w, h2, 0);
                place(mixer, "sink_1", half_w, (p->height - h2) / 2, w2, h2, 0);
        }
        return out;
}

GstElement *observation(build *b, const char *sink, bool video) {
        g_autofree gchar *msg = NULL;
        GstElement *tee = capture_observation_tee(b->bin, sink, video, &msg);

        if (!tee && !b->msg)
                b->msg = msg ? g_steal_pointer(&msg) : g_strdup("could not build the observation output");
        return tee;
}

static GstElement *video_branch(build *b) {
        const capture_profile *p = b->p;
        const char *encoder = capture_choose_encoder(p, &b->msg);
        GstElement *pre, *overlay, *conv, *queue, *enc, *parse;

        if (!encoder)
                return NULL;
        pre = p->video_source2 ? composited_video(b)
                               : scaled_camera(b, p->video_source, 1, p->width, p->height);
        overlay = make(b, "clockoverlay", "overlay");
        conv = make(b, "videoconvert", NULL);
        enc = make(b, encoder, "video-encoder");
        parse = make(b, "h264parse", "video-parse");
        queue = make(b, "queue", "video-queue");
        if (!pre || !overlay || !enc)
                return NULL;
        g_object_set(overlay, "text", b->o->room ? b->o->room : p->room, "time-format",
                     "%Y-%m-%d %H:%M:%S %Z", "halignment", 0 /* left */, "valignment", 2 /* top */,
                     "shaded-background", TRUE, "font-desc", "Sans 18", NULL);
        /* Room for a few seconds while the disk is slow, after the encoder:
         * 3 s of H.264 is about 1.5 MB where 3 s of raw 720p is 124 MB, and
         * the source thread encodes the frame it has just made, still in
         * cache. A raw queue before the encoder cost 4-8 % of the
         * recording's CPU (measured, docs/benchmarks.md). */
        g_object_set(queue, "max-size-time", (guint64) 3 * GST_SECOND, "max-size-buffers", 0u,
                     "max-size-bytes", 0u, NULL);
        capture_configure_encoder(enc, encoder, p);
        /* the observation output shows the picture as recorded: after the
         * overlay, so the colleague sees the time and the room */
        GstElement *chain[7] = {pre, overlay, conv};
        size_t n = 3;
        if (b->o->observation_video)
                chain[n++] = observation(b, b->o->observation_video, true);
        chain[n++] = enc;
        chain[n++] = parse;
        chain[n++] = queue;
        return link_chain(b, chain, n) ? queue : NULL;
}

static GstElement *muxer(build *b) {
        const capture_options *o = b->o;
        GstElement *mux = make(b, "splitmuxsink", "mux");
        g_autofree gchar *location = NULL;
        GstStructure *muxer_props, *sink_props;

        if (!mux)
                return NULL;
        /* pre-rolled: capture_pipeline_open sets it */
        if (o->session_dir)
                location = g_build_filename(o->session_dir, "seg-%06d.mkv.age", NULL);
        muxer_props = gst_structure_new("properties", "streamable", G_TYPE_BOOLEAN, TRUE, NULL);
        sink_props = gst_structure_new(
                "properties", "recipients", G_TYPE_STRING, o->recipients, "checkpoint-interval",
                G_TYPE_UINT64, o->checkpoint_interval_ns ? o->checkpoint_interval_ns : 2 * GST_SECOND, NULL);
        /* async-finalize is what makes splitmuxsink apply muxer-properties and
         * sink-properties (measured on GStreamer 1.22). */
        g_object_set(mux, "async-finalize", TRUE, "muxer-factory", "matroskamux", "muxer-properties",
                     muxer_props, "sink-factory", "studiosealsink", "sink-properties", sink_props,
                     "location", location, "start-index", 1, "max-size-time",
                     o->segment_time_ns ? o->segment_time_ns : CAPTURE_DEFAULT_SEGMENT_TIME_NS,
                     "max-size-bytes", o->segment_bytes ? o->segment_bytes : CAPTURE_DEFAULT_SEGMENT_BYTES,
                     "send-keyframe-requests", TRUE, NULL);
        gst_structure_free(muxer_props);
        gst_structure_free(sink_props);
        return mux;
}

/* The devices a source description names (device=/dev/…) must exist before
 * we start, so a missing camera is named instead of failing deep inside. */
static int check_devices(build *b, const char *description, const char *what) {
        g_auto(GStrv) words = g_strsplit_set(description ? description : "", " \t", -1);

        for (gchar **w = words; *w; w++) {
                const char *dev;
                if (!g_str_has_prefix(*w, "device=/dev/"))
                        continue;
                dev = *w + strlen("device=");
                if (access(dev, F_OK) < 0) {
                        b->msg =
                                g_strdup_printf("the %s %s is not present: plug it in, or fix the source in "
                                                "profile %s",
                                                what, dev, b->p->path);
                        return -ENODEV;
                }
                if (access(dev, R_OK | W_OK) < 0) {
                        b->msg = g_strdup_printf(
                                "the %s %s cannot be opened by this user (%s): add the user to "
                                "the 'video' group",
                                what, dev, g_strerror(errno));
                        return -EACCES;
                }
        }
        return 0;
}

/* The video, then the audio tracks in the profile's order. */
static gboolean link_to_muxer(build *b, GstElement *mux, GstElement *video, GstElement **audio, size_t n) {
        gboolean ok = gst_element_link_pads(video, "src", mux, "video");

        for (size_t i = 0; ok && i < n; i++)
                ok = gst_element_link_pads(audio[i], "src", mux, "audio_%u");
        if (!ok)
                b->msg = g_strdup("could not link the encoders to the segment muxer");
        return ok;
}

int capture_pipeline_build(const capture_profile *p, const capture_options *o, GstElement **ret,
                           gchar **ret_message) {
        build b = {.p = p, .o = o};
        GstElement *pipeline, *mux, *video, *audio[CAPTURE_MAX_AUDIO_OUTPUTS];
        size_t n_audio = 0;
        int r;

        r = check_devices(&b, p->video_source, "camera");
        if (r == 0)
                r = check_devices(&b, p->video_source2, "second camera");
        if (r < 0)
                goto fail_early;
        pipeline = gst_pipeline_new("recording");
        b.bin = GST_BIN(pipeline);
        mux = muxer(&b);
        video = mux ? video_branch(&b) : NULL;
        if (!video || capture_audio_build(&b, audio, &n_audio) < 0)
                goto fail;
        if (!link_to_muxer(&b, mux, video, audio, n_audio))
                goto fail;
        if (!o->session_dir &&
            capture_preroll_install(pipeline, mux, video, audio, n_audio, p->video_bitrate) < 0) {
                b.msg = g_strdup("could not put the pre-roll gates on the encoders");
                goto fail;
        }
        (void) capture_survive_install(pipeline);
        *ret = pipeline;
        return 0;

fail:
        gst_object_unref(pipeline);
        r = b.error ? b.error : -EINVAL;
fail_early:
        if (ret_message)
                *ret_message = b.msg ? b.msg : g_strdup("could not build the recording pipeline");
        else
                g_free(b.msg);
        return r;
}
