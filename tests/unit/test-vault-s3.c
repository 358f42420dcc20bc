/* The S3 backend's parts that need no server: the canonical query and path
 * encoding curl signs as written, the two retain-until date shapes (AWS
 * .000Z, RGW 9 digits), the <Code> of an error body, a ListObjectsV2
 * page with hostile keys (encoding-type=url), and what vault_s3_open
 * refuses before any request (the endpoint, the bucket, the credentials
 * file's mode and shape). The requests themselves are tested against a real
 * RGW in tests/vault/s3-put.sh. */
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

#include "s3-request.h"
#include "s3-sign.h"
#include "s3-xml.h"
#include "util.h"
#include "vault-internal.h"

static void test_uri_encode(void **state) {
        (void) state;
        g_autofree char *a = s3_uri_encode("S-1/seg 01+é~._-.mkv", true);
        assert_string_equal(a, "S-1/seg%2001%2B%C3%A9~._-.mkv");
        g_autofree char *b = s3_uri_encode("a/b=c&d", false);
        assert_string_equal(b, "a%2Fb%3Dc%26d");
        g_autofree char *c = s3_uri_encode("", true);
        assert_string_equal(c, "");
}

static void test_canonical_query(void **state) {
        (void) state;
        const char *const retention[] = {"retention", NULL, NULL};
        g_autofree char *a = s3_canonical_query(retention);
        assert_string_equal(a, "retention=");

        /* sorted by name, then value; "=" after a name with no value */
        const char *const many[] = {"versionId", "a b/c", "retention", "",  "prefix",
                                    "x=y",       "a-b",   "1",         NULL};
        g_autofree char *b = s3_canonical_query(many);
        assert_string_equal(b, "a-b=1&prefix=x%3Dy&retention=&versionId=a%20b%2Fc");

        const char *const none[] = {NULL};
        g_autofree char *c = s3_canonical_query(none);
        assert_string_equal(c, "");
        g_autofree char *d = s3_canonical_query(NULL);
        assert_string_equal(d, "");
}

static void test_time(void **state) {
        (void) state;
        int64_t us = 0;
        const int64_t base = INT64_C(1796217208) * G_USEC_PER_SEC; /* 2026-12-02T13:13:28Z */

        assert_int_equal(s3_time_parse("2026-12-02T13:13:28Z", &us), 0);
        assert_int_equal(us, base);
        assert_int_equal(s3_time_parse("2026-12-02T13:13:28.000Z", &us), 0); /* AWS */
        assert_int_equal(us, base);
        assert_int_equal(s3_time_parse("2026-12-02T13:13:28.000000000Z", &us), 0); /* RGW */
        assert_int_equal(us, base);
        assert_int_equal(s3_time_parse("2026-12-02T13:13:28.123456789Z", &us), 0);
        assert_int_equal(us, base + 123456);
        assert_int_equal(s3_time_parse("2026-12-02T13:13:28.5Z", &us), 0);
        assert_int_equal(us, base + 500000);

        g_autofree char *s = s3_time_format(base + 999999);
        assert_string_equal(s, "2026-12-02T13:13:28Z");
}

static void test_time_malformed(void **state) {
        (void) state;
        static const char *const bad[] = {
                "",
                "2026-12-02",
                "2026-12-02T13:13:28",             /* no zone */
                "2026-12-02T13:13:28+00:00",       /* only Z */
                "2026-12-02T13:13:28.Z",           /* empty fraction */
                "2026-12-02T13:13:28.0000000000Z", /* 10 digits */
                "2026-13-02T13:13:28Z",
                "2026-02-31T13:13:28Z",
                "2026-12-02T24:00:00Z",
                "2026-12-02T13:60:28Z",
                "2026-12-02 13:13:28Z",
                "2026-12-02T13:13:28Zjunk",
                "+026-12-02T13:13:28Z",
                "1969-12-31T23:59:59Z",
                "２026-12-02T13:13:28Z",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int64_t us = 42;
                assert_int_equal(s3_time_parse(bad[i], &us), -EINVAL);
                assert_int_equal(us, 42); /* untouched */
        }
        int64_t us = 42;
        assert_int_equal(s3_time_parse(NULL, &us), -EINVAL);
}

static char *code_of(const char *s) {
        return s3_error_code(s, strlen(s));
}

static void test_error_code(void **state) {
        (void) state;
        g_autofree char *a = code_of("<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                                     "<RequestId>x</RequestId></Error>");
        assert_string_equal(a, "SignatureDoesNotMatch");
        g_autofree char *b = code_of("<Error><Code>XAmzContentSHA256Mismatch</Code></Error>");
        assert_string_equal(b, "XAmzContentSHA256Mismatch");

        static const char *const bad[] = {
                "",
                "<Error></Error>",
                "<Code></Code>",
                "<Code>Bad Digest</Code>",
                "<Code>BadDigest", /* truncated */
                "<Code>BadDigest</Cod",
                "<Code><b>x</b></Code>",
                "<Code>\x1b[2JBadDigest</Code>", /* terminal codes */
                "<Code>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</Code>", /* 65 */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_null(code_of(bad[i]));
        assert_null(s3_error_code(NULL, 0));
        /* not NUL-terminated: the length bounds the search */
        const char body[] = "<Code>BadDigest</Code>";
        assert_null(s3_error_code(body, sizeof(body) - 3));
}

static void test_list_parse(void **state) {
        (void) state;
        /* RGW's answer with encoding-type=url: %XX, '+' for a space, XML entities */
        static const char page1[] =
                "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><Prefix>p%2F</Prefix>"
                "<Contents><Key>p/receipts/a%20b+c.jsonl</Key><LastModified>2026-12-02T13:13:28.000Z"
                "</LastModified><Size>42</Size></Contents>"
                "<Contents><Key>p/..%2F..%2Fx%01%1B&amp;</Key><Size>7</Size></Contents>"
                "<Contents><Key>p/nul%00x</Key><Size>1</Size></Contents>" /* a NUL: refused */
                "<Contents><Key>p/bad%zz</Key><Size>1</Size></Contents>"  /* a bad escape */
                "<Contents><Key>p/nosize</Key></Contents>"                /* no size */
                "<Contents><Key>p/&#1;&#x1f;</Key><Size>18446744073709551615</Size></Contents>"
                "<IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken>"
                "</ListBucketResult>";
        s3_list_page p = {};

        assert_int_equal(s3_list_parse(page1, strlen(page1), &p), 0);
        assert_int_equal(p.entries->len, 3);
        assert_int_equal(p.refused, 3);
        assert_true(p.truncated);
        assert_string_equal(p.next_token, "t&1");
        const s3_list_entry *e = &g_array_index(p.entries, s3_list_entry, 0);
        assert_string_equal(e->key, "p/receipts/a b c.jsonl");
        assert_int_equal(e->size, 42);
        assert_int_equal(e->modified_us, INT64_C(1796217208) * G_USEC_PER_SEC);
        e = &g_array_index(p.entries, s3_list_entry, 1);
        assert_string_equal(e->key, "p/../../x\x01\x1b&");
        assert_int_equal(e->modified_us, 0);
        e = &g_array_index(p.entries, s3_list_entry, 2);
        assert_string_equal(e->key, "p/\x01\x1f");
        assert_true(e->size == G_MAXUINT64);
        s3_list_page_clear(&p);

        static const char *const bad[] = {
                "",
                "<Error><Code>AccessDenied</Code></Error>",
                /* truncated without a token: the listing could never go on */
                "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(s3_list_parse(bad[i], strlen(bad[i]), &p), -EBADMSG);
        /* an unclosed <Contents> at the end of a cut body is not an entry */
        static const char cut[] = "<ListBucketResult><Contents><Key>p/a</Key><Size>1</Size>";
        assert_int_equal(s3_list_parse(cut, strlen(cut), &p), 0);
        assert_int_equal(p.entries->len, 0);
        assert_false(p.truncated);
        s3_list_page_clear(&p);
}

typedef struct fixture {
        gchar *tmp;
        gchar *creds;
        studio_uploader_conf conf;
} fixture;

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);

        f->tmp = g_dir_make_tmp("test-vault-s3-XXXXXX", NULL);
        f->creds = g_build_filename(f->tmp, "credentials", NULL);
        assert_true(g_file_set_contents(f->creds, "AKIDEXAMPLE\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
                                        -1, NULL));
        assert_int_equal(chmod(f->creds, 0600), 0);
        f->conf.vault = g_strdup("s3://vault-locked/shelter-7");
        f->conf.endpoint = g_strdup("http://127.0.0.1:9");
        f->conf.credentials_file = g_strdup(f->creds);
        f->conf.retention_days = 3650;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        (void) g_unlink(f->creds);
        (void) g_rmdir(f->tmp);
        g_free(f->conf.vault);
        g_free(f->conf.endpoint);
        g_free(f->conf.credentials_file);
        g_free(f->tmp);
        g_free(f->creds);
        g_free(f);
        return 0;
}

/* vault_s3_open's result and message for the fixture's conf. */
static int open_with(fixture *f, gchar **ret_message) {
        vault *v = NULL;
        int r = vault_open(&f->conf, &v, ret_message);
        if (r == 0) {
                /* never a credential in what is shown */
                assert_null(strstr(vault_describe(v), "AKID"));
                vault_free(v);
        }
        return r;
}

static void set(gchar **field, const char *value) {
        g_free(*field);
        *field = g_strdup(value);
}

static void test_open_ok(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        vault *v = NULL;

        assert_int_equal(vault_open(&f->conf, &v, &msg), 0);
        assert_string_equal(vault_describe(v), "s3://vault-locked/shelter-7/ at http://127.0.0.1:9");
        vault_free(v);

        /* nothing listens on port 9: a network failure, to be retried */
        vault_receipt rec = {0};
        g_clear_pointer(&msg, g_free);
        assert_int_equal(vault_open(&f->conf, &v, &msg), 0);
        assert_int_equal(vault_head(v, "S-1/seg-000001.mkv.age", &rec, &msg), -EAGAIN);
        assert_non_null(strstr(msg, "S-1/seg-000001.mkv.age"));
        assert_null(strstr(msg, "wJalr"));
        vault_free(v);
}

static void test_open_endpoint(void **state) {
        fixture *f = *state;
        static const char *const bad[] = {
                "http://192.0.2.1", /* clear text to another machine */
                "http://vault.police.example",
                "ftp://127.0.0.1",
                "127.0.0.1:8080",
                "https://",
                "https://host/path",
                "https://user@host",
                "https://host?x",
                "https://ho st",
                "https://host\x1b[2J",
                /* loopback is an address, never a name: refused without a lookup */
                "http://127.vault.attacker.example",
                "http://127.0.0.1.attacker.example:8000",
                "http://localhost:8000",
                "http://127.1:8000",      /* inet_aton's short form: not four parts */
                "http://0177.0.0.1:8000", /* octal: not decimal */
                "http://128.0.0.1:8000",
                "http://[::2]:8000",
                "http://[::ffff:127.0.0.1]:8000",
                "http://[::1:8000",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                g_autofree gchar *msg = NULL;
                set(&f->conf.endpoint, bad[i]);
                assert_int_equal(open_with(f, &msg), -EINVAL);
                assert_non_null(strstr(msg, "endpoint"));
                assert_null(strchr(msg, '\x1b'));
        }
        static const char *const good[] = {"https://s3.police.example", "https://s3.police.example:8443/",
                                           "http://127.0.0.1:8000",     "http://127.42.0.9",
                                           "http://[::1]:8000",         "https://localhost:8443"};
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                g_autofree gchar *msg = NULL;
                set(&f->conf.endpoint, good[i]);
                assert_int_equal(open_with(f, &msg), 0);
        }
        g_autofree gchar *msg = NULL;
        set(&f->conf.endpoint, NULL);
        assert_int_equal(open_with(f, &msg), -EINVAL);
}

/* Every transfer is bounded: a stall below the low-speed limit, and a
 * whole transfer longer than its size allows at the floor rate; a max_rate
 * cap lowers both, so a capped transfer is never cut for obeying it. */
static void test_transfer_bounds(void **state) {
        (void) state;
        s3_bounds b = s3_transfer_bounds(0, 0);
        assert_int_equal(b.low_speed_limit, S3_LOW_SPEED_LIMIT);
        assert_int_equal(b.low_speed_time, S3_LOW_SPEED_TIME);
        assert_int_equal(b.timeout, S3_TIMEOUT_BASE);
        b = s3_transfer_bounds(UINT64_C(1) << 30, 0); /* 1 GiB at 16 KiB/s: 65536 s more */
        assert_int_equal(b.timeout, S3_TIMEOUT_BASE + 65536);
        b = s3_transfer_bounds(UINT64_C(1) << 20, 2048); /* capped at 2 KiB/s */
        assert_true(b.low_speed_limit <= 2048 / 2);
        assert_true(b.timeout >= (1 << 20) / 2048 * 2);
        b = s3_transfer_bounds(UINT64_MAX, 1); /* never overflows */
        assert_true(b.timeout > 0);
        assert_true(b.low_speed_limit >= 1);
}

static void test_open_vault_spec(void **state) {
        fixture *f = *state;
        static const char *const bad[] = {"s3://",
                                          "s3://ab",
                                          "s3://Upper/x",
                                          "s3://b_b/x",
                                          "s3://bucket/../x",
                                          "s3://bucket//x",
                                          "s3://bucket/.hidden"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                g_autofree gchar *msg = NULL;
                set(&f->conf.vault, bad[i]);
                assert_int_equal(open_with(f, &msg), -EINVAL);
        }
        g_autofree gchar *msg = NULL;
        set(&f->conf.vault, "s3://vault-locked");
        assert_int_equal(open_with(f, &msg), 0);
        f->conf.retention_days = 0;
        g_clear_pointer(&msg, g_free);
        assert_int_equal(open_with(f, &msg), -EINVAL);
        assert_non_null(strstr(msg, "retention_days"));
}

static void test_open_credentials(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;

        assert_int_equal(chmod(f->creds, 0640), 0);
        assert_int_equal(open_with(f, &msg), -EPERM);
        assert_non_null(strstr(msg, "chmod 600"));
        assert_int_equal(chmod(f->creds, 0600), 0);

        static const char *const bad[] = {
                "",
                "\n",
                "AKID\n",
                "AKID",
                "\nsecret\n",
                "AK:ID\nsecret\n", /* curl would split there */
                "AKID\nsec ret\n",
                "AKID\nsecret\nthird\n",
                "AKID\nsecr\x01t\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                g_clear_pointer(&msg, g_free);
                assert_true(g_file_set_contents(f->creds, bad[i], -1, NULL));
                assert_int_equal(chmod(f->creds, 0600), 0);
                assert_int_equal(open_with(f, &msg), -EINVAL);
                assert_non_null(strstr(msg, "two lines"));
        }
        /* too long */
        g_autofree gchar *big = g_strnfill(4096, 'A');
        assert_true(g_file_set_contents(f->creds, big, -1, NULL));
        assert_int_equal(chmod(f->creds, 0600), 0);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(open_with(f, &msg), -EINVAL);
        /* CRLF line ends are accepted */
        assert_true(g_file_set_contents(f->creds, "AKID\r\nsecret\r\n", -1, NULL));
        assert_int_equal(chmod(f->creds, 0600), 0);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(open_with(f, &msg), 0);

        (void) g_unlink(f->creds);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(open_with(f, &msg), -ENOENT);
        assert_true(g_file_set_contents(f->creds, "x", -1, NULL)); /* for teardown */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_uri_encode),
                cmocka_unit_test(test_canonical_query),
                cmocka_unit_test(test_time),
                cmocka_unit_test(test_time_malformed),
                cmocka_unit_test(test_error_code),
                cmocka_unit_test(test_transfer_bounds),
                cmocka_unit_test_setup_teardown(test_open_ok, setup, teardown),
                cmocka_unit_test(test_list_parse),
                cmocka_unit_test_setup_teardown(test_open_endpoint, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_vault_spec, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_credentials, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
