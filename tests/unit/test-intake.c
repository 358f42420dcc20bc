/* appliance/intake: the [intake] configuration (every error names the
 * file and line; defaults; records default to the vault or to
 * s3://BUCKET/intake/PREFIX), the record parser (a record we did not write
 * is refused, not trusted), which verdicts are alerts, and the index
 * (rows from records, filters, a rebuild from nothing). */
#include "testutil.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "index.h"
#include "intake.h"

static gchar *tmp;

static int setup(void **state) {
        tmp = g_dir_make_tmp("test-intake-XXXXXX", NULL);
        return tmp ? 0 : -1;
}

static int teardown(void **state) {
        (void) test_rmtree(tmp);
        g_free(tmp);
        return 0;
}

static int load(const char *text, intake_conf **ret, gchar **msg) {
        g_autofree gchar *path = g_build_filename(tmp, "intake.conf", NULL);
        g_assert(g_file_set_contents(path, text, -1, NULL));
        return intake_conf_load(path, ret, msg);
}

#define BASE                                                                                                \
        "[intake]\nvault = dir:/srv/vault\nregistry = r.json\nregistry_key = it.pub\nsigning_key = i.key\n"

static void test_conf_defaults(void **state) {
        g_autoptr(intake_conf) c = NULL;
        g_autofree gchar *msg = NULL;

        assert_int_equal(load(BASE, &c, &msg), 0);
        assert_string_equal(c->records, "dir:/srv/vault");
        assert_string_equal(c->index, INTAKE_INDEX_DEFAULT);
        assert_true(c->interval_ns == 30000000000ull);
        assert_null(c->tsa_url);
        assert_true(g_str_has_suffix(c->registry, "/r.json")); /* relative to the file */
}

static void test_conf_s3_records(void **state) {
        static const struct {
                const char *vault, *records;
        } cases[] = {
                {"s3://evidence/room3", "s3://evidence/intake/room3"},
                {"s3://evidence", "s3://evidence/intake"},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(intake_conf) c = NULL;
                g_autofree gchar *msg = NULL;
                g_autofree gchar *text = g_strdup_printf(
                        "[intake]\nvault = %s\nregistry = r\nregistry_key = k\nsigning_key = s\n",
                        cases[i].vault);
                assert_int_equal(load(text, &c, &msg), 0);
                assert_string_equal(c->records, cases[i].records);
        }
}

/* Each bad file: the error names the file and the line (or the missing key). */
static void test_conf_errors(void **state) {
        static const struct {
                const char *text, *says;
        } cases[] = {
                {BASE "vualt = x\n", "line 6"},
                {"[intake]\nvault = ftp://x\n", "line 2: [intake] vault is not a vault address"},
                {"[intake]\nvault = s3:///x\n", "line 2: [intake] vault"},
                {"[intake]\nvault = dir:/x\n", "registry is missing"},
                {BASE "tsa_url = http://tsa\n", "line 6: [intake] tsa_url needs its partner"},
                {BASE "tsa_url = ftp://tsa\ntsa_ca_file = ca.pem\n",
                 "line 6: [intake] tsa_url is not an http"},
                {BASE "interval = 0s\n", "line 6"},
                {BASE "log_level = loud\n", "line 6: [intake] log_level"},
                {BASE "signing_key = credential:a/b\n", "[intake] signing_key"},
                {"[uploader]\nvault = dir:/x\n", "uploader"},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(intake_conf) c = NULL;
                g_autofree gchar *msg = NULL;
                assert_true(load(cases[i].text, &c, &msg) < 0);
                assert_null(c);
                assert_non_null(msg);
                if (!strstr(msg, cases[i].says) || !strstr(msg, "intake.conf"))
                        fail_msg("case %zu: '%s' does not say '%s'", i, msg, cases[i].says);
        }
}

static void test_record_parse(void **state) {
        static const char good[] =
                "{\"format\":\"studio-intake-record/1\",\"session\":\"20261201T090000Z-0000000a\","
                "\"verdict\":\"INTACT\",\"manifest_sha256\":null}\n";
        static const char *const bad[] = {
                "",
                "[]",
                "{}",
                "{\"format\":\"studio-intake-record/2\",\"session\":\"s\",\"verdict\":\"INTACT\"}",
                "{\"format\":\"studio-intake-record/1\",\"session\":7,\"verdict\":\"INTACT\"}",
                "{\"format\":\"studio-intake-record/1\",\"session\":\"s\"}",
        };
        intake_record r = {};
        g_autofree gchar *msg = NULL;

        assert_int_equal(intake_record_parse(good, strlen(good), &r, &msg), 0);
        assert_string_equal(r.session, "20261201T090000Z-0000000a");
        assert_string_equal(r.verdict, "INTACT");
        assert_null(r.manifest_sha256);
        intake_record_clear(&r);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree gchar *why = NULL;
                assert_int_equal(intake_record_parse(bad[i], strlen(bad[i]), &r, &why), -EBADMSG);
                assert_non_null(why);
        }
        /* deeper than the bound: refused before json-glib recurses */
        GString *deep = g_string_new("");
        for (int i = 0; i < 10000; i++)
                g_string_append_c(deep, '[');
        g_autofree gchar *why = NULL;
        assert_int_equal(intake_record_parse(deep->str, deep->len, &r, &why), -EBADMSG);
        g_string_free(deep, TRUE);
}

static void test_alerts(void **state) {
        assert_false(intake_verdict_alert("INTACT"));
        assert_false(intake_verdict_alert("TRUNCATED"));
        assert_true(intake_verdict_alert("INCOMPLETE"));
        assert_true(intake_verdict_alert("UNSIGNED"));
        assert_true(intake_verdict_alert("UNTRUSTED-KEY"));
        assert_true(intake_verdict_alert("TAMPERED"));
        assert_true(intake_verdict_alert(NULL));
}

static void count_row(const intake_index_row *row, void *userdata) {
        GString *s = userdata;
        g_string_append_printf(s, "%s ", row->session);
}

static void test_index(void **state) {
        static const char *const recs[] = {
                "{\"session\":\"S1\",\"verdict\":\"INTACT\",\"room\":\"Room 3\",\"device_id\":\"d1\","
                "\"started_utc\":\"2026-12-03T09:00:00Z\",\"segments\":2}",
                "{\"session\":\"S2\",\"verdict\":\"TAMPERED\",\"room\":\"Room 5\",\"device_id\":\"d1\","
                "\"started_utc\":\"2026-12-03T10:00:00Z\"}",
                "{\"session\":\"S3\",\"verdict\":\"INTACT\",\"room\":\"Room 3\",\"device_id\":\"d2\","
                "\"started_utc\":\"2026-12-04T10:00:00Z\"}",
        };
        static const struct {
                intake_index_query q;
                const char *want;
        } queries[] = {
                {{}, "S1 S2 S3 "},
                {{.room = "Room 3"}, "S1 S3 "},
                {{.room = "Room 3", .since = "2026-12-03T00:00:00Z", .until = "2026-12-03T23:59:59.999999Z"},
                 "S1 "},
                {{.verdict = "TAMPERED"}, "S2 "},
                {{.device = "d2"}, "S3 "},
                {{.officer = "4711"}, ""},
        };
        g_autofree gchar *path = g_build_filename(tmp, "index.sqlite", NULL);
        g_autoptr(intake_index) x = NULL;
        g_autofree gchar *msg = NULL;

        assert_int_equal(intake_index_open(path, &x, &msg), 0);
        for (size_t i = 0; i < G_N_ELEMENTS(recs); i++)
                assert_int_equal(intake_index_put(x, recs[i], strlen(recs[i]), NULL, &msg), 0);
        /* the same session again replaces its row */
        assert_int_equal(intake_index_put(x, recs[0], strlen(recs[0]), "2026-12-03T09:30:00Z", &msg), 0);
        assert_int_equal(intake_index_put(x, "{}", 2, NULL, &msg), -EBADMSG);
        g_clear_pointer(&msg, g_free);
        for (size_t i = 0; i < G_N_ELEMENTS(queries); i++) {
                g_autoptr(GString) got = g_string_new("");
                assert_true(intake_index_query_run(x, &queries[i].q, count_row, got, &msg) >= 0);
                if (strcmp(got->str, queries[i].want) != 0)
                        fail_msg("query %zu: got '%s', wanted '%s'", i, got->str, queries[i].want);
        }
        assert_int_equal(intake_index_clear(x, &msg), 0);
        g_autoptr(GString) none = g_string_new("");
        assert_int_equal(intake_index_query_run(x, &(intake_index_query){}, count_row, none, &msg), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_conf_defaults), cmocka_unit_test(test_conf_s3_records),
                cmocka_unit_test(test_conf_errors),   cmocka_unit_test(test_record_parse),
                cmocka_unit_test(test_alerts),        cmocka_unit_test(test_index),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
