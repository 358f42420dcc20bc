/* The --once event loop: bus messages, the duration timer, signals and the
 * bounded wait for end of stream are all events into one GMainLoop. */
#include "once.h"

#include <errno.h>
#include <glib-unix.h>

typedef enum once_state {
        ONCE_RECORDING,
        ONCE_STOPPING, /* EOS sent, waiting for it to come through */
        ONCE_DONE,
} once_state;

typedef struct once {
        GMainLoop *loop;
        GstElement *pipeline;
        rec_session *session;
        const once_options *o;
        once_state state;
        guint eos_timer;
        guint duration_timer;
        gboolean started;
        gboolean on_break;
        int result;
        gchar *message;
} once;

static void finish(once *x, int result, gchar *message) {
        if (x->state == ONCE_DONE) {
                g_free(message);
                return;
        }
        x->state = ONCE_DONE;
        x->result = result;
        g_free(x->message);
        x->message = message;
        g_main_loop_quit(x->loop);
}

/* In about one non-live run in five, splitmuxsink never let EOS through
 * after it had finished every segment (measured, GStreamer 1.22; live runs
 * have not shown it): never wait forever. */
static gboolean on_eos_timeout(gpointer data) {
        once *x = data;

        x->eos_timer = 0;
        (void) rec_session_fault(x->session, "eos-timeout", "end of stream did not arrive in time");
        finish(x, -ETIMEDOUT,
               g_strdup("the pipeline did not finish in time after stop; the last segment may "
                        "read as truncated"));
        return G_SOURCE_REMOVE;
}

static void begin_stop(once *x, const char *why) {
        if (x->state != ONCE_RECORDING)
                return;
        x->state = ONCE_STOPPING;
        g_printerr("studio-recorder: stopping (%s)\n", why);
        gst_element_send_event(x->pipeline, gst_event_new_eos());
        x->eos_timer = g_timeout_add((guint) (x->o->eos_timeout_ns / 1000000), on_eos_timeout, x);
}

static gboolean on_duration(gpointer data) {
        once *x = data;

        x->duration_timer = 0;
        begin_stop(x, "duration reached");
        return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer data) {
        begin_stop(data, "signal");
        return G_SOURCE_CONTINUE;
}

/* SIGUSR1 bookmarks the current moment (the panel's Mark key in the daemon). */
static gboolean on_mark(gpointer data) {
        once *x = data;

        if (x->state == ONCE_RECORDING &&
            rec_session_mark(x->session, "mark", "SIGUSR1",
                             gst_element_get_current_running_time(x->pipeline)) >= 0)
                g_printerr("studio-recorder: mark\n");
        return G_SOURCE_CONTINUE;
}

/* SIGUSR2 starts a break and, the next time, resumes (the panel's
 * Break/Resume key). The room is still recorded through a break: the
 * signed entries say when the interview paused, nothing is left out. */
static gboolean on_break(gpointer data) {
        once *x = data;
        const char *event = x->on_break ? "resume" : "break";

        if (x->state != ONCE_RECORDING)
                return G_SOURCE_CONTINUE;
        if (rec_session_mark(x->session, event, "SIGUSR2",
                             gst_element_get_current_running_time(x->pipeline)) < 0)
                return G_SOURCE_CONTINUE;
        x->on_break = !x->on_break;
        g_printerr("studio-recorder: %s\n", event);
        return G_SOURCE_CONTINUE;
}

static void on_error(once *x, GstMessage *m) {
        g_autofree gchar *why = capture_explain_error(m);
        g_autoptr(GError) e = NULL;

        gst_message_parse_error(m, &e, NULL);
        if (g_error_matches(e, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
                rec_session_note_disk_full(x->session);
        (void) rec_session_fault(x->session, "pipeline-error", why);
        finish(x, -EIO, g_steal_pointer(&why));
}

/* Said once, when the pipeline first runs: tests and operators take the
 * recording's start from this line. */
static void on_state_changed(once *x, GstMessage *m) {
        GstState old_state, new_state;

        if (GST_MESSAGE_SRC(m) != GST_OBJECT(x->pipeline) || x->started)
                return;
        gst_message_parse_state_changed(m, &old_state, &new_state, NULL);
        if (new_state != GST_STATE_PLAYING)
                return;
        x->started = TRUE;
        g_printerr("studio-recorder: recording into %s\n", rec_session_dir(x->session));
}

static gboolean on_bus(GstBus *bus, GstMessage *m, gpointer data) {
        once *x = data;

        switch (GST_MESSAGE_TYPE(m)) {
        case GST_MESSAGE_ELEMENT:
                (void) rec_session_on_element(x->session, m);
                /* the custody log or the close reserve found the disk full:
                 * stop now, while the close still has its room */
                if (rec_session_disk_full(x->session))
                        finish(x, -ENOSPC, g_strdup("the disk is full (the custody log could not grow)"));
                break;
        case GST_MESSAGE_EOS:
                finish(x, 0, NULL);
                break;
        case GST_MESSAGE_ERROR:
                on_error(x, m);
                break;
        case GST_MESSAGE_STATE_CHANGED:
                on_state_changed(x, m);
                break;
        case GST_MESSAGE_WARNING: {
                g_autoptr(GError) e = NULL;
                gst_message_parse_warning(m, &e, NULL);
                g_printerr("studio-recorder: warning: %s\n", e->message);
                break;
        }
        default:
                break;
        }
        return G_SOURCE_CONTINUE;
}

int once_run(GstElement *pipeline, rec_session *session, const once_options *o, gchar **ret_message) {
        once x = {.pipeline = pipeline, .session = session, .o = o, .state = ONCE_RECORDING};
        g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
        guint sigint, sigterm, sigusr1, sigusr2;

        x.loop = g_main_loop_new(NULL, FALSE);
        gst_bus_add_watch(bus, on_bus, &x);
        sigint = g_unix_signal_add(SIGINT, on_signal, &x);
        sigterm = g_unix_signal_add(SIGTERM, on_signal, &x);
        sigusr1 = g_unix_signal_add(SIGUSR1, on_mark, &x);
        sigusr2 = g_unix_signal_add(SIGUSR2, on_break, &x);
        if (o->duration_ns)
                x.duration_timer = g_timeout_add((guint) (o->duration_ns / 1000000), on_duration, &x);

        if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
                /* The error message on the bus says why; let the loop read it. */
                x.state = ONCE_STOPPING;
                x.eos_timer = g_timeout_add(2000, on_eos_timeout, &x);
        }
        g_main_loop_run(x.loop);

        gst_element_set_state(pipeline, GST_STATE_NULL);
        /* Messages posted while shutting down (the last segment's seal) */
        for (GstMessage *m; (m = gst_bus_pop(bus));) {
                if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT)
                        (void) rec_session_on_element(session, m);
                gst_message_unref(m);
        }
        gst_bus_remove_watch(bus);
        g_source_remove(sigint);
        g_source_remove(sigterm);
        g_source_remove(sigusr1);
        g_source_remove(sigusr2);
        if (x.duration_timer)
                g_source_remove(x.duration_timer);
        if (x.eos_timer)
                g_source_remove(x.eos_timer);
        g_main_loop_unref(x.loop);
        *ret_message = x.message;
        return x.result;
}
