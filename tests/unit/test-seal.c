/* appliance/seal: studiosealsink in a GstHarness. What it posts is what the
 * custody log signs, so every field is checked against the file it wrote:
 * the checkpoints' sealed hashes against the file's prefixes, the closing
 * hashes and sizes against the whole file and the plaintext pushed, and the
 * media duration against the buffers' timestamps. Time is the harness's
 * GstTestClock, moved by the test: nothing here sleeps. */
#include "testutil.h"

#include <errno.h>
#include <gst/check/gstharness.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "age.h"
#include "seal.h"
#include "sha256.h"

#define BUFFERS 12
#define BUFFER_BYTES 50000
#define FRAME (GST_SECOND / 30)

#define TICK (60 * GST_MSECOND)
#define CHECKPOINT_INTERVAL (100 * GST_MSECOND)

static char *dir;

typedef struct vault {
        uint8_t (*sk)[AGE_KEY_LEN];
        char *recipient;
} vault;

static void vault_make(vault *v) {
        uint8_t pk[AGE_KEY_LEN];

        v->sk = sodium_malloc(AGE_KEY_LEN);
        assert_non_null(v->sk);
        randombytes_buf(v->sk[0], AGE_KEY_LEN);
        assert_int_equal(age_identity_to_recipient(v->sk[0], pk), 0);
        v->recipient = age_recipient_format(pk);
}

static void vault_free(vault *v) {
        sodium_free(v->sk);
        free(v->recipient);
}

static void hex_of(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]) {
        uint8_t d[SHA256_LEN];

        sha256_buf(data, len, d);
        sha256_hex(d, out);
}

static guint64 u64(const GstStructure *s, const char *field) {
        guint64 v = 0;
        assert_true(gst_structure_get_uint64(s, field, &v));
        return v;
}

static bool is_utc_time(const char *text) {
        g_autoptr(GDateTime) t = text ? g_date_time_new_from_iso8601(text, NULL) : NULL;
        return t != NULL && g_str_has_suffix(text, "Z");
}

/* Pushes BUFFERS buffers of patterned data, 1/30 s apart in media time;
 * with tick, the clock moves TICK before each, so that 100 ms checkpoints
 * fall due (buffer i at (i + 1) * TICK); without, it stands still. */
static GByteArray *push_media(GstHarness *h, bool tick) {
        GByteArray *sent = g_byte_array_new();
        GstBuffer *header = gst_buffer_new_wrapped(g_strdup("EBML header"), 11);

        /* As the muxer starts each new file: headers stamped with time 0. */
        GST_BUFFER_PTS(header) = 0;
        GST_BUFFER_FLAG_SET(header, GST_BUFFER_FLAG_HEADER);
        g_byte_array_append(sent, (const guint8 *) "EBML header", 11);
        assert_int_equal(gst_harness_push(h, header), GST_FLOW_OK);

        for (guint i = 0; i < BUFFERS; i++) {
                GstBuffer *b = gst_buffer_new_allocate(NULL, BUFFER_BYTES, NULL);
                GstMapInfo map;

                gst_buffer_map(b, &map, GST_MAP_WRITE);
                for (size_t k = 0; k < BUFFER_BYTES; k++)
                        map.data[k] = (uint8_t) (i * 31 + k * 7);
                g_byte_array_append(sent, map.data, BUFFER_BYTES);
                gst_buffer_unmap(b, &map);
                GST_BUFFER_PTS(b) = 5 * GST_SECOND + i * FRAME;
                GST_BUFFER_DURATION(b) = FRAME;
                if (tick)
                        assert_true(gst_harness_set_time(h, (i + 1) * TICK));
                assert_int_equal(gst_harness_push(h, b), GST_FLOW_OK);
        }
        return sent;
}

/* A sealing sink on the harness's test clock, at time 0, with the bus
 * given before the harness starts it, so that start()'s message is seen
 * too. */
static GstHarness *seal_harness(const char *path, const char *recipient, GstBus *bus) {
        GstElement *sink = gst_element_factory_make("studiosealsink", NULL);
        GstHarness *h;

        g_object_set(sink, "location", path, "recipients", recipient, "checkpoint-interval",
                     (guint64) CHECKPOINT_INTERVAL, "sync", FALSE, NULL);
        gst_element_set_bus(sink, bus);
        h = gst_harness_new_with_element(sink, "sink", NULL);
        gst_object_unref(sink);
        gst_harness_use_testclock(h);
        assert_true(gst_harness_set_time(h, 0));
        gst_harness_set_src_caps_str(h, "video/x-matroska");
        return h;
}

static unsigned count_messages(GstBus *bus, const char *name) {
        unsigned n = 0;

        for (GstMessage *m; (m = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)); gst_message_unref(m))
                n += gst_structure_has_name(gst_message_get_structure(m), name);
        return n;
}

static void test_messages_match_the_file(void **state) {
        vault v;
        g_autofree gchar *path = g_build_filename(dir, "seg-000001.mkv.age", NULL);
        g_autofree gchar *file = NULL;
        g_autoptr(GstBus) bus = gst_bus_new();
        g_autoptr(GByteArray) sent = NULL;
        test_sink opened = {0};
        gsize file_len = 0;
        unsigned checkpoints = 0, closed = 0, opened_msgs = 0;
        char hex[SHA256_HEX_LEN + 1];
        age_read_result res;
        GstHarness *h;

        (void) state;
        vault_make(&v);
        h = seal_harness(path, v.recipient, bus);
        sent = push_media(h, true);
        assert_true(gst_harness_push_event(h, gst_event_new_eos()));
        assert_true(g_file_get_contents(path, &file, &file_len, NULL));

        for (GstMessage *m; (m = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)); gst_message_unref(m)) {
                const GstStructure *s = gst_message_get_structure(m);
                assert_string_equal(gst_structure_get_string(s, "segment"), "seg-000001.mkv.age");
                assert_string_equal(gst_structure_get_string(s, "location"), path);
                if (gst_structure_has_name(s, SEAL_MSG_OPENED)) {
                        opened_msgs++;
                } else if (gst_structure_has_name(s, SEAL_MSG_CHECKPOINT)) {
                        guint64 n = u64(s, "sealed-bytes");
                        assert_true(n > 0 && n <= file_len);
                        hex_of(file, n, hex);
                        assert_string_equal(gst_structure_get_string(s, "sealed-sha256"), hex);
                        assert_true(u64(s, "plaintext-bytes") <= sent->len);
                        assert_true(u64(s, "media-duration") <= BUFFERS * FRAME);
                        checkpoints++;
                } else if (gst_structure_has_name(s, SEAL_MSG_CLOSED)) {
                        assert_int_equal(u64(s, "sealed-bytes"), file_len);
                        hex_of(file, file_len, hex);
                        assert_string_equal(gst_structure_get_string(s, "sealed-sha256"), hex);
                        assert_int_equal(u64(s, "plaintext-bytes"), sent->len);
                        hex_of(sent->data, sent->len, hex);
                        assert_string_equal(gst_structure_get_string(s, "plaintext-sha256"), hex);
                        assert_int_equal(u64(s, "media-duration"), BUFFERS * FRAME);
                        assert_true(is_utc_time(gst_structure_get_string(s, "wall-start")));
                        assert_true(is_utc_time(gst_structure_get_string(s, "wall-end")));
                        closed++;
                }
        }
        assert_int_equal(opened_msgs, 1);
        assert_int_equal(closed, 1);
        /* 60 ms to 720 ms on the clock crosses 100, 200, … 700 ms */
        assert_int_equal(checkpoints, 7);

        /* The vault opens it whole, and it is exactly what was pushed. */
        assert_int_equal(age_decrypt_buf((const uint8_t *) file, file_len,
                                         (const uint8_t(*)[AGE_KEY_LEN]) v.sk, 1, test_sink_append, &opened,
                                         &res),
                         0);
        assert_int_equal(res.verdict, AGE_OK);
        assert_int_equal(opened.len, sent->len);
        assert_memory_equal(opened.data, sent->data, sent->len);
        test_sink_done(&opened);
        gst_harness_teardown(h);
        vault_free(&v);
}

/* Checkpoints follow the clock the sink is given, however long the pushes
 * take: none while it stands still, one when it moves past two intervals
 * at once (a checkpoint says what is on disk now, not once per interval). */
static void test_checkpoints_follow_the_clock(void **state) {
        vault v;
        g_autofree gchar *path = g_build_filename(dir, "seg-000007.mkv.age", NULL);
        g_autoptr(GstBus) bus = gst_bus_new();
        g_autoptr(GByteArray) sent = NULL;
        GstHarness *h;

        (void) state;
        vault_make(&v);
        h = seal_harness(path, v.recipient, bus);
        sent = push_media(h, false);
        assert_int_equal(count_messages(bus, SEAL_MSG_CHECKPOINT), 0);
        assert_true(gst_harness_set_time(h, 2 * CHECKPOINT_INTERVAL + TICK));
        assert_int_equal(gst_harness_push(h, gst_buffer_new_allocate(NULL, 100, NULL)), GST_FLOW_OK);
        assert_int_equal(count_messages(bus, SEAL_MSG_CHECKPOINT), 1);
        assert_true(gst_harness_push_event(h, gst_event_new_eos()));
        assert_int_equal(count_messages(bus, SEAL_MSG_CLOSED), 1);
        gst_harness_teardown(h);
        vault_free(&v);
}

/* The sink refuses to start (no harness: it asserts that starting works). */
static GstStateChangeReturn start_sink(const char *location, const char *recipients) {
        GstElement *sink = gst_element_factory_make("studiosealsink", NULL);
        g_autoptr(GstBus) bus = gst_bus_new();
        GstStateChangeReturn r;

        assert_non_null(sink);
        gst_element_set_bus(sink, bus);
        g_object_set(sink, "location", location, "recipients", recipients, NULL);
        r = gst_element_set_state(sink, GST_STATE_PAUSED);
        gst_element_set_state(sink, GST_STATE_NULL);
        /* a queued message refs the sink, which refs the bus */
        gst_bus_set_flushing(bus, TRUE);
        gst_object_unref(sink);
        return r;
}

/* Evidence is never overwritten: a sink on an existing name refuses. */
static void test_never_overwrites(void **state) {
        vault v;
        g_autofree gchar *path = g_build_filename(dir, "seg-000002.mkv.age", NULL);
        g_autofree gchar *file = NULL;
        gsize len = 0;

        (void) state;
        vault_make(&v);
        assert_true(g_file_set_contents(path, "earlier evidence", -1, NULL));
        assert_int_equal(start_sink(path, v.recipient), GST_STATE_CHANGE_FAILURE);
        assert_true(g_file_get_contents(path, &file, &len, NULL));
        assert_string_equal(file, "earlier evidence");
        vault_free(&v);
}

/* A malformed recipients property is refused before any file is made. */
static void test_bad_recipients(void **state) {
        g_autofree gchar *path = g_build_filename(dir, "seg-000003.mkv.age", NULL);

        (void) state;
        assert_int_equal(start_sink(path, "age1nope"), GST_STATE_CHANGE_FAILURE);
        assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* A low-order recipient (here the all-zero point) is refused as the
 * property is parsed, before any file is made; before, the writer refused
 * it after the file was created. */
static void test_low_order_recipient(void **state) {
        g_autofree gchar *path = g_build_filename(dir, "seg-000004.mkv.age", NULL);
        static const uint8_t zero[AGE_KEY_LEN];
        g_autofree char *r = age_recipient_format(zero);

        (void) state;
        assert_int_equal(start_sink(path, r), GST_STATE_CHANGE_FAILURE);
        assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* A secret identity given where a recipient belongs is refused without
 * ever being shown: not in the error, not in its debug text. */
static void test_secret_recipient_not_shown(void **state) {
        g_autofree gchar *path = g_build_filename(dir, "seg-000006.mkv.age", NULL);
        static const char secret[] =
                "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
        GstElement *sink = gst_element_factory_make("studiosealsink", NULL);
        g_autoptr(GstBus) bus = gst_bus_new();
        g_autoptr(GstMessage) msg = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree gchar *debug = NULL;

        (void) state;
        gst_element_set_bus(sink, bus);
        g_object_set(sink, "location", path, "recipients", secret, NULL);
        assert_int_equal(gst_element_set_state(sink, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
        msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
        assert_non_null(msg);
        gst_message_parse_error(msg, &err, &debug);
        assert_non_null(strstr(err->message, "secret identity"));
        assert_null(strstr(err->message, secret + strlen("AGE-SECRET-KEY-1")));
        assert_null(strstr(debug ? debug : "", secret + strlen("AGE-SECRET-KEY-1")));
        gst_element_set_state(sink, GST_STATE_NULL);
        gst_bus_set_flushing(bus, TRUE);
        gst_object_unref(sink);
        assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static int open_fds(void) {
        g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
        int n = 0;

        while (d && g_dir_read_name(d))
                n++;
        return n;
}

/* Writes past limit bytes fail (EFBIG), as on a disk that is full: the
 * same path a full spool takes, without needing one. */
static void limit_file_size(rlim_t limit, struct rlimit *ret_old) {
        struct rlimit r;

        assert_int_equal(getrlimit(RLIMIT_FSIZE, ret_old), 0);
        r = *ret_old;
        r.rlim_cur = limit;
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &r), 0);
}

/* A start that fails after its file was created (the age header cannot be
 * written) frees everything it took (run with leak detection by
 * test-seal-leaks) and removes the file, which holds no evidence yet: no
 * descriptor, no hash context, no empty segment file is left behind. */
static void test_start_failure_leaves_nothing(void **state) {
        vault v;
        g_autofree gchar *path = g_build_filename(dir, "seg-000005.mkv.age", NULL);
        struct rlimit old;
        bool failed = true, left = false;
        int fds;

        (void) state;
        vault_make(&v);
        (void) start_sink(path, v.recipient); /* the first start loads what GStreamer caches */
        assert_int_equal(unlink(path), 0);
        fds = open_fds();
        limit_file_size(16, &old);
        for (int i = 0; i < 3; i++) {
                failed &= start_sink(path, v.recipient) == GST_STATE_CHANGE_FAILURE;
                left |= g_file_test(path, G_FILE_TEST_EXISTS);
                (void) unlink(path);
        }
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        assert_true(failed);
        assert_false(left);
        assert_int_equal(open_fds(), fds);
        vault_free(&v);
}

/* ---- a start whose fchmod fails ---------------------------------------
 * fchmod fails on a spool whose filesystem keeps no modes (vfat, some
 * network shares), which takes root and a mount to set up. Here the kernel
 * itself refuses the call: a seccomp filter on one thread of this process
 * makes fchmod (and fchmodat) fail with EPERM for that thread only, and the
 * sink is started from that thread. The sink's own code runs unchanged. */
#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

typedef struct chmod_fails {
        const char *path, *recipient;
        int filter; /* 0, or -errno: the filter could not be installed */
        GstStateChangeReturn r;
        bool left;    /* the segment file was left behind */
        gchar *error; /* the error message the sink posted */
} chmod_fails;

#ifdef TEST_AUDIT_ARCH
#define DENY(nr)                                                                                            \
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
static int refuse_fchmod_on_this_thread(void) {
        struct sock_filter code[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                DENY(__NR_fchmod),
                DENY(__NR_fchmodat),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = G_N_ELEMENTS(code), .filter = code};

        /* per thread: prctl's filter does not reach the process's other threads */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                return -errno;
        return 0;
}
#else
static int refuse_fchmod_on_this_thread(void) {
        return -EOPNOTSUPP;
}
#endif

/* Runs on its own thread (the filter dies with it); no cmocka assertion
 * here: they jump back to the main thread's stack. */
static gpointer start_without_fchmod(gpointer data) {
        chmod_fails *c = data;
        GstElement *sink;
        g_autoptr(GstBus) bus = gst_bus_new();
        g_autoptr(GstMessage) msg = NULL;

        c->filter = refuse_fchmod_on_this_thread();
        if (c->filter < 0)
                return NULL;
        sink = gst_element_factory_make("studiosealsink", NULL);
        gst_element_set_bus(sink, bus);
        g_object_set(sink, "location", c->path, "recipients", c->recipient, NULL);
        c->r = gst_element_set_state(sink, GST_STATE_PAUSED);
        c->left = g_file_test(c->path, G_FILE_TEST_EXISTS);
        msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
        if (msg) {
                g_autoptr(GError) err = NULL;
                gst_message_parse_error(msg, &err, NULL);
                c->error = g_strdup(err->message);
        }
        gst_element_set_state(sink, GST_STATE_NULL);
        gst_bus_set_flushing(bus, TRUE);
        gst_object_unref(sink);
        return NULL;
}

/* The file was created, its mode could not be set: the descriptor is
 * closed and the empty file removed, and the error names the file and the
 * kind of filesystem that does this. */
static void test_chmod_failure_leaves_nothing(void **state) {
        vault v;
        g_autofree gchar *path = g_build_filename(dir, "seg-000008.mkv.age", NULL);
        chmod_fails c = {.path = path};
        int fds;

        (void) state;
        vault_make(&v);
        c.recipient = v.recipient;
        fds = open_fds();
        g_thread_join(g_thread_new("chmod-fails", start_without_fchmod, &c));
        vault_free(&v);
        if (c.filter < 0) {
                print_message("fchmod cannot be made to fail here (seccomp: %s)\n", g_strerror(-c.filter));
                skip();
        }
        assert_int_equal(c.r, GST_STATE_CHANGE_FAILURE);
        assert_false(c.left);
        assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
        assert_int_equal(open_fds(), fds);
        assert_contains(c.error, path);
        assert_contains(c.error, "mode 0640");
        g_free(c.error);
}

/* A write that fails in the middle (a full disk) leaves the file cut back
 * to its last whole chunk: nothing more is written after it, not even at
 * end of stream, no closed message is posted, and the aborted message
 * names exactly the bytes on disk, which the vault reads as an authentic
 * truncated prefix. */
static void test_write_failure_keeps_a_prefix(void **state) {
        vault v;
        g_autofree gchar *path = g_build_filename(dir, "seg-000006.mkv.age", NULL);
        g_autofree gchar *file = NULL;
        g_autoptr(GstBus) bus = gst_bus_new();
        test_sink opened = {0};
        GstElement *sink;
        GstHarness *h;
        struct rlimit old;
        gsize file_len = 0;
        unsigned aborted = 0, closed = 0;
        GstFlowReturn last = GST_FLOW_OK;
        char hex[SHA256_HEX_LEN + 1];
        age_read_result res;

        (void) state;
        vault_make(&v);
        sink = gst_element_factory_make("studiosealsink", NULL);
        g_object_set(sink, "location", path, "recipients", v.recipient, NULL);
        gst_element_set_bus(sink, bus);
        h = gst_harness_new_with_element(sink, "sink", NULL);
        gst_object_unref(sink);
        gst_harness_set_src_caps_str(h, "video/x-matroska");
        limit_file_size(200000, &old);
        for (guint i = 0; i < BUFFERS && last == GST_FLOW_OK; i++) {
                GstBuffer *b = gst_buffer_new_allocate(NULL, BUFFER_BYTES, NULL);
                gst_buffer_memset(b, 0, (guint8) i, BUFFER_BYTES);
                GST_BUFFER_PTS(b) = i * FRAME;
                GST_BUFFER_DURATION(b) = FRAME;
                last = gst_harness_push(h, b);
        }
        assert_int_equal(last, GST_FLOW_ERROR);
        (void) gst_harness_push_event(h, gst_event_new_eos());
        gst_harness_teardown(h);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);

        assert_true(g_file_get_contents(path, &file, &file_len, NULL));
        assert_true(file_len > 0 && file_len <= 200000);
        for (GstMessage *m; (m = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)); gst_message_unref(m)) {
                const GstStructure *s = gst_message_get_structure(m);
                if (gst_structure_has_name(s, SEAL_MSG_CLOSED))
                        closed++;
                if (!gst_structure_has_name(s, SEAL_MSG_ABORTED))
                        continue;
                aborted++;
                assert_int_equal(u64(s, "sealed-bytes"), file_len);
                hex_of(file, file_len, hex);
                assert_string_equal(gst_structure_get_string(s, "sealed-sha256"), hex);
        }
        assert_int_equal(closed, 0);
        assert_int_equal(aborted, 1);
        assert_int_equal(age_decrypt_buf((const uint8_t *) file, file_len,
                                         (const uint8_t(*)[AGE_KEY_LEN]) v.sk, 1, test_sink_append, &opened,
                                         &res),
                         0);
        assert_int_equal(res.verdict, AGE_TRUNCATED);
        assert_true(opened.len > 0 && opened.len % 65536 == 0);
        test_sink_done(&opened);
        vault_free(&v);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_messages_match_the_file),
                cmocka_unit_test(test_checkpoints_follow_the_clock),
                cmocka_unit_test(test_never_overwrites),
                cmocka_unit_test(test_bad_recipients),
                cmocka_unit_test(test_low_order_recipient),
                cmocka_unit_test(test_secret_recipient_not_shown),
                cmocka_unit_test(test_start_failure_leaves_nothing),
                cmocka_unit_test(test_chmod_failure_leaves_nothing),
                cmocka_unit_test(test_write_failure_keeps_a_prefix),
        };
        int r;

        if (sodium_init() < 0)
                return 1;
        /* a write past RLIMIT_FSIZE fails with EFBIG instead of killing us */
        (void) signal(SIGXFSZ, SIG_IGN);
        gst_init(&argc, &argv);
        seal_register();
        dir = test_tmpdir_new("test-seal");
        if (!dir)
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) test_tmpdir_remove(dir);
        return r;
}
