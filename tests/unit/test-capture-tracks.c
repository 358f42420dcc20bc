/* appliance/capture/tracks.c: a profile's audio tracks. The shipped
 * three-voice profile and the single-source profiles read as documented,
 * every malformed track is refused naming the file, line, group and key,
 * and the pipelines build with one encoder and one level element a track. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "capture.h"
#include "seal.h"

static char *dir;

#define VIDEO "[video]\nsource=videotestsrc is-live=true\nwidth=320\nheight=180\n"
#define TONE(f) "audiotestsrc is-live=true freq=" #f
#define FOUR_CHANNELS                                                                                       \
        "[audio]\nsource=interleave name=m " TONE(300) " ! m. " TONE(700) " ! m. " TONE(                    \
                1500) " ! m. " TONE(2500) " ! m.\nchannels=4\n"

static capture_profile *load_text(const char *name, const char *text, gchar **msg) {
        g_autofree gchar *path = g_strdup_printf("%s/%s.profile", dir, name);
        capture_profile *p = NULL;

        assert_true(g_file_set_contents(path, text, -1, NULL));
        if (capture_profile_load(path, &p, msg) < 0)
                return NULL;
        return p;
}

static void expect_refused(const char *name, const char *text, const char *needle) {
        g_autofree gchar *msg = NULL;
        capture_profile *p = load_text(name, text, &msg);

        assert_null(p);
        assert_non_null(msg);
        assert_contains(msg, needle);
        assert_contains(msg, name);
}

static void test_three_voices(void **state) {
        g_autofree gchar *msg = NULL;
        capture_profile *p = NULL;
        const capture_track *t;
        size_t n;

        (void) state;
        assert_int_equal(capture_profile_load("test-3voices", &p, &msg), 0);
        t = capture_profile_tracks(p, &n);
        assert_int_equal(n, 3);
        assert_string_equal(t[0].role, "interviewee");
        assert_string_equal(t[1].role, "interviewer");
        assert_string_equal(t[2].role, "interpreter");
        assert_string_equal(t[2].label, "Interpreter microphone");
        assert_string_equal(t[2].language, "nld");
        assert_null(t[0].language);
        assert_contains(t[1].source, "freq=700");
        assert_int_equal(t[1].channel, 0);
        /* only the interviewee's microphone is required unless said */
        assert_true(t[0].required);
        assert_false(t[1].required);
        assert_false(t[2].required);
        assert_false(capture_profile_mix(p));
        /* each track costs its bitrate on the spool */
        assert_int_equal(capture_profile_bitrate_kbps(p), 4000 + 3 * 64);
        capture_profile_free(p);
}

static void test_single_source_is_the_room(void **state) {
        g_autofree gchar *msg = NULL;
        capture_profile *p = NULL;
        const capture_track *t;
        size_t n;

        (void) state;
        assert_int_equal(capture_profile_load("test", &p, &msg), 0);
        t = capture_profile_tracks(p, &n);
        assert_int_equal(n, 1);
        assert_string_equal(t[0].role, "room");
        assert_string_equal(t[0].label, "Room microphone");
        assert_int_equal(t[0].channel, 0);
        assert_true(t[0].required);
        assert_contains(t[0].source, "audiotestsrc");
        capture_profile_free(p);
}

static void test_channels_of_one_source(void **state) {
        g_autofree gchar *msg = NULL;
        const capture_track *t;
        size_t n;
        capture_profile *p = load_text("four",
                                       VIDEO FOUR_CHANNELS "mix=yes\n"
                                                           "[audio.track.1]\nrole=interpreter\nchannel=3\n"
                                                           "label=Tolk\nrequired=yes\n"
                                                           "[audio.track.2]\nrole=interviewee\nchannel=1\n",
                                       &msg);

        (void) state;
        assert_non_null(p);
        t = capture_profile_tracks(p, &n);
        assert_int_equal(n, 2);
        assert_int_equal(t[0].channel, 3);
        assert_string_equal(t[0].label, "Tolk");
        assert_true(t[0].required);
        assert_int_equal(t[1].channel, 1);
        assert_contains(t[1].source, "interleave");
        assert_true(capture_profile_mix(p));
        capture_profile_free(p);
}

static void test_malformed_tracks(void **state) {
        (void) state;
        expect_refused("no-role", VIDEO "[audio.track.1]\nsource=" TONE(300) "\n",
                       "[audio.track.1] needs a role");
        expect_refused("bad-role", VIDEO "[audio.track.1]\nrole=victim\nsource=" TONE(300) "\n", "role");
        expect_refused("twice-role",
                       VIDEO "[audio.track.1]\nrole=room\nsource=" TONE(
                               300) "\n[audio.track.2]\nrole=room\nsource=" TONE(700) "\n",
                       "[audio.track.2] role is already another track's");
        expect_refused("no-origin", VIDEO "[audio.track.1]\nrole=room\n",
                       "needs a channel of [audio] source");
        expect_refused("both",
                       VIDEO FOUR_CHANNELS "[audio.track.1]\nrole=room\nchannel=1\nsource=" TONE(300) "\n",
                       "are both given");
        expect_refused("no-channels",
                       VIDEO "[audio]\nsource=" TONE(300) "\n[audio.track.1]\nrole=room\nchannel=1\n",
                       "needs [audio] source and [audio] channels");
        expect_refused("beyond", VIDEO FOUR_CHANNELS "[audio.track.1]\nrole=room\nchannel=5\n",
                       "is beyond [audio] channels");
        expect_refused("channel-twice",
                       VIDEO FOUR_CHANNELS "[audio.track.1]\nrole=room\nchannel=2\n"
                                           "[audio.track.2]\nrole=interpreter\nchannel=2\n",
                       "[audio.track.2] channel is already another track's");
        expect_refused("gap",
                       VIDEO "[audio.track.1]\nrole=room\nsource=" TONE(
                               300) "\n[audio.track.3]\nrole=interpreter\nsource=" TONE(700) "\n",
                       "[audio.track.3] comes after a missing track");
        expect_refused("ninth", VIDEO "[audio.track.9]\nrole=room\nsource=" TONE(300) "\n",
                       "unknown group [audio.track.9]");
        expect_refused("language",
                       VIDEO "[audio.track.1]\nrole=room\nlanguage=Dutch\nsource=" TONE(300) "\n",
                       "line 7: [audio.track.1] language must be an ISO 639-2 code");
        expect_refused("channels-alone", VIDEO FOUR_CHANNELS,
                       "[audio] channels needs [audio.track.N] groups");
        expect_refused("no-audio", VIDEO, "[audio] source is required");
        expect_refused("typo", VIDEO "[audio.track.1]\nrole=room\nsource=" TONE(300) "\nchanel=1\n",
                       "unknown key \"chanel\" in [audio.track.1]");
}

static int count_named(GstElement *pipeline, const char *prefix) {
        g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
        g_auto(GValue) item = G_VALUE_INIT;
        int n = 0;

        while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
                n += g_str_has_prefix(GST_OBJECT_NAME(g_value_get_object(&item)), prefix);
                g_value_reset(&item);
        }
        return n;
}

static void expect_pipeline(capture_profile *p, int encoders) {
        g_autofree gchar *msg = NULL;
        GstElement *pipeline = NULL;
        capture_options o = {.recipients = "age1x", .measure = true};

        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), 0);
        assert_int_equal(count_named(pipeline, "audio-encoder-"), encoders);
        assert_int_equal(count_named(pipeline, "audio-level-"), (int) (encoders - capture_profile_mix(p)));
        gst_object_unref(pipeline);
        capture_profile_free(p);
}

static void test_pipelines_build(void **state) {
        g_autofree gchar *msg = NULL;
        capture_profile *p = NULL;

        (void) state;
        assert_int_equal(capture_profile_load("test-3voices", &p, &msg), 0);
        expect_pipeline(p, 3);
        assert_int_equal(capture_profile_load("test", &p, &msg), 0);
        expect_pipeline(p, 1);
        p = load_text("split", VIDEO FOUR_CHANNELS "mix=yes\n[audio.track.1]\nrole=interpreter\nchannel=3\n",
                      &msg);
        assert_non_null(p);
        expect_pipeline(p, 2);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_three_voices),
                cmocka_unit_test(test_single_source_is_the_room),
                cmocka_unit_test(test_channels_of_one_source),
                cmocka_unit_test(test_malformed_tracks),
                cmocka_unit_test(test_pipelines_build),
        };
        int r;

        gst_init(&argc, &argv);
        seal_register();
        dir = test_tmpdir_new("test-capture-tracks");
        if (!dir)
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) test_tmpdir_remove(dir);
        return r;
}
