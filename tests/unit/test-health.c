/* The health monitor's analyser with exact synthetic sequences: window
 * boundaries, recovery after the hold-off, flapping, two cameras, dead
 * before silent, missing measurements, the pre-flight, and the disk and
 * backlog arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "health.h"
#include "room-reasons.h"

#define MS 1000000LL
#define S 1000000000LL
#define T0_REAL 1796121125000000LL /* 2026-12-01T10:32:05Z */

typedef struct events {
        GPtrArray *log; /* "+reason|detail" or "-reason|detail" */
} events;

static void on_raise(room_reason reason, const char *detail, void *u) {
        g_ptr_array_add(((events *) u)->log,
                        g_strdup_printf("+%s|%s", room_reason_to_string(reason), detail));
}

static void on_clear(room_reason reason, const char *detail, void *u) {
        g_ptr_array_add(((events *) u)->log,
                        g_strdup_printf("-%s|%s", room_reason_to_string(reason), detail));
}

static const health_callbacks cbs = {on_raise, on_clear};

static const health_limits limits = {
        .dead_below_db = -90,
        .dead_after_ns = 5 * S,
        .silent_below_db = -60,
        .silent_after_ns = 30 * S,
        .black_below = 24,
        .black_after_ns = 10 * S,
        .frozen_after_ns = 10 * S,
};

static health_time at(int64_t ns) {
        return (health_time){.mono_ns = 1000 * S + ns, .real_us = T0_REAL + ns / 1000};
}

static void audio(health_monitor *h, int64_t ns, double db) {
        capture_measure m = {.kind = CAPTURE_MEASURE_AUDIO, .rms_db = db};
        health_measure(h, &m, at(ns));
}

static void picture(health_monitor *h, int64_t ns, int cam, double luma, double change) {
        capture_measure m = {.kind = CAPTURE_MEASURE_PICTURE, .camera = cam, .luma = luma, .change = change};
        health_measure(h, &m, at(ns));
}

/* audio every 250 ms from from_ns up to and including to_ns */
static void audio_run(health_monitor *h, int64_t from_ns, int64_t to_ns, double db) {
        for (int64_t t = from_ns; t <= to_ns; t += 250 * MS)
                audio(h, t, db);
}

static const char *entry(events *e, guint i) {
        assert_true(i < e->log->len);
        return e->log->pdata[i];
}

static int setup(void **state) {
        events *e = g_new0(events, 1);
        e->log = g_ptr_array_new_with_free_func(g_free);
        *state = e;
        return 0;
}

static int teardown(void **state) {
        events *e = *state;
        g_ptr_array_unref(e->log);
        g_free(e);
        return 0;
}

static void test_dead_boundary(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        audio(h, 0, -200);
        audio(h, 4900 * MS, -200);
        assert_int_equal(e->log->len, 0); /* 4.9 s: not yet */
        assert_false(health_raised(h, REASON_MIC_DEAD));
        audio(h, 5000 * MS, -200);
        assert_int_equal(e->log->len, 1); /* 5.0 s: raised */
        assert_string_equal(entry(e, 0), "+microphone dead"
                                         "|microphone dead: below -90 dBFS since "
                                         "10:32:05 (5.0 s)");
        assert_true(health_raised(h, REASON_MIC_DEAD));
        /* still dead: raised once */
        audio_run(h, 5250 * MS, 40 * S, -200);
        assert_int_equal(e->log->len, 1);
        health_free(h);
}

static void test_recovery_after_holdoff(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        audio_run(h, 0, 6 * S, -200);
        assert_int_equal(e->log->len, 1);
        /* good from 6.25 s: cleared 2 s later, not before */
        audio_run(h, 6250 * MS, 8 * S, -20);
        assert_int_equal(e->log->len, 1);
        audio(h, 8250 * MS, -20);
        assert_int_equal(e->log->len, 2);
        assert_non_null(strstr(entry(e, 1), "-microphone dead"
                                            "|microphone dead: cleared"));
        assert_false(health_raised(h, REASON_MIC_DEAD));
        /* a new fault needs a whole new window */
        audio(h, 9 * S, -200);
        audio(h, 13900 * MS, -200);
        assert_int_equal(e->log->len, 2);
        audio(h, 14 * S, -200);
        assert_int_equal(e->log->len, 3);
        health_free(h);
}

static void test_flapping(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        /* before a raise: good every 4 s keeps restarting the window */
        for (int64_t t = 0; t < 20 * S; t += 250 * MS)
                audio(h, t, (t % (4 * S)) == 0 ? -30 : -200);
        assert_int_equal(e->log->len, 0);
        /* raised, then good for 1 s in every 1.5 s: never cleared */
        audio_run(h, 20 * S, 26 * S, -200);
        assert_int_equal(e->log->len, 1);
        for (int64_t t = 26 * S; t < 60 * S; t += 250 * MS)
                audio(h, t, (t % (1500 * MS)) < 1000 * MS ? -20 : -200);
        assert_int_equal(e->log->len, 1);
        assert_true(health_raised(h, REASON_MIC_DEAD));
        health_free(h);
}

static void test_dead_before_silent(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        /* digital silence for a minute: dead only, never also silent */
        audio_run(h, 0, 60 * S, -200);
        assert_int_equal(e->log->len, 1);
        assert_true(health_raised(h, REASON_MIC_DEAD));
        assert_false(health_raised(h, REASON_MIC_SILENT));
        /* it rises to a quiet -70: dead clears after 2 s, and silent, whose
         * window has run all along, is raised at once */
        audio_run(h, 60250 * MS, 62250 * MS, -70);
        assert_int_equal(e->log->len, 3);
        assert_true(g_str_has_prefix(entry(e, 1), "-microphone dead"));
        assert_true(g_str_has_prefix(entry(e, 2), "+microphone silent"
                                                  "|microphone silent: below -60 dBFS"));
        health_free(h);
}

static void test_silent_boundary(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        audio_run(h, 0, 29750 * MS, -75);
        assert_int_equal(e->log->len, 0);
        audio(h, 30 * S, -75);
        assert_int_equal(e->log->len, 1);
        assert_false(health_raised(h, REASON_MIC_DEAD));
        assert_true(health_raised(h, REASON_MIC_SILENT));
        health_free(h);
}

static void test_two_cameras(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 2, &cbs, e);

        health_playing(h, at(0));
        /* camera 1 fine and moving, camera 2 black: only camera 2 is raised */
        for (int64_t t = 0; t <= 10 * S; t += 500 * MS) {
                picture(h, t, 1, 120, 3.0);
                picture(h, t, 2, 16, 0.0);
                audio(h, t, -30);
        }
        assert_int_equal(e->log->len, 1);
        assert_string_equal(entry(e, 0), "+second camera shows black"
                                         "|second camera shows black: camera 2 mean luma below 24 since "
                                         "10:32:05 (10.0 s)");
        /* black is not also reported as frozen */
        assert_false(health_raised(h, REASON_CAMERA2_FROZEN));
        /* camera 1 freezes (a still picture, not black) */
        for (int64_t t = 10500 * MS; t <= 21 * S; t += 500 * MS) {
                picture(h, t, 1, 120, 0.1);
                picture(h, t, 2, 16, 0.0);
                audio(h, t, -30);
        }
        assert_true(health_raised(h, REASON_CAMERA_FROZEN));
        assert_false(health_raised(h, REASON_CAMERA_BLACK));
        assert_int_equal(e->log->len, 2);
        health_free(h);
}

static void test_frozen_boundary(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        picture(h, 0, 1, 100, 0.4);
        picture(h, 9900 * MS, 1, 100, 0.4);
        assert_int_equal(e->log->len, 0);
        picture(h, 10 * S, 1, 100, 0.4);
        assert_int_equal(e->log->len, 1);
        assert_true(health_raised(h, REASON_CAMERA_FROZEN));
        /* a change at the epsilon counts as a change */
        picture(h, 11 * S, 1, 100, HEALTH_FROZEN_EPSILON);
        picture(h, 13 * S, 1, 100, HEALTH_FROZEN_EPSILON);
        assert_false(health_raised(h, REASON_CAMERA_FROZEN));
        health_free(h);
}

static void test_missing_measurements(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        /* nothing counts before the pipeline plays */
        health_tick(h, at(10 * S));
        assert_int_equal(e->log->len, 0);
        health_playing(h, at(10 * S));
        picture(h, 10 * S, 1, 100, 5);
        audio(h, 10 * S, -30);
        health_tick(h, at(12900 * MS));
        assert_int_equal(e->log->len, 0);
        /* audio keeps coming, pictures stop */
        audio(h, 12 * S, -30);
        health_tick(h, at(13 * S));
        assert_int_equal(e->log->len, 1);
        assert_string_equal(entry(e, 0), "+camera picture frozen"
                                         "|camera picture frozen: no pictures from camera 1 since 10:32:15 "
                                         "(3.0 s)");
        audio(h, 13 * S, -30);
        health_tick(h, at(15900 * MS));
        assert_int_equal(e->log->len, 1);
        health_tick(h, at(16100 * MS));
        assert_int_equal(e->log->len, 2);
        assert_string_equal(entry(e, 1), "+microphone dead"
                                         "|microphone dead: no audio level from the pipeline since 10:32:18 "
                                         "(3.1 s)");
        health_free(h);
}

/* Two faults with one reason: raised once, cleared when the last clears. */
static void test_shared_reason(void **state) {
        events *e = *state;
        health_monitor *h = health_new(&limits, 1, &cbs, e);

        health_playing(h, at(0));
        audio_run(h, 0, 5 * S, -200); /* dead */
        assert_int_equal(e->log->len, 1);
        health_tick(h, at(8100 * MS)); /* and then no level at all */
        /* only the camera (which never sent a picture) is new */
        assert_int_equal(e->log->len, 2);
        assert_true(g_str_has_prefix(entry(e, 1), "+camera picture frozen"));
        assert_true(health_raised(h, REASON_MIC_DEAD));
        audio_run(h, 9 * S, 11 * S, -20);
        assert_int_equal(e->log->len, 3);
        assert_true(g_str_has_prefix(entry(e, 2), "-microphone dead"));
        assert_false(health_raised(h, REASON_MIC_DEAD));
        health_free(h);
}

static void test_preflight(void **state) {
        room_reason reasons[4];
        health_monitor *h = health_new(&limits, 2, NULL, NULL);
        g_autoptr(GString) detail = g_string_new(NULL);

        (void) state;
        health_playing(h, at(0));
        /* nothing measured at all */
        assert_int_equal(health_preflight(h, reasons, 4, detail), 3);
        assert_int_equal(reasons[0], REASON_MIC_DEAD);
        assert_int_equal(reasons[1], REASON_CAMERA_FROZEN);
        assert_int_equal(reasons[2], REASON_CAMERA2_FROZEN);
        /* a good room: sound, moving pictures on both */
        health_playing(h, at(S));
        for (int i = 0; i < 3; i++) {
                audio(h, S + i * 250 * MS, i == 0 ? -200 : -40);
                picture(h, S + i * 500 * MS, 1, 100, i == 0 ? 0 : 2);
                picture(h, S + i * 500 * MS, 2, 100, i == 0 ? 0 : 2);
        }
        g_string_truncate(detail, 0);
        assert_int_equal(health_preflight(h, reasons, 4, detail), 0);
        assert_int_equal(detail->len, 0);
        /* dead microphone, black camera 1, still camera 2 */
        health_playing(h, at(5 * S));
        for (int i = 0; i < 3; i++) {
                audio(h, 5 * S + i * 250 * MS, -200);
                picture(h, 5 * S + i * 500 * MS, 1, 16, 0);
                picture(h, 5 * S + i * 500 * MS, 2, 100, i == 0 ? 40 : 0.1);
        }
        assert_int_equal(health_preflight(h, reasons, 4, detail), 3);
        assert_int_equal(reasons[0], REASON_MIC_DEAD);
        assert_int_equal(reasons[1], REASON_CAMERA_BLACK);
        assert_int_equal(reasons[2], REASON_CAMERA2_FROZEN);
        assert_string_equal(detail->str, "the microphone gave digital silence throughout; camera 1 showed "
                                         "black throughout; camera 2 showed the same picture throughout");
        /* one picture only cannot be called moving: the camera gave too little */
        health_playing(h, at(9 * S));
        audio(h, 9 * S, -40);
        picture(h, 9 * S, 1, 100, 0);
        picture(h, 9 * S, 2, 100, 5);
        g_string_truncate(detail, 0);
        assert_int_equal(health_preflight(h, reasons, 4, detail), 2);
        assert_int_equal(reasons[0], REASON_CAMERA_FROZEN);
        assert_string_equal(detail->str,
                            "camera 1 delivered only one picture; camera 2 delivered only one picture");
        health_free(h);
}

static void measured_at(health_monitor *h, int64_t wall_ns, uint64_t media_ns, int cam) {
        capture_measure m = {.kind = cam ? CAPTURE_MEASURE_PICTURE : CAPTURE_MEASURE_AUDIO,
                             .camera = cam,
                             .running_time = media_ns,
                             .rms_db = -40,
                             .luma = 100,
                             .change = 0};
        health_measure(h, &m, at(wall_ns));
}

/* The pre-flight waits for media, not for the wall clock: measurements that
 * come slowly (a busy machine) are judged once they span the pre-flight's
 * time, and a frozen picture is caught however late it comes. */
static void test_preflight_media_time(void **state) {
        room_reason reasons[4];
        health_monitor *h = health_new(&limits, 1, NULL, NULL);
        g_autoptr(GString) detail = g_string_new(NULL);

        (void) state;
        health_playing(h, at(0));
        assert_false(health_preflight_ready(h, 1500 * MS));
        assert_true(health_quiet_since(h) == 1000 * S);
        /* 10 s of wall time for 1 s of media: not enough yet */
        for (int i = 0; i <= 4; i++) {
                measured_at(h, i * 2 * S, (uint64_t) i * 250 * MS, 0);
                measured_at(h, i * 2 * S, (uint64_t) (500 + i * 250) * MS, 1);
        }
        assert_int_equal(health_media_measured(h, 0), 1000 * MS);
        assert_int_equal(health_media_measured(h, 1), 1000 * MS);
        assert_false(health_preflight_ready(h, 1500 * MS));
        measured_at(h, 12 * S, 1500 * MS, 0);
        assert_false(health_preflight_ready(h, 1500 * MS)); /* the camera lags */
        /* the camera's last picture came at 8 s, the microphone's at 12 s */
        assert_true(health_quiet_since(h) == 1000 * S + 8 * S);
        measured_at(h, 13 * S, 2000 * MS, 1);
        assert_true(health_preflight_ready(h, 1500 * MS));
        assert_int_equal(health_preflight(h, reasons, 4, detail), 1);
        assert_int_equal(reasons[0], REASON_CAMERA_FROZEN);
        /* a camera that sends nothing: quiet since health_playing, however
         * much the microphone measures */
        health_playing(h, at(20 * S));
        for (int i = 0; i < 40; i++)
                measured_at(h, 20 * S + i * 250 * MS, (uint64_t) i * 250 * MS, 0);
        assert_false(health_preflight_ready(h, 1500 * MS));
        assert_true(health_quiet_since(h) == 1000 * S + 20 * S);
        g_string_truncate(detail, 0);
        assert_int_equal(health_preflight(h, reasons, 4, detail), 1);
        assert_string_equal(detail->str, "camera 1 delivered no pictures");
        health_free(h);
}

static void test_hours_left(void **state) {
        (void) state;
        /* 2000 kbit/s: 250,000 B/s, 262,500 B/s with the overhead; 945 MB an hour */
        assert_true(health_bytes_per_second(2000) == 262500.0);
        assert_true(health_hours_left(945000000ULL + 1000, 1000, 2000) == 1.0);
        assert_true(health_hours_left(1000, 1000, 2000) == 0.0);
        assert_true(health_hours_left(999, 1000, 2000) == 0.0);
        assert_true(health_hours_left(0, 0, 2000) == 0.0);
        assert_true(health_hours_left(1ULL << 40, 0, 0) < 0);
        assert_true(health_hours_left(1ULL << 40, 0, -5) < 0);
        /* 1 TiB less a 256 MiB reserve at 4 Mbit/s: about 581.6 h */
        double h = health_hours_left(1ULL << 40, 256ULL << 20, 4000);
        assert_true(h > 581.6 && h < 581.62);
}

static void test_backlog(void **state) {
        int64_t now = T0_REAL;
        backlog_doc b = {.sessions = 2, .oldest_us = now - HEALTH_BACKLOG_OLD_US};

        (void) state;
        assert_false(health_backlog_old(&b, now)); /* exactly 24 h: not yet */
        b.oldest_us -= 1;
        assert_true(health_backlog_old(&b, now));
        b.sessions = 0;
        assert_false(health_backlog_old(&b, now)); /* nothing waits */
        b = (backlog_doc){.sessions = 3, .oldest_us = 0};
        assert_false(health_backlog_old(&b, now)); /* no time known */
        b = (backlog_doc){.sessions = 1, .oldest_us = now + 3600LL * 1000000};
        assert_false(health_backlog_old(&b, now)); /* a clock that went back */
}

/* Each vault failure a person must act on is its own warning, and only
 * while it is the uploader's last error; a failure that retries by itself
 * (unreachable) or one the log explains (conflict, local) raises neither. */
static void test_vault_reasons(void **state) {
        backlog_doc b = {.sessions = 1, .last_error = BACKLOG_ERROR_NOT_LOCKING};

        (void) state;
        assert_true(health_vault_not_locking(&b));
        assert_false(health_vault_refused(&b));
        b.last_error = BACKLOG_ERROR_CREDENTIALS;
        assert_false(health_vault_not_locking(&b));
        assert_true(health_vault_refused(&b));
        for (int e = BACKLOG_ERROR_NONE; e < _BACKLOG_ERROR_MAX; e++) {
                if (e == BACKLOG_ERROR_NOT_LOCKING || e == BACKLOG_ERROR_CREDENTIALS)
                        continue;
                b.last_error = (backlog_error) e;
                assert_false(health_vault_not_locking(&b));
                assert_false(health_vault_refused(&b));
        }
        /* an older uploader's document (no last_error) reads as NONE: no reason */
        backlog_doc parsed;
        const char *old = "{\"sessions\":1,\"bytes\":5,\"oldest\":null,\"last_transfer\":null,"
                          "\"vault\":\"unreachable\",\"updated\":\"2026-12-01T10:40:05Z\"}";
        assert_int_equal(backlog_parse(old, strlen(old), &parsed, NULL), 0);
        assert_false(health_vault_not_locking(&parsed));
        assert_false(health_vault_refused(&parsed));
        const char *locking = "{\"sessions\":1,\"bytes\":5,\"oldest\":null,\"last_transfer\":null,"
                              "\"vault\":\"reachable\",\"updated\":\"2026-12-01T10:40:05Z\","
                              "\"last_error\":\"vault does not enforce retention\","
                              "\"last_error_at\":\"2026-12-01T10:39:00Z\"}";
        assert_int_equal(backlog_parse(locking, strlen(locking), &parsed, NULL), 0);
        assert_true(health_vault_not_locking(&parsed));
}

/* wipe_after = verified: a refused intake record is a police-IT warning
 * while the uploader counts one; sessions only awaiting their record are
 * none (the intake may simply not have run yet); an older document, none. */
static void test_verification_failed(void **state) {
        backlog_doc b = {.awaiting_verification = 4};
        backlog_doc parsed;
        const char *failed = "{\"sessions\":0,\"bytes\":0,\"oldest\":null,\"last_transfer\":null,"
                             "\"vault\":\"reachable\",\"updated\":\"2026-12-01T10:40:05Z\","
                             "\"awaiting_verification\":0,\"verification_failed\":2}";
        const char *old = "{\"sessions\":1,\"bytes\":5,\"oldest\":null,\"last_transfer\":null,"
                          "\"vault\":\"reachable\",\"updated\":\"2026-12-01T10:40:05Z\"}";

        (void) state;
        assert_false(health_vault_verification_failed(&b));
        b.verification_failed = 1;
        assert_true(health_vault_verification_failed(&b));
        assert_int_equal(backlog_parse(failed, strlen(failed), &parsed, NULL), 0);
        assert_true(health_vault_verification_failed(&parsed));
        assert_int_equal(backlog_parse(old, strlen(old), &parsed, NULL), 0);
        assert_false(health_vault_verification_failed(&parsed));
        /* a warning for police IT, never a headline for staff */
        assert_true(room_reason_is_it_warning("vault verification failed — call police IT"));
        assert_string_equal(room_reason_words(REASON_VAULT_VERIFICATION_FAILED, "nl"),
                            "controle in de kluis mislukt — bel de politie-ICT");
}

int main(void) {
        g_setenv("TZ", "UTC", TRUE); /* the details give local times */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_dead_boundary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_after_holdoff, setup, teardown),
                cmocka_unit_test_setup_teardown(test_flapping, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dead_before_silent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_silent_boundary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_cameras, setup, teardown),
                cmocka_unit_test_setup_teardown(test_frozen_boundary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_measurements, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shared_reason, setup, teardown),
                cmocka_unit_test(test_preflight),
                cmocka_unit_test(test_preflight_media_time),
                cmocka_unit_test(test_hours_left),
                cmocka_unit_test(test_backlog),
                cmocka_unit_test(test_vault_reasons),
                cmocka_unit_test(test_verification_failed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
