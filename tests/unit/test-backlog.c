/* appliance/contract/backlog: the uploader's published backlog, read by the
 * status page and the health monitor. Round trip (text and file), and
 * every malformed document refused with a message naming the field, within
 * the size and depth bounds. */
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

#include "backlog.h"

/* 2026-12-01T10:32:00Z */
#define SEC INT64_C(1000000)
#define T0 (INT64_C(1796121120) * SEC)

static void test_strings(void **state) {
        (void) state;
        for (int v = 0; v < _BACKLOG_VAULT_MAX; v++)
                assert_int_equal(backlog_vault_from_string(backlog_vault_to_string(v)), v);
        assert_null(backlog_vault_to_string(_BACKLOG_VAULT_MAX));
        assert_int_equal(backlog_vault_from_string("Reachable"), _BACKLOG_VAULT_INVALID);
        assert_int_equal(backlog_vault_from_string(NULL), _BACKLOG_VAULT_INVALID);
}

static void assert_docs_equal(const backlog_doc *a, const backlog_doc *b) {
        assert_int_equal(a->sessions, b->sessions);
        assert_int_equal(a->bytes, b->bytes);
        assert_int_equal(a->oldest_us, b->oldest_us);
        assert_int_equal(a->last_transfer_us, b->last_transfer_us);
        assert_int_equal(a->vault, b->vault);
        assert_int_equal(a->updated_us, b->updated_us);
        assert_int_equal(a->in_flight, b->in_flight);
        assert_int_equal(a->last_error, b->last_error);
        assert_int_equal(a->last_error_us, b->last_error_us);
        assert_int_equal(a->awaiting_verification, b->awaiting_verification);
        assert_int_equal(a->verification_failed, b->verification_failed);
}

static void test_round_trip(void **state) {
        const backlog_doc docs[] = {
                {2, 1073741824, T0 - 3600 * SEC, T0 - 60 * SEC, BACKLOG_VAULT_REACHABLE, T0, 0, 0, 0, 0, 0},
                {0, 0, 0, 0, BACKLOG_VAULT_UNKNOWN, T0, 0, 0, 0, 0, 0},
                {1, 1ULL << 53, T0, 0, BACKLOG_VAULT_UNREACHABLE, T0 + G_USEC_PER_SEC, 0, 0, 0, 0, 0},
                {1, 4096, T0, 0, BACKLOG_VAULT_REACHABLE, T0, 1 << 20, BACKLOG_ERROR_NOT_LOCKING, T0 - SEC,
                 0, 0},
                {1, 4096, T0, 0, BACKLOG_VAULT_UNREACHABLE, T0, 0, BACKLOG_ERROR_UNREACHABLE, T0, 0, 0},
                /* wipe_after = verified: vaulted sessions kept for the intake's record */
                {0, 0, 0, T0, BACKLOG_VAULT_REACHABLE, T0, 0, 0, 0, 3, 1},
        };

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(docs); i++) {
                g_autofree gchar *json = backlog_doc_to_json(&docs[i]);
                backlog_doc back = {0};
                assert_int_equal(backlog_parse(json, strlen(json), &back, NULL), 0);
                assert_docs_equal(&docs[i], &back);
        }
        {
                g_autofree gchar *json = backlog_doc_to_json(&docs[0]);
                assert_string_equal(
                        json, "{\"sessions\":2,\"bytes\":1073741824,\"oldest\":\"2026-12-01T09:32:00Z\","
                              "\"last_transfer\":\"2026-12-01T10:31:00Z\",\"vault\":\"reachable\","
                              "\"updated\":\"2026-12-01T10:32:00Z\",\"in_flight\":0,"
                              "\"last_error\":null,\"last_error_at\":null,"
                              "\"awaiting_verification\":0,\"verification_failed\":0}");
        }
        {
                /* An older uploader's document, without the optional members. */
                const char *old = "{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
                                  "\"vault\":\"reachable\",\"updated\":\"2026-12-01T10:32:00Z\"}";
                backlog_doc back = {.in_flight = 9,
                                    .last_error = 3,
                                    .awaiting_verification = 4,
                                    .verification_failed = 5};
                assert_int_equal(backlog_parse(old, strlen(old), &back, NULL), 0);
                assert_int_equal(back.in_flight, 0);
                assert_int_equal(back.awaiting_verification, 0);
                assert_int_equal(back.verification_failed, 0);
                assert_int_equal(back.last_error, BACKLOG_ERROR_NONE);
        }
        for (int e = 1; e < _BACKLOG_ERROR_MAX; e++)
                assert_int_equal(backlog_error_from_string(backlog_error_to_string(e)), e);
        assert_null(backlog_error_to_string(BACKLOG_ERROR_NONE));
        assert_int_equal(backlog_error_from_string("Vault unreachable"), _BACKLOG_ERROR_INVALID);
}

static void test_file(void **state) {
        g_autofree gchar *dir = g_dir_make_tmp("test-backlog-XXXXXX", NULL);
        g_autofree gchar *path = g_build_filename(dir, "backlog.json", NULL);
        g_autofree gchar *msg = NULL;
        backlog_doc d = {3, 42, T0, T0, BACKLOG_VAULT_REACHABLE, T0, 7, BACKLOG_ERROR_CREDENTIALS, T0, 2, 1},
                    back = {0};
        struct stat st;

        (void) state;
        assert_int_equal(backlog_read(path, &back, &msg), -ENOENT);
        assert_non_null(strstr(msg, "backlog"));
        assert_int_equal(backlog_publish(path, &d), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644); /* the status daemon is another user */
        assert_int_equal(backlog_read(path, &back, NULL), 0);
        assert_docs_equal(&d, &back);
        (void) g_unlink(path);
        (void) g_rmdir(dir);
}

#define GOOD_TAIL "\"vault\":\"reachable\",\"updated\":\"2026-12-01T10:32:00Z\"}"
static const struct {
        const char *text, *field;
} malformed[] = {
        {"{\"bytes\":0,\"oldest\":null,\"last_transfer\":null," GOOD_TAIL, "sessions"},
        {"{\"sessions\":-1,\"bytes\":0,\"oldest\":null,\"last_transfer\":null," GOOD_TAIL, "sessions"},
        {"{\"sessions\":\"2\",\"bytes\":0,\"oldest\":null,\"last_transfer\":null," GOOD_TAIL, "sessions"},
        {"{\"sessions\":1,\"bytes\":1.5,\"oldest\":null,\"last_transfer\":null," GOOD_TAIL, "bytes"},
        {"{\"sessions\":1,\"bytes\":9007199254740993,\"oldest\":null,\"last_transfer\":null," GOOD_TAIL,
         "bytes"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":\"yesterday\",\"last_transfer\":null," GOOD_TAIL, "oldest"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":12," GOOD_TAIL, "last_transfer"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":\"2026-12-01T10:32:00+01:"
         "00\"," GOOD_TAIL,
         "last_transfer"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,\"vault\":\"maybe\","
         "\"updated\":\"2026-12-01T10:32:00Z\"}",
         "vault"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,\"vault\":null,"
         "\"updated\":\"2026-12-01T10:32:00Z\"}",
         "vault"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,\"vault\":\"reachable\","
         "\"updated\":null}",
         "updated"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,\"vault\":\"reachable\"}",
         "updated"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
         "\"awaiting_verification\":-1," GOOD_TAIL,
         "awaiting_verification"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
         "\"verification_failed\":\"1\"," GOOD_TAIL,
         "verification_failed"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
         "\"in_flight\":-5," GOOD_TAIL,
         "in_flight"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
         "\"last_error\":\"oops\"," GOOD_TAIL,
         "last_error"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
         "\"last_error\":7," GOOD_TAIL,
         "last_error"},
        {"{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
         "\"last_error_at\":\"now\"," GOOD_TAIL,
         "last_error_at"},
        {"[1,2,3]", "not a JSON object"},
};

static void test_malformed(void **state) {
        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++) {
                g_autofree gchar *msg = NULL;
                backlog_doc d = {.sessions = 77};
                int r = backlog_parse(malformed[i].text, strlen(malformed[i].text), &d, &msg);
                if (r != -EBADMSG)
                        fail_msg("document %zu: %d, not -EBADMSG", i, r);
                assert_non_null(msg);
                if (!strstr(msg, malformed[i].field))
                        fail_msg("document %zu: \"%s\" does not name %s", i, msg, malformed[i].field);
                assert_int_equal(d.sessions, 77); /* untouched on failure */
        }
}

static void test_hostile_and_bounds(void **state) {
        const char nul[] = "{\"sessions\":1}\0{}";
        g_autofree gchar *msg = NULL, *msg2 = NULL, *msg3 = NULL, *msg4 = NULL;
        g_autoptr(GString) deep = g_string_new("{\"sessions\":");
        g_autoptr(GString) big = g_string_new("{\"sessions\":1,\"pad\":\"");
        const char *bidi = "{\"sessions\":1,\"bytes\":1,\"oldest\":null,\"last_transfer\":null,"
                           "\"vault\":\"\\u202e\\u001b[2J\",\"updated\":\"2026-12-01T10:32:00Z\"}";
        backlog_doc d = {0};

        (void) state;
        for (int i = 0; i < 100000; i++)
                g_string_append_c(deep, '[');
        assert_true(backlog_parse(deep->str, deep->len, &d, &msg) < 0);
        assert_non_null(msg);
        while (big->len <= BACKLOG_FILE_MAX)
                g_string_append_c(big, 'x');
        g_string_append(big, "\"}");
        assert_int_equal(backlog_parse(big->str, big->len, &d, &msg2), -EFBIG);
        assert_true(backlog_parse(nul, sizeof(nul) - 1, &d, &msg3) < 0);
        /* A hostile value is quoted escaped in the message. */
        assert_int_equal(backlog_parse(bidi, strlen(bidi), &d, &msg4), -EBADMSG);
        assert_null(strstr(msg4, "\xe2\x80\xae"));
        assert_null(strstr(msg4, "\x1b"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_file),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_hostile_and_bounds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
