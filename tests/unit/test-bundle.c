/* The provisioning bundle's parser (appliance/bundle/bundle.h): a whole bundle, and
 * every field refused when it is missing, of the wrong type or syntax,
 * unknown, oversized or nested too deep, with a message naming the field
 * and never showing a secret key given by mistake. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "bundle.h"

#define RECIPIENT "age1fsk0wwvpt8lh3x60nvezccf6kylm47j2jc70penarfvce8wn3y7s6z0d2h"
#define OFFICERS                                                                                            \
        "\"# "                                                                                              \
        "officers\\n40417:$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG\\n\""
#define UPLOADER                                                                                            \
        "{\"vault\":\"s3://evidence/room3\",\"endpoint\":\"https://"                                        \
        "10.0.2.2:7480\",\"region\":\"us-east-1\",\"retention_days\":3650}"

#define INTAKE_KEY "RWSEcz/0F4Fss7V0etLCAGDHZkt2AZpJAJxyA6pEvOTeByV8CNlxkcdt"
#define INTAKE_KEY2 "RWS+knU6/ZyuhdRIr9QU7PYiE/quIj7+GLPTCy6OhAu5Ppra6iuSvKm6"

/* A bundle with each part replaced where the argument is not NULL. */
static gchar *bundle_for(const char *serial, const char *recipients, const char *officers,
                         const char *uploader, const char *extra, const char *devices) {
        return g_strdup_printf(
                "{\"format\":\"" KEYS_BUNDLE_FORMAT "\",\"serial\":%s,\"created\":\"2026-12-01T19:10:54Z\","
                "\"devices\":%s,\"recipients\":%s,\"officers\":%s,\"uploader\":%s%s}",
                serial ? serial : "7", devices ? devices : "[\"studio-room3\"]",
                recipients ? recipients : "[\"" RECIPIENT "\"]", officers ? officers : OFFICERS,
                uploader ? uploader : UPLOADER, extra ? extra : "");
}

static gchar *bundle(const char *serial, const char *recipients, const char *officers, const char *uploader,
                     const char *extra) {
        return bundle_for(serial, recipients, officers, uploader, extra, NULL);
}

static int parse(const char *text, keys_bundle **ret, gchar **msg) {
        return keys_bundle_parse(text, strlen(text), ret, msg);
}

static void test_whole_bundle(void **state) {
        g_autofree gchar *text = bundle(NULL, "[\"" RECIPIENT "\",\"" RECIPIENT "\"]", NULL, NULL,
                                        ",\"recorder\":{\"room\":\"Kamer 3 — "
                                        "studio\",\"profile\":\"usb-1cam\"}");
        keys_bundle *b = NULL;
        gchar *msg = NULL;

        assert_int_equal(parse(text, &b, &msg), 0);
        assert_null(msg);
        assert_int_equal(b->serial, 7);
        assert_string_equal(b->recipients[0], RECIPIENT);
        assert_string_equal(b->recipients[1], RECIPIENT);
        assert_null(b->recipients[2]);
        assert_int_equal(b->officers_count, 1);
        assert_non_null(strstr(b->officers, "40417:$argon2id$"));
        assert_string_equal(b->vault, "s3://evidence/room3");
        assert_string_equal(b->endpoint, "https://10.0.2.2:7480");
        assert_string_equal(b->region, "us-east-1");
        assert_int_equal(b->retention_days, 3650);
        assert_string_equal(b->room, "Kamer 3 — studio");
        assert_string_equal(b->profile, "usb-1cam");
        assert_string_equal(b->devices[0], "studio-room3");
        assert_null(b->devices[1]);
        keys_bundle_free(b);
}

static void test_intake_keys(void **state) {
        g_autofree gchar *text = bundle(NULL, NULL, NULL,
                                        "{\"vault\":\"dir:/srv/vault\",\"intake_keys\":[\"" INTAKE_KEY
                                        "\",\"" INTAKE_KEY2 "\"],\"wipe_after\":\"verified\"}",
                                        NULL);
        keys_bundle *b = NULL;
        gchar *msg = NULL;

        assert_int_equal(parse(text, &b, &msg), 0);
        assert_string_equal(b->intake_keys[0], INTAKE_KEY);
        assert_string_equal(b->intake_keys[1], INTAKE_KEY2);
        assert_null(b->intake_keys[2]);
        assert_string_equal(b->wipe_after, "verified");
        keys_bundle_free(b);
}

static void test_minimal_bundle(void **state) {
        g_autofree gchar *text = bundle(NULL, NULL, NULL, "{\"vault\":\"dir:/srv/vault\"}", NULL);
        keys_bundle *b = NULL;
        gchar *msg = NULL;

        assert_int_equal(parse(text, &b, &msg), 0);
        assert_string_equal(b->vault, "dir:/srv/vault");
        assert_null(b->endpoint);
        assert_null(b->region);
        assert_int_equal(b->retention_days, 0);
        assert_null(b->room);
        assert_null(b->profile);
        assert_int_equal(g_strv_length(b->devices), 1);
        assert_null(b->intake_keys);
        assert_null(b->wipe_after);
        keys_bundle_free(b);
}

typedef struct bad_case {
        const char *serial, *recipients, *officers, *uploader, *extra, *devices;
        const char *says; /* the message must name this */
} bad_case;

static const bad_case bad_cases[] = {
        {"0", .says = "serial"},
        {"-1", .says = "serial"},
        {"9007199254740993", .says = "serial"},
        {"1.5", .says = "serial"},
        {"\"7\"", .says = "serial"},
        {"true", .says = "serial"},
        {.recipients = "[]", .says = "recipients"},
        {.recipients = "\"" RECIPIENT "\"", .says = "recipients"},
        {.recipients = "[7]", .says = "recipients[0]"},
        {.recipients = "[\"age1xyz\"]", .says = "recipients[0]"},
        {.recipients = "[\"" RECIPIENT "\",\"ssh-ed25519 AAAA\"]", .says = "recipients[1]"},
        {.officers = "\"\"", .says = "officers"},
        {.officers = "\"# only a comment\\n\"", .says = "officers"},
        {.officers = "\"40417:notahash\\n\"", .says = "officers line 1"},
        {.officers = "\"abc:$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsg\\n\"",
         .says = "officers line 1"},
        {.officers = "[]", .says = "officers"},
        {.uploader = "{}", .says = "vault"},
        {.uploader = "\"s3://x\"", .says = "uploader"},
        {.uploader = "{\"vault\":\"ftp://host/x\"}", .says = "uploader.vault"},
        {.uploader = "{\"vault\":\"dir:relative/path\"}", .says = "uploader.vault"},
        {.uploader = "{\"vault\":\"dir:/a\\nb\"}", .says = "uploader.vault"},
        {.uploader = "{\"vault\":\"s3:///bucket\"}", .says = "uploader.vault"},
        {.uploader = "{\"vault\":\"s3://bucket x\"}", .says = "uploader.vault"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"ftp://h\"}", .says = "uploader.endpoint"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"https://\"}", .says = "uploader.endpoint"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"region\":\"US-EAST-1\"}", .says = "uploader.region"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"retention_days\":0}", .says = "uploader.retention_days"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"retention_days\":36501}", .says = "uploader.retention_days"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"retention_days\":\"30\"}", .says = "retention_days"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"credentials\":\"x\"}", .says = "credentials"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"intake_keys\":[]}", .says = "uploader.intake_keys"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"intake_keys\":\"" INTAKE_KEY "\"}", .says = "intake_keys"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"intake_keys\":[7]}", .says = "uploader.intake_keys[0]"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"intake_keys\":[\"RWSnotakey\"]}",
         .says = "uploader.intake_keys[0]"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"intake_keys\":[\"" INTAKE_KEY "\\n" INTAKE_KEY2 "\"]}",
         .says = "uploader.intake_keys[0]"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"intake_keys\":[\"" INTAKE_KEY "\",\"" INTAKE_KEY "\"]}",
         .says = "twice"},
        {.uploader =
                 "{\"vault\":\"s3://bkt\",\"intake_keys\":[\"" INTAKE_KEY "\"],\"wipe_after\":\"never\"}",
         .says = "uploader.wipe_after"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"wipe_after\":\"verified\"}", .says = "intake_keys"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"wipe_after\":1}", .says = "wipe_after"},
        {.extra = ",\"recorder\":{\"room\":\"a\\u001b[2Jb\"}", .says = "recorder.room"},
        {.extra = ",\"recorder\":{\"room\":\"a\\u202eb\"}", .says = "recorder.room"},
        {.extra = ",\"recorder\":{\"room\":\"a\\\\b\"}", .says = "recorder.room"},
        {.extra = ",\"recorder\":{\"room\":\"\"}", .says = "recorder.room"},
        {.extra = ",\"recorder\":{\"profile\":\"../etc/x\"}", .says = "recorder.profile"},
        {.extra = ",\"recorder\":{\"spool\":\"/tmp\"}", .says = "spool"},
        {.extra = ",\"recorder\":[]", .says = "recorder"},
        {.extra = ",\"device_id\":\"studio-room3\"", .says = "device_id"},
        /* bound to devices with safe ids (conf-check.h) */
        {.devices = "[]", .says = "devices"},
        {.devices = "\"studio-room3\"", .says = "devices"},
        {.devices = "[\"..\"]", .says = "devices[0] '..'"},
        {.devices = "[\".\"]", .says = "devices[0]"},
        {.devices = "[\"studio-room3\",\"a/b\"]", .says = "devices[1]"},
        {.devices = "[\"Studio Room\"]", .says = "devices[0]"},
        {.devices = "[\"studio-room3\",\"studio-room3\"]", .says = "twice"},
        {.devices = "[7]", .says = "devices[0]"},
        /* the endpoint: https, or http to a loopback address only; no userinfo, query, fragment */
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"http://evil.example\"}", .says = "plain http"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"http://127.evil.example\"}",
         .says = "plain http"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"http://localhost:7480\"}",
         .says = "plain http"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"https://user:pw@host\"}", .says = "password"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"https://h/x?y\"}", .says = "query"},
        {.uploader = "{\"vault\":\"s3://bkt\",\"endpoint\":\"https://h#f\"}", .says = "fragment"},
        {.uploader = "{\"vault\":\"s3://bucket/../x\"}", .says = "uploader.vault"},
        /* a NUL in the room is refused, never cut at */
        {.extra = ",\"recorder\":{\"room\":\"R\\u0000x\"}", .says = "\\u0000"},
        {.extra = ",\"recorder\":{\"room\":\"R\u2060x\"}", .says = "recorder.room"},
        {.extra = ",\"extra\":1", .says = "extra"},
        {.extra = ",\"format\":\"studio-provision/2\"", .says = "format"},
        {.extra = ",\"created\":\"yesterday\"", .says = "created"},
};

static void test_bad_fields(void **state) {
        for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
                const bad_case *c = &bad_cases[i];
                g_autofree gchar *text =
                        bundle_for(c->serial, c->recipients, c->officers, c->uploader, c->extra, c->devices);
                keys_bundle *b = NULL;
                gchar *msg = NULL;
                int r = parse(text, &b, &msg);

                if (r != -EBADMSG || !msg || !strstr(msg, c->says))
                        fail_msg("case %zu (%s): r=%d message '%s'", i, c->says, r, msg ? msg : "(none)");
                assert_null(b);
                g_free(msg);
        }
}

static void test_missing_members(void **state) {
        static const char *const members[] = {"format",   "serial",   "created", "recipients",
                                              "officers", "uploader", "devices"};
        g_autofree gchar *good = bundle(NULL, NULL, NULL, NULL, NULL);

        for (size_t i = 0; i < G_N_ELEMENTS(members); i++) {
                /* rename the member: it is then both missing and unknown */
                g_autofree gchar *needle = g_strdup_printf("\"%s\":", members[i]);
                g_autofree gchar *text = g_strdup(good);
                char *at = strstr(text, needle);
                keys_bundle *b = NULL;
                gchar *msg = NULL;

                assert_non_null(at);
                at[1] = 'X';
                assert_int_equal(parse(text, &b, &msg), -EBADMSG);
                assert_non_null(msg);
                assert_null(b);
                g_free(msg);
        }
}

static void test_secret_never_shown(void **state) {
        static const char secret[] =
                "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGP2EAXCS";
        g_autofree gchar *recipients = g_strdup_printf("[\"%s\"]", secret);
        g_autofree gchar *text = bundle(NULL, recipients, NULL, NULL, NULL);
        keys_bundle *b = NULL;
        gchar *msg = NULL;

        assert_int_equal(parse(text, &b, &msg), -EBADMSG);
        assert_non_null(strstr(msg, "recipients[0]"));
        assert_null(strstr(msg, "QYQSZQGP"));
        g_free(msg);
}

static void test_not_a_bundle(void **state) {
        static const char *const texts[] = {"", "nul", "[]", "\"x\"", "7", "{", "{\"format\":}", "{}"};
        keys_bundle *b = NULL;
        gchar *msg = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
                assert_int_equal(parse(texts[i], &b, &msg), -EBADMSG);
                assert_non_null(msg);
                assert_null(b);
                g_clear_pointer(&msg, g_free);
        }
}

static void test_bounds(void **state) {
        g_autofree gchar *good = bundle(NULL, NULL, NULL, NULL, NULL);
        g_autofree gchar *deep = bundle(NULL, NULL, NULL, NULL, ",\"recorder\":{\"room\":[[[[[[1]]]]]]}");
        g_autofree char *big = g_malloc(KEYS_BUNDLE_MAX + 2);
        keys_bundle *b = NULL;
        gchar *msg = NULL;
        size_t len = strlen(good);

        assert_int_equal(parse(deep, &b, &msg), -ELOOP);
        assert_non_null(strstr(msg, "nested"));
        g_clear_pointer(&msg, g_free);
        /* a NUL byte inside: the length counts, not strlen */
        g_autofree gchar *nul = g_strdup(good);
        nul[len - 3] = '\0';
        assert_true(keys_bundle_parse(nul, len, &b, &msg) < 0);
        g_clear_pointer(&msg, g_free);
        /* one byte over the cap, refused before it is parsed */
        memset(big, ' ', KEYS_BUNDLE_MAX + 1);
        memcpy(big, good, len);
        big[KEYS_BUNDLE_MAX + 1] = '\0';
        assert_int_equal(keys_bundle_parse(big, KEYS_BUNDLE_MAX + 1, &b, &msg), -EFBIG);
        g_clear_pointer(&msg, g_free);
        /* at the cap (trailing blanks), accepted */
        assert_int_equal(keys_bundle_parse(big, KEYS_BUNDLE_MAX, &b, &msg), 0);
        b = keys_bundle_free(b);
        assert_null(b);
}

static void test_single_checks(void **state) {
        gchar *msg = NULL;

        assert_int_equal(keys_bundle_check_vault("dir:/srv/vault", &msg), 0);
        assert_int_equal(keys_bundle_check_vault("s3://bucket/prefix", &msg), 0);
        assert_int_equal(keys_bundle_check_vault("s3://", &msg), -EBADMSG);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(keys_bundle_check_endpoint("http://127.0.0.1:7480", &msg), 0);
        assert_int_equal(keys_bundle_check_endpoint("https://a b", &msg), -EBADMSG);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(keys_bundle_check_endpoint("http://127.vault.attacker.example", &msg), -EBADMSG);
        g_free(msg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_whole_bundle),    cmocka_unit_test(test_minimal_bundle),
                cmocka_unit_test(test_intake_keys),     cmocka_unit_test(test_bad_fields),
                cmocka_unit_test(test_missing_members), cmocka_unit_test(test_secret_never_shown),
                cmocka_unit_test(test_not_a_bundle),    cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_single_checks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
