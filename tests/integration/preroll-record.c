/* Test helper for recording-preroll.sh: builds the pipeline pre-rolled,
 * runs it, opens it into a folder, records, ends with EOS, and prints what
 * it saw as "key: value" lines for the script to check.
 *   usage: preroll-record PROFILE RECIPIENT DIR PREROLL_MS RECORD_MS [SEGMENT_MS] */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "seal.h"

typedef struct run {
        GMainLoop *loop;
        GstElement *pipeline;
        const char *dir;
        guint record_ms;
        int result;
} run;

static unsigned count_files(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        unsigned n = 0;

        while (d && g_dir_read_name(d))
                n++;
        return n;
}

static void print_time(const char *what, GstClockTime t) {
        if (GST_CLOCK_TIME_IS_VALID(t))
                printf("%s: %" G_GUINT64_FORMAT "\n", what, (guint64) t);
        else
                printf("%s: none\n", what);
}

static gboolean on_eos_timeout(gpointer data) {
        run *x = data;

        printf("error: no end of stream within 10 s\n");
        x->result = -ETIMEDOUT;
        g_main_loop_quit(x->loop);
        return G_SOURCE_REMOVE;
}

static gboolean on_stop(gpointer data) {
        run *x = data;

        print_time("media-time-at-stop", capture_pipeline_media_time(x->pipeline));
        gst_element_send_event(x->pipeline, gst_event_new_eos());
        g_timeout_add_seconds(10, on_eos_timeout, x);
        return G_SOURCE_REMOVE;
}

static gboolean on_open(gpointer data) {
        run *x = data;
        g_autofree gchar *msg = NULL;
        int r;

        printf("files-before-open: %u\n", count_files(x->dir));
        print_time("media-time-before-open", capture_pipeline_media_time(x->pipeline));
        r = capture_pipeline_open(x->pipeline, x->dir, &msg);
        printf("open: %d%s%s\n", r, msg ? " " : "", msg ? msg : "");
        if (r < 0) {
                x->result = r;
                g_main_loop_quit(x->loop);
                return G_SOURCE_REMOVE;
        }
        r = capture_pipeline_open(x->pipeline, x->dir, NULL);
        printf("open-again: %d\n", r);
        print_time("media-time-after-open", capture_pipeline_media_time(x->pipeline));
        g_timeout_add(x->record_ms, on_stop, x);
        return G_SOURCE_REMOVE;
}

static void print_element(GstMessage *m) {
        const GstStructure *st = gst_message_get_structure(m);
        GstClockTime rt;
        guint64 v;

        if (!st)
                return;
        if (gst_structure_has_name(st, "splitmuxsink-fragment-opened") &&
            gst_structure_get_clock_time(st, "running-time", &rt))
                printf("fragment-opened: %" G_GUINT64_FORMAT "\n", (guint64) rt);
        else if (gst_structure_has_name(st, SEAL_MSG_CHECKPOINT) &&
                 gst_structure_get_uint64(st, "media-duration", &v))
                printf("checkpoint-media-duration: %" G_GUINT64_FORMAT "\n", v);
        else if (gst_structure_has_name(st, SEAL_MSG_CLOSED) &&
                 gst_structure_get_uint64(st, "media-duration", &v))
                printf("closed: %s %" G_GUINT64_FORMAT "\n", gst_structure_get_string(st, "segment"), v);
        else if (gst_structure_has_name(st, SEAL_MSG_ABORTED))
                printf("aborted: %s\n", gst_structure_get_string(st, "segment"));
}

static gboolean on_bus(GstBus *bus, GstMessage *m, gpointer data) {
        run *x = data;
        g_autoptr(GError) e = NULL;

        (void) bus;
        switch (GST_MESSAGE_TYPE(m)) {
        case GST_MESSAGE_ELEMENT:
                print_element(m);
                break;
        case GST_MESSAGE_EOS:
                printf("eos\n");
                g_main_loop_quit(x->loop);
                break;
        case GST_MESSAGE_ERROR:
                gst_message_parse_error(m, &e, NULL);
                printf("error: %s\n", e->message);
                x->result = -EIO;
                g_main_loop_quit(x->loop);
                break;
        default:
                break;
        }
        return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;
        capture_options o = {0};
        run x = {0};
        g_autoptr(GstBus) bus = NULL;

        gst_init(&argc, &argv);
        if (argc != 6 && argc != 7) {
                fprintf(stderr, "usage: preroll-record PROFILE RECIPIENT DIR PREROLL_MS RECORD_MS "
                                "[SEGMENT_MS]\n");
                return 2;
        }
        seal_register();
        o.recipients = argv[2];
        o.checkpoint_interval_ns = GST_SECOND / 2;
        if (argc == 7)
                o.segment_time_ns = g_ascii_strtoull(argv[6], NULL, 10) * GST_MSECOND;
        if (capture_profile_load(argv[1], &p, &msg) < 0 ||
            capture_pipeline_build(p, &o, &x.pipeline, &msg) < 0) {
                fprintf(stderr, "preroll-record: %s\n", msg);
                return 1;
        }
        x.dir = argv[3];
        x.record_ms = (guint) g_ascii_strtoull(argv[5], NULL, 10);
        x.loop = g_main_loop_new(NULL, FALSE);
        bus = gst_element_get_bus(x.pipeline);
        gst_bus_add_watch(bus, on_bus, &x);
        /* opening too early is refused */
        printf("open-before-playing: %d\n", capture_pipeline_open(x.pipeline, x.dir, NULL));
        if (gst_element_set_state(x.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
                printf("error: the pipeline would not start\n");
        g_timeout_add((guint) g_ascii_strtoull(argv[4], NULL, 10), on_open, &x);
        g_main_loop_run(x.loop);
        gst_element_set_state(x.pipeline, GST_STATE_NULL);
        for (GstMessage *m; (m = gst_bus_pop(bus)); gst_message_unref(m))
                if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT)
                        print_element(m);
        gst_bus_remove_watch(bus);
        gst_object_unref(x.pipeline);
        g_main_loop_unref(x.loop);
        capture_profile_free(p);
        printf("result: %d\n", x.result);
        return x.result < 0 ? 1 : 0;
}
