/* libFuzzer target for the age reader. A fixed identity is compiled in (the
 * first key of tests/data/age/kat.key), so valid files in the seed corpus
 * decrypt and the fuzzer reaches the payload code.
 *
 * Besides memory errors, it aborts when a verdict is not backed by the
 * bytes: AGE_OK only when the header MAC verifies and re-sealing the
 * released plaintext with the same key reproduces the payload byte for
 * byte; nothing released before the header authenticates; only whole
 * authenticated chunks released otherwise. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age-internal.h"
#include "age.h"
#include "fuzz-check.h"
#include "test-sink.h"

#define RELEASE_MAX (64u * 1024 * 1024)

/* Independently finds the file key and checks the header MAC (HMAC-SHA256
 * straight from libsodium). Returns the header length, or 0. */
static size_t header_authentic(const uint8_t *data, size_t size, const uint8_t sk[AGE_KEY_LEN],
                               uint8_t file_key[AGE_FILE_KEY_LEN]) {
        struct age_header h = {};
        uint8_t mac_key[32], mac[32];
        ssize_t end = age_header_find_end(data, size);
        bool found = false;

        if (end <= 0 || age_header_parse(data, (size_t) end, &h) < 0)
                return 0;
        for (size_t i = 0; i < h.n_stanzas && !found; i++)
                found = strcmp(h.stanzas[i].args[0], "X25519") == 0 &&
                        age_x25519_unwrap(&h.stanzas[i], sk, file_key) == 0;
        if (found) {
                FUZZ_CHECK(h.mac_input_len >= 3 && memcmp(data + h.mac_input_len - 3, "---", 3) == 0);
                age_hkdf_sha256(file_key, AGE_FILE_KEY_LEN, NULL, 0, "header", mac_key, sizeof(mac_key));
                crypto_auth_hmacsha256(mac, data, h.mac_input_len, mac_key);
                found = memcmp(mac, h.mac, sizeof(mac)) == 0;
        }
        age_header_done(&h);
        return found ? (size_t) end : 0;
}

/* Re-seals the plaintext as STREAM chunks and compares with the payload. */
static void check_reseal(const uint8_t *payload, size_t payload_len,
                         const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t *plain, size_t plain_len) {
        static uint8_t chunk[AGE_ENC_CHUNK_SIZE];
        static const uint8_t none[1];
        uint8_t key[32], nonce[12] = {};
        size_t pos = 0, off = 0;
        uint64_t counter = 0;

        FUZZ_CHECK(payload_len >= AGE_PAYLOAD_NONCE_LEN);
        if (!plain)
                plain = none; /* an empty payload released nothing */
        age_hkdf_sha256(file_key, AGE_FILE_KEY_LEN, payload, AGE_PAYLOAD_NONCE_LEN, "payload", key,
                        sizeof(key));
        pos = AGE_PAYLOAD_NONCE_LEN;
        do {
                size_t n = plain_len - off > AGE_CHUNK_SIZE ? AGE_CHUNK_SIZE : plain_len - off;
                bool last = off + n == plain_len;
                for (unsigned i = 0; i < 8; i++)
                        nonce[10 - i] = (uint8_t) (counter >> (8 * i));
                nonce[11] = last;
                crypto_aead_chacha20poly1305_ietf_encrypt(chunk, NULL, plain + off, n, NULL, 0, NULL, nonce,
                                                          key);
                FUZZ_CHECK(pos + n + 16 <= payload_len && memcmp(payload + pos, chunk, n + 16) == 0);
                pos += n + 16;
                off += n;
                counter++;
        } while (off < plain_len);
        FUZZ_CHECK(pos == payload_len); /* nothing after the final chunk */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sk[1][AGE_KEY_LEN], file_key[AGE_FILE_KEY_LEN];
        test_sink out = {.max = RELEASE_MAX};
        age_read_result res;
        size_t hdr_len;

        if (sodium_init() < 0)
                abort();
        for (unsigned i = 0; i < AGE_KEY_LEN; i++)
                sk[0][i] = (uint8_t) (0x40 + 3 * i);

        FUZZ_CHECK(age_decrypt_buf(data, size, (const uint8_t(*)[AGE_KEY_LEN]) sk, 1, test_sink_append, &out,
                                   &res) == 0);
        FUZZ_CHECK(res.verdict >= 0 && res.verdict < _AGE_VERDICT_MAX && res.verdict != AGE_IO_ERROR);
        FUZZ_CHECK(res.detail[0] != '\0' && memchr(res.detail, '\0', sizeof(res.detail)));
        FUZZ_CHECK(out.len == res.plaintext_bytes);

        hdr_len = header_authentic(data, size, sk[0], file_key);
        switch (res.verdict) {
        case AGE_OK:
                FUZZ_CHECK(hdr_len > 0);
                check_reseal(data + hdr_len, size - hdr_len, file_key, out.data, out.len);
                break;
        case AGE_TRUNCATED:
                /* cut inside its header: nothing released, nothing authentic */
                if (hdr_len == 0) {
                        FUZZ_CHECK(out.len == 0 && res.intact_chunks == 0 && res.unverifiable_bytes == size);
                        FUZZ_CHECK(size > 0 &&
                                   memcmp(data, "age-encryption.org/v1", size < 21 ? size : 21) == 0);
                        break;
                }
                FUZZ_CHECK(out.len == res.intact_chunks * AGE_CHUNK_SIZE);
                break;
        case AGE_TAMPERED:
                FUZZ_CHECK(hdr_len > 0);
                FUZZ_CHECK(out.len == res.intact_chunks * AGE_CHUNK_SIZE);
                break;
        default:
                FUZZ_CHECK(out.len == 0 && res.intact_chunks == 0);
                /* A header that authenticates is never called anything else. */
                if (res.verdict == AGE_HEADER_MAC || res.verdict == AGE_NO_MATCH)
                        FUZZ_CHECK(hdr_len == 0);
                break;
        }
        sodium_memzero(file_key, sizeof(file_key));
        test_sink_done(&out);
        return 0;
}
