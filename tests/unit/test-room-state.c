/* appliance/contract/room-state: the document the status page reads. Round
 * trip, the exact text, atomic replacement (mode 0644, no temporary file
 * left behind) and every kind of malformed document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "room-state.h"
#include "utc-time.h"

/* 2026-12-01T10:32:00Z */
#define T0 (INT64_C(1796121120) * G_USEC_PER_SEC)

static void test_strings(void **state) {
        (void) state;
        for (int s = 0; s < _ROOM_STATE_MAX; s++) {
                assert_non_null(room_state_to_string(s));
                assert_int_equal(room_state_from_string(room_state_to_string(s)), s);
        }
        assert_string_equal(room_state_to_string(ROOM_RECORDING), "recording");
        assert_string_equal(room_state_to_string(ROOM_UNPROVISIONED), "unprovisioned");
        assert_null(room_state_to_string(_ROOM_STATE_MAX));
        assert_null(room_state_to_string(_ROOM_STATE_INVALID));
        assert_int_equal(room_state_from_string("Recording"), _ROOM_STATE_INVALID);
        assert_int_equal(room_state_from_string(""), _ROOM_STATE_INVALID);
        assert_int_equal(room_state_from_string(NULL), _ROOM_STATE_INVALID);
}

static void test_format_time(void **state) {
        g_autofree gchar *a = utc_time_format(T0);
        g_autofree gchar *b = utc_time_format(T0 + 999999); /* seconds, not rounded up */
        g_autofree gchar *c = utc_time_format(0);

        (void) state;
        assert_string_equal(a, "2026-12-01T10:32:00Z");
        assert_string_equal(b, "2026-12-01T10:32:00Z");
        assert_string_equal(c, "1970-01-01T00:00:00Z");
}

static void test_json_text(void **state) {
        char *reasons[] = {"camera disconnected", "disk almost full", NULL};
        room_state_doc doc = {.state = ROOM_RECORDING,
                              .since_us = T0,
                              .updated_us = T0 + 485 * G_USEC_PER_SEC,
                              .attention = reasons,
                              .hours_left = 41.56};
        room_state_doc none = {.state = ROOM_FREE, .since_us = T0, .updated_us = T0, .hours_left = -1};
        g_autofree gchar *j = room_state_doc_to_json(&doc);
        g_autofree gchar *k = room_state_doc_to_json(&none);

        (void) state;
        assert_string_equal(j, "{\"state\":\"recording\",\"since\":\"2026-12-01T10:32:00Z\","
                               "\"attention\":[\"camera disconnected\",\"disk almost full\"],"
                               "\"hours_left\":41.5,\"updated\":\"2026-12-01T10:40:05Z\"}");
        assert_string_equal(k, "{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"attention\":[],"
                               "\"hours_left\":null,\"updated\":\"2026-12-01T10:32:00Z\"}");
        /* a tenth that a double cannot hold exactly is still written as one
         * decimal, also beside a reason that looks like the member */
        {
                char *odd[] = {"\"hours_left\":0", NULL};
                room_state_doc tenth = {.state = ROOM_FREE,
                                        .since_us = T0,
                                        .updated_us = T0,
                                        .attention = odd,
                                        .hours_left = 42.94};
                g_autofree gchar *t = room_state_doc_to_json(&tenth);
                assert_string_equal(t, "{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\","
                                       "\"attention\":[\"\\\"hours_left\\\":0\"],\"hours_left\":42.9,"
                                       "\"updated\":\"2026-12-01T10:32:00Z\"}");
        }
}

static void test_round_trip(void **state) {
        /* the last one looks like json-write's placeholder for a decimal */
        char *reasons[] = {"camera disconnected", "microphone silent", "bidi \u202e reason",
                           "\001tenths:hours_left\":5", NULL};
        room_state_doc doc = {.state = ROOM_BREAK,
                              .since_us = T0,
                              .updated_us = T0 + 5000000,
                              .attention = reasons,
                              .hours_left = 7.25};
        g_autofree gchar *j = room_state_doc_to_json(&doc);
        room_state_doc back = {0};
        g_autofree gchar *msg = NULL;

        (void) state;
        /* Nothing raw that could act on a terminal. */
        assert_null(strstr(j, "\u202e"));
        assert_int_equal(room_state_parse(j, strlen(j), &back, &msg), 0);
        assert_null(msg);
        assert_int_equal(back.state, ROOM_BREAK);
        assert_true(back.since_us == T0);
        assert_true(back.updated_us == T0 + 5000000);
        assert_int_equal(g_strv_length(back.attention), 4);
        assert_string_equal(back.attention[2], "bidi \u202e reason");
        assert_string_equal(back.attention[3], "\001tenths:hours_left\":5");
        assert_true(back.hours_left == 7.2);
        assert_non_null(strstr(j, "\"hours_left\":7.2,"));
        room_state_doc_clear(&back);
        assert_null(back.attention);
}

/* More reasons than ROOM_ATTENTION_MAX: the writer keeps the first ones. */
static void test_writer_bounds(void **state) {
        char *many[ROOM_ATTENTION_MAX + 3];
        room_state_doc doc = {.state = ROOM_ATTENTION, .since_us = T0, .updated_us = T0, .attention = many};
        g_autofree gchar *j = NULL;
        room_state_doc back = {0};
        g_autofree gchar *msg = NULL;

        (void) state;
        for (int i = 0; i < ROOM_ATTENTION_MAX + 2; i++)
                many[i] = "fault";
        many[ROOM_ATTENTION_MAX + 2] = NULL;
        j = room_state_doc_to_json(&doc);
        assert_int_equal(room_state_parse(j, strlen(j), &back, &msg), 0);
        assert_int_equal(g_strv_length(back.attention), ROOM_ATTENTION_MAX);
        room_state_doc_clear(&back);
}

static unsigned count_entries(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        unsigned n = 0;

        assert_non_null(d);
        while (g_dir_read_name(d))
                n++;
        return n;
}

static void test_publish(void **state) {
        g_autofree gchar *dir = g_dir_make_tmp("test-room-state.XXXXXX", NULL);
        g_autofree gchar *path = g_build_filename(dir, "state.json", NULL);
        g_autofree gchar *text = NULL, *msg = NULL, *missing_msg = NULL, *missing = NULL;
        room_state_doc doc = {.state = ROOM_READY, .since_us = T0, .updated_us = T0};
        room_state_doc back = {0};
        struct stat st;
        mode_t old = umask(0077);

        (void) state;
        assert_non_null(dir);
        assert_int_equal(room_state_publish(path, &doc), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644); /* whatever the umask: the status daemon reads it */
        doc.state = ROOM_RECORDING;
        doc.updated_us = T0 + 5 * G_USEC_PER_SEC;
        assert_int_equal(room_state_publish(path, &doc), 0);
        umask(old);
        /* Replaced, and nothing else left in the folder. */
        assert_int_equal(count_entries(dir), 1);
        assert_true(g_file_get_contents(path, &text, NULL, NULL));
        assert_true(g_str_has_prefix(text, "{\"state\":\"recording\""));
        assert_true(g_str_has_suffix(text, "}\n"));
        assert_int_equal(room_state_read(path, &back, &msg), 0);
        assert_int_equal(back.state, ROOM_RECORDING);
        assert_true(back.updated_us == T0 + 5 * G_USEC_PER_SEC);
        assert_null(back.attention);
        missing = g_build_filename(dir, "nope.json", NULL);
        assert_int_equal(room_state_read(missing, &back, &missing_msg), -ENOENT);
        assert_non_null(strstr(missing_msg, missing));
        /* A folder that does not exist: an error, and still nothing left. */
        {
                g_autofree gchar *bad = g_build_filename(dir, "no", "state.json", NULL);
                assert_true(room_state_publish(bad, &doc) < 0);
        }
        assert_int_equal(count_entries(dir), 1);
        (void) g_unlink(path);
        (void) g_rmdir(dir);
}

static const struct {
        const char *text;
        const char *needle;
} bad_docs[] = {
        {"", ""},
        {"[]", "not a JSON object"},
        {"\"free\"", "not a JSON object"},
        {"{\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "\"state\" is missing"},
        {"{\"state\":1,\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "\"state\" is missing or not a string"},
        {"{\"state\":\"asleep\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "\"state\" is \"asleep\", not a known room state"},
        {"{\"state\":\"\\u001b[2Jfree\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:"
         "00Z\"}",
         "\\u001b[2Jfree"},
        {"{\"state\":\"free\",\"updated\":\"2026-12-01T10:32:00Z\"}", "\"since\" is missing"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\"}", "\"updated\" is missing"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01 10:32:00\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "\"since\" is \"2026-12-01 10:32:00\", not a UTC time"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00+01:00\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "not a UTC time"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00.5Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "not a UTC time"},
        {"{\"state\":\"free\",\"since\":\"2026-13-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "not a UTC time"},
        {"{\"state\":\"free\",\"since\":\"2026-02-30T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "not a UTC time"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T23:59:60Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "not a UTC time"},
        {"{\"state\":\"free\",\"since\":\"1969-12-31T23:59:59Z\",\"updated\":\"2026-12-01T10:32:00Z\"}",
         "not a UTC time"},
        {"{\"state\":\"free\",\"since\":1796121120,\"updated\":\"2026-12-01T10:32:00Z\"}",
         "\"since\" is missing or not a string"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"attention\":\"disk full\"}",
         "\"attention\" is not a list"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"attention\":[\"ok\",3]}",
         "\"attention\" item 2 is not a string"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"attention\":[[\"nested\"]]}",
         "item 1 is not a string"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"attention\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\","
         "\"n\",\"o\","
         "\"p\",\"q\"]}",
         "holds 17 reasons, more than the 16"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"hours_left\":-1}",
         "\"hours_left\" is not a number of hours"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"hours_left\":\"12\"}",
         "\"hours_left\" is not a number of hours"},
        {"{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"updated\":\"2026-12-01T10:32:00Z\","
         "\"hours_left\":1e300}",
         "\"hours_left\" is not a number of hours"},
        {"{\"state\":\"free\"", ""},
};

static void test_malformed(void **state) {
        g_autofree gchar *deep = NULL, *huge = NULL;

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(bad_docs); i++) {
                room_state_doc doc = {.state = ROOM_READY, .since_us = 7};
                g_autofree gchar *msg = NULL;

                if (room_state_parse(bad_docs[i].text, strlen(bad_docs[i].text), &doc, &msg) >= 0)
                        fail_msg("document %zu was accepted: %s", i, bad_docs[i].text);
                assert_non_null(msg);
                if (!strstr(msg, bad_docs[i].needle))
                        fail_msg("document %zu: message '%s' lacks '%s'", i, msg, bad_docs[i].needle);
                /* Untouched on failure. */
                assert_int_equal(doc.state, ROOM_READY);
                assert_true(doc.since_us == 7);
                assert_null(doc.attention);
        }
        {
                room_state_doc doc = {0};
                g_autofree gchar *msg = NULL, *msg2 = NULL;
                GString *d = g_string_new("{\"state\":\"free\",\"x\":");
                for (int i = 0; i < 1000; i++)
                        g_string_append_c(d, '[');
                deep = g_string_free(d, FALSE);
                assert_int_equal(room_state_parse(deep, strlen(deep), &doc, &msg), -ELOOP);
                huge = g_strnfill(ROOM_STATE_FILE_MAX + 1, ' ');
                assert_int_equal(room_state_parse(huge, strlen(huge), &doc, &msg2), -EFBIG);
        }
}

/* session_since: written only in a session, read back exactly, optional
 * (an older writer has none), and refused when it is not a time. */
static void test_session_since(void **state) {
        room_state_doc doc = {.state = ROOM_BREAK,
                              .since_us = T0 + 600 * G_USEC_PER_SEC,
                              .session_since_us = T0,
                              .updated_us = T0 + 700 * G_USEC_PER_SEC,
                              .hours_left = -1};
        g_autofree gchar *j = room_state_doc_to_json(&doc), *free_j = NULL;
        g_autofree gchar *msg = NULL, *msg2 = NULL;
        room_state_doc back = {0};
        static const char older[] =
                "{\"state\":\"recording\",\"since\":\"2026-12-01T10:32:00Z\","
                "\"attention\":[],\"hours_left\":null,\"updated\":\"2026-12-01T10:32:05Z\"}";
        static const char bad[] = "{\"state\":\"recording\",\"since\":\"2026-12-01T10:32:00Z\","
                                  "\"updated\":\"2026-12-01T10:32:05Z\",\"session_since\":\"10:32\"}";

        (void) state;
        assert_non_null(strstr(j, "\"session_since\":\"2026-12-01T10:32:00Z\""));
        assert_int_equal(room_state_parse(j, strlen(j), &back, NULL), 0);
        assert_true(back.session_since_us == T0);
        assert_true(back.since_us == T0 + 600 * G_USEC_PER_SEC);
        room_state_doc_clear(&back);
        doc.state = ROOM_FREE;
        doc.session_since_us = 0;
        free_j = room_state_doc_to_json(&doc);
        assert_null(strstr(free_j, "session_since"));
        assert_int_equal(room_state_parse(older, strlen(older), &back, NULL), 0);
        assert_true(back.session_since_us == 0);
        room_state_doc_clear(&back);
        assert_int_equal(room_state_parse(bad, strlen(bad), &back, &msg), -EBADMSG);
        assert_non_null(strstr(msg, "session_since"));
        (void) msg2;
}

/* The owner is the opened file's (fstat): another user's file is refused. */
static void test_read_owned(void **state) {
        g_autofree gchar *dir = g_dir_make_tmp("test-room-state.XXXXXX", NULL);
        g_autofree gchar *path = g_build_filename(dir, "state.json", NULL);
        g_autofree gchar *msg = NULL;
        room_state_doc doc = {.state = ROOM_FREE, .since_us = T0, .updated_us = T0}, back = {0};

        (void) state;
        assert_int_equal(room_state_publish(path, &doc), 0);
        assert_int_equal(room_state_read_owned(path, getuid(), &back, NULL), 0);
        room_state_doc_clear(&back);
        assert_int_equal(room_state_read_owned(path, (uid_t) -1, &back, NULL), 0);
        room_state_doc_clear(&back);
        assert_int_equal(room_state_read_owned(path, getuid() + 1, &back, &msg), -EPERM);
        assert_non_null(strstr(msg, "belongs to user id"));
        assert_int_equal(back.state, ROOM_FREE);
        assert_null(back.attention);
        (void) g_unlink(path);
        (void) g_rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),       cmocka_unit_test(test_format_time),
                cmocka_unit_test(test_json_text),     cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_writer_bounds), cmocka_unit_test(test_publish),
                cmocka_unit_test(test_malformed),     cmocka_unit_test(test_session_since),
                cmocka_unit_test(test_read_owned),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
