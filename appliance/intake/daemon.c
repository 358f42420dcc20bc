/* studio-intake without --once: a pass at start, then one every
 * [intake] interval, on one GMainLoop. systemd's Type=notify: READY=1 after
 * the first pass, WATCHDOG=1 from the loop and from each session of a long
 * pass (notify.h), STOPPING=1 on SIGTERM, which ends the daemon between
 * two sessions (a pass killed outright loses nothing: the next one
 * finishes the work). */
#include <glib-unix.h>
#include <signal.h>

#include "intake-internal.h"
#include "log.h"
#include "notify.h"

typedef struct daemon_state {
        intake *in;
        GMainLoop *loop;
} daemon_state;

static void pass_now(daemon_state *d) {
        intake_pass_result res = {};
        g_autofree gchar *msg = NULL;

        if (intake_pass(d->in, &res, &msg) < 0) {
                log_error("%s (the next pass tries again)", msg);
                (void) notify_status("the vault cannot be listed: %s", msg);
                return;
        }
        if (res.written || res.tokens || res.failed)
                log_info("pass: %u session(s), %u record(s) written, %u alert(s), %u failed, %u token(s) "
                         "written, "
                         "%u waiting for the TSA",
                         res.sessions, res.written, res.alerts, res.failed, res.tokens, res.tokens_pending);
        (void) notify_status("%s%u session(s) with records, %u alert(s), %u failed, %u waiting for a token",
                             res.lock_not_enforced ? "VAULT DOES NOT ENFORCE ITS LOCK; " : "",
                             res.sessions - res.failed, res.alerts, res.failed, res.tokens_pending);
}

static gboolean on_timer(gpointer userdata) {
        pass_now(userdata);
        return G_SOURCE_CONTINUE;
}

static gboolean on_stop(gpointer userdata) {
        daemon_state *d = userdata;

        (void) notify_stopping("stopping");
        g_main_loop_quit(d->loop);
        return G_SOURCE_REMOVE;
}

int intake_daemon_main(intake *in) {
        daemon_state d = {.in = in, .loop = g_main_loop_new(NULL, FALSE)};
        guint interval_ms = (guint) (in->conf->interval_ns / 1000000);

        g_unix_signal_add(SIGTERM, on_stop, &d);
        g_unix_signal_add(SIGINT, on_stop, &d);
        (void) notify_watchdog_start();
        pass_now(&d);
        (void) notify_ready("first pass done");
        log_info("watching %s every %u ms; records in %s", in->conf->vault, interval_ms, in->conf->records);
        g_timeout_add(interval_ms, on_timer, &d);
        g_main_loop_run(d.loop);
        g_main_loop_unref(d.loop);
        return 0;
}
