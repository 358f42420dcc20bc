/* Which H.264 encoder this machine has: hardware first, x264 otherwise. */
#include <errno.h>

#include "profile-internal.h"

static const char *const auto_order[] = {"v4l2h264enc", "vaapih264enc", "x264enc"};

static gboolean have_element(const char *name) {
        g_autoptr(GstElementFactory) f = gst_element_factory_find(name);
        return f != NULL;
}

const char *capture_choose_encoder(const capture_profile *p, gchar **ret_message) {
        if (!g_str_equal(p->encoder, "auto")) {
                if (have_element(p->encoder))
                        return p->encoder;
                if (ret_message)
                        *ret_message = g_strdup_printf(
                                "the encoder '%s' named in profile %s is not installed on this machine (set "
                                "[video] encoder=auto, or install its GStreamer plugin)",
                                p->encoder, p->path);
                return NULL;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(auto_order); i++)
                if (have_element(auto_order[i]))
                        return auto_order[i];
        if (ret_message)
                *ret_message = g_strdup("no H.264 encoder is installed (install gstreamer1.0-plugins-ugly "
                                        "for x264enc)");
        return NULL;
}

/* Sets the rate control and keyframe spacing the encoder understands. */
void capture_configure_encoder(GstElement *enc, const char *name, const capture_profile *p) {
        guint gop = (guint) (p->framerate * p->keyframe_interval);

        if (g_str_equal(name, "x264enc")) {
                gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", p->preset);
                gst_util_set_object_arg(G_OBJECT(enc), "tune", "zerolatency");
                g_object_set(enc, "bitrate", (guint) p->video_bitrate, "key-int-max", gop, NULL);
        } else if (g_str_equal(name, "vaapih264enc")) {
                g_object_set(enc, "bitrate", (guint) p->video_bitrate, "keyframe-period", gop, NULL);
        } else if (g_str_equal(name, "v4l2h264enc")) {
                /* A V4L2 memory-to-memory encoder takes its settings as
                 * driver controls (bits per second, frames per keyframe). */
                g_autoptr(GstStructure) controls = gst_structure_new(
                        "controls", "video_bitrate", G_TYPE_INT, (gint) p->video_bitrate * 1000,
                        "h264_i_frame_period", G_TYPE_INT, (gint) gop, NULL);
                g_object_set(enc, "extra-controls", controls, NULL);
        } else if (g_object_class_find_property(G_OBJECT_GET_CLASS(enc), "bitrate")) {
                g_object_set(enc, "bitrate", (guint) p->video_bitrate, NULL);
        }
}
