/* appliance/capture: room profiles are outside input (provisioned files):
 * the shipped ones load, every malformed kind is refused with a message that
 * names the file and the key, and pipelines build from the test profile. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "seal.h"

static char *dir;

static const char *const valid =
        "[profile]\nroom=Room A\n"
        "[video]\nsource=videotestsrc is-live=true\nwidth=640\nheight=360\nframerate=25\n"
        "[audio]\nsource=audiotestsrc is-live=true\n";

static char *write_profile(const char *name, const char *text) {
        static char path[128];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s.profile", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        return path;
}

static void test_shipped_profiles(void **state) {
        const char *names[] = {"test", "usb-1cam", "usb-2cam", "test-3voices"};

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                capture_profile *p = NULL;
                g_autofree gchar *msg = NULL;
                assert_int_equal(capture_profile_load(names[i], &p, &msg), 0);
                assert_string_equal(capture_profile_name(p), names[i]);
                assert_int_equal(strlen(capture_profile_sha256(p)), 64);
                capture_profile_free(p);
        }
}

static void expect_refused(const char *name, const char *text, const char *needle) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;
        char *path = write_profile(name, text);

        assert_true(capture_profile_load(path, &p, &msg) < 0);
        assert_null(p);
        assert_non_null(msg);
        if (!strstr(msg, needle))
                fail_msg("message '%s' does not mention '%s'", msg, needle);
        assert_non_null(strstr(msg, path));
}

static void test_malformed_profiles(void **state) {
        g_autofree gchar *huge = g_strnfill(70 * 1024, '#');

        expect_refused("no-video", "[audio]\nsource=audiotestsrc\n", "[video] source");
        expect_refused("no-audio", "[video]\nsource=videotestsrc\n", "[audio] source");
        expect_refused("layout", "[video]\nsource=a\nlayout=mosaic\n[audio]\nsource=b\n",
                       "line 3: [video] layout = \"mosaic\" is unknown");
        expect_refused("pip-one-cam", "[video]\nsource=a\nlayout=picture-in-picture\n[audio]\nsource=b\n",
                       "second camera");
        expect_refused("codec", "[video]\nsource=a\n[audio]\nsource=b\ncodec=mp3\n",
                       "line 5: [audio] codec = \"mp3\"");
        expect_refused("mp4", "[video]\nsource=a\n[audio]\nsource=b\n[container]\nformat=mp4\n",
                       "line 6: [container] format = \"mp4\"");
        expect_refused("width", "[video]\nsource=a\nwidth=99999\n[audio]\nsource=b\n",
                       "line 3: [video] width = \"99999\" is not a whole number from 160 to 7680");
        expect_refused("fps", "[video]\nsource=a\nframerate=0\n[audio]\nsource=b\n",
                       "line 3: [video] framerate = \"0\"");
        expect_refused("bitrate", "[video]\nsource=a\nbitrate=-5\n[audio]\nsource=b\n",
                       "line 3: [video] bitrate = \"-5\"");
        /* A typo is refused, not silently a default. */
        expect_refused("typo", "[video]\nsource=a\nframrate=25\n[audio]\nsource=b\n",
                       "line 3: unknown key \"framrate\" in [video]");
        expect_refused("group", "[video]\nsource=a\n[audio]\nsource=b\n[overlay]\n",
                       "unknown group [overlay]");
        expect_refused("twice", "[video]\nsource=a\nwidth=640\nwidth=320\n[audio]\nsource=b\n",
                       "line 4: [video] width is given twice");
        expect_refused("garbage", "[video\nsource=\n", "not a valid profile file");
        expect_refused("binary", "\x01\x02\xff\xfe", "not a valid profile file");
        expect_refused("huge", huge, "could not be read");
}

static void test_unknown_profile(void **state) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;

        assert_int_equal(capture_profile_load("no-such-room", &p, &msg), -ENOENT);
        assert_non_null(strstr(msg, "test, test-3voices, usb-1cam and usb-2cam"));
}

static void test_build_pipeline(void **state) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;
        GstElement *pipeline = NULL;
        capture_options o = {.session_dir = dir, .recipients = "age1x"};

        assert_int_equal(capture_profile_load(write_profile("valid", valid), &p, &msg), 0);
        assert_string_equal(capture_profile_room(p), "Room A");
        assert_non_null(capture_choose_encoder(p, NULL));
        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), 0);
        assert_non_null(pipeline);
        gst_object_unref(pipeline);
        capture_profile_free(p);
}

/* Only a pipeline built without a session folder can be opened, once
 * running, into a folder that exists; the rest is refused with a reason.
 * (recording-preroll.sh records through a pre-rolled pipeline.) */
static void test_open_refusals(void **state) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL, *m1 = NULL, *m2 = NULL, *m3 = NULL;
        GstElement *direct = NULL, *pre = NULL;
        capture_options with_dir = {.session_dir = dir, .recipients = "age1x"};
        capture_options no_dir = {.recipients = "age1x"};

        (void) state;
        assert_int_equal(capture_profile_load(write_profile("open", valid), &p, &msg), 0);
        assert_int_equal(capture_pipeline_build(p, &with_dir, &direct, &msg), 0);
        assert_int_equal(capture_pipeline_open(direct, dir, &m1), -EINVAL);
        assert_non_null(strstr(m1, "not built pre-rolled"));
        assert_int_equal(capture_pipeline_build(p, &no_dir, &pre, &msg), 0);
        assert_int_equal(capture_pipeline_open(pre, "/nonexistent/studio", &m2), -ENOTDIR);
        assert_non_null(strstr(m2, "/nonexistent/studio does not exist"));
        assert_int_equal(capture_pipeline_open(pre, dir, &m3), -EAGAIN);
        assert_non_null(strstr(m3, "not running yet"));
        assert_int_equal(capture_pipeline_media_time(pre), GST_CLOCK_TIME_NONE);
        /* a pipeline that is not running has no running time either */
        assert_int_equal(capture_pipeline_media_time(direct), GST_CLOCK_TIME_NONE);
        gst_object_unref(direct);
        gst_object_unref(pre);
        capture_profile_free(p);
}

static void test_missing_device(void **state) {
        capture_profile *p = NULL;
        g_autofree gchar *msg = NULL;
        GstElement *pipeline = NULL;
        capture_options o = {.session_dir = dir, .recipients = "age1x"};
        const char *text =
                "[video]\nsource=v4l2src device=/dev/studio-no-such-camera\n[audio]\nsource=audiotestsrc\n";

        assert_int_equal(capture_profile_load(write_profile("nocam", text), &p, &msg), 0);
        assert_int_equal(capture_pipeline_build(p, &o, &pipeline, &msg), -ENODEV);
        assert_null(pipeline);
        assert_non_null(strstr(msg, "/dev/studio-no-such-camera is not present"));
        capture_profile_free(p);
}

/* A camera another program holds cannot exist on a machine without one, so
 * the error such a camera posts is made here and put through the real
 * explanation. */
static gchar *explain(GstElement *src, GQuark domain, gint code) {
        g_autoptr(GError) e = g_error_new_literal(domain, code, "Device '/dev/video7' is busy");
        g_autoptr(GstMessage) m = gst_message_new_error(GST_OBJECT(src), e, "VIDIOC_S_FMT failed");
        return capture_explain_error(m);
}

static void test_explain_device_errors(void **state) {
        GstElement *cam = gst_element_factory_make("v4l2src", "overview");
        g_autofree gchar *busy = NULL, *failed = NULL, *full = NULL;

        (void) state;
        assert_non_null(cam);
        g_object_set(cam, "device", "/dev/video7", NULL);
        busy = explain(cam, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY);
        assert_non_null(strstr(busy, "the capture device overview device=/dev/video7 is busy"));
        assert_non_null(strstr(busy, "another program is using it"));
        failed = explain(cam, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS);
        assert_non_null(strstr(failed, "overview device=/dev/video7 could not be used"));
        full = explain(cam, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT);
        assert_non_null(strstr(full, "the disk is full"));
        gst_object_unref(cam);
}

static void put(const char *root, const char *rel, const char *text) {
        g_autofree gchar *path = g_build_filename(root, rel, NULL);
        g_autofree gchar *parent = g_path_get_dirname(path);

        assert_int_equal(g_mkdir_with_parents(parent, 0755), 0);
        assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void link_to(const char *root, const char *rel, const char *target) {
        g_autofree gchar *path = g_build_filename(root, rel, NULL);
        g_autofree gchar *parent = g_path_get_dirname(path);

        assert_int_equal(g_mkdir_with_parents(parent, 0755), 0);
        assert_int_equal(symlink(target, path), 0);
}

/* A USB camera and microphone cannot be plugged in here: a folder laid out
 * as the kernel lays out /sys, /proc and /dev stands in for them. */
static void test_source_identity(void **state) {
        g_autofree gchar *root = g_build_filename(dir, "fake-root", NULL);
        const char *usb = "sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
        const char *iface = "sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0";
        g_autofree gchar *cam = NULL, *by_id = NULL, *mic = NULL, *mic2 = NULL, *gone = NULL, *test = NULL;
        g_autofree gchar *cls = g_strconcat(iface, "/bInterfaceClass", NULL);
        g_autofree gchar *up = g_strconcat("../../../../", iface, NULL);
        g_autofree gchar *vendor = g_strconcat(usb, "/idVendor", NULL);
        g_autofree gchar *product = g_strconcat(usb, "/idProduct", NULL);
        g_autofree gchar *serial = g_strconcat(usb, "/serial", NULL);

        (void) state;
        put(root, "dev/video0", "");
        link_to(root, "dev/v4l/by-id/usb-Logitech_C920-video-index0", "../../video0");
        put(root, "sys/class/video4linux/video0/name", "HD Pro Webcam C920\n");
        put(root, cls, "0e\n");
        link_to(root, "sys/class/video4linux/video0/device", up);
        put(root, vendor, "046d\n");
        put(root, product, "082d\n");
        put(root, serial, "8A1B2C3D\n");
        put(root, "proc/asound/card1/id", "C920\n");
        put(root, "proc/asound/card1/usbid", "046d:082d\n");

        cam = capture_source_identity("v4l2src device=/dev/video0 ! image/jpeg ! jpegdec", root);
        assert_string_equal(
                cam, "v4l2src device=/dev/video0 ! image/jpeg ! jpegdec (video0 'HD Pro Webcam C920', "
                     "usb 046d:082d serial 8A1B2C3D at 1-1)");
        by_id = capture_source_identity("v4l2src device=/dev/v4l/by-id/usb-Logitech_C920-video-index0",
                                        root);
        assert_non_null(strstr(by_id, "(video0 'HD Pro Webcam C920', usb 046d:082d"));
        mic = capture_source_identity("alsasrc device=hw:1,0", root);
        assert_string_equal(mic, "alsasrc device=hw:1,0 (card 1 'C920', usb 046d:082d)");
        mic2 = capture_source_identity("alsasrc device=plughw:CARD=C920,DEV=0", root);
        assert_non_null(strstr(mic2, "(card 1 'C920', usb 046d:082d)"));
        gone = capture_source_identity("v4l2src device=/dev/video7", root);
        assert_string_equal(gone, "v4l2src device=/dev/video7");
        test = capture_source_identity("videotestsrc is-live=true", root);
        assert_non_null(strstr(test, "built-in test source"));
}

/* A hardware encoder needs hardware this machine does not have: stand-in
 * elements registered under the hardware encoders' names show that the
 * real choice prefers them, in order, and that a named one is used. */
typedef struct {
        GstElement parent;
} FakeEnc;
typedef struct {
        GstElementClass parent_class;
} FakeEncClass;
GType fake_enc_get_type(void);
G_DEFINE_TYPE(FakeEnc, fake_enc, GST_TYPE_ELEMENT)
static void fake_enc_class_init(FakeEncClass *klass) {
        gst_element_class_set_static_metadata(GST_ELEMENT_CLASS(klass), "stand-in", "Codec/Encoder/Video",
                                              "stand-in for a hardware H.264 encoder", "tests");
}
static void fake_enc_init(FakeEnc *self) {
        (void) self;
}

static void test_hardware_encoder_first(void **state) {
        capture_profile *p = NULL, *named = NULL;
        g_autofree gchar *msg = NULL;

        (void) state;
        assert_int_equal(capture_profile_load(write_profile("auto", valid), &p, &msg), 0);
        assert_string_equal(capture_choose_encoder(p, NULL), "x264enc");
        assert_true(gst_element_register(NULL, "vaapih264enc", GST_RANK_NONE, fake_enc_get_type()));
        assert_string_equal(capture_choose_encoder(p, NULL), "vaapih264enc");
        assert_true(gst_element_register(NULL, "v4l2h264enc", GST_RANK_NONE, fake_enc_get_type()));
        assert_string_equal(capture_choose_encoder(p, NULL), "v4l2h264enc");
        assert_int_equal(capture_profile_load(
                                 write_profile("named", "[video]\nsource=videotestsrc\n"
                                                        "encoder=x264enc\n[audio]\nsource=audiotestsrc\n"),
                                 &named, &msg),
                         0);
        assert_string_equal(capture_choose_encoder(named, NULL), "x264enc");
        capture_profile_free(named);
        capture_profile_free(p);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shipped_profiles),
                cmocka_unit_test(test_malformed_profiles),
                cmocka_unit_test(test_unknown_profile),
                cmocka_unit_test(test_build_pipeline),
                cmocka_unit_test(test_open_refusals),
                cmocka_unit_test(test_missing_device),
                cmocka_unit_test(test_explain_device_errors),
                cmocka_unit_test(test_source_identity),
                /* last: it registers stand-in hardware encoders */
                cmocka_unit_test(test_hardware_encoder_first),
        };
        int r;

        gst_init(&argc, &argv);
        seal_register();
        dir = test_tmpdir_new("test-capture");
        if (!dir)
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) test_tmpdir_remove(dir);
        return r;
}
