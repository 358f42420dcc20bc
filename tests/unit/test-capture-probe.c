/* appliance/capture device probes. This machine has no camera and no sound
 * card, so: the mode chooser on tables of what cameras offer, and the
 * libv4l2 and ALSA probes on what does exist here (missing devices,
 * /dev/null, files, links, garbage device strings from a profile). What a
 * real camera answers is run on the vivid driver by the image tests. */
#include "testutil.h"

#include <errno.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "probe-internal.h"
#include "room-reasons.h"
#include "seal.h"

static char *dir;

#define YUYV V4L2_PIX_FMT_YUYV
#define NV12 V4L2_PIX_FMT_NV12
#define MJPG V4L2_PIX_FMT_MJPEG
#define H264 V4L2_PIX_FMT_H264

#define MODE(f, w, h, fps)                                                                                  \
        { f, w, h, 1, fps }

static void expect_mode(const capture_v4l2_mode *modes, size_t n, int w, int h, int fps, const char *caps) {
        capture_v4l2_mode got = {0};
        g_autofree gchar *msg = NULL, *got_caps = NULL;

        assert_int_equal(capture_v4l2_choose_mode(modes, n, w, h, fps, &got, &msg), 0);
        assert_null(msg);
        got_caps = capture_v4l2_mode_caps(&got);
        if (!got_caps || strcmp(got_caps, caps) != 0)
                fail_msg("chose %s, expected %s", got_caps ? got_caps : "(null)", caps);
}

static void expect_refused(const capture_v4l2_mode *modes, size_t n, const char *needle) {
        capture_v4l2_mode got = {.width = 7};
        g_autofree gchar *msg = NULL;

        assert_int_equal(capture_v4l2_choose_mode(modes, n, 1280, 720, 30, &got, &msg), -ENOTSUP);
        assert_int_equal(got.width, 7); /* untouched */
        assert_non_null(msg);
        if (!strstr(msg, needle))
                fail_msg("message '%s' does not say '%s'", msg, needle);
}

static void test_choose_exact_raw(void **state) {
        const capture_v4l2_mode modes[] = {
                MODE(MJPG, 1280, 720, 30), MODE(YUYV, 1920, 1080, 30), MODE(YUYV, 1280, 720, 30),
                MODE(YUYV, 640, 480, 30),  MODE(NV12, 1280, 720, 60),
        };

        (void) state;
        /* raw before MJPEG at the same size; 30 before 60 at 30 fps */
        expect_mode(modes, G_N_ELEMENTS(modes), 1280, 720, 30,
                    "video/x-raw,format=YUY2,width=1280,height=720,framerate=30/1");
        /* 60 fps asked: only the NV12 mode gives it */
        expect_mode(modes, G_N_ELEMENTS(modes), 1280, 720, 60,
                    "video/x-raw,format=NV12,width=1280,height=720,framerate=60/1");
}

static void test_choose_mjpeg(void **state) {
        /* the usual UVC camera: raw only at small sizes or low rates */
        const capture_v4l2_mode modes[] = {
                MODE(YUYV, 640, 480, 30),
                MODE(YUYV, 1280, 720, 10),
                MODE(MJPG, 1280, 720, 30),
                MODE(MJPG, 1920, 1080, 30),
        };
        const capture_v4l2_mode only[] = {MODE(MJPG, 1280, 720, 30)};

        (void) state;
        expect_mode(modes, G_N_ELEMENTS(modes), 1280, 720, 30,
                    "image/jpeg,width=1280,height=720,framerate=30/1");
        expect_mode(only, 1, 1280, 720, 30, "image/jpeg,width=1280,height=720,framerate=30/1");
}

static void test_choose_larger_then_smaller(void **state) {
        const capture_v4l2_mode larger[] = {
                MODE(YUYV, 3840, 2160, 30), MODE(YUYV, 1920, 1080, 30), MODE(MJPG, 1600, 900, 30),
                MODE(YUYV, 640, 480, 30),   MODE(YUYV, 1600, 900, 15),
        };
        const capture_v4l2_mode smaller[] = {
                MODE(YUYV, 320, 240, 30),
                MODE(YUYV, 960, 540, 30),
                MODE(YUYV, 640, 480, 30),
                /* wider but not as tall: not "larger", the picture would be cut */
                MODE(YUYV, 1920, 480, 30),
        };

        (void) state;
        expect_mode(larger, G_N_ELEMENTS(larger), 1280, 720, 30,
                    "image/jpeg,width=1600,height=900,framerate=30/1");
        expect_mode(smaller, G_N_ELEMENTS(smaller), 1280, 720, 30,
                    "video/x-raw,format=YUY2,width=960,height=540,framerate=30/1");
}

static void test_choose_framerate(void **state) {
        /* NTSC-style rates as intervals: 1001/30000 s is 29.97 fps */
        const capture_v4l2_mode ntsc[] = {
                {YUYV, 1280, 720, 1001, 30000},
                {YUYV, 1280, 720, 1001, 15000},
        };
        /* the exact size only at 15 fps, a smaller one at 30: the rate wins */
        const capture_v4l2_mode slow_exact[] = {MODE(YUYV, 1280, 720, 15), MODE(YUYV, 640, 360, 30)};
        /* nothing reaches 30: the fastest */
        const capture_v4l2_mode slow[] = {MODE(YUYV, 1280, 720, 5), MODE(YUYV, 1920, 1080, 10)};
        /* 2/60 s reads 30/1 */
        const capture_v4l2_mode odd[] = {{MJPG, 1280, 720, 2, 60}};

        (void) state;
        expect_mode(ntsc, 2, 1280, 720, 30,
                    "video/x-raw,format=YUY2,width=1280,height=720,framerate=30000/1001");
        expect_mode(slow_exact, 2, 1280, 720, 30,
                    "video/x-raw,format=YUY2,width=640,height=360,framerate=30/1");
        expect_mode(slow, 2, 1280, 720, 30, "video/x-raw,format=YUY2,width=1920,height=1080,framerate=10/1");
        expect_mode(odd, 1, 1280, 720, 30, "image/jpeg,width=1280,height=720,framerate=30/1");
}

static void test_choose_many_modes(void **state) {
        g_autofree capture_v4l2_mode *modes = g_new0(capture_v4l2_mode, CAPTURE_V4L2_MAX_MODES);
        size_t n = 0;

        (void) state;
        for (uint32_t w = 160; n < CAPTURE_V4L2_MAX_MODES - 1; w += 2) {
                modes[n] = (capture_v4l2_mode) MODE(n % 3 ? MJPG : H264, w, w * 9 / 16, 30);
                n++;
        }
        modes[n++] = (capture_v4l2_mode) MODE(YUYV, 1280, 720, 25);
        expect_mode(modes, n, 1280, 720, 25, "video/x-raw,format=YUY2,width=1280,height=720,framerate=25/1");
}

static void test_choose_nothing_fits(void **state) {
        const capture_v4l2_mode h264[] = {MODE(H264, 1280, 720, 30), MODE(H264, 1920, 1080, 30)};
        const capture_v4l2_mode bayer[] = {MODE(V4L2_PIX_FMT_SGRBG10, 1280, 720, 30)};
        const capture_v4l2_mode garbage[] = {MODE(0x01020304, 1280, 720, 30)};
        /* a driver that gives sizes of 0 or intervals of 0/0 */
        const capture_v4l2_mode empty[] = {MODE(YUYV, 0, 0, 30), {YUYV, 1280, 720, 0, 0}};

        (void) state;
        expect_refused(h264, 2, "no picture format the recording can take (it offers H264; it needs YUYV");
        expect_refused(bayer, 1, "(it offers BA10;");
        expect_refused(garbage, 1, "(it offers 0x01020304;");
        expect_refused(NULL, 0, "offers no picture size or frame rate at all");
        expect_refused(empty, 2, "offers no picture size or frame rate at all");
}

static void test_mode_caps(void **state) {
        const capture_v4l2_mode h264 = MODE(H264, 1280, 720, 30);
        const capture_v4l2_mode zero = {YUYV, 1280, 720, 0, 0};
        g_autofree gchar *i420 =
                capture_v4l2_mode_caps(&(capture_v4l2_mode) MODE(V4L2_PIX_FMT_YUV420, 640, 480, 25));

        (void) state;
        assert_string_equal(i420, "video/x-raw,format=I420,width=640,height=480,framerate=25/1");
        assert_null(capture_v4l2_mode_caps(&h264));
        assert_null(capture_v4l2_mode_caps(&zero));
}

static void test_source_parse(void **state) {
        static const struct {
                const char *description, *factory, *device;
                bool more;
        } cases[] = {
                {"v4l2src device=/dev/video0", "v4l2src", "/dev/video0", false},
                {"  v4l2src\tio-mode=2 device=\"/dev/v4l/by-id/usb-cam\" ", "v4l2src",
                 "/dev/v4l/by-id/usb-cam", false},
                {"v4l2src device=/dev/video0 ! image/jpeg ! jpegdec", "v4l2src", "/dev/video0", true},
                {"alsasrc device='hw:1,0'", "alsasrc", "hw:1,0", false},
                {"videotestsrc ! device=/dev/video0", "videotestsrc", NULL, true},
                {"device=/dev/video0", "device=/dev/video0", NULL, false},
                {"", "", NULL, false},
                {"!", "", NULL, true},
                {NULL, "", NULL, false},
        };

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree gchar *factory = NULL, *device = NULL;
                bool more = !cases[i].more;
                capture_source_parse(cases[i].description, &factory, &device, &more);
                assert_string_equal(factory, cases[i].factory);
                if (cases[i].device)
                        assert_string_equal(device, cases[i].device);
                else
                        assert_null(device);
                assert_int_equal(more, cases[i].more);
        }
}

/* The message has the needle, no raw control character, and a bounded
 * length. */
static void check_message(const char *msg, const char *needle) {
        assert_non_null(msg);
        if (!strstr(msg, needle))
                fail_msg("message '%s' does not say '%s'", msg, needle);
        for (const char *c = msg; *c; c++)
                assert_false((unsigned char) *c < 0x20 || *c == 0x7f);
        assert_true(strlen(msg) < 600);
}

static void expect_camera(const char *path, int r, const char *needle) {
        g_autofree gchar *msg = NULL;
        capture_v4l2_mode mode = {.width = 7};

        assert_int_equal(capture_v4l2_probe(path, "camera", 1280, 720, 30, &mode, &msg), r);
        assert_int_equal(mode.width, 7);
        check_message(msg, needle);
}

static void test_camera_probe(void **state) {
        g_autofree gchar *file = g_build_filename(dir, "video0", NULL);
        g_autofree gchar *to_file = g_build_filename(dir, "by-id-file", NULL);
        g_autofree gchar *dangling = g_build_filename(dir, "by-id-gone", NULL);
        g_autofree gchar *to_null = g_build_filename(dir, "by-id-null", NULL);
        g_autofree gchar *long_name = g_strnfill(4096, 'v');
        g_autofree gchar *long_path = g_strconcat("/dev/", long_name, NULL);

        (void) state;
        if (access("/dev/video9", F_OK) == 0)
                skip();
        assert_true(g_file_set_contents(file, "not a camera", -1, NULL));
        assert_int_equal(symlink(file, to_file), 0);
        assert_int_equal(symlink("/dev/studio-no-such-camera", dangling), 0);
        assert_int_equal(symlink("/dev/null", to_null), 0);

        expect_camera("/dev/video9", -ENODEV, "the camera /dev/video9 is not present: check its cable");
        expect_camera("/dev/null", -ENOTSUP, "the camera /dev/null is not a video capture device");
        expect_camera(to_null, -ENOTSUP, "is not a video capture device");
        expect_camera(file, -ENOTSUP, "video0 is not a device but a file or folder");
        expect_camera(to_file, -ENOTSUP, "by-id-file is not a device but a file or folder");
        expect_camera(dir, -ENOTSUP, "is not a device but a file or folder");
        expect_camera(dangling, -ENODEV, "by-id-gone is not present");
        expect_camera("/dev/null/video0", -ENODEV, "is not present");
        expect_camera(long_path, -ENOTSUP, "/dev/vvvv");
        expect_camera("/dev/\x1b[2Jvideo0\n", -ENODEV, "/dev/\\u001b[2Jvideo0\\u000a is not present");
        expect_camera("/dev/vid\xff", -ENODEV, "/dev/vid\\xff is not present");
        expect_camera("", -ENOTSUP, "(no device path) is not named");
}

static void expect_mic(const char *device, int r, const char *needle) {
        g_autofree gchar *msg = NULL;

        assert_int_equal(capture_alsa_probe(device, &msg), r);
        if (r == 0)
                assert_null(msg);
        else
                check_message(msg, needle);
}

static void test_microphone_probe(void **state) {
        g_autofree gchar *a = g_strnfill(4096, 'A'), *commas = g_strnfill(4096, ',');
        g_autofree gchar *long_card = g_strconcat("hw:", a, NULL);
        g_autofree gchar *long_pcm = g_strconcat("hw:CARD=C920,DEV=0", commas, NULL);

        (void) state;
        if (access("/dev/snd", F_OK) == 0)
                skip();
        expect_mic("hw:9", -ENODEV, "the microphone hw:9 is not present: check its cable");
        expect_mic("hw:9,0", -ENODEV, "hw:9,0 is not present");
        expect_mic("plughw:CARD=C920,DEV=0", -ENODEV, "plughw:CARD=C920,DEV=0 is not present");
        expect_mic("hw:CARD=\"C920\"", -ENODEV, "is not present");
        /* "default": no card with an input on this machine */
        expect_mic("default", -ENODEV, "no sound card with a microphone input is connected");
        expect_mic(NULL, -ENODEV, "the microphone default is not present");
        /* garbage names no card */
        expect_mic("hw:", -ENOTSUP, "the microphone device hw: names no sound card (write e.g. hw:1");
        expect_mic("hw", -ENOTSUP, "hw names no sound card");
        expect_mic("hw:-1", -ENOTSUP, "hw:-1 names no sound card");
        expect_mic("hw:32", -ENOTSUP, "names no sound card");
        expect_mic("hw:1,99", -ENOTSUP, "names no sound card");
        expect_mic("hw:1,0,0,0", -ENOTSUP, "names no sound card");
        expect_mic("hw:CARD=X,FOO=1", -ENOTSUP, "names no sound card");
        expect_mic("hw:CARD=X,CARD=Y", -ENOTSUP, "names no sound card");
        expect_mic("hw:DEV=0", -ENOTSUP, "names no sound card");
        expect_mic("hw:,0", -ENOTSUP, "names no sound card");
        expect_mic("hw:/dev/snd/controlC0", -ENOTSUP, "names no sound card");
        expect_mic(long_card, -ENOTSUP, "hw:AAAA");
        expect_mic(long_pcm, -ENOTSUP, "names no sound card");
        expect_mic("hw:\x1b]0;x\x07", -ENOTSUP, "hw:\\u001b]0;x\\u0007 names no sound card");
        /* a PCM an asoundrc defines cannot be looked up: not a fault */
        expect_mic("studio_mic", 0, NULL);
}

static capture_profile *profile(const char *name, const char *video, const char *video2, const char *audio) {
        g_autofree gchar *path = g_strdup_printf("%s/%s.profile", dir, name);
        g_autofree gchar *text =
                g_strdup_printf("[video]\nsource=%s\n%s%s%s[audio]\nsource=%s\n", video,
                                video2 ? "source2=" : "", video2 ? video2 : "", video2 ? "\n" : "", audio);
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;

        assert_true(g_file_set_contents(path, text, -1, NULL));
        if (capture_profile_load(path, &p, &msg) < 0)
                fail_msg("%s", msg);
        return p;
}

static void expect_devices(capture_profile *p, int r, room_reason reason, const char *needle) {
        room_reason got_reason = _ROOM_REASON_MAX; /* untouched */
        g_autofree gchar *msg = NULL;

        assert_int_equal(capture_probe_devices(p, &got_reason, &msg), r);
        if (r == 0) {
                assert_int_equal(got_reason, _ROOM_REASON_MAX);
                assert_null(msg);
        } else {
                assert_int_equal(got_reason, reason);
                check_message(msg, needle);
        }
        capture_profile_free(p);
}

static void test_probe_devices(void **state) {
        const char *test = "videotestsrc is-live=true", *tone = "audiotestsrc is-live=true";
        capture_profile *shipped = NULL;

        (void) state;
        if (access("/dev/video0", F_OK) == 0 || access("/dev/snd", F_OK) == 0)
                skip();
        assert_int_equal(capture_profile_load("test", &shipped, NULL), 0);
        expect_devices(shipped, 0, _ROOM_REASON_INVALID, NULL);
        assert_int_equal(capture_profile_load("usb-1cam", &shipped, NULL), 0);
        expect_devices(shipped, -ENODEV, REASON_CAMERA_DISCONNECTED,
                       "the camera /dev/video0 is not present");
        expect_devices(profile("cam2", test, "v4l2src device=/dev/video9", tone), -ENODEV,
                       REASON_CAMERA2_DISCONNECTED, "the second camera /dev/video9 is not present");
        expect_devices(profile("null", "v4l2src device=/dev/null", NULL, tone), -ENOTSUP,
                       REASON_DEVICES_UNUSABLE, "the camera /dev/null is not a video capture device");
        expect_devices(profile("nodev", "v4l2src", NULL, tone), -ENODEV, REASON_CAMERA_DISCONNECTED,
                       "/dev/video0 is not present");
        expect_devices(profile("mic", test, NULL, "alsasrc device=hw:9"), -ENODEV, REASON_MIC_DISCONNECTED,
                       "the microphone hw:9 is not present");
        expect_devices(profile("micbad", test, NULL, "alsasrc device=hw:"), -ENOTSUP,
                       REASON_DEVICES_UNUSABLE, "names no sound card");
        /* the camera is looked at first: one reason at a time */
        expect_devices(profile("both", "v4l2src device=/dev/video9", NULL, "alsasrc device=hw:9"), -ENODEV,
                       REASON_CAMERA_DISCONNECTED, "camera /dev/video9");
}

static void test_pipeline_caps(void **state) {
        g_autofree gchar *described = NULL, *msg = NULL;
        capture_options o = {.session_dir = dir, .recipients = "age1x"};
        GstElement *pipeline = NULL;
        capture_profile *p;

        (void) state;
        /* not a lone v4l2src: nothing changes */
        described = g_strdup("untouched");
        assert_int_equal(capture_v4l2_source("videotestsrc", "camera", 1280, 720, 30, &described, &msg), 0);
        assert_null(described);
        described = g_strdup("untouched");
        assert_int_equal(capture_v4l2_source("v4l2src device=/dev/null ! image/jpeg ! jpegdec", "camera",
                                             1280, 720, 30, &described, &msg),
                         0);
        assert_null(described);
        assert_null(msg);
        assert_int_equal(
                capture_v4l2_source("v4l2src device=/dev/null", "camera", 1280, 720, 30, &described, &msg),
                -ENOTSUP);
        check_message(msg, "not a video capture device");
        g_clear_pointer(&msg, g_free);

        /* what the pipeline gets for a chosen mode parses as a source bin
         * (building one needs no camera) */
        const capture_v4l2_mode chosen[] = {MODE(YUYV, 1280, 720, 30), {MJPG, 1920, 1080, 1001, 30000}};
        const char *expected[] = {
                "v4l2src device=/dev/video0 ! capsfilter "
                "caps=\"video/x-raw,format=YUY2,width=1280,height=720,framerate=30/1\"",
                "v4l2src device=/dev/video0 ! capsfilter "
                "caps=\"image/jpeg,width=1920,height=1080,framerate=30000/1001\" ! jpegdec",
        };
        for (size_t i = 0; i < 2; i++) {
                g_autofree gchar *d = capture_v4l2_describe("v4l2src device=/dev/video0", &chosen[i]);
                g_autoptr(GError) error = NULL;
                GstElement *bin;
                assert_string_equal(d, expected[i]);
                bin = gst_parse_bin_from_description(d, TRUE, &error);
                if (!bin)
                        fail_msg("'%s' does not parse: %s", d, error ? error->message : "?");
                gst_object_unref(bin);
        }
        assert_null(capture_v4l2_describe("v4l2src", &(capture_v4l2_mode) MODE(H264, 1280, 720, 30)));

        /* the pipeline refuses a camera that offers nothing, naming it */
        p = profile("pipe-null", "v4l2src device=/dev/null", NULL, "audiotestsrc is-live=true");
        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), -ENOTSUP);
        assert_null(pipeline);
        check_message(msg, "the camera /dev/null is not a video capture device");
        capture_profile_free(p);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_choose_exact_raw),
                cmocka_unit_test(test_choose_mjpeg),
                cmocka_unit_test(test_choose_larger_then_smaller),
                cmocka_unit_test(test_choose_framerate),
                cmocka_unit_test(test_choose_many_modes),
                cmocka_unit_test(test_choose_nothing_fits),
                cmocka_unit_test(test_mode_caps),
                cmocka_unit_test(test_source_parse),
                cmocka_unit_test(test_camera_probe),
                cmocka_unit_test(test_microphone_probe),
                cmocka_unit_test(test_probe_devices),
                cmocka_unit_test(test_pipeline_caps),
        };
        int r;

        gst_init(&argc, &argv);
        seal_register();
        dir = test_tmpdir_new("test-capture-probe");
        if (!dir)
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) test_tmpdir_remove(dir);
        return r;
}
