/* studio-uploader --config FILE [--once]: custody transfer of the spool's
 * sessions to the vault ([uploader] vault). --once uploads what is pending
 * and exits 0 only when every pending object has a confirmed receipt. The
 * daemon watches the spool (inotify through GFileMonitor) and scans it
 * every scan_interval besides; SIGTERM ends it promptly (an upload in
 * flight is redone by the next run: nothing counts before its receipt). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "escape.h"
#include "fsutil.h"
#include "log.h"
#include "notify.h"
#include "studio-conf.h"
#include "uploader.h"
#include "util.h"

#define UPL_DEBOUNCE_MS 500 /* changes in a burst (a segment closing) make one pass */
#define UPL_RETRY_MIN_S 1

static volatile sig_atomic_t busy; /* a pass is under way (on_sigterm) */
static int stop_pipe[2] = {-1, -1};

typedef struct daemon_state {
        upl_ctx *c;
        GMainLoop *loop;
        GHashTable *monitors; /* path -> GFileMonitor */
        guint pass_source;    /* the next pass (debounce or backoff) */
        unsigned failures;    /* in a row: the backoff's exponent */
        backlog_doc last;
} daemon_state;

static void usage(FILE *f) {
        fputs("Usage: studio-uploader [--config FILE] [--once]\n"
              "Hands the spool's sealed sessions to the vault ([uploader] vault) and keeps receipts in\n"
              "SPOOL/receipts/; wipes a local copy only after the vault has confirmed all of it.\n"
              "  --config FILE  studio.conf (default " STUDIO_CONF_DEFAULT_PATH ")\n"
              "  --once         upload what is pending and exit: 0 when every pending object has a\n"
              "                 confirmed receipt, 1 otherwise (the reason on stderr)\n"
              "  --help         this text\n",
              f);
}

static int run_once(upl_ctx *c) {
        upl_pass_result res;

        c->show_progress = isatty(STDERR_FILENO);
        upl_pass(c, false, &res); /* the backlog as it stands, before anything is sent */
        upl_pass_result_clear(&res);
        upl_pass(c, true, &res);
        int ok = res.error == 0 && res.pending == 0;
        if (ok)
                log_info("%u object(s) confirmed by %s in this run; nothing pending", res.sent,
                         vault_describe(c->v));
        else
                log_error("%u object(s) still pending for %s: %s", res.pending, vault_describe(c->v),
                          res.message ? res.message : "see above");
        upl_pass_result_clear(&res);
        return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

static void schedule(daemon_state *d, guint ms);

static void watch(daemon_state *d, const char *path);

/* Every session folder is watched too: a segment is sealed by an append
 * to its custody log, which the spool's own monitor does not see. */
static void watch_sessions(daemon_state *d) {
        g_auto(GStrv) names = NULL;

        if (fs_list_namesat(d->c->spool_fd, FS_LIST_MAX, &names) < 0)
                return;
        for (char **n = names; *n; n++) {
                mode_t mode;
                if (upl_session_name_valid(*n) && fs_kindat(d->c->spool_fd, *n, &mode) == 0 &&
                    S_ISDIR(mode)) {
                        g_autofree gchar *p = g_build_filename(d->c->conf->spool, *n, NULL);
                        watch(d, p);
                }
        }
}

static guint backoff_ms(daemon_state *d, int error) {
        uint64_t max_s = MAX(d->c->conf->retry_max_ns / G_GUINT64_CONSTANT(1000000000), UPL_RETRY_MIN_S);
        if (error == -EACCES) /* credentials: a person must act; no storm */
                return (guint) (max_s * 1000);
        uint64_t s = MIN(max_s, (uint64_t) UPL_RETRY_MIN_S << MIN(d->failures, 20u));
        return (guint) (s * 1000 * g_random_double_range(0.5, 1.0)); /* jitter: many appliances, one vault */
}

static gboolean on_pass(gpointer userdata) {
        daemon_state *d = userdata;
        upl_pass_result res;

        d->pass_source = 0;
        watch_sessions(d);
        busy = 1;
        upl_pass(d->c, true, &res);
        busy = 0;
        d->last = res.backlog;
        if (res.error) {
                d->failures++;
                guint ms = backoff_ms(d, res.error);
                log_warning("%s; trying again in %u s", res.message ? res.message : g_strerror(-res.error),
                            ms / 1000);
                schedule(d, ms);
        } else
                d->failures = 0;
        upl_pass_result_clear(&res);
        return G_SOURCE_REMOVE;
}

static void schedule(daemon_state *d, guint ms) {
        if (d->pass_source)
                g_source_remove(d->pass_source);
        d->pass_source = g_timeout_add(ms, on_pass, d);
}

static void on_changed(GFileMonitor *m, GFile *f, GFile *other, GFileMonitorEvent ev, gpointer userdata) {
        daemon_state *d = userdata;

        (void) m, (void) f, (void) other, (void) ev;
        if (d->failures == 0) /* during a backoff the timer decides */
                schedule(d, UPL_DEBOUNCE_MS);
}

static void watch(daemon_state *d, const char *path) {
        if (g_hash_table_contains(d->monitors, path))
                return;
        g_autoptr(GFile) f = g_file_new_for_path(path);
        GFileMonitor *m = g_file_monitor_directory(f, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
        if (!m)
                return; /* the periodic scan still finds it */
        g_signal_connect(m, "changed", G_CALLBACK(on_changed), d);
        g_hash_table_insert(d->monitors, g_strdup(path), m);
}

static gboolean on_scan(gpointer userdata) {
        daemon_state *d = userdata;

        if (!d->pass_source)
                schedule(d, 0);
        return G_SOURCE_CONTINUE;
}

static gboolean on_heartbeat(gpointer userdata) {
        daemon_state *d = userdata;
        g_auto(GStrv) names = NULL;

        busy = 1;
        if (fs_list_namesat(d->c->spool_fd, FS_LIST_MAX, &names) < 0)
                names = g_new0(char *, 1);
        for (char **n = names; *n; n++) {
                g_autofree gchar *msg = NULL;
                if (!upl_session_name_valid(*n))
                        continue;
                int r = upl_heartbeat(d->c, *n, &msg);
                if (r > 0)
                        log_info("%s: heartbeat sent to %s", *n, vault_describe(d->c->v));
                else if (r < 0)
                        log_warning("%s: no heartbeat: %s", *n, msg ? msg : g_strerror(-r));
        }
        busy = 0;
        return G_SOURCE_CONTINUE;
}

static gboolean on_status(gpointer userdata) {
        daemon_state *d = userdata;
        g_autofree gchar *msg = NULL;

        busy = 1;
        int r = upl_status(d->c, &msg);
        busy = 0;
        if (r > 0)
                log_info("status sent to %s", vault_describe(d->c->v));
        else if (r < 0)
                log_warning("no status object: %s", msg ? msg : g_strerror(-r));
        return G_SOURCE_CONTINUE;
}

static gboolean on_backlog(gpointer userdata) {
        daemon_state *d = userdata;

        upl_backlog_publish(d->c, &d->last);
        return G_SOURCE_CONTINUE;
}

/* SIGTERM while an object is in flight ends the process at once: nothing
 * counts before its receipt is on disk, a cut receipt line is refused and
 * its object confirmed again, and the vault sweeps the temporary file, so
 * the next run redoes it. Otherwise the main loop ends as usual. */

static void on_sigterm(int sig) {
        (void) sig;
        if (busy)
                _exit(EXIT_SUCCESS);
        (void) !write(stop_pipe[1], "x", 1);
}

static gboolean on_stop(gint fd, GIOCondition cond, gpointer loop) {
        (void) fd, (void) cond;
        (void) notify_stopping("stopping");
        g_main_loop_quit(loop);
        return G_SOURCE_CONTINUE;
}

static int stop_signals(GMainLoop *loop) {
        struct sigaction sa = {.sa_handler = on_sigterm};

        if (!g_unix_open_pipe(stop_pipe, FD_CLOEXEC, NULL))
                return -EIO;
        g_unix_set_fd_nonblocking(stop_pipe[1], TRUE, NULL);
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
                return -errno;
        g_unix_fd_add(stop_pipe[0], G_IO_IN, on_stop, loop);
        return 0;
}

/* The backlog as it stands, published before anything is sent (a first
 * pass may upload for long): then the status page tells the truth and the
 * daemon is ready. */
static void first_backlog(daemon_state *d) {
        upl_pass_result res;

        upl_pass(d->c, false, &res);
        d->last = res.backlog;
        upl_pass_result_clear(&res);
        (void) notify_watchdog_start();
        (void) notify_ready("backlog published; watching the spool");
}

static int run_daemon(upl_ctx *c) {
        daemon_state d = {.c = c, .loop = g_main_loop_new(NULL, FALSE)};

        d.monitors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
        watch(&d, c->conf->spool);
        if (stop_signals(d.loop) < 0)
                return log_error_errno(-EIO, "cannot set up SIGTERM handling"), EXIT_FAILURE;
        g_timeout_add_seconds((guint) MAX(c->conf->scan_interval_ns / G_GUINT64_CONSTANT(1000000000), 1),
                              on_scan, &d);
        g_timeout_add_seconds(BACKLOG_REFRESH_S, on_backlog, &d);
        g_timeout_add_seconds(
                (guint) MAX(c->conf->heartbeat_interval_ns / G_GUINT64_CONSTANT(1000000000), 1),
                on_heartbeat, &d);
        g_timeout_add_seconds((guint) MAX(c->conf->status_interval_ns / G_GUINT64_CONSTANT(1000000000), 1),
                              on_status, &d);
        log_info("watching %s for %s", c->conf->spool, vault_describe(c->v));
        first_backlog(&d);
        schedule(&d, 0);
        g_main_loop_run(d.loop);
        log_info("stopping");
        g_hash_table_unref(d.monitors);
        g_main_loop_unref(d.loop);
        return EXIT_SUCCESS;
}

/* A device not provisioned yet has no vault: the daemon says so once and
 * waits, ready and watched, rather than fail and be restarted in a loop
 * (provisioning runs before it at boot; every session stays in the spool). */
static int wait_unprovisioned(void) {
        g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

        if (stop_signals(loop) < 0)
                return log_error_errno(-EIO, "cannot set up SIGTERM handling"), EXIT_FAILURE;
        log_notice("no vault is configured ([uploader] vault): the device is not provisioned yet, so "
                   "nothing is sent and every session stays in the spool; waiting (provisioning sets it)");
        (void) notify_watchdog_start();
        (void) notify_ready("no vault configured: waiting for provisioning");
        g_main_loop_run(loop);
        return EXIT_SUCCESS;
}

/* "FILE line N: " for an [uploader] key, as config.c names every other
 * section's errors ("FILE: " when the key is not in the file). */
static gchar *conf_where(const char *path, const char *key) {
        g_autoptr(config_file) cf = NULL;
        g_autofree gchar *msg = NULL;
        g_autofree char *shown = escape_text(path ? path : STUDIO_CONF_DEFAULT_PATH);
        unsigned line = 0;

        if (key && config_file_load(path ? path : STUDIO_CONF_DEFAULT_PATH, &cf, &msg) == 0)
                line = config_file_line(cf, "uploader", key);
        return line ? g_strdup_printf("%s line %u: ", shown, line) : g_strdup_printf("%s: ", shown);
}

/* The command line into *ret_config and *ret_once: returns -1 to go on,
 * else the exit status (after --help or a wrong command line). */
static int parse_args(int argc, char **argv, const char **ret_config, bool *ret_once) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"once", no_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        int opt;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (opt) {
                case 'c':
                        *ret_config = optarg;
                        break;
                case 'o':
                        *ret_once = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                log_unexpected_argument(argv[optind]);
                return 2;
        }
        return -1;
}

/* studio.conf, with the uploader's credentials checked; NULL, the error
 * logged, when it cannot be used. */
static studio_conf *load_conf(const char *config) {
        g_autoptr(studio_conf) conf = NULL;
        g_autofree gchar *msg = NULL;
        int r;

        r = studio_conf_load(config, &conf, &msg);
        if (r >= 0)
                r = studio_conf_check_credentials(conf, "uploader", &msg);
        if (r < 0) {
                log_error("%s", msg);
                return NULL;
        }
        return g_steal_pointer(&conf);
}

int main(int argc, char **argv) {
        g_autoptr(studio_conf) conf = NULL;
        g_autofree gchar *msg = NULL;
        const char *config = NULL;
        bool once = false;
        vault *v = NULL;
        upl_ctx c;
        int r;

        log_init("studio-uploader", LOG_TARGET_AUTO);
        r = parse_args(argc, argv, &config, &once);
        if (r >= 0)
                return r;
        conf = load_conf(config);
        if (!conf)
                return EXIT_FAILURE;
        log_set_max_level(conf->uploader.log_level);
        if (!once && !conf->uploader.vault)
                return wait_unprovisioned();
        const char *bad_key = NULL;
        r = vault_open_key(&conf->uploader, &v, &bad_key, &msg);
        if (r < 0) {
                g_autofree gchar *where = conf_where(conf->path, bad_key);
                log_error("%s%s", where, msg);
                return EXIT_FAILURE;
        }
        r = upl_ctx_init(&c, &conf->uploader, v, &msg);
        if (r < 0) {
                log_error("%s", msg);
                vault_free(v);
                return EXIT_FAILURE;
        }
        g_autofree gchar *keys = g_path_get_dirname(conf->recorder.device_key);
        g_autofree gchar *device_id = g_build_filename(keys, "device.id", NULL);
        c.room_state_file = conf->recorder.state_file;
        c.device_id_file = device_id;
        int status = once ? run_once(&c) : run_daemon(&c);
        upl_ctx_done(&c);
        vault_free(v);
        return status;
}
