/* Unit tests for the age module's keys: Bech32 recipients and identities
 * exactly as age-keygen spells them, malformed spellings, and recipient and
 * identity files as stock age reads them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "age-internal.h"
#include "age.h"
#include "fsutil.h"
#include "util.h"

/* The identity of the C2SP test vectors, with its recipient as printed by
 * stock `age-keygen -y`. */
#define CCTV_IDENTITY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
#define CCTV_RECIPIENT "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"

/* ---- keys ------------------------------------------------------------ */

static void test_cctv_keys(void **state) {
        uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN], pk2[AGE_KEY_LEN];
        _cleanup_free_ char *r = NULL;
        char *id;

        assert_int_equal(age_identity_parse(CCTV_IDENTITY, sk), 0);
        assert_int_equal(age_identity_to_recipient(sk, pk), 0);
        r = age_recipient_format(pk);
        assert_non_null(r);
        assert_string_equal(r, CCTV_RECIPIENT);
        assert_int_equal(age_recipient_parse(CCTV_RECIPIENT, pk2), 0);
        assert_memory_equal(pk, pk2, AGE_KEY_LEN);
        id = age_identity_format(sk);
        assert_non_null(id);
        assert_string_equal(id, CCTV_IDENTITY);
        sodium_free(id);
}

static void test_bech32_round_trips(void **state) {
        for (unsigned seed = 0; seed < 64; seed++) {
                uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN], back[AGE_KEY_LEN];
                _cleanup_free_ char *r = NULL;
                char *id;

                randombytes_buf_deterministic(sk, sizeof(sk),
                                              (const unsigned char[32]){(unsigned char) seed});
                assert_int_equal(age_identity_to_recipient(sk, pk), 0);
                r = age_recipient_format(pk);
                assert_non_null(r);
                assert_int_equal(strlen(r), 62);
                assert_true(strncmp(r, "age1", 4) == 0);
                assert_int_equal(age_recipient_parse(r, back), 0);
                assert_memory_equal(pk, back, AGE_KEY_LEN);

                id = age_identity_format(sk);
                assert_non_null(id);
                assert_int_equal(strlen(id), 74);
                assert_true(strncmp(id, "AGE-SECRET-KEY-1", 16) == 0);
                assert_int_equal(age_identity_parse(id, back), 0);
                assert_memory_equal(sk, back, AGE_KEY_LEN);
                sodium_free(id);
        }
}

static void test_bech32_malformed(void **state) {
        static const char *const bad_recipients[] = {
                "",
                "age1",
                "age",
                "AGE1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4Q47RYEF", /* upper case */
                "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryeF", /* mixed */
                "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryeg", /* checksum */
                "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47rye",  /* short */
                "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryefq",
                "age1bmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef", /* 'b' not in charset */
                "agf1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef", /* hrp */
                " age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef",
                "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef\n",
                /* an identity is refused apart, as -EPERM: test_secret_as_recipient */
        };
        static const char *const bad_identities[] = {
                "",
                "AGE-SECRET-KEY-1",
                "age-secret-key-1egtzvffv20835nwyv6270lxyvk2vknx2mmdkwyklmgr48uawx40q2p2lm0", /* lower */
                "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM1",
                "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM",
                CCTV_RECIPIENT,
        };
        uint8_t k[AGE_KEY_LEN];

        for (size_t i = 0; i < ELEMENTSOF(bad_recipients); i++)
                assert_int_equal(age_recipient_parse(bad_recipients[i], k), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(bad_identities); i++)
                assert_int_equal(age_identity_parse(bad_identities[i], k), -EINVAL);
        assert_int_equal(age_recipient_parse(NULL, k), -EINVAL);

        /* A valid Bech32 string with the wrong payload length. */
        {
                char buf[AGE_BECH32_MAX + 1];
                uint8_t data[31] = {};
                assert_true(age_bech32_encode("age", data, sizeof(data), false, buf, sizeof(buf)) > 0);
                assert_int_equal(age_recipient_parse(buf, k), -EINVAL);
        }
        /* The BIP 173 example vectors decode. */
        {
                char hrp[64];
                uint8_t data[64];
                size_t len;
                assert_int_equal(age_bech32_decode("A12UEL5L", hrp, sizeof(hrp), data, sizeof(data), &len),
                                 0);
                assert_string_equal(hrp, "a");
                assert_int_equal(len, 0);
                assert_int_equal(age_bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", hrp,
                                                   sizeof(hrp), data, sizeof(data), &len),
                                 0);
                assert_int_equal(age_bech32_decode("A12UEL5l", hrp, sizeof(hrp), data, sizeof(data), &len),
                                 -EINVAL);
                assert_int_equal(
                        age_bech32_decode("1pzry9x0s0muk", hrp, sizeof(hrp), data, sizeof(data), &len),
                        -EINVAL);
        }
}

static void test_key_files(void **state) {
        char dir[] = "/tmp/test-age-XXXXXX", path[128];
        uint8_t pks[4][AGE_KEY_LEN], sk[AGE_KEY_LEN];
        uint8_t(*sks)[AGE_KEY_LEN] = NULL;
        size_t n = 0;
        unsigned bad = 0;
        static const char recipients[] =
                "# vault\n" CCTV_RECIPIENT "\n\n  \n# escrow\r\n" CCTV_RECIPIENT "\r\n";
        static const char identities[] =
                "# created: 2026-01-01T00:00:00Z\n# public key: " CCTV_RECIPIENT "\n" CCTV_IDENTITY "\n";

        assert_non_null(mkdtemp(dir));
        (void) snprintf(path, sizeof(path), "%s/r.txt", dir);
        assert_int_equal(fs_write_atomic(path, recipients, strlen(recipients), 0600), 0);
        assert_int_equal(age_recipients_file_read(path, pks, 4, &n, &bad), 2);
        assert_int_equal(n, 2);
        assert_int_equal(age_recipient_parse(CCTV_RECIPIENT, pks[2]), 0);
        assert_memory_equal(pks[0], pks[2], AGE_KEY_LEN);
        /* Over the limit, and a bad line. */
        assert_int_equal(age_recipients_file_read(path, pks, 1, &n, &bad), -E2BIG);
        assert_int_equal(bad, 6);
        assert_int_equal(fs_write_atomic(path, "# x\nage1nope\n", 13, 0600), 0);
        assert_int_equal(age_recipients_file_read(path, pks, 4, &n, &bad), -EINVAL);
        assert_int_equal(bad, 2);

        (void) snprintf(path, sizeof(path), "%s/k.txt", dir);
        assert_int_equal(fs_write_atomic(path, identities, strlen(identities), 0600), 0);
        assert_int_equal(age_identities_file_read(path, &sks, &n, &bad), 0);
        assert_int_equal(n, 1);
        assert_int_equal(age_identity_parse(CCTV_IDENTITY, sk), 0);
        assert_memory_equal(sks[0], sk, AGE_KEY_LEN);
        sodium_free(sks);
        assert_int_equal(fs_write_atomic(path, CCTV_RECIPIENT "\n", strlen(CCTV_RECIPIENT) + 1, 0600), 0);
        assert_int_equal(age_identities_file_read(path, &sks, &n, &bad), -EINVAL);
        assert_int_equal(bad, 1);
        assert_int_equal(fs_write_atomic(path, "# only a comment\n", 17, 0600), 0);
        assert_int_equal(age_identities_file_read(path, &sks, &n, &bad), -ENOKEY);
        (void) unlink(path);
        (void) snprintf(path, sizeof(path), "%s/r.txt", dir);
        (void) unlink(path);
        assert_int_equal(rmdir(dir), 0);
}

/* The x-coordinates of small order on Curve25519 and its twist (0 and its
 * non-canonical spelling p, 1 and p + 1, p - 1, and the two of order 8);
 * each also with bit 255 set, which X25519 ignores (RFC 7748). */
static const char *const low_order_hex[] = {
        "0000000000000000000000000000000000000000000000000000000000000000", /* 0 */
        "0100000000000000000000000000000000000000000000000000000000000000", /* 1 */
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", /* order 8 */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p, i.e. 0 */
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 1, i.e. 1 */
};

static char *low_order_recipient(size_t i, bool high_bit) {
        uint8_t pk[AGE_KEY_LEN];
        size_t len = 0;

        assert_int_equal(sodium_hex2bin(pk, sizeof(pk), low_order_hex[i], 64, NULL, &len, NULL), 0);
        assert_int_equal(len, AGE_KEY_LEN);
        if (high_bit)
                pk[AGE_KEY_LEN - 1] |= 0x80;
        return age_recipient_format(pk); /* the project's own Bech32 encoder */
}

/* A low-order recipient is refused where it is parsed, by name, with the
 * fix: it would make every file key wrapped to it public, and the writer
 * would refuse it halfway through a recording. */
static void test_low_order_recipients(void **state) {
        char dir[] = "/tmp/test-age-XXXXXX", path[128];
        uint8_t pk[AGE_KEY_LEN], pks[4][AGE_KEY_LEN], good[AGE_KEY_LEN];
        size_t n = 0;
        unsigned bad = 0;

        assert_int_equal(age_recipient_parse(CCTV_RECIPIENT, good), 0);
        for (size_t i = 0; i < 2 * ELEMENTSOF(low_order_hex); i++) {
                _cleanup_free_ char *r = low_order_recipient(i / 2, i % 2);
                assert_non_null(r);
                memcpy(pk, good, AGE_KEY_LEN);
                if (age_recipient_parse(r, pk) != -EKEYREJECTED)
                        fail_msg("%s (%s, bit 255 %s) was not refused as low-order", r, low_order_hex[i / 2],
                                 i % 2 ? "set" : "clear");
                assert_memory_equal(pk, good, AGE_KEY_LEN); /* untouched */
        }
        assert_non_null(strstr(age_recipient_refusal(-EKEYREJECTED),
                               "is a low-order X25519 point, not a usable recipient: give the vault's "
                               "age1… recipient"));
        assert_non_null(strstr(age_recipient_refusal(-EINVAL), "is not an age recipient"));
        /* a point of large order next to them still parses */
        for (unsigned seed = 0; seed < 16; seed++) {
                uint8_t sk[AGE_KEY_LEN];
                randombytes_buf_deterministic(sk, sizeof(sk),
                                              (const unsigned char[32]){(unsigned char) seed, 1});
                assert_int_equal(age_identity_to_recipient(sk, pk), 0);
                _cleanup_free_ char *r = age_recipient_format(pk);
                assert_int_equal(age_recipient_parse(r, pks[0]), 0);
        }

        /* in a recipients file, with its line */
        _cleanup_free_ char *zero = low_order_recipient(0, false);
        _cleanup_free_ char *text = NULL;
        assert_true(asprintf(&text, "# vault\n%s\n%s\n", CCTV_RECIPIENT, zero) > 0);
        assert_non_null(mkdtemp(dir));
        (void) snprintf(path, sizeof(path), "%s/r.txt", dir);
        assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600), 0);
        assert_int_equal(age_recipients_file_read(path, pks, 4, &n, &bad), -EKEYREJECTED);
        assert_int_equal(bad, 3);
        (void) unlink(path);
        assert_int_equal(rmdir(dir), 0);
}

/* A secret identity where a recipient belongs is refused as what it is
 * (-EPERM), in any case and wherever it sits in the text, and what may be
 * shown of it is only its prefix. */
static void test_secret_as_recipient(void **state) {
        static const char *const secrets[] = {
                CCTV_IDENTITY,
                " " CCTV_IDENTITY,
                CCTV_RECIPIENT "," CCTV_IDENTITY,
                "age-secret-key-1egtzvffv20835nwyv6270lxyvk2vknx2mmdkwyklmgr48uawx40q2p2lm0",
                "AGE-SECRET-KEY-1",
                "AGE-SECRET-KEY-1EGTZVFFV2083", /* cut short: still not to be shown */
        };
        char dir[] = "/tmp/test-age-XXXXXX", path[128];
        uint8_t pk[AGE_KEY_LEN], good[AGE_KEY_LEN], pks[4][AGE_KEY_LEN];
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        unsigned bad = 0;

        assert_int_equal(age_recipient_parse(CCTV_RECIPIENT, good), 0);
        for (size_t i = 0; i < ELEMENTSOF(secrets); i++) {
                memcpy(pk, good, AGE_KEY_LEN);
                if (age_recipient_parse(secrets[i], pk) != -EPERM)
                        fail_msg("secret text %zu was not refused as a secret identity", i);
                assert_memory_equal(pk, good, AGE_KEY_LEN);
                assert_string_equal(age_recipient_shown(secrets[i]), "AGE-SECRET-KEY-1…");
        }
        assert_string_equal(age_recipient_refusal(-EPERM),
                            "is a secret identity, not a recipient: give its public key (age-keygen -y)");
        assert_null(strstr(age_recipient_refusal(-EPERM), "AGE-SECRET-KEY-1"));
        /* other refusals still show what was given */
        assert_string_equal(age_recipient_shown("age1nope"), "age1nope");
        assert_string_equal(age_recipient_shown(NULL), "");
        assert_int_equal(age_recipient_parse("age1nope", pk), -EINVAL);

        /* in a recipients file, with its line */
        assert_true(asprintf(&text, "# vault\n%s\n\n%s\n", CCTV_RECIPIENT, CCTV_IDENTITY) > 0);
        assert_non_null(mkdtemp(dir));
        (void) snprintf(path, sizeof(path), "%s/r.txt", dir);
        assert_int_equal(fs_write_atomic(path, text, strlen(text), 0600), 0);
        assert_int_equal(age_recipients_file_read(path, pks, 4, &n, &bad), -EPERM);
        assert_int_equal(bad, 4);
        (void) unlink(path);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cctv_keys),
                cmocka_unit_test(test_bech32_round_trips),
                cmocka_unit_test(test_bech32_malformed),
                cmocka_unit_test(test_key_files),
                cmocka_unit_test(test_low_order_recipients),
                cmocka_unit_test(test_secret_as_recipient),
        };

        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
