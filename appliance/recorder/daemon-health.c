/* The daemon's health monitor (docs/health.md): the analyser (health.h) fed
 * with the pipeline's measurements, the pre-flight between identification
 * and ready, and the checks that need no pipeline (disk, clock, backlog,
 * devices) on a timer. Everything here is an event on the loop. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backlog.h"
#include "daemon-internal.h"
#include "health.h"
#include "log.h"

#define NS_PER_HOUR (3600.0 * 1e9)
/* The pre-flight judges measured media, never the clock on the wall: a busy
 * appliance measures late, and the media with it. Only a source that sends
 * no measurement at all for this long is judged on what it sent (nothing
 * or too little: a camera that delivers no pictures). */
#define PREFLIGHT_QUIET_NS (15LL * 1000000000LL)
#define TICK_MS 500
#define CHECK_MIN_MS 200

static health_time now(void) {
        return (health_time){.mono_ns = g_get_monotonic_time() * 1000, .real_us = g_get_real_time()};
}

static bool in_session(const rec_daemon *d) {
        return d->state == ROOM_RECORDING || d->state == ROOM_BREAK || d->state == ROOM_STOPPING;
}

static void own(rec_daemon *d, room_reason r) {
        const char *reason = room_reason_to_string(r);

        for (guint i = 0; i < d->health_owned->len; i++)
                if (strcmp(d->health_owned->pdata[i], reason) == 0)
                        return;
        g_ptr_array_add(d->health_owned, g_strdup(reason));
}

static bool listed(const rec_daemon *d, room_reason r) {
        const char *reason = room_reason_to_string(r);

        for (guint i = 0; i < d->attention->len; i++)
                if (strcmp(d->attention->pdata[i], reason) == 0)
                        return true;
        return false;
}

/* ---- the analyser's faults ------------------------------------------ */

static void on_raise(room_reason reason, const char *detail, void *userdata) {
        rec_daemon *d = userdata;

        log_warning("health: %s", detail);
        if (d->preflight_timer)
                return; /* the pre-flight's verdict decides */
        if (!in_session(d) && !health_blocks_start(d->health, reason)) {
                /* a microphone the room can record without: the next
                 * session's log says so, and the room stays as it is */
                daemon_note(d, "health-fault", detail);
                return;
        }
        own(d, reason);
        if (in_session(d))
                daemon_note(d, "health-fault", detail);
        /* in a session this lists it; while ready it means the room
         * cannot record, and the room goes to attention */
        daemon_attention_add(d, reason);
}

static void on_clear(room_reason reason, const char *detail, void *userdata) {
        rec_daemon *d = userdata;

        log_info("health: %s", detail);
        if (!listed(d, reason))
                return;
        if (in_session(d))
                daemon_note(d, "health-clear", detail);
        daemon_attention_remove(d, reason);
}

static const health_callbacks analyser_callbacks = {on_raise, on_clear};

void daemon_health_session_started(rec_daemon *d) {
        for (int r = 0; d->health && r < _ROOM_REASON_MAX; r++)
                if (health_raised(d->health, (room_reason) r) &&
                    !health_blocks_start(d->health, (room_reason) r)) {
                        own(d, (room_reason) r);
                        daemon_attention_add(d, (room_reason) r);
                }
}

static gboolean on_tick(gpointer data) {
        rec_daemon *d = data;

        if (d->health && d->health_playing)
                health_tick(d->health, now());
        return G_SOURCE_CONTINUE;
}

void daemon_health_pipeline_new(rec_daemon *d) {
        const studio_health_conf *hc = &d->conf->health;
        g_auto(GStrv) cams = capture_profile_cameras(d->profile);
        const capture_track *tracks;
        size_t n_tracks;
        health_limits l = {
                .dead_below_db = hc->dead_below_db,
                .dead_after_ns = hc->dead_after_ns,
                .silent_below_db = hc->silent_below_db,
                .silent_after_ns = hc->silent_after_ns,
                .black_below = hc->black_below,
                .black_after_ns = hc->black_after_ns,
                .frozen_after_ns = hc->frozen_after_ns,
        };

        if (!hc->enabled || d->health)
                return;
        d->health = health_new(&l, cams ? (int) g_strv_length(cams) : 1, &analyser_callbacks, d);
        tracks = capture_profile_tracks(d->profile, &n_tracks);
        health_set_tracks(d->health, tracks, n_tracks);
        d->health_playing = false;
        d->tick_timer = g_timeout_add(TICK_MS, on_tick, d);
}

/* The analyser goes with the pipeline; the reasons it raised stay listed
 * until the next identification (a pre-flight checks the room again). */
void daemon_health_pipeline_gone(rec_daemon *d) {
        d->health = health_free(d->health);
        if (d->tick_timer) {
                g_source_remove(d->tick_timer);
                d->tick_timer = 0;
        }
        if (d->preflight_timer) {
                g_source_remove(d->preflight_timer);
                d->preflight_timer = 0;
        }
}

static gboolean on_preflight(gpointer data);

void daemon_health_on_measure(const capture_measure *m, void *userdata) {
        rec_daemon *d = userdata;
        health_time t = now();

        if (!d->health)
                return;
        /* the first measurement tells that the pipeline plays */
        if (!d->health_playing) {
                d->health_playing = true;
                health_playing(d->health, t);
        }
        health_measure(d->health, m, t);
        /* enough media measured: the verdict comes from the loop */
        if (d->preflight_timer && health_preflight_ready(d->health, d->conf->health.preflight_ns)) {
                g_source_remove(d->preflight_timer);
                d->preflight_timer = g_idle_add(on_preflight, d);
        }
}

/* A new identification: what the health monitor listed last time is
 * checked afresh by this one's pre-flight. */
void daemon_health_identifying(rec_daemon *d) {
        while (d->health_owned->len) {
                g_autofree gchar *reason = g_ptr_array_steal_index(d->health_owned, 0);
                daemon_attention_remove(d, room_reason_from_string(reason));
        }
}

/* ---- the pre-flight ------------------------------------------------- */

static void preflight_failed(rec_daemon *d, const room_reason *reasons, int n, const char *detail) {
        g_autoptr(GString) words = g_string_new(NULL);
        g_autofree gchar *msg = NULL;

        for (int i = 0; i < n; i++)
                g_string_append_printf(words, "%s%s", i ? ", " : "", room_reason_to_string(reasons[i]));
        msg = g_strdup_printf("the pre-flight check refused the room: %s (%s); the room needs attention "
                              "(check the camera and microphone, then identify again)",
                              words->str, detail);
        log_warning("%s", msg);
        daemon_note(d, "health-fault", msg);
        d->start_after_identify = FALSE;
        /* the refusal in words first: the room then leaves identifying */
        control_answers_on_refused(d->answers, msg);
        for (int i = 0; i < n; i++) {
                own(d, reasons[i]);
                /* the first one takes the room to attention and releases
                 * the pipeline (and the analyser with it) */
                daemon_attention_add(d, reasons[i]);
        }
}

/* Judges what was measured since the PIN; ends the pre-flight. */
static void preflight_decide(rec_daemon *d) {
        room_reason reasons[2 * (1 + HEALTH_CAMERAS_MAX)];
        g_autoptr(GString) detail = g_string_new(NULL);
        double spent_ms = (double) (g_get_monotonic_time() - d->preflight_us) / 1000.0;
        int n = health_preflight(d->health, reasons, G_N_ELEMENTS(reasons), detail);

        if (n > 0) {
                preflight_failed(d, reasons, n, detail->str);
                return;
        }
        log_info("pre-flight: pictures and sound are good (%.1f s of media measured in %.0f ms)",
                 (double) health_media_measured(d->health, 0) / 1e9, spent_ms);
        if (daemon_enter(d, ROOM_READY) >= 0)
                daemon_identify_done(d);
}

/* Runs from the loop, never inside a measurement's callback: a verdict
 * releases the pipeline that posted it. The measurements decide; the timer
 * only notices a source that sent nothing for PREFLIGHT_QUIET_NS. */
static gboolean on_preflight(gpointer data) {
        rec_daemon *d = data;
        bool ready = health_preflight_ready(d->health, d->conf->health.preflight_ns);
        int64_t quiet_ns = g_get_monotonic_time() * 1000 - health_quiet_since(d->health);

        d->preflight_timer = 0;
        if (!ready && quiet_ns < PREFLIGHT_QUIET_NS) {
                d->preflight_timer = g_timeout_add((guint) ((PREFLIGHT_QUIET_NS - quiet_ns) / 1000000 + 1),
                                                   on_preflight, d);
                return G_SOURCE_REMOVE;
        }
        if (!ready)
                log_warning("pre-flight: a source sent no measurement for %.0f s: judging what came",
                            (double) quiet_ns / 1e9);
        preflight_decide(d);
        return G_SOURCE_REMOVE;
}

/* true: the pre-flight runs and decides later (the room stays
 * identifying); false: none is configured, the room may be ready now. */
bool daemon_health_preflight_start(rec_daemon *d) {
        if (!d->conf->health.enabled || !d->conf->health.preflight || !d->health)
                return false;
        d->preflight_us = g_get_monotonic_time();
        /* a pipeline that already plays: the pre-flight looks from now on */
        if (d->health_playing)
                health_playing(d->health, now());
        d->preflight_timer = g_timeout_add((guint) (PREFLIGHT_QUIET_NS / 1000000), on_preflight, d);
        return true;
}

/* ---- disk, clock, backlog, devices ---------------------------------- */

static void warn_if(rec_daemon *d, room_reason reason, bool on) {
        if (on)
                daemon_warning_add(d, reason);
        else
                daemon_attention_remove(d, reason);
}

static void block_if(rec_daemon *d, room_reason reason, bool on) {
        if (on && !listed(d, reason))
                daemon_attention_add(d, reason);
        else if (!on && listed(d, reason))
                daemon_attention_remove(d, reason);
}

static int disk_free(const rec_daemon *d, uint64_t *ret_avail) {
        struct statvfs st;

        if (statvfs(d->conf->recorder.spool, &st) < 0)
                return -errno;
        *ret_avail = (uint64_t) st.f_bavail * (uint64_t) st.f_frsize;
        return 0;
}

/* The reserve is reached mid-session: stop as Stop does, with a signed
 * fault entry first, so that the session closes whole (INTACT). */
static void reserve_reached(rec_daemon *d, uint64_t avail) {
        g_autofree gchar *detail = g_strdup_printf(
                "the spool %s has %" G_GUINT64_FORMAT " bytes free, below the reserve of %" G_GUINT64_FORMAT
                " bytes ([health] disk_reserve): the session stops so that it closes whole",
                d->conf->recorder.spool, (guint64) avail, (guint64) d->conf->health.disk_reserve);
        g_autofree gchar *msg = NULL;

        log_error("%s", detail);
        daemon_note(d, "disk-reserve", detail);
        daemon_attention_add(d, REASON_DISK_FULL);
        if (daemon_input_handle(d, &(daemon_input){.kind = INPUT_STOP, .reason = "disk-reserve"}, &msg) < 0)
                log_warning("%s", msg);
}

/* hours_left, the low-disk warning, too full to record, the reserve.
 * Returns the bytes above the reserve (0 at or below it). */
static uint64_t check_disk(rec_daemon *d) {
        const studio_health_conf *hc = &d->conf->health;
        int kbps = capture_profile_bitrate_kbps(d->profile);
        uint64_t avail = 0;
        double hours;
        int r = disk_free(d, &avail);

        if (r < 0) {
                log_warning_errno(r, "cannot see the free space of the spool %s: %s",
                                  d->conf->recorder.spool, g_strerror(-r));
                d->hours_left = -1;
                return UINT64_MAX;
        }
        hours = health_hours_left(avail, hc->disk_reserve, kbps);
        d->hours_left = hours < 0 ? -1 : MIN(hours, ROOM_HOURS_LEFT_MAX);
        if (hours < 0)
                return UINT64_MAX;
        warn_if(d, REASON_DISK_LOW, hours * NS_PER_HOUR < (double) hc->low_left_ns);
        if (d->state == ROOM_RECORDING || d->state == ROOM_BREAK) {
                if (avail < hc->disk_reserve)
                        reserve_reached(d, avail);
        } else if (!in_session(d) && d->state != ROOM_UNPROVISIONED) {
                bool too_full = hours * NS_PER_HOUR < (double) hc->start_min_left_ns;
                /* a full disk is cleared by room for at least a minute of
                 * recording above the reserve (the uploader moved sessions
                 * away), however low start_min_left is set */
                bool room =
                        (double) avail > (double) hc->disk_reserve + 60.0 * health_bytes_per_second(kbps);
                block_if(d, REASON_DISK_TOO_FULL, too_full);
                if (!too_full && room)
                        block_if(d, REASON_DISK_FULL, false);
        }
        return avail > hc->disk_reserve ? avail - hc->disk_reserve : 0;
}

static void check_clock(rec_daemon *d) {
        warn_if(d, REASON_CLOCK_UNSYNCED, access(d->conf->health.timesync_file, F_OK) < 0);
}

static void check_backlog(rec_daemon *d) {
        g_autofree gchar *msg = NULL;
        backlog_doc b;
        int r = backlog_read(d->conf->uploader.backlog_file, &b, &msg);

        if (r == -ENOENT) { /* no uploader yet: unknown, no reason */
                warn_if(d, REASON_BACKLOG, false);
                warn_if(d, REASON_VAULT_NOT_LOCKING, false);
                warn_if(d, REASON_VAULT_REFUSED, false);
                warn_if(d, REASON_VAULT_VERIFICATION_FAILED, false);
                return;
        }
        if (r < 0) {
                if (!d->backlog_bad_logged)
                        log_warning("the uploader's backlog file %s cannot be read: %s",
                                    d->conf->uploader.backlog_file, msg ? msg : g_strerror(-r));
                d->backlog_bad_logged = true;
                return;
        }
        d->backlog_bad_logged = false;
        warn_if(d, REASON_BACKLOG, health_backlog_old(&b, g_get_real_time()));
        /* warnings, never blocking: the room records, and the spool keeps every copy */
        warn_if(d, REASON_VAULT_NOT_LOCKING, health_vault_not_locking(&b));
        warn_if(d, REASON_VAULT_REFUSED, health_vault_refused(&b));
        warn_if(d, REASON_VAULT_VERIFICATION_FAILED, health_vault_verification_failed(&b));
}

/* While no pipeline holds them, the devices are looked at directly. */
static void check_devices(rec_daemon *d) {
        room_reason reason = _ROOM_REASON_INVALID;
        g_autofree gchar *msg = NULL;
        int r;

        if (d->ctl || (d->state != ROOM_FREE && d->state != ROOM_ATTENTION))
                return;
        r = capture_probe_devices(d->profile, &reason, &msg);
        if (r < 0 && reason >= 0 && reason != d->probe_reason) {
                log_warning("%s", msg ? msg : room_reason_to_string(reason));
                if (d->probe_reason >= 0)
                        daemon_attention_remove(d, d->probe_reason);
                d->probe_reason = reason;
                daemon_attention_add(d, reason);
        } else if (r >= 0 && d->probe_reason >= 0) {
                room_reason back = d->probe_reason;
                log_info("%s: the device is back", room_reason_to_string(back));
                d->probe_reason = _ROOM_REASON_INVALID;
                daemon_attention_remove(d, back);
        }
}

static gboolean on_check(gpointer data);

/* Close to the reserve while recording, the next look comes when half the
 * margin would be used at the profile's data rate. */
static void schedule_check(rec_daemon *d, uint64_t margin) {
        uint64_t ms = d->conf->health.check_interval_ns / 1000000ULL;

        if ((d->state == ROOM_RECORDING || d->state == ROOM_BREAK) && margin != UINT64_MAX) {
                double rate = health_bytes_per_second(capture_profile_bitrate_kbps(d->profile));
                if (rate > 0)
                        ms = MIN(ms, (uint64_t) ((double) margin / rate / 2.0 * 1000.0));
        }
        d->check_timer = g_timeout_add((guint) MAX(ms, CHECK_MIN_MS), on_check, d);
}

void daemon_health_check(rec_daemon *d) {
        uint64_t margin = check_disk(d);

        check_clock(d);
        check_backlog(d);
        check_devices(d);
        if (d->check_timer)
                g_source_remove(d->check_timer);
        schedule_check(d, margin);
}

static gboolean on_check(gpointer data) {
        rec_daemon *d = data;

        d->check_timer = 0;
        daemon_health_check(d);
        return G_SOURCE_REMOVE;
}

/* Start and identification need start_min_left of recording on the spool. */
int daemon_health_may_record(rec_daemon *d, gchar **ret_message) {
        const studio_health_conf *hc = &d->conf->health;

        (void) check_disk(d);
        if (d->hours_left < 0 || d->hours_left * NS_PER_HOUR >= (double) hc->start_min_left_ns)
                return 0;
        *ret_message = g_strdup_printf(
                "the disk is too full to record: the spool %s holds %.1f h of recording, and a session "
                "needs at least %.1f h ([health] start_min_left); let the uploader move finished sessions "
                "to the vault, or call police IT",
                d->conf->recorder.spool, d->hours_left, (double) hc->start_min_left_ns / NS_PER_HOUR);
        return -ENOSPC;
}

void daemon_health_fini(rec_daemon *d) {
        daemon_health_pipeline_gone(d);
        if (d->check_timer) {
                g_source_remove(d->check_timer);
                d->check_timer = 0;
        }
}
