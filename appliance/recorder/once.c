/* The --once driver: the duration timer and signals are events into one
 * GMainLoop, which the controller's bus handling shares. */
#include "once.h"

#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>

#include "fdutil.h"
#include "fsutil.h"
#include "log.h"
#include "session.h"

enum { EXIT_NOTHING_RECORDED = 1, EXIT_FAULT = 3 };

typedef struct once {
        GMainLoop *loop;
        rec_controller *ctl;
        const rec_settings *settings;
        const once_options *o;
        guint duration_timer;
        GstClockTime recorded_at_check; /* what on_duration last found recorded */
        int exit_status;
        bool on_break; /* the break is the driver's state, as the daemon's */
} once;

static gboolean on_duration(gpointer data);

/* The duration is media time, so that --duration 20s records 20 s however
 * long the camera takes to start (the first segment file appears only
 * once its first keyframe interval is complete). */
static void on_recording(void *userdata) {
        once *x = userdata;
        GstClockTime t = rec_controller_media_time(x->ctl);
        uint64_t left = x->o->duration_ns;

        log_info("recording into %s", rec_controller_session_dir(x->ctl));
        if (GST_CLOCK_TIME_IS_VALID(t))
                left = left > t ? left - t : 0;
        if (x->o->duration_ns && !x->duration_timer)
                x->duration_timer = g_timeout_add((guint) (left / 1000000), on_duration, x);
}

static void on_fault(room_reason reason, const char *detail, void *userdata) {
        (void) userdata;
        if (reason >= 0)
                log_warning("%s: %s", room_reason_to_string(reason), detail);
        else
                log_warning("warning: %s", detail);
}

static void print_summary(const char *dir, int sealed) {
        g_auto(fd_owned) fd = fs_open_dir(dir);
        g_auto(GStrv) names = NULL;
        g_autofree gchar *id = g_path_get_basename(dir);
        g_autoptr(GString) list = g_string_new(NULL);

        if (fd >= 0 && fs_list_namesat(fd, FS_LIST_MAX, &names) == 0)
                for (char **n = names; *n; n++)
                        g_string_append_printf(list, "\n  %s", *n);
        log_info("session %s: %d segment(s) sealed%s", id, sealed, list->str);
}

/* The pipeline failed before its first segment file was made (a camera
 * that cannot be opened or is busy): nothing was recorded. A signed
 * session keeps its closed record, so the device chain shows the attempt. */
static int not_started(const once *x, const rec_outcome *o) {
        log_error("nothing was recorded: %s", o->message ? o->message : "the recording did not start");
        if (o->disk_full) {
                g_autofree gchar *disk = rec_session_disk_full_message(x->settings->spool);
                log_error("%s", disk);
        }
        if (o->session_dir) {
                log_info("the attempt is on the custody record in %s", o->session_dir);
                printf("%s\n", o->session_dir);
        }
        return EXIT_NOTHING_RECORDED;
}

static int recorded(const once *x, const rec_outcome *o) {
        bool close_failed = o->session_dir && x->settings->key && !o->closed;

        if (o->result < 0 && !close_failed)
                log_error("the recording ended on a fault: %s", o->message);
        if (o->disk_full) {
                g_autofree gchar *disk = rec_session_disk_full_message(x->settings->spool);
                log_error("%s; the segment being written is closed as truncated at its last signed "
                          "checkpoint",
                          disk);
        }
        if (close_failed)
                log_error("%s", o->message);
        else
                print_summary(o->session_dir, o->sealed);
        printf("%s\n", o->session_dir);
        return (o->result < 0 || close_failed) ? EXIT_FAULT : 0;
}

static void on_ended(const rec_outcome *o, void *userdata) {
        once *x = userdata;

        x->exit_status = o->started ? recorded(x, o) : not_started(x, o);
        fflush(stdout);
        g_main_loop_quit(x->loop);
}

/* A machine that cannot encode as fast as the clock runs records less
 * video than time passes: the duration waits for the video, as long as
 * the video is still coming (a stalled camera is the watchdog's). */
#define DURATION_RECHECK_MIN_MS 500

static bool wait_for_video(once *x) {
        GstClockTime recorded = rec_controller_recorded_time(x->ctl);
        uint64_t left_ms;

        if (!GST_CLOCK_TIME_IS_VALID(recorded) || recorded >= x->o->duration_ns ||
            (GST_CLOCK_TIME_IS_VALID(x->recorded_at_check) && recorded <= x->recorded_at_check))
                return false;
        if (!GST_CLOCK_TIME_IS_VALID(x->recorded_at_check))
                log_info("%.1f s of video recorded when %.1f s have passed: the machine is encoding "
                         "slower than real time; recording on to %.1f s of video",
                         recorded / 1e9, x->o->duration_ns / 1e9, x->o->duration_ns / 1e9);
        x->recorded_at_check = recorded;
        left_ms = (x->o->duration_ns - recorded) / 1000000;
        x->duration_timer = g_timeout_add((guint) MAX(left_ms, DURATION_RECHECK_MIN_MS), on_duration, x);
        return true;
}

static gboolean on_duration(gpointer data) {
        once *x = data;

        x->duration_timer = 0;
        if (wait_for_video(x))
                return G_SOURCE_REMOVE;
        log_info("stopping (duration reached)");
        rec_controller_stop(x->ctl, "stopped");
        return G_SOURCE_REMOVE;
}

static gboolean on_stop_signal(gpointer data) {
        once *x = data;

        log_info("stopping (signal)");
        rec_controller_stop(x->ctl, "stopped");
        return G_SOURCE_CONTINUE;
}

/* SIGUSR1 bookmarks the current moment (the panel's Mark key in the daemon). */
static gboolean on_mark(gpointer data) {
        once *x = data;
        g_autofree gchar *msg = NULL;

        if (rec_controller_mark(x->ctl, "signal", NULL, &msg) >= 0)
                log_info("mark");
        return G_SOURCE_CONTINUE;
}

/* SIGUSR2 starts a break and, the next time, resumes. The room is still
 * recorded through a break: the signed entries say when the interview
 * paused, nothing is left out. */
static gboolean on_break(gpointer data) {
        once *x = data;
        g_autofree gchar *msg = NULL;
        bool resume = x->on_break;
        int r = resume ? rec_controller_resume(x->ctl, "signal", &msg)
                       : rec_controller_break(x->ctl, "signal", &msg);

        if (r >= 0) {
                x->on_break = !resume;
                log_info("%s", resume ? "resume" : "break");
        }
        return G_SOURCE_CONTINUE;
}

int once_main(const rec_settings *settings, const once_options *o) {
        const rec_controller_callbacks cb = {on_recording, on_fault, on_ended, NULL};
        once x = {.settings = settings,
                  .o = o,
                  .exit_status = EXIT_NOTHING_RECORDED,
                  .recorded_at_check = GST_CLOCK_TIME_NONE};
        g_autofree gchar *msg = NULL;
        guint sources[4] = {0};
        int r;

        r = rec_controller_new(settings, &cb, &x, &x.ctl, &msg);
        if (r < 0) {
                log_error("%s", msg);
                return EXIT_NOTHING_RECORDED;
        }
        x.loop = g_main_loop_new(NULL, FALSE);
        r = rec_controller_start(x.ctl, o->officer, &msg);
        if (r < 0 && !rec_controller_session_dir(x.ctl) && !rec_controller_ending(x.ctl)) {
                /* refused before anything existed (the pipeline could not
                 * start, the disk is full): no outcome follows */
                log_error("nothing was recorded: %s", msg);
                goto out;
        }
        if (o->recovery_note)
                (void) rec_controller_note(x.ctl, "spool-recovery", o->recovery_note);
        sources[0] = g_unix_signal_add(SIGINT, on_stop_signal, &x);
        sources[1] = g_unix_signal_add(SIGTERM, on_stop_signal, &x);
        sources[2] = g_unix_signal_add(SIGUSR1, on_mark, &x);
        sources[3] = g_unix_signal_add(SIGUSR2, on_break, &x);
        g_main_loop_run(x.loop);
        for (size_t i = 0; i < G_N_ELEMENTS(sources); i++)
                if (sources[i])
                        g_source_remove(sources[i]);
        if (x.duration_timer)
                g_source_remove(x.duration_timer);
out:
        x.ctl = rec_controller_free(x.ctl);
        g_main_loop_unref(x.loop);
        return x.exit_status;
}
