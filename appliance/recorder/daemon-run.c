/* The daemon's life: configuration, the lock, provisioning, start-up
 * recovery, the inputs and outputs, the loop, and shutdown in reverse. */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <grp.h>
#include <sodium.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "age.h"
#include "daemon-internal.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "device-key.h"
#include "recovery.h"
#include "session.h"

/* The state is rewritten well within ROOM_STATE_REFRESH_S, so that a
 * reader never mistakes a live recorder for a dead one. */
#define PUBLISH_INTERVAL_S 2

static int make_dirs(const studio_recorder_conf *rc) {
        const char *dirs[] = {rc->state_dir};
        g_autofree gchar *run1 = g_path_get_dirname(rc->state_file);
        g_autofree gchar *run2 = g_path_get_dirname(rc->socket);
        const char *more[] = {run1, run2};

        int r = rec_spool_prepare(rc->spool); /* 2770: shared with the uploader */
        if (r < 0)
                return log_error_errno(r,
                                       "cannot create %s: %s (check the recorder's configuration and its "
                                       "user's rights)",
                                       rc->spool, g_strerror(-r));
        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
                if (g_mkdir_with_parents(dirs[i], 0750) < 0)
                        return log_error_errno(-errno,
                                               "cannot create %s: %s (check the recorder's "
                                               "configuration and its user's rights)",
                                               dirs[i], g_strerror(errno));
        for (size_t i = 0; i < G_N_ELEMENTS(more); i++)
                if (g_mkdir_with_parents(more[i], 0755) < 0)
                        return log_error_errno(-errno, "cannot create %s: %s", more[i], g_strerror(errno));
        return 0;
}

/* One daemon per configuration: a lock on the state folder. */
static int take_lock(rec_daemon *d) {
        const char *dir = d->conf->recorder.state_dir;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return log_error_errno(-errno, "cannot open the state folder %s: %s", dir,
                                       g_strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;
                close(fd);
                if (r == -EWOULDBLOCK)
                        return log_error_errno(-EBUSY,
                                               "another studio-recorder is already running with the state "
                                               "folder %s (configuration %s): stop it first (systemctl stop "
                                               "studio-recorder)",
                                               dir, d->conf->path);
                return log_error_errno(r, "cannot lock the state folder %s: %s", dir, g_strerror(-r));
        }
        d->lock_fd = fd;
        return 0;
}

/* A socket left by a crash is replaced; one that answers belongs to a
 * recorder running on another state folder, and is refused. */
static int check_socket_free(const char *path) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd, r;

        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(-ENAMETOOLONG,
                                       "the control socket path %s is too long (at most %zu "
                                       "bytes)",
                                       path, sizeof(sa.sun_path) - 1);
        g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        r = connect(fd, (struct sockaddr *) &sa, sizeof(sa));
        close(fd);
        if (r == 0)
                return log_error_errno(-EADDRINUSE,
                                       "another studio-recorder answers on the control socket %s: give each "
                                       "recorder its own [recorder] socket",
                                       path);
        return 0;
}

/* "FILE line N" for a key, or "FILE" when the key is not in it (a default). */
static gchar *where(const studio_conf *c, unsigned line) {
        return line ? g_strdup_printf("%s line %u", c->path, line) : g_strdup(c->path);
}

static void unprovisioned(rec_daemon *d, room_reason reason, const char *detail) {
        log_error("%s", detail);
        if (!d->unprovisioned_why)
                d->unprovisioned_why = g_strdup(room_reason_to_string(reason));
        g_ptr_array_add(d->attention, g_strdup(room_reason_to_string(reason)));
}

static int load_recipients(rec_daemon *d) {
        const studio_recorder_conf *rc = &d->conf->recorder;
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
        uint8_t pk[AGE_KEY_LEN];

        for (gchar **r = rc->recipients; r && *r; r++) {
                int k = age_recipient_parse(*r, pk);
                if (k < 0) {
                        g_autofree gchar *at = where(d->conf, rc->recipients_line);
                        return log_error_errno(-EINVAL, "%s: [recorder] recipients: '%s' %s", at,
                                               age_recipient_shown(*r), age_recipient_refusal(k));
                }
                g_ptr_array_add(list, g_strdup(*r));
        }
        if (rc->recipients_file) {
                g_autofree uint8_t(*pks)[AGE_KEY_LEN] = g_malloc0(AGE_RECIPIENT_MAX * AGE_KEY_LEN);
                size_t n = 0;
                unsigned bad = 0;
                int k = age_recipients_file_read(rc->recipients_file, pks, AGE_RECIPIENT_MAX, &n, &bad);
                if (k < 0 && bad == 0)
                        return log_error_errno(k,
                                               "cannot read the recipients file %s ([recorder] "
                                               "recipients_file): %s",
                                               rc->recipients_file, g_strerror(-k));
                if (k < 0)
                        return log_error_errno(k, "%s line %u %s", rc->recipients_file, bad,
                                               age_recipient_refusal(k));
                for (size_t i = 0; i < n; i++)
                        g_ptr_array_add(list, age_recipient_format(pks[i]));
        }
        if (list->len == 0)
                unprovisioned(d, REASON_NO_RECIPIENT,
                              "no vault recipient is configured: set [recorder] recipients (age1…) or "
                              "recipients_file");
        g_ptr_array_add(list, NULL);
        d->recipients = (gchar **) g_ptr_array_steal(list, NULL);
        return 0;
}

/* Keys and officers missing or unreadable leave the daemon running but
 * unprovisioned (it records nothing and says which), so that the room's
 * state shows it; a bad configuration stops it at start-up instead. */
static int provision(rec_daemon *d) {
        const studio_recorder_conf *rc = &d->conf->recorder;
        g_autofree gchar *msg = NULL;
        unsigned bad_line = 0;
        int r;

        r = capture_profile_load(rc->profile, &d->profile, &msg);
        if (r < 0)
                return log_error_errno(r, "%s line %u: [recorder] profile: %s", d->conf->path,
                                       rc->profile_line, msg);
        if (load_recipients(d) < 0)
                return -EINVAL;
        g_clear_pointer(&msg, g_free);
        r = rec_device_key_load(rc->device_key, &d->key, &msg);
        if (r < 0)
                unprovisioned(d, REASON_NO_DEVICE_KEY, msg);
        else
                d->device_id = rec_device_id_read(rc->device_key);
        r = officers_load(rc->officers, &d->officers, &bad_line);
        if (r < 0) {
                g_autofree gchar *detail =
                        r == -EBADMSG
                                ? g_strdup_printf("the officers file %s line %u is malformed (write it "
                                                  "with studio-keys officer-add)",
                                                  rc->officers, bad_line)
                                : g_strdup_printf("cannot read the officers file %s: %s (provision "
                                                  "officers with studio-keys officer-add)",
                                                  rc->officers, g_strerror(-r));
                unprovisioned(d, REASON_NO_OFFICERS, detail);
        }
        return 0;
}

static int open_io(rec_daemon *d) {
        g_autofree gchar *msg = NULL;
        gid_t admin = (gid_t) -1;
        int r;

        r = lights_open(&d->conf->lights, &d->lights, &msg);
        if (r < 0)
                return log_error_errno(r, "%s (see [lights] in %s)", msg, d->conf->path);
        if (d->conf->panel.device) {
                g_clear_pointer(&msg, g_free);
                r = panel_open(&d->conf->panel, daemon_on_panel_event, daemon_on_panel_presence, d,
                               &d->panel, &msg);
                if (r < 0)
                        return log_error_errno(r, "%s (see [panel] device in %s)", msg, d->conf->path);
        }
        if (d->conf->recorder.admin_group) {
                struct group *g = getgrnam(d->conf->recorder.admin_group);
                if (g)
                        admin = g->gr_gid;
                else
                        log_notice(
                                "the admin group %s does not exist: only root and the recorder's user may "
                                "use studioctl",
                                d->conf->recorder.admin_group);
        }
        if ((r = check_socket_free(d->conf->recorder.socket)) < 0)
                return r;
        g_clear_pointer(&msg, g_free);
        r = control_server_new(d->conf->recorder.socket, admin, daemon_on_command, d, &d->control, &msg);
        if (r < 0)
                return log_error_errno(r, "%s", msg);
        return 0;
}

static gboolean on_publish(gpointer data) {
        daemon_publish(data);
        return G_SOURCE_CONTINUE;
}

/* SIGTERM stops a session as Stop does, then the daemon exits 0. */
static gboolean on_terminate(gpointer data) {
        rec_daemon *d = data;
        g_autofree gchar *msg = NULL;

        if (d->quitting)
                return G_SOURCE_CONTINUE;
        d->quitting = true;
        log_info("shutting down");
        (void) notify_stopping("shutting down (a session in progress is stopped and sealed first)");
        if (d->state == ROOM_RECORDING || d->state == ROOM_BREAK) {
                (void) daemon_input_handle(d, &(daemon_input){.kind = INPUT_STOP, .reason = "shutdown"},
                                           &msg);
                return G_SOURCE_CONTINUE;
        }
        /* a session being sealed, or a PIN check or a recovery on its
         * worker, ends first and then quits the loop */
        if (d->state != ROOM_STOPPING && !d->pin_checking && !d->recovering)
                g_main_loop_quit(d->loop);
        return G_SOURCE_CONTINUE;
}

static void daemon_clear(rec_daemon *d) {
        d->ctl = rec_controller_free(d->ctl);
        daemon_health_fini(d);
        d->answers = control_answers_free(d->answers, d->state);
        d->control = control_server_free(d->control);
        d->panel = panel_free(d->panel);
        d->lights = lights_free(d->lights);
        d->officers = officers_free(d->officers);
        d->pincheck = pincheck_free(d->pincheck);
        d->key = minisign_secret_free(d->key);
        d->profile = capture_profile_free(d->profile);
        g_strfreev(d->recipients);
        g_free(d->device_id);
        g_free(d->officer);
        g_free(d->recovery_note);
        g_free(d->unprovisioned_why);
        if (d->attention)
                g_ptr_array_unref(d->attention);
        if (d->warnings)
                g_hash_table_unref(d->warnings);
        if (d->health_owned)
                g_ptr_array_unref(d->health_owned);
        pending_notes_clear(&d->pending_notes);
        if (d->lock_fd >= 0)
                close(d->lock_fd);
        studio_conf_free(d->conf);
        if (d->loop)
                g_main_loop_unref(d->loop);
}

static int daemon_setup(rec_daemon *d, const char *config_path) {
        g_autofree gchar *msg = NULL;
        int r = studio_conf_load(config_path, &d->conf, &msg);

        if (r < 0)
                return log_error_errno(r, "%s", msg);
        log_set_max_level(d->conf->recorder.log_level);
        /* a credential systemd did not pass (no key provisioned yet) leaves
         * the key unreadable: the room then says unprovisioned, and why */
        if (studio_conf_check_credentials(d->conf, "recorder", &msg) < 0)
                log_error("%s", msg);
        if ((r = make_dirs(&d->conf->recorder)) < 0 || (r = take_lock(d)) < 0 ||
            (r = daemon_guard_load(d)) < 0 || (r = provision(d)) < 0)
                return r;
        /* before the loop, once: a crashed session is closed and left in
         * the spool for the uploader; it hashes whole segments */
        (void) notify_status("recovering the spool");
        if (d->key && rec_recover_spool(d->conf->recorder.spool, d->conf->recorder.state_dir, d->key,
                                        &d->recovery_note) < 0)
                daemon_attention_add(d, REASON_RECOVERY_FAILED);
        return open_io(d);
}

int daemon_main(const char *config_path) {
        rec_daemon d = {.lock_fd = -1,
                        .state = ROOM_FREE,
                        .exit_status = 0,
                        .hours_left = -1,
                        .probe_reason = _ROOM_REASON_INVALID};
        guint sigterm = 0, sigint = 0;

        d.attention = g_ptr_array_new_with_free_func(g_free);
        d.warnings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        d.health_owned = g_ptr_array_new_with_free_func(g_free);
        d.answers = control_answers_new();
        d.since_us = g_get_real_time();
        d.loop = g_main_loop_new(NULL, FALSE);
        if (daemon_setup(&d, config_path) < 0) {
                daemon_clear(&d);
                return 1;
        }
        if (d.unprovisioned_why)
                (void) daemon_enter(&d, ROOM_UNPROVISIONED);
        /* disk, clock, backlog and devices before the first state is shown
         * (a blocking reason found here puts the room in attention) */
        daemon_health_check(&d);
        if (d.state == ROOM_FREE && daemon_has_blocking(&d))
                (void) daemon_enter(&d, ROOM_ATTENTION);
        else
                daemon_publish(&d);
        if (d.lights)
                lights_show(d.lights, d.state, d.attention->len > 0);
        d.publish_timer = g_timeout_add_seconds(PUBLISH_INTERVAL_S, on_publish, &d);
        sigterm = g_unix_signal_add(SIGTERM, on_terminate, &d);
        sigint = g_unix_signal_add(SIGINT, on_terminate, &d);
        log_info("ready in room state %s (configuration %s)", room_state_to_string(d.state), d.conf->path);
        /* recovery is done and the control socket listens */
        guint watchdog = notify_watchdog_start();
        (void) notify_ready(NULL);
        (void) notify_status("room %s", room_state_to_string(d.state));
        g_main_loop_run(d.loop);
        if (watchdog)
                g_source_remove(watchdog);
        g_source_remove(d.publish_timer);
        g_source_remove(sigterm);
        g_source_remove(sigint);
        if (d.ready_timer)
                g_source_remove(d.ready_timer);
        daemon_clear(&d);
        return d.exit_status;
}
