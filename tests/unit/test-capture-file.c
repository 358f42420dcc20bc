/* appliance/capture: a recording from a source that is not live (a file)
 * holds every frame of it. The pre-rolled pipeline used to drop what its
 * sources made before Start and then wait for a keyframe, which lost the
 * input's whole first keyframe interval (bench/recorder-vs-ffmpeg.sh
 * compared 840 recorded frames against ffmpeg's 900). Here a raw file of
 * FRAMES frames goes through the real pipeline (x264, splitmuxsink, the
 * sealing sink), the segment is decrypted, and ffprobe counts its frames. */
#include "testutil.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "age.h"
#include "capture.h"
#include "seal.h"

#define FRAMES 45 /* a second and a half: two keyframe intervals of 1 s */
#define WIDTH 160
#define HEIGHT 120
#define FRAME_BYTES (WIDTH * HEIGHT * 3 / 2)

static char *dir;

/* FRAMES I420 frames, each a different flat grey with a moving bar. */
static gchar *write_raw_video(void) {
        gchar *path = g_build_filename(dir, "in.yuv", NULL);
        g_autofree guint8 *data = g_malloc(FRAMES * FRAME_BYTES);

        for (int f = 0; f < FRAMES; f++) {
                guint8 *frame = data + (size_t) f * FRAME_BYTES;
                memset(frame, 16 + f * 4, WIDTH * HEIGHT);
                memset(frame + WIDTH * HEIGHT, 128, WIDTH * HEIGHT / 2);
                for (int y = 0; y < HEIGHT; y++)
                        memset(frame + y * WIDTH + f * 3, 235, 8);
        }
        assert_true(g_file_set_contents(path, (const gchar *) data, FRAMES * FRAME_BYTES, NULL));
        return path;
}

static gchar *write_profile(const char *video) {
        gchar *path = g_build_filename(dir, "file.profile", NULL);
        g_autofree gchar *text = g_strdup_printf(
                "[profile]\nroom=Room F\n"
                "[video]\nsource=filesrc location=%s ! rawvideoparse width=%d height=%d format=i420 "
                "framerate=30/1\nwidth=%d\nheight=%d\nframerate=30\nbitrate=500\nencoder=x264enc\n"
                "preset=ultrafast\nkeyframe-interval=1\n"
                "[audio]\nsource=audiotestsrc is-live=false num-buffers=%d samplesperbuffer=1600\n"
                "codec=aac\nbitrate=64\n",
                video, WIDTH, HEIGHT, WIDTH, HEIGHT, FRAMES);

        assert_true(g_file_set_contents(path, text, -1, NULL));
        return path;
}

/* Waits for the pipeline to get where it is going, then for its end. */
static void record_to_end(GstElement *pipeline, const char *session) {
        g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
        g_autoptr(GstMessage) end = NULL;
        g_autofree gchar *msg = NULL;

        assert_int_not_equal(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
        assert_int_equal(gst_element_get_state(pipeline, NULL, NULL, GST_CLOCK_TIME_NONE),
                         GST_STATE_CHANGE_SUCCESS);
        assert_int_equal(capture_pipeline_open(pipeline, session, &msg), 0);
        /* an event, not a deadline: the bound only stops a hung run */
        end = gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
        assert_non_null(end);
        if (GST_MESSAGE_TYPE(end) == GST_MESSAGE_ERROR) {
                g_autoptr(GError) err = NULL;
                gst_message_parse_error(end, &err, NULL);
                fail_msg("the recording failed: %s", err->message);
        }
        gst_element_set_state(pipeline, GST_STATE_NULL);
}

static gchar *decrypt(const char *sealed, const uint8_t sk[AGE_KEY_LEN]) {
        gchar *plain = g_strconcat(sealed, ".mkv", NULL);
        g_autofree gchar *data = NULL;
        gsize len = 0;
        test_sink out = {0};
        age_read_result res;

        assert_true(g_file_get_contents(sealed, &data, &len, NULL));
        assert_int_equal(age_decrypt_buf((const uint8_t *) data, len, (const uint8_t(*)[AGE_KEY_LEN]) sk, 1,
                                         test_sink_append, &out, &res),
                         0);
        assert_int_equal(res.verdict, AGE_OK);
        assert_true(g_file_set_contents(plain, (const gchar *) out.data, (gssize) out.len, NULL));
        test_sink_done(&out);
        return plain;
}

static int ffprobe_video_frames(const char *path) {
        const char *argv[] = {"ffprobe",
                              "-v",
                              "error",
                              "-count_frames",
                              "-select_streams",
                              "v:0",
                              "-show_entries",
                              "stream=nb_read_frames",
                              "-of",
                              "csv=p=0",
                              path,
                              NULL};
        g_autofree gchar *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        gint status = -1;
        gchar *end = NULL;
        gint64 n;

        assert_true(g_spawn_sync(NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                                 &status, &error));
        if (!g_spawn_check_wait_status(status, NULL))
                fail_msg("ffprobe failed on %s: %s", path, err);
        n = g_ascii_strtoll(out, &end, 10);
        if (end == out || n < 0 || n > G_MAXINT)
                fail_msg("ffprobe gave no frame count for %s: '%s'", path, out);
        return (int) n;
}

static void test_every_frame_of_a_file_is_recorded(void **state) {
        uint8_t *sk = sodium_malloc(AGE_KEY_LEN), pk[AGE_KEY_LEN];
        g_autofree gchar *video = write_raw_video(), *profile = write_profile(video);
        g_autofree gchar *session = g_build_filename(dir, "session", NULL);
        g_autofree gchar *segment = g_build_filename(session, "seg-000001.mkv.age", NULL);
        g_autofree gchar *second = g_build_filename(session, "seg-000002.mkv.age", NULL);
        g_autofree gchar *recipient = NULL, *msg = NULL, *plain = NULL;
        g_autofree gchar *ffprobe = g_find_program_in_path("ffprobe");
        capture_options o = {0};
        capture_profile *p = NULL;
        GstElement *pipeline = NULL;

        (void) state;
        if (!ffprobe) {
                print_message("ffprobe is not installed (the ffmpeg package)\n");
                skip();
        }
        assert_non_null(sk);
        randombytes_buf(sk, AGE_KEY_LEN);
        assert_int_equal(age_identity_to_recipient(sk, pk), 0);
        recipient = age_recipient_format(pk);
        o.recipients = recipient;
        assert_int_equal(g_mkdir(session, 0700), 0);
        assert_int_equal(capture_profile_load(profile, &p, &msg), 0);
        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), 0);
        record_to_end(pipeline, session);
        gst_object_unref(pipeline);
        capture_profile_free(p);

        assert_false(g_file_test(second, G_FILE_TEST_EXISTS));
        plain = decrypt(segment, sk);
        assert_int_equal(ffprobe_video_frames(plain), FRAMES);
        sodium_free(sk);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_frame_of_a_file_is_recorded),
        };
        int r;

        if (sodium_init() < 0)
                return 1;
        gst_init(&argc, &argv);
        seal_register();
        dir = test_tmpdir_new("test-capture-file");
        if (!dir)
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) test_tmpdir_remove(dir);
        return r;
}
