/* appliance/capture health measurements: real pipelines built from test
 * profiles report the audio level and the picture's luma and change that
 * their sources make, and capture_measure_parse refuses every message that
 * is not a well-formed measurement. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "seal.h"

static char *dir;

typedef struct seen {
        int audio, pictures;
        double rms_min, rms_max;
        double luma_min, luma_max;
        double change_min, change_max;
        GstClockTime last_audio_rt, last_picture_rt;
} seen;

static capture_profile *profile(const char *name, const char *video, const char *audio) {
        g_autofree gchar *path = g_strdup_printf("%s/%s.profile", dir, name);
        g_autofree gchar *text = g_strdup_printf("[video]\nsource=%s\nwidth=320\nheight=180\nframerate=15\n"
                                                 "preset=ultrafast\n[audio]\nsource=%s\n",
                                                 video, audio);
        g_autofree gchar *msg = NULL;
        capture_profile *p = NULL;

        assert_true(g_file_set_contents(path, text, -1, NULL));
        assert_int_equal(capture_profile_load(path, &p, &msg), 0);
        return p;
}

static void note(seen *s, const capture_measure *m) {
        if (m->kind == CAPTURE_MEASURE_AUDIO) {
                assert_int_equal(m->camera, 0);
                s->rms_min = s->audio ? MIN(s->rms_min, m->rms_db) : m->rms_db;
                s->rms_max = s->audio ? MAX(s->rms_max, m->rms_db) : m->rms_db;
                if (s->audio)
                        assert_true(m->running_time > s->last_audio_rt);
                s->last_audio_rt = m->running_time;
                s->audio++;
                return;
        }
        assert_int_equal(m->kind, CAPTURE_MEASURE_PICTURE);
        assert_int_equal(m->camera, 1);
        s->luma_min = s->pictures ? MIN(s->luma_min, m->luma) : m->luma;
        s->luma_max = s->pictures ? MAX(s->luma_max, m->luma) : m->luma;
        s->change_min = s->pictures ? MIN(s->change_min, m->change) : m->change;
        s->change_max = s->pictures ? MAX(s->change_max, m->change) : m->change;
        if (getenv("TEST_VERBOSE"))
                printf("picture luma %.2f change %.3f\n", m->luma, m->change);
        if (s->pictures)
                assert_true(m->running_time > s->last_picture_rt);
        s->last_picture_rt = m->running_time;
        s->pictures++;
}

/* Runs the pre-rolled pipeline until it has given 6 audio levels and 4
 * pictures (about 2 s); the bound only catches a pipeline that measures
 * nothing. */
static seen measure(const char *video, const char *audio) {
        capture_profile *p = profile("m", video, audio);
        capture_options o = {.recipients = "age1x", .measure = true};
        g_autofree gchar *msg = NULL;
        GstElement *pipeline = NULL;
        g_autoptr(GstBus) bus = NULL;
        gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
        seen s = {0};

        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), 0);
        bus = gst_element_get_bus(pipeline);
        assert_int_not_equal(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
        while ((s.audio < 6 || s.pictures < 4) && g_get_monotonic_time() < deadline) {
                g_autoptr(GstMessage) m =
                        gst_bus_timed_pop_filtered(bus, GST_SECOND, GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
                capture_measure cm;
                if (!m)
                        continue;
                if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
                        fail_msg("pipeline error: %s", capture_explain_error(m));
                if (capture_measure_parse(m, &cm))
                        note(&s, &cm);
        }
        gst_element_set_state(pipeline, GST_STATE_NULL);
        gst_object_unref(pipeline);
        capture_profile_free(p);
        assert_true(s.audio >= 6);
        assert_true(s.pictures >= 4);
        return s;
}

/* Digital silence and a black picture: the two dead inputs. */
static void test_dead_and_black(void **state) {
        seen s = measure("videotestsrc is-live=true pattern=black", "audiotestsrc is-live=true volume=0");

        (void) state;
        assert_true(s.rms_max == -200.0);
        assert_true(s.luma_min >= 15.0 && s.luma_max <= 17.0);
        assert_true(s.change_max == 0.0);
}

/* A quiet tone (RMS of a 0.0005 sine: -69 dBFS) and a still picture
 * (smpte75: plain smpte has a patch of fresh noise in its lower right,
 * which reads as a change of about 4.5, as a live camera's would). */
static void test_quiet_and_static(void **state) {
        seen s = measure("videotestsrc is-live=true pattern=smpte75",
                         "audiotestsrc is-live=true volume=0.0005");

        (void) state;
        assert_true(s.rms_min > -70.5 && s.rms_max < -67.5);
        assert_true(s.luma_min > 60.0);
        assert_true(s.change_max == 0.0);
}

/* The test profile's own sources: a -23 dBFS tone and a moving picture. */
static void test_tone_and_moving(void **state) {
        seen s = measure("videotestsrc is-live=true pattern=smpte horizontal-speed=4",
                         "audiotestsrc is-live=true wave=sine volume=0.1");

        (void) state;
        assert_true(s.rms_min > -24.5 && s.rms_max < -21.5);
        assert_true(s.luma_min > 60.0);
        assert_true(s.change_min > 1.0);
}

/* Without measure nothing is added: no level element, no picture messages. */
static void test_off_adds_nothing(void **state) {
        capture_profile *p = profile("off", "videotestsrc is-live=true", "audiotestsrc is-live=true");
        capture_options o = {.recipients = "age1x"};
        g_autofree gchar *msg = NULL;
        GstElement *pipeline = NULL, *level;

        (void) state;
        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), 0);
        level = gst_bin_get_by_name(GST_BIN(pipeline), "audio-level-1");
        assert_null(level);
        gst_object_unref(pipeline);
        capture_profile_free(p);
}

static GstMessage *element_message(const char *src_name, GstStructure *s) {
        GstElement *e = gst_object_ref_sink(gst_element_factory_make("identity", src_name));
        GstMessage *m = gst_message_new_element(GST_OBJECT(e), s); /* holds its own reference */

        gst_object_unref(e);
        return m;
}

static GValueArray *rms_array(int n, double v) {
        G_GNUC_BEGIN_IGNORE_DEPRECATIONS
        GValueArray *a = g_value_array_new(n);
        for (int i = 0; i < n; i++) {
                GValue d = G_VALUE_INIT;
                g_value_init(&d, G_TYPE_DOUBLE);
                g_value_set_double(&d, v);
                g_value_array_append(a, &d);
                g_value_unset(&d);
        }
        G_GNUC_END_IGNORE_DEPRECATIONS
        return a;
}

static GstStructure *level_structure(GValueArray *rms) {
        GstStructure *s =
                gst_structure_new("level", "running-time", G_TYPE_UINT64, (guint64) GST_SECOND, NULL);
        GValue v = G_VALUE_INIT;

        if (rms) {
                G_GNUC_BEGIN_IGNORE_DEPRECATIONS
                g_value_init(&v, g_value_array_get_type());
                G_GNUC_END_IGNORE_DEPRECATIONS
                g_value_take_boxed(&v, rms);
                gst_structure_take_value(s, "rms", &v);
        }
        return s;
}

static GstStructure *picture(int camera, double luma, double change) {
        return gst_structure_new("studio-picture", "camera", G_TYPE_INT, camera, "running-time",
                                 G_TYPE_UINT64, (guint64) GST_SECOND, "luma", G_TYPE_DOUBLE, luma, "change",
                                 G_TYPE_DOUBLE, change, NULL);
}

static void refused(GstMessage *m) {
        capture_measure cm = {.kind = 99};

        assert_false(capture_measure_parse(m, &cm));
        assert_int_equal(cm.kind, 99); /* untouched */
        gst_message_unref(m);
}

static void test_malformed_messages(void **state) {
        capture_measure cm;
        GstMessage *ok;

        (void) state;
        assert_false(capture_measure_parse(NULL, &cm));
        refused(gst_message_new_eos(NULL));
        refused(element_message("x", gst_structure_new_empty("something-else")));
        /* pictures: unknown camera, out of range, not finite, missing or mistyped fields */
        refused(element_message("a", picture(3, 16, 0)));
        refused(element_message("a", picture(0, 16, 0)));
        refused(element_message("a", picture(1, 300, 0)));
        refused(element_message("a", picture(1, -1, 0)));
        refused(element_message("a", picture(1, NAN, 0)));
        refused(element_message("a", picture(1, 16, INFINITY)));
        refused(element_message("a", gst_structure_new("studio-picture", "camera", G_TYPE_INT, 1, NULL)));
        refused(element_message("a",
                                gst_structure_new("studio-picture", "camera", G_TYPE_STRING, "1",
                                                  "running-time", G_TYPE_UINT64, (guint64) 1, "luma",
                                                  G_TYPE_DOUBLE, 16.0, "change", G_TYPE_DOUBLE, 0.0, NULL)));
        /* levels: another element's, no rms, empty, too many channels, NaN, not doubles */
        refused(element_message("someone-elses-level", level_structure(rms_array(2, -20))));
        refused(element_message("audio-level-1", level_structure(NULL)));
        refused(element_message("audio-level-1", level_structure(rms_array(0, -20))));
        refused(element_message("audio-level-1", level_structure(rms_array(65, -20))));
        refused(element_message("audio-level-1", level_structure(rms_array(1, NAN))));
        refused(element_message("audio-level-1",
                                gst_structure_new("level", "running-time", G_TYPE_UINT64, (guint64) 1, "rms",
                                                  G_TYPE_DOUBLE, -20.0, NULL)));
        /* well-formed: digital silence (-inf) reads as the floor */
        ok = element_message("audio-level-1", level_structure(rms_array(2, -INFINITY)));
        assert_true(capture_measure_parse(ok, &cm));
        assert_int_equal(cm.kind, CAPTURE_MEASURE_AUDIO);
        assert_true(cm.rms_db == -200.0);
        assert_int_equal(cm.running_time, GST_SECOND);
        gst_message_unref(ok);
        ok = element_message("cam", picture(2, 100.5, 3.25));
        assert_true(capture_measure_parse(ok, &cm));
        assert_int_equal(cm.camera, 2);
        assert_true(cm.luma == 100.5 && cm.change == 3.25);
        gst_message_unref(ok);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dead_and_black),     cmocka_unit_test(test_quiet_and_static),
                cmocka_unit_test(test_tone_and_moving),    cmocka_unit_test(test_off_adds_nothing),
                cmocka_unit_test(test_malformed_messages),
        };
        int r;

        gst_init(&argc, &argv);
        seal_register();
        dir = test_tmpdir_new("test-capture-measure");
        if (!dir)
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) test_tmpdir_remove(dir);
        return r;
}
