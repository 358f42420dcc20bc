/* Every audio track checked on its own: a dead interpreter microphone
 * raises its own words while the other tracks go on, a track with no level
 * at all is missed, and the pre-flight refuses only for a required track. */
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

static const health_limits limits = {
        .dead_below_db = -90,
        .dead_after_ns = 5 * S,
        .silent_below_db = -60,
        .silent_after_ns = 30 * S,
        .black_below = 24,
        .black_after_ns = 10 * S,
        .frozen_after_ns = 10 * S,
};

static const capture_track tracks[] = {
        {.role = "interviewee", .label = "Interviewee microphone", .source = "a", .required = true},
        {.role = "interviewer", .label = "Interviewer microphone", .source = "b"},
        {.role = "interpreter", .label = "Interpreter microphone", .source = "c"},
};

static void on_raise(room_reason reason, const char *detail, void *u) {
        g_ptr_array_add(u, g_strdup_printf("+%s|%s", room_reason_to_string(reason), detail));
}

static void on_clear(room_reason reason, const char *detail, void *u) {
        g_ptr_array_add(u, g_strdup_printf("-%s|%s", room_reason_to_string(reason), detail));
}

static const health_callbacks cbs = {on_raise, on_clear};

static health_time at(int64_t ns) {
        return (health_time){.mono_ns = 1000 * S + ns, .real_us = 1796121125000000LL + ns / 1000};
}

static void level(health_monitor *h, int track, int64_t ns, double db) {
        capture_measure m = {
                .kind = CAPTURE_MEASURE_AUDIO, .track = track, .running_time = (uint64_t) ns, .rms_db = db};
        health_measure(h, &m, at(ns));
}

static void picture(health_monitor *h, int64_t ns) {
        capture_measure m = {.kind = CAPTURE_MEASURE_PICTURE,
                             .camera = 1,
                             .running_time = (uint64_t) ns,
                             .luma = 100,
                             .change = 5};
        health_measure(h, &m, at(ns));
}

static health_monitor *three_tracks(GPtrArray *log) {
        health_monitor *h = health_new(&limits, 1, &cbs, log);

        health_set_tracks(h, tracks, G_N_ELEMENTS(tracks));
        health_playing(h, at(0));
        return h;
}

static void test_dead_interpreter(void **state) {
        g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
        health_monitor *h = three_tracks(log);

        (void) state;
        for (int64_t t = 0; t <= 6 * S; t += 250 * MS) {
                level(h, 1, t, -30);
                level(h, 2, t, -35);
                level(h, 3, t, -200);
                picture(h, t);
        }
        assert_int_equal(log->len, 1);
        assert_true(g_str_has_prefix(log->pdata[0],
                                     "+interpreter microphone dead|interpreter microphone dead: "
                                     "below -90 dBFS since"));
        assert_true(health_raised(h, REASON_INTERPRETER_MIC_DEAD));
        assert_false(health_raised(h, REASON_MIC_DEAD));
        assert_false(health_raised(h, REASON_INTERVIEWEE_MIC_DEAD));
        /* it comes back: cleared after the hold-off */
        for (int64_t t = 6 * S + 250 * MS; t <= 9 * S; t += 250 * MS)
                level(h, 3, t, -30);
        assert_int_equal(log->len, 2);
        assert_true(g_str_has_prefix(log->pdata[1], "-interpreter microphone dead|"));
        health_free(h);
}

/* A track whose level stops coming (its branch stalled) is missed on its
 * own, while the others keep measuring. */
static void test_missing_track(void **state) {
        g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
        health_monitor *h = three_tracks(log);

        (void) state;
        for (int64_t t = 0; t <= 4 * S; t += 250 * MS) {
                level(h, 1, t, -30);
                level(h, 3, t, -30);
                picture(h, t);
                health_tick(h, at(t));
        }
        assert_int_equal(log->len, 1);
        assert_true(g_str_has_prefix(log->pdata[0],
                                     "+interviewer microphone dead|interviewer microphone dead: no "
                                     "audio level"));
        health_free(h);
}

static void test_preflight_required_only(void **state) {
        g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GString) detail = g_string_new(NULL);
        room_reason reasons[4];
        health_monitor *h = three_tracks(log);

        (void) state;
        /* a dead interpreter microphone does not refuse the room */
        for (int64_t t = 0; t <= S; t += 250 * MS) {
                level(h, 1, t, -30);
                level(h, 2, t, -30);
                level(h, 3, t, -200);
                picture(h, t);
        }
        assert_int_equal(health_preflight(h, reasons, 4, detail), 0);
        /* a dead interviewee microphone does */
        health_playing(h, at(2 * S));
        for (int64_t t = 2 * S; t <= 3 * S; t += 250 * MS) {
                level(h, 1, t, -200);
                level(h, 2, t, -30);
                level(h, 3, t, -30);
                picture(h, t);
        }
        assert_int_equal(health_preflight(h, reasons, 4, detail), 1);
        assert_int_equal(reasons[0], REASON_INTERVIEWEE_MIC_DEAD);
        assert_string_equal(detail->str, "the interviewee microphone gave digital silence throughout");
        assert_true(health_preflight_ready(h, 500 * MS));
        health_free(h);
}

/* Every role has its words in English and Dutch. */
static void test_role_words(void **state) {
        (void) state;
        assert_string_equal(room_reason_words(REASON_INTERPRETER_MIC_DEAD, "nl"),
                            "microfoon van de tolk geeft geen signaal");
        assert_string_equal(room_reason_to_string(REASON_SECOND_INTERVIEWER_MIC_SILENT),
                            "second interviewer microphone silent");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dead_interpreter),
                cmocka_unit_test(test_missing_track),
                cmocka_unit_test(test_preflight_required_only),
                cmocka_unit_test(test_role_words),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
