/* appliance/session: the controller and the session writer on a real
 * GStreamer pipeline (the test profile: videotestsrc and audiotestsrc,
 * x264, the seal sink), driven as the daemon and --once drive them: start,
 * mark, break, resume, a fault, stop, and a disk that fills; each checked
 * in the signed custody log the session writes. Waits go by media time. */
#include "testutil.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "capture.h"
#include "controller.h"
#include "minisign.h"
#include "seal.h"

#define RECIPIENT "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"
#define MEDIA_S(n) ((GstClockTime) (n) *GST_SECOND)

typedef struct fixture {
        char *tmp; /* test_tmpdir_new's */
        gchar *spool, *state;
        capture_profile *profile;
        minisign_secret *key;
        rec_controller *ctl;
        GMainLoop *loop;
        bool recording, ended;
        bool measure;      /* new_controller: health measurements on */
        unsigned measured; /* measurements the pipeline posted */
        int result, sealed;
        bool disk_full;
        gchar *session_dir, *message;
        GPtrArray *faults; /* the room reasons' words the controller told */
} fixture;

static void on_recording(void *userdata) {
        fixture *f = userdata;
        f->recording = true;
}

static void on_fault(room_reason reason, const char *detail, void *userdata) {
        fixture *f = userdata;
        const char *words = room_reason_to_string(reason);

        g_ptr_array_add(f->faults, g_strdup(words ? words : detail));
}

static void on_ended(const rec_outcome *o, void *userdata) {
        fixture *f = userdata;

        f->ended = true;
        f->result = o->result;
        f->sealed = o->sealed;
        f->disk_full = o->disk_full;
        f->session_dir = g_strdup(o->session_dir);
        f->message = g_strdup(o->message);
        g_main_loop_quit(f->loop);
}

/* A measurement comes once the pre-rolled pipeline plays. */
static void on_measure(const capture_measure *m, void *userdata) {
        fixture *f = userdata;

        (void) m;
        if (f->measured++ == 0)
                g_main_loop_quit(f->loop);
}

static const rec_controller_callbacks callbacks = {on_recording, on_fault, on_ended, on_measure};

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);
        g_autofree gchar *msg = NULL;

        f->tmp = test_tmpdir_new("test-session");
        assert_non_null(f->tmp);
        f->spool = g_build_filename(f->tmp, "spool", NULL);
        f->state = g_build_filename(f->tmp, "state", NULL);
        assert_int_equal(g_mkdir(f->spool, 0700), 0);
        assert_int_equal(g_mkdir(f->state, 0700), 0);
        assert_int_equal(capture_profile_load("test", &f->profile, &msg), 0);
        assert_int_equal(minisign_secret_generate(&f->key), 0);
        f->loop = g_main_loop_new(NULL, FALSE);
        f->faults = g_ptr_array_new_with_free_func(g_free);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        f->ctl = rec_controller_free(f->ctl);
        (void) umount2(f->spool, MNT_DETACH); /* the disk-full case's tmpfs; EINVAL otherwise */
        (void) test_tmpdir_remove(f->tmp);
        capture_profile_free(f->profile);
        minisign_secret_free(f->key);
        g_main_loop_unref(f->loop);
        g_ptr_array_unref(f->faults);
        g_free(f->spool);
        g_free(f->state);
        g_free(f->session_dir);
        g_free(f->message);
        g_free(f);
        return 0;
}

static void new_controller(fixture *f) {
        char *recipients[] = {RECIPIENT, NULL};
        rec_settings s = {
                .profile = f->profile,
                .spool = f->spool,
                .state_dir = f->state,
                .recipients = recipients,
                .key = f->key,
                .device_id = "test-device",
                .segment_time_ns = MEDIA_S(2),
                .segment_bytes = 0,
                .checkpoint_interval_ns = GST_SECOND / 2,
                .eos_timeout_ns = MEDIA_S(20),
                .measure = f->measure,
        };
        g_autofree gchar *msg = NULL;

        if (rec_controller_new(&s, &callbacks, f, &f->ctl, &msg) < 0)
                fail_msg("rec_controller_new: %s", msg);
}

typedef struct media_wait {
        fixture *f;
        GstClockTime until;
} media_wait;

static gboolean check_media(gpointer userdata) {
        media_wait *w = userdata;
        GstClockTime t = rec_controller_media_time(w->f->ctl);

        if (w->f->ended || (w->f->recording && GST_CLOCK_TIME_IS_VALID(t) && t >= w->until)) {
                g_main_loop_quit(w->f->loop);
                return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
}

/* Runs the loop until the recording has reached media time t (or ended). */
static void run_until_media(fixture *f, GstClockTime t) {
        media_wait w = {f, t};

        g_timeout_add(20, check_media, &w);
        g_main_loop_run(f->loop);
        g_source_remove_by_user_data(&w);
}

static void run_until_ended(fixture *f) {
        if (!f->ended)
                g_main_loop_run(f->loop);
}

static gchar *custody_log(fixture *f) {
        g_autofree gchar *path = g_build_filename(f->session_dir, "custody.jsonl", NULL);
        gchar *text = NULL;

        assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return text;
}

static void test_session_events(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *log = NULL;
        guint n = 0;

        new_controller(f);
        assert_int_equal(rec_controller_start(f->ctl, "40417", &msg), 0);
        run_until_media(f, MEDIA_S(1));
        assert_true(f->recording);
        assert_int_equal(rec_controller_mark(f->ctl, "studioctl", "a sealed note", &msg), 0);
        assert_non_null(rec_controller_marks(f->ctl, &n));
        assert_int_equal(n, 1);
        assert_int_equal(rec_controller_break(f->ctl, "panel", &msg), 0);
        run_until_media(f, MEDIA_S(2));
        assert_int_equal(rec_controller_resume(f->ctl, "panel", &msg), 0);
        assert_int_equal(rec_controller_note(f->ctl, "health-fault", "microphone silent for 30 s"), 0);
        run_until_media(f, MEDIA_S(3));
        rec_controller_stop(f->ctl, "stopped");
        run_until_ended(f);

        assert_int_equal(f->result, 0);
        assert_true(f->sealed >= 2); /* 3 s of media in 2 s segments */
        assert_non_null(f->session_dir);
        log = custody_log(f);
        assert_contains(log, "\"event\":\"session-start\"");
        assert_contains(log, "\"officer\":\"40417\"");
        assert_contains(log, "\"event\":\"mark\"");
        assert_contains(log, "\"source\":\"studioctl\"");
        assert_contains(log, "\"note_age\":\"-----BEGIN AGE ENCRYPTED FILE-----");
        assert_true(strstr(log, "a sealed note") == NULL); /* only its ciphertext */
        assert_contains(log, "\"event\":\"break\"");
        assert_contains(log, "\"event\":\"resume\"");
        assert_contains(log, "\"what\":\"health-fault\"");
        assert_contains(log, "\"event\":\"segment-sealed\"");
        assert_contains(log, "\"event\":\"stop\"");
        assert_contains(log, "\"reason\":\"stopped\"");
        /* closed: the manifest and its signature are there */
        g_autofree gchar *path = g_build_filename(f->session_dir, "manifest.json.minisig", NULL);
        assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
}

/* A stop as soon as the first segment is open (Start, then Stop at once)
 * ends the session cleanly, signed. */
static void test_stop_at_once(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *log = NULL;

        new_controller(f);
        assert_int_equal(rec_controller_start(f->ctl, "40417", &msg), 0);
        run_until_media(f, 0);
        assert_true(f->recording);
        rec_controller_stop(f->ctl, "stopped");
        run_until_ended(f);
        assert_int_equal(f->result, 0);
        log = custody_log(f);
        assert_contains(log, "\"event\":\"session-start\"");
        assert_contains(log, "\"event\":\"stop\"");
}

/* Start, then Stop before the first picture passed the gate: the session
 * ends at once (no end of stream to wait for, none would come), cleanly,
 * signed, its stop entry saying stopped, and no segment file. */
static void test_stop_before_first_picture(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *log = NULL;
        g_autofree gchar *seg = NULL;

        f->measure = true;
        new_controller(f);
        assert_int_equal(rec_controller_preroll(f->ctl, &msg), 0);
        g_main_loop_run(f->loop); /* until the pre-rolled pipeline plays: its first measurement */
        assert_int_equal(rec_controller_start(f->ctl, "40417", &msg), 0);
        rec_controller_stop(f->ctl, "stopped");
        run_until_ended(f);
        if (f->recording) /* the first picture won the race: then it must end as a stop, too */
                print_message("the first segment opened before Stop\n");
        assert_int_equal(f->result, 0);
        log = custody_log(f);
        assert_contains(log, "\"event\":\"session-start\"");
        assert_contains(log, "\"event\":\"stop\"");
        assert_contains(log, "\"reason\":\"stopped\"");
        seg = g_build_filename(f->session_dir, "seg-000001.mkv.age", NULL);
        if (!f->recording)
                assert_false(g_file_test(seg, G_FILE_TEST_EXISTS));
}

/* The spool on a 3 MiB tmpfs: the recording stops when the disk fills,
 * everything sealed until then is kept, and the log says disk-full. */
static void test_disk_full(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *log = NULL;

        if (geteuid() != 0 || mount("tmpfs", f->spool, "tmpfs", 0, "size=3m,mode=0700") < 0) {
                print_message("skip: a tmpfs for the spool needs root (%s)\n", g_strerror(errno));
                skip();
        }
        new_controller(f);
        assert_int_equal(rec_controller_start(f->ctl, "40417", &msg), 0);
        run_until_media(f, MEDIA_S(120)); /* 4 Mbit/s fills 3 MiB in seconds */
        if (!f->ended) {
                rec_controller_stop(f->ctl, "stopped");
                run_until_ended(f);
                fail_msg("the disk did not fill in 120 s of media");
        }
        if (f->result != -ENOSPC || !f->disk_full)
                fail_msg("ended with %d (disk_full %d): %s", f->result, f->disk_full, f->message);
        log = custody_log(f);
        assert_contains(log, "\"event\":\"session-start\"");
        assert_contains(log, "\"what\":\"disk-full\"");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_session_events, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stop_at_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stop_before_first_picture, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        };

        gst_init(NULL, NULL);
        seal_register(); /* studiosealsink, linked in as the recorder has it */
        return cmocka_run_group_tests(tests, NULL, NULL);
}
