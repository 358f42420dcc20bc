/* appliance/uploader/verified.c, verified-read.c (wipe_after = verified):
 * the intake's record is accepted only when signed by a provisioned intake
 * key, of this session and manifest, INTACT (or TRUNCATED for a session the
 * device recovered); every other record is refused for its own reason, and
 * hostile text (oversized, deep, not JSON, control characters) is refused
 * without a crash and shown escaped. The records' place: a missing record
 * is -ENOENT, an oversized one -EFBIG, a link is never followed. The
 * intake key file: one or several keys, a bad line named. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "minisign.h"
#include "uploader.h"

#define SESSION "20261128T141500Z-1a2b3c4d"
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

typedef struct fixture {
        minisign_secret *intake, *rogue;
        upl_intake_keys keys; /* the intake's key only */
} fixture;

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);

        assert_int_equal(minisign_secret_generate(&f->intake), 0);
        assert_int_equal(minisign_secret_generate(&f->rogue), 0);
        minisign_secret_public(f->intake, &f->keys.keys[0]);
        f->keys.n = 1;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        minisign_secret_free(f->intake);
        minisign_secret_free(f->rogue);
        g_free(f);
        return 0;
}

static gchar *record(const char *session, const char *verdict, const char *sha) {
        return g_strdup_printf(
                "{\"format\":\"studio-intake-record/1\",\"session\":\"%s\",\"verdict\":\"%s\","
                "\"manifest_sha256\":\"%s\",\"findings\":[]}\n",
                session, verdict, sha);
}

/* upl_record_check of text signed by sk; the message in *ret_why. */
static int check_signed(const fixture *f, const minisign_secret *sk, const char *text, bool recovered,
                        gchar **ret_why) {
        g_autofree char *sig = NULL;

        assert_int_equal(minisign_sign_buf(sk, (const uint8_t *) text, strlen(text), "test", &sig), 0);
        return upl_record_check(text, strlen(text), sig, strlen(sig), &f->keys, SESSION, SHA_A, recovered,
                                ret_why);
}

static void test_accepted(void **state) {
        fixture *f = *state;
        g_autofree gchar *intact = record(SESSION, "INTACT", SHA_A);
        g_autofree gchar *truncated = record(SESSION, "TRUNCATED", SHA_A);
        g_autofree gchar *why = NULL;

        assert_int_equal(check_signed(f, f->intake, intact, false, &why), 0);
        assert_int_equal(check_signed(f, f->intake, truncated, true, &why), 0);
}

static void test_refused(void **state) {
        fixture *f = *state;
        const struct {
                const char *session, *verdict, *sha;
                bool recovered;
                int r;
                const char *says;
        } cases[] = {
                {SESSION, "TAMPERED", SHA_A, false, -EPROTO, "verdict is not INTACT (\"TAMPERED\")"},
                {SESSION, "INCOMPLETE", SHA_A, true, -EPROTO, "\"INCOMPLETE\""},
                {SESSION, "UNTRUSTED-KEY", SHA_A, false, -EPROTO, "\"UNTRUSTED-KEY\""},
                {SESSION, "TRUNCATED", SHA_A, false, -EPROTO, "did not recover"},
                {SESSION, "intact", SHA_A, false, -EPROTO, "not INTACT"},
                {"20261128T141500Z-ffffffff", "INTACT", SHA_A, false, -ESRCH, "another session"},
                {SESSION, "INTACT", SHA_B, false, -ESRCH, "another manifest"},
                {SESSION, "INTACT\\u001b[31m", SHA_A, false, -EPROTO, "\\u001b"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree gchar *text = record(cases[i].session, cases[i].verdict, cases[i].sha);
                g_autofree gchar *why = NULL;
                assert_int_equal(check_signed(f, f->intake, text, cases[i].recovered, &why), cases[i].r);
                if (!strstr(why, cases[i].says))
                        fail_msg("case %zu: %s", i, why);
                assert_null(strchr(why, '\x1b'));
        }
}

static void test_signature(void **state) {
        fixture *f = *state;
        g_autofree gchar *text = record(SESSION, "INTACT", SHA_A);
        g_autofree gchar *why = NULL, *why2 = NULL, *why3 = NULL, *altered = NULL;
        g_autofree char *sig = NULL;

        /* a key the device was not provisioned with */
        assert_int_equal(check_signed(f, f->rogue, text, false, &why), -EKEYREJECTED);
        assert_non_null(strstr(why, "not a provisioned intake key"));
        /* the provisioned key's signature over other bytes */
        assert_int_equal(minisign_sign_buf(f->intake, (const uint8_t *) text, strlen(text), "t", &sig), 0);
        altered = g_strdup(text);
        altered[strlen(altered) - 3] = 'X';
        assert_int_equal(upl_record_check(altered, strlen(altered), sig, strlen(sig), &f->keys, SESSION,
                                          SHA_A, false, &why2),
                         -EBADE);
        /* no signature at all */
        assert_int_equal(upl_record_check(text, strlen(text), "", 0, &f->keys, SESSION, SHA_A, false, &why3),
                         -EBADMSG);
}

static void test_two_keys(void **state) {
        fixture *f = *state;
        upl_intake_keys both = f->keys;
        g_autofree gchar *text = record(SESSION, "INTACT", SHA_A);
        g_autofree char *sig = NULL;
        g_autofree gchar *why = NULL;

        minisign_secret_public(f->rogue, &both.keys[1]);
        both.n = 2;
        assert_int_equal(minisign_sign_buf(f->rogue, (const uint8_t *) text, strlen(text), "t", &sig), 0);
        assert_int_equal(
                upl_record_check(text, strlen(text), sig, strlen(sig), &both, SESSION, SHA_A, false, &why),
                0);
}

/* Hostile record text under a valid signature: refused, never a crash. */
static void test_hostile(void **state) {
        fixture *f = *state;
        g_autoptr(GString) deep = g_string_new(NULL);
        g_autofree gchar *big = g_strnfill(UPL_RECORD_MAX + 1, ' ');
        const char *texts[] = {
                "", "null", "[]", "{", "{\"format\":1}", "\"x\"", "{\"format\":\"studio-intake-record/1\"}"};

        for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
                g_autofree gchar *why = NULL;
                int r = check_signed(f, f->intake, texts[i], false, &why);
                assert_true(r == -EBADMSG || r == -ESRCH);
        }
        for (int i = 0; i < 60000; i++)
                g_string_append_c(deep, '[');
        {
                g_autofree gchar *why = NULL;
                assert_int_equal(check_signed(f, f->intake, deep->str, false, &why), -EBADMSG);
        }
        {
                g_autofree gchar *why = NULL;
                assert_int_equal(
                        upl_record_check(big, strlen(big), "x", 1, &f->keys, SESSION, SHA_A, false, &why),
                        -EFBIG);
        }
}

static void test_keys_file(void **state) {
        fixture *f = *state;
        minisign_public pk;
        upl_intake_keys keys;
        g_autofree char *a = NULL, *b = NULL;
        g_autofree gchar *why = NULL, *why2 = NULL, *why3 = NULL;

        minisign_secret_public(f->intake, &pk);
        a = minisign_public_to_base64(&pk);
        minisign_secret_public(f->rogue, &pk);
        b = minisign_public_to_base64(&pk);
        g_autofree gchar *two =
                g_strdup_printf("untrusted comment: one\n%s\n\nuntrusted comment: two\n%s\n", a, b);
        assert_int_equal(upl_intake_keys_parse(two, strlen(two), &keys, &why), 0);
        assert_int_equal(keys.n, 2);
        g_autofree gchar *bad = g_strdup_printf("untrusted comment: one\n%s\nnot a key\n", a);
        assert_int_equal(upl_intake_keys_parse(bad, strlen(bad), &keys, &why2), -EBADMSG);
        assert_non_null(strstr(why2, "line 3"));
        assert_int_equal(upl_intake_keys_parse("untrusted comment: x\n", 21, &keys, &why3), -EBADMSG);
}

/* The records' place (dir:): missing, present, oversized, a link. */
static void test_records_dir(void **state) {
        g_autofree gchar *tmp = g_dir_make_tmp("test-wipe-verified-XXXXXX", NULL);
        g_autofree gchar *folder = g_build_filename(tmp, "verifications", NULL);
        g_autofree gchar *rec = g_build_filename(folder, SESSION ".json", NULL);
        g_autofree gchar *sig = g_build_filename(folder, SESSION ".json.minisig", NULL);
        g_autofree gchar *big = g_strnfill(UPL_RECORD_MAX + 1, 'x');
        studio_uploader_conf conf = {0};
        upl_records *rs = NULL;
        g_autofree gchar *msg = NULL;
        char *r_text = NULL, *s_text = NULL;
        size_t r_len = 0, s_len = 0;

        (void) state;
        conf.vault = g_strdup_printf("dir:%s", tmp);
        assert_int_equal(upl_records_open(&conf, &rs, &msg), 0);
        assert_string_equal(upl_records_describe(rs), conf.vault);
        assert_int_equal(upl_records_read(rs, SESSION, &r_text, &r_len, &s_text, &s_len, &msg), -ENOENT);
        assert_int_equal(g_mkdir(folder, 0755), 0);
        assert_true(g_file_set_contents(rec, "{}", 2, NULL));
        assert_int_equal(upl_records_read(rs, SESSION, &r_text, &r_len, &s_text, &s_len, &msg), -ENOENT);
        assert_true(g_file_set_contents(sig, "sig", 3, NULL));
        assert_int_equal(upl_records_read(rs, SESSION, &r_text, &r_len, &s_text, &s_len, &msg), 0);
        assert_int_equal(r_len, 2);
        assert_int_equal(s_len, 3);
        g_free(r_text);
        g_free(s_text);
        assert_true(g_file_set_contents(rec, big, -1, NULL));
        g_clear_pointer(&msg, g_free);
        assert_int_equal(upl_records_read(rs, SESSION, &r_text, &r_len, &s_text, &s_len, &msg), -EFBIG);
        assert_null(s_text);
        assert_int_equal(g_unlink(rec), 0);
        assert_int_equal(symlink("/etc/hostname", rec), 0);
        g_clear_pointer(&msg, g_free);
        assert_true(upl_records_read(rs, SESSION, &r_text, &r_len, &s_text, &s_len, &msg) < 0);
        assert_int_equal(upl_records_read(rs, "../../etc", &r_text, &r_len, &s_text, &s_len, &msg), -EINVAL);
        upl_records_free(rs);
        g_free(conf.vault);
        (void) test_rmtree(tmp);
}

/* The intake's default, which the uploader must share. */
static void test_records_default(void **state) {
        studio_uploader_conf c = {.vault = (gchar *) "s3://evidence/studio"};
        g_autofree gchar *s3 = studio_conf_intake_records(&c);
        g_autofree gchar *bare = NULL, *dir = NULL, *given = NULL;

        (void) state;
        assert_string_equal(s3, "s3://evidence/intake/studio");
        c.vault = (gchar *) "s3://evidence";
        bare = studio_conf_intake_records(&c);
        assert_string_equal(bare, "s3://evidence/intake");
        c.vault = (gchar *) "dir:/srv/vault";
        dir = studio_conf_intake_records(&c);
        assert_string_equal(dir, "dir:/srv/vault");
        c.intake_records = (gchar *) "dir:/srv/records";
        given = studio_conf_intake_records(&c);
        assert_string_equal(given, "dir:/srv/records");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_accepted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_keys, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keys_file, setup, teardown),
                cmocka_unit_test(test_records_dir),
                cmocka_unit_test(test_records_default),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
