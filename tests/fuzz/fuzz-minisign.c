/* Feeds outside input to the minisign parsers and verifier. Must never
 * crash, and must never accept a signature the fixed test key did not make:
 * when verify says yes, the harness recomputes both signatures itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "minisign.h"

static const uint8_t test_key_id[MINISIGN_KEY_ID_LEN] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe};
static const char test_msg[] = "studio fuzz message\n";

static uint8_t test_pk[32], test_sk[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void test_key(void) {
        uint8_t seed[32];

        if (sodium_init() < 0)
                abort();
        memset(seed, 0x5a, sizeof seed); /* fixed test-only key */
        crypto_sign_ed25519_seed_keypair(test_pk, test_sk, seed);
}

/* Line n (0-based) of text, without "\n" and one trailing "\r". */
static int nth_line(const char *text, size_t len, int n, const char **ret, size_t *ret_len) {
        const char *p = text, *end = text + len;

        for (; n > 0; n--) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                if (!nl)
                        return -1;
                p = nl + 1;
        }
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        *ret_len = nl ? (size_t) (nl - p) : (size_t) (end - p);
        if (*ret_len > 0 && p[*ret_len - 1] == '\r')
                (*ret_len)--;
        *ret = p;
        return 0;
}

static void check_genuine(const char *text, size_t len, const char *comment) {
        uint8_t bin[74], global[64], want[64], prehash[64];
        uint8_t *buf;
        const char *line;
        size_t line_len, bin_len, comment_len = strlen(comment);

        if (nth_line(text, len, 1, &line, &line_len) < 0 ||
            sodium_base642bin(bin, sizeof bin, line, line_len, NULL, &bin_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            bin_len != sizeof bin || memcmp(bin + 2, test_key_id, 8) != 0)
                abort();
        if (memcmp(bin, "ED", 2) == 0) {
                crypto_generichash(prehash, sizeof prehash, (const uint8_t *) test_msg, strlen(test_msg),
                                   NULL, 0);
                crypto_sign_ed25519_detached(want, NULL, prehash, sizeof prehash, test_sk);
        } else if (memcmp(bin, "Ed", 2) == 0) {
                crypto_sign_ed25519_detached(want, NULL, (const uint8_t *) test_msg, strlen(test_msg),
                                             test_sk);
        } else {
                abort();
        }
        if (memcmp(want, bin + 10, 64) != 0)
                abort();
        buf = malloc(64 + comment_len);
        memcpy(buf, want, 64);
        memcpy(buf + 64, comment, comment_len);
        crypto_sign_ed25519_detached(want, NULL, buf, 64 + comment_len, test_sk);
        free(buf);
        if (nth_line(text, len, 3, &line, &line_len) < 0 ||
            sodium_base642bin(global, sizeof global, line, line_len, NULL, &bin_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            bin_len != sizeof global || memcmp(want, global, 64) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        minisign_public pk, parsed;
        uint8_t kid[MINISIGN_KEY_ID_LEN];
        char *text, *comment = NULL;

        if (!test_pk[0] && !test_pk[1])
                test_key();
        text = malloc(size + 1);
        memcpy(text, data, size);
        text[size] = '\0';
        (void) minisign_public_parse(text, &parsed);
        (void) minisign_sig_key_id(text, size, kid);
        memcpy(pk.key_id, test_key_id, sizeof pk.key_id);
        memcpy(pk.pk, test_pk, sizeof pk.pk);
        if (minisign_verify_buf(&pk, (const uint8_t *) test_msg, strlen(test_msg), text, size, &comment) ==
            0) {
                if (!comment)
                        abort();
                check_genuine(text, size, comment);
                free(comment);
        }
        free(text);
        return 0;
}
