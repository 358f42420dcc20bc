/* minisign format: round trips, stock minisign 0.11 known answers, and
 * every class of malformed input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <sodium.h>

#include "minisign.h"
#include "util.h"

/* Made by stock `minisign -G -W` (0.11): a test-only key. */
static const char stock_pub[] = "untrusted comment: minisign public key F72220D0A4A35661\n"
                                "RWRhVqOk0CAi90ntY1uZrbgVHYOrcoj6LGxWKJLBw2D+2rRXy3rVdYPD\n";
static const char stock_key[] = "untrusted comment: minisign encrypted secret key\n"
                                "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAYVa"
                                "jpNAgIvewNyRtpm35BG0aSgB4kNZZinsrO3"
                                "CNmX94HeqkzL127kntY1uZrbgVHYOrcoj6LGxWKJLBw2D+"
                                "2rRXy3rVdYPDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
/* `minisign -S -s key -m m` over "hi\n" (prehashed, ED) ... */
static const char stock_sig[] =
        "untrusted comment: signature from minisign secret key\n"
        "RURhVqOk0CAi96Il0HnFNX/wJKGEQyyjRFw0+/pm0PPx/s9QsMAd9Yi/gzQLmliuZpeDHPFl/iJpb/M33cRGP/"
        "5HlIOAMcLL9w4=\n"
        "trusted comment: timestamp:1795875611\tfile:m\thashed\n"
        "yTq7ol7PniwndDLsXH+8cvcrU+lP6/iATOJ1O1M65IwTSFyShrZ0n84eiE9rNrJ1hk57OMEJgS8LI+Ajlz3PCg==\n";
/* ... and `minisign -S -l -t "legacy test"` (legacy Ed). */
static const char stock_legacy_sig[] =
        "untrusted comment: signature from minisign secret key\n"
        "RWRhVqOk0CAi9wpjHE6CjYfWVfQ6BixNwJ8tBjX8oebGiR5fE90w41O/"
        "ikO8yujJAWT5kY6PfLj0QAYXWc4KZF8h8M3HgQyzYgU=\n"
        "trusted comment: legacy test\n"
        "8mBTPBwKwIJ920Nvzb23Q6bmeepzdQbLic1oriG/ab1pvMwP0T+2srXPz7CmT3b3nQJttv1KYZzCTYxnv17GBQ==\n";
static const uint8_t stock_msg[] = "hi\n";
#define STOCK_MSG_LEN 3

static char *tmpdir;

static char *tmp_path(const char *name) {
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", tmpdir, name) > 0);
        return p;
}

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static int verify_text(const minisign_public *pk, const char *sig) {
        return minisign_verify_buf(pk, stock_msg, STOCK_MSG_LEN, sig, strlen(sig), NULL);
}

static void test_stock_known_answers(void **state) {
        minisign_public pk;
        char hex[17], *comment = NULL, *b64;

        assert_int_equal(minisign_public_parse(stock_pub, &pk), 0);
        minisign_key_id_hex(pk.key_id, hex);
        assert_string_equal(hex, "F72220D0A4A35661");
        b64 = minisign_public_to_base64(&pk);
        assert_string_equal(b64, "RWRhVqOk0CAi90ntY1uZrbgVHYOrcoj6LGxWKJLBw2D+2rRXy3rVdYPD");
        free(b64);
        assert_int_equal(
                minisign_verify_buf(&pk, stock_msg, STOCK_MSG_LEN, stock_sig, strlen(stock_sig), &comment),
                0);
        assert_string_equal(comment, "timestamp:1795875611\tfile:m\thashed");
        free(comment);
        assert_int_equal(minisign_verify_buf(&pk, stock_msg, STOCK_MSG_LEN, stock_legacy_sig,
                                             strlen(stock_legacy_sig), &comment),
                         0);
        assert_string_equal(comment, "legacy test");
        free(comment);
        /* The base64 line alone is a public key too. */
        assert_int_equal(
                minisign_public_parse("RWRhVqOk0CAi90ntY1uZrbgVHYOrcoj6LGxWKJLBw2D+2rRXy3rVdYPD", &pk), 0);
        assert_int_equal(verify_text(&pk, stock_sig), 0);
}

static void test_stock_secret_key_signs(void **state) {
        _cleanup_free_ char *path = tmp_path("stock.key");
        minisign_secret *sk = NULL;
        minisign_public pk, stock;
        char *sig = NULL;

        write_text(path, stock_key);
        assert_int_equal(minisign_secret_load(path, &sk), 0);
        minisign_secret_public(sk, &pk);
        assert_int_equal(minisign_public_parse(stock_pub, &stock), 0);
        assert_memory_equal(&pk, &stock, sizeof pk);
        assert_int_equal(minisign_sign_buf(sk, stock_msg, STOCK_MSG_LEN, "t", &sig), 0);
        assert_int_equal(verify_text(&pk, sig), 0);
        free(sig);
        minisign_secret_free(sk);
}

static void test_round_trip_and_files(void **state) {
        _cleanup_free_ char *key = tmp_path("a.key"), *pub = tmp_path("a.pub"), *msg = tmp_path("msg");
        minisign_secret *sk = NULL, *sk2 = NULL;
        minisign_public pk, pk2;
        char *comment = NULL;
        struct stat st;
        uint8_t dsig[MINISIGN_SIG_LEN];

        assert_int_equal(minisign_secret_generate(&sk), 0);
        assert_int_equal(minisign_secret_save(sk, key, pub), 0);
        assert_int_equal(stat(key, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(minisign_secret_load(key, &sk2), 0);
        assert_int_equal(minisign_public_load(pub, &pk), 0);
        minisign_secret_public(sk2, &pk2);
        assert_memory_equal(&pk, &pk2, sizeof pk);
        write_text(msg, "evidence\n");
        assert_int_equal(minisign_sign_file(sk2, msg, "session 42"), 0);
        assert_int_equal(minisign_verify_file(&pk, msg, &comment), 0);
        assert_string_equal(comment, "session 42");
        free(comment);
        write_text(msg, "evidencf\n");
        assert_int_equal(minisign_verify_file(&pk, msg, NULL), -EBADE);
        minisign_sign_detached(sk, (const uint8_t *) "entry", 5, dsig);
        assert_int_equal(minisign_verify_detached(&pk, (const uint8_t *) "entry", 5, dsig), 0);
        assert_int_equal(minisign_verify_detached(&pk, (const uint8_t *) "entrz", 5, dsig), -EBADE);
        assert_int_equal(minisign_sign_buf(sk, stock_msg, 3, "two\nlines", &comment), -EINVAL);
        minisign_secret_free(sk);
        minisign_secret_free(sk2);
}

static void test_wrong_key_and_tampering(void **state) {
        minisign_public pk, other;
        minisign_secret *sk = NULL;
        char *sig = NULL;
        uint8_t kid[MINISIGN_KEY_ID_LEN];

        assert_int_equal(minisign_public_parse(stock_pub, &pk), 0);
        assert_int_equal(minisign_secret_generate(&sk), 0);
        minisign_secret_public(sk, &other);
        assert_int_equal(verify_text(&other, stock_sig), -EKEYREJECTED);
        assert_int_equal(minisign_sig_key_id(stock_sig, strlen(stock_sig), kid), 0);
        assert_memory_equal(kid, pk.key_id, sizeof kid);
        /* Same key id, different key: the signature itself fails. */
        memcpy(other.key_id, pk.key_id, sizeof kid);
        assert_int_equal(verify_text(&other, stock_sig), -EBADE);
        assert_int_equal(
                minisign_verify_buf(&pk, (const uint8_t *) "hj\n", 3, stock_sig, strlen(stock_sig), NULL),
                -EBADE);
        sig = strdup(stock_sig);
        *strstr(sig, "file:m") = 'F'; /* trusted comment */
        assert_int_equal(verify_text(&pk, sig), -EBADE);
        free(sig);
        sig = strdup(stock_sig);
        strstr(sig, "yTq7")[1] = 'U'; /* global signature */
        assert_int_equal(verify_text(&pk, sig), -EBADE);
        free(sig);
        sig = strdup(stock_sig);
        strstr(sig, "RURh")[20] ^= 1; /* signature */
        assert_int_equal(verify_text(&pk, sig) < 0, 1);
        free(sig);
        minisign_secret_free(sk);
}

static void test_malformed_signatures(void **state) {
        static const struct {
                const char *from, *to;
        } edits[] = {
                {"untrusted comment: signature", "untrusted: signature"}, /* missing prefix */
                {"trusted comment: timestamp", "trusted: timestamp"},
                {"RURhVqOk", "RURh!qOk"},                /* bad base64 */
                {"RURhVqOk", "QURhVqOk"},                /* wrong alg */
                {"RURhVqOk0CAi96Il", "RURhVqOk0CAi96I"}, /* wrong length */
                {"Cg==\n", "Cg=\n"},
                {"Cg==\n", "Cg==\nextra\n"},  /* trailing line */
                {"hashed\n", "hashed\x01\n"}, /* control char */
                {"\nyTq7", "\n"},             /* missing line */
        };
        minisign_public pk;
        uint8_t kid[MINISIGN_KEY_ID_LEN];

        assert_int_equal(minisign_public_parse(stock_pub, &pk), 0);
        for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
                const char *at = strstr(stock_sig, edits[i].from);
                char buf[1024];
                assert_non_null(at);
                snprintf(buf, sizeof buf, "%.*s%s%s", (int) (at - stock_sig), stock_sig, edits[i].to,
                         at + strlen(edits[i].from));
                assert_int_equal(verify_text(&pk, buf), -EBADMSG);
                assert_int_equal(minisign_sig_key_id(buf, strlen(buf), kid), -EBADMSG);
        }
        assert_int_equal(verify_text(&pk, ""), -EBADMSG);
        assert_int_equal(minisign_verify_buf(&pk, stock_msg, 3, stock_sig, 40, NULL), -EBADMSG);
}

static void test_overlong_comment(void **state) {
        minisign_secret *sk = NULL;
        minisign_public pk;
        char *long_comment = malloc(MINISIGN_COMMENT_MAX + 2), *sig = NULL, *forged = NULL;

        memset(long_comment, 'a', MINISIGN_COMMENT_MAX + 1);
        long_comment[MINISIGN_COMMENT_MAX + 1] = '\0';
        assert_int_equal(minisign_secret_generate(&sk), 0);
        minisign_secret_public(sk, &pk);
        assert_int_equal(minisign_sign_buf(sk, stock_msg, 3, long_comment, &sig), -EINVAL);
        long_comment[MINISIGN_COMMENT_MAX] = '\0';
        assert_int_equal(minisign_sign_buf(sk, stock_msg, 3, long_comment, &sig), 0);
        assert_int_equal(verify_text(&pk, sig), 0);
        /* One more character in the file is refused before any crypto. */
        assert_true(asprintf(&forged, "untrusted comment: x\n%.*s\ntrusted comment: a%s\nAAAA\n", 100,
                             strchr(sig, '\n') + 1, long_comment) > 0);
        assert_int_equal(verify_text(&pk, forged), -EBADMSG);
        free(forged);
        free(sig);
        free(long_comment);
        minisign_secret_free(sk);
}

static void test_malformed_keys(void **state) {
        _cleanup_free_ char *path = tmp_path("bad.key");
        minisign_public pk;
        minisign_secret *sk = NULL;
        uint8_t blob[158];
        char b64[256], text[400];
        size_t len;

        assert_int_equal(minisign_public_parse("", &pk), -EBADMSG);
        assert_int_equal(minisign_public_parse("untrusted comment: x\n", &pk), -EBADMSG);
        assert_int_equal(
                minisign_public_parse(
                        "untrusted comment: x\nRWRhVqOk0CAi90ntY1uZrbgVHYOrcoj6LGxWKJLBw2D+2rRXy3rVdYP\n",
                        &pk),
                -EBADMSG);
        assert_int_equal(
                minisign_public_parse(
                        "untrusted comment: x\nRURhVqOk0CAi90ntY1uZrbgVHYOrcoj6LGxWKJLBw2D+2rRXy3rVdYPD\n",
                        &pk),
                -EBADMSG);
        assert_int_equal(
                minisign_public_parse("untrusted comment: "
                                      "x\nRWRhVqOk0CAi90ntY1uZrbgVHYOrcoj6LGxWKJLBw2D+2rRXy3rVdYPD\nmore\n",
                                      &pk),
                -EBADMSG);
        /* Password-protected key ("Sc" kdf) -> -ENOKEY. */
        const char *line = strchr(stock_key, '\n') + 1;
        assert_int_equal(sodium_base642bin(blob, sizeof blob, line, strcspn(line, "\n"), NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        memcpy(blob + 2, "Sc", 2);
        sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
        snprintf(text, sizeof text, "untrusted comment: minisign encrypted secret key\n%s\n", b64);
        write_text(path, text);
        assert_int_equal(minisign_secret_load(path, &sk), -ENOKEY);
        /* A wrong checksum, a wrong public half, a wrong alg -> -EBADMSG. */
        memcpy(blob + 2, "\0\0", 2);
        blob[157] = 1;
        sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
        snprintf(text, sizeof text, "untrusted comment: k\n%s\n", b64);
        write_text(path, text);
        assert_int_equal(minisign_secret_load(path, &sk), -EBADMSG);
        blob[157] = 0;
        blob[130] ^= 1;
        sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
        snprintf(text, sizeof text, "untrusted comment: k\n%s\n", b64);
        write_text(path, text);
        assert_int_equal(minisign_secret_load(path, &sk), -EBADMSG);
        write_text(path, "untrusted comment: k\nRWQAAEIy\n");
        assert_int_equal(minisign_secret_load(path, &sk), -EBADMSG);
        write_text(path, "RWQAAEIy\n");
        assert_int_equal(minisign_secret_load(path, &sk), -EBADMSG);
        assert_null(sk);
}

static int setup(void **state) {
        if (sodium_init() < 0 || !(tmpdir = test_tmpdir_new("test-minisign")))
                return -1;
        return 0;
}

static int teardown(void **state) {
        int r = test_tmpdir_remove(tmpdir);

        tmpdir = NULL;
        return r == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stock_known_answers),  cmocka_unit_test(test_stock_secret_key_signs),
                cmocka_unit_test(test_round_trip_and_files), cmocka_unit_test(test_wrong_key_and_tampering),
                cmocka_unit_test(test_malformed_signatures), cmocka_unit_test(test_overlong_comment),
                cmocka_unit_test(test_malformed_keys),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
