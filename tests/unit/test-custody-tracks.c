/* studio-session/3's audio tracks: session-start's "tracks" must be 1 to 16
 * objects with exactly role, label, device, channel, required and an
 * optional language; segment-sealed's are role strings; the manifest reads
 * them back strictly, and a version 3 manifest without them is refused. */
#include "testutil.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "custody-internal.h"

#define TRACK(extra)                                                                                        \
        "{\"role\":\"interpreter\",\"label\":\"Tolk\",\"device\":\"hw:X\",\"channel\":3,\"required\":"      \
        "false" extra "}"

static int check_start_tracks(const char *tracks_json) {
        g_autofree gchar *text = g_strdup_printf("{\"session\":\"s\",\"officer\":\"o\",\"room\":\"r\","
                                                 "\"device_id\":\"d\",\"software_version\":\"v\","
                                                 "\"profile\":\"p\",\"profile_sha256\":\"h\",\"cameras\":[],"
                                                 "\"microphones\":[],\"clock_sync\":\"c\","
                                                 "\"recipients\":[],\"tracks\":%s}",
                                                 tracks_json);
        g_autoptr(JsonParser) parser = json_parser_new();
        char err[200] = "";

        assert_true(json_parser_load_from_data(parser, text, -1, NULL));
        int r = custody_schema_check(CUSTODY_EV_SESSION_START,
                                     json_node_get_object(json_parser_get_root(parser)), err, sizeof(err));

        if (r < 0)
                assert_contains(err, "\"tracks\" of a session-start entry must be 1 to 16 tracks");
        return r;
}

static void test_start_tracks(void **state) {
        g_autoptr(GString) seventeen = g_string_new("[");

        (void) state;
        assert_int_equal(check_start_tracks("[" TRACK("") "]"), 0);
        assert_int_equal(check_start_tracks("[" TRACK(",\"language\":\"nld\"") "," TRACK("") "]"), 0);
        assert_int_equal(check_start_tracks("[]"), -EBADMSG);
        assert_int_equal(check_start_tracks("[\"interpreter\"]"), -EBADMSG);
        assert_int_equal(check_start_tracks("[" TRACK(",\"volume\":3") "]"), -EBADMSG);
        assert_int_equal(check_start_tracks("[" TRACK(",\"language\":7") "]"), -EBADMSG);
        assert_int_equal(
                check_start_tracks("[{\"role\":\"room\",\"label\":\"l\",\"device\":\"d\",\"channel\":-1,"
                                   "\"required\":true}]"),
                -EBADMSG);
        assert_int_equal(
                check_start_tracks("[{\"label\":\"l\",\"device\":\"d\",\"channel\":0,\"required\":true}]"),
                -EBADMSG);
        for (int i = 0; i < 17; i++)
                g_string_append_printf(seventeen, "%s" TRACK(""), i ? "," : "");
        g_string_append_c(seventeen, ']');
        assert_int_equal(check_start_tracks(seventeen->str), -EBADMSG);
}

static char *corpus_manifest(size_t *ret_len) {
        g_autofree gchar *path = g_build_filename(STUDIO_SOURCE_DIR, "tests", "fuzz", "corpus", "manifest",
                                                  "complete-v3-tracks.json", NULL);
        char *text = NULL;

        assert_true(g_file_get_contents(path, &text, ret_len, NULL));
        return text;
}

static void test_manifest_tracks(void **state) {
        size_t len = 0;
        g_autofree char *text = corpus_manifest(&len);
        g_autofree char *err = NULL, *err2 = NULL;
        custody_manifest *m = NULL;
        g_autoptr(GString) without = NULL;
        char *tracks;

        (void) state;
        assert_int_equal(custody_manifest_parse(text, len, &m, &err), 0);
        assert_int_equal(m->n_tracks, 2);
        assert_string_equal(m->tracks[1].role, "interpreter");
        assert_string_equal(m->tracks[1].language, "nld");
        assert_int_equal(m->tracks[1].channel, 3);
        assert_null(m->tracks[0].language);
        assert_true(m->tracks[0].required);
        m = custody_manifest_free(m);
        /* version 3 without its tracks: refused, naming them */
        without = g_string_new(text);
        tracks = strstr(without->str, "\"tracks\": [{");
        assert_non_null(tracks);
        memcpy(tracks, "\"trackz\"", 8);
        assert_int_equal(custody_manifest_parse(without->str, without->len, &m, &err2), -EBADMSG);
        assert_null(m);
        assert_contains(err2, "\"tracks\"");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_start_tracks),
                cmocka_unit_test(test_manifest_tracks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
