/* Unit tests for the age module: known-answer files pinned by golden files,
 * round trips, and the reader's verdicts on tampered and truncated files
 * (with what a salvaging caller receives). Keys: test-age-keys.c. */
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

#include "testutil.h"
#include <sodium.h>

#include "age-internal.h"
#include "age-testing.h"
#include "age.h"
#include "fsutil.h"
#include "util.h"

/* The identity of the C2SP test vectors, with its recipient as printed by
 * stock `age-keygen -y`. */
#define CCTV_IDENTITY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
#define CCTV_RECIPIENT "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"

static int fail_output(void *userdata, const uint8_t *buf, size_t len) {
        return -ENOSPC;
}

static void pattern(uint8_t *buf, size_t len, uint32_t seed) {
        for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = (uint8_t) (seed >> 16);
        }
}

/* A key pair made from a fixed seed, for deterministic tests. */
static void test_keypair(uint8_t seed, uint8_t sk[AGE_KEY_LEN], uint8_t pk[AGE_KEY_LEN]) {
        for (unsigned i = 0; i < AGE_KEY_LEN; i++)
                sk[i] = (uint8_t) (seed + 3 * i);
        assert_int_equal(age_identity_to_recipient(sk, pk), 0);
}

static void test_primitives(void **state) {
        /* RFC 5869 test case 1. */
        static const uint8_t okm1[42] = {0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f,
                                         0x64, 0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a,
                                         0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf, 0x34,
                                         0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65};
        uint8_t ikm[22], salt[13], out[42], dec[8];
        char info[11], enc[16];

        memset(ikm, 0x0b, sizeof(ikm));
        for (unsigned i = 0; i < sizeof(salt); i++)
                salt[i] = (uint8_t) i;
        for (unsigned i = 0; i < 10; i++)
                info[i] = (char) (0xf0 + i);
        info[10] = '\0';
        assert_int_equal(age_hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info, out, sizeof(out)), 0);
        assert_memory_equal(out, okm1, sizeof(okm1));

        /* Canonical base64 only. */
        age_b64_encode((const uint8_t *) "ab", 2, enc);
        assert_memory_equal(enc, "YWI", 3);
        assert_int_equal(age_b64_decode("YWI", 3, dec, sizeof(dec)), 2);
        assert_int_equal(age_b64_decode("YWJ", 3, dec, sizeof(dec)), -EINVAL); /* unused bits set */
        assert_int_equal(age_b64_decode("YWI=", 4, dec, sizeof(dec)), -EINVAL);
        assert_int_equal(age_b64_decode("Y", 1, dec, sizeof(dec)), -EINVAL);
        assert_int_equal(age_b64_decode("YW-I", 4, dec, sizeof(dec)), -EINVAL);
        assert_int_equal(age_b64_decode("", 0, dec, sizeof(dec)), 0);
}

/* ---- writing and reading ------------------------------------------- */

struct kat {
        const char *name;
        size_t n_recipients;
        size_t plaintext_len;
};

static void kat_fixed(struct age_writer_fixed *f) {
        for (unsigned i = 0; i < AGE_FILE_KEY_LEN; i++)
                f->file_key[i] = (uint8_t) (0xa0 + i);
        for (unsigned i = 0; i < AGE_PAYLOAD_NONCE_LEN; i++)
                f->nonce[i] = (uint8_t) (0xb0 + i);
        for (unsigned r = 0; r < AGE_RECIPIENT_MAX; r++)
                for (unsigned i = 0; i < AGE_KEY_LEN; i++)
                        f->ephemeral[r][i] = (uint8_t) (0xc0 + r * 7 + i);
}

static void seal(const uint8_t (*pks)[AGE_KEY_LEN], size_t n, const struct age_writer_fixed *fixed,
                 const uint8_t *plain, size_t len, size_t piece, test_sink *out) {
        age_writer *w = NULL;

        if (fixed)
                assert_int_equal(age_writer_new_fixed(pks, n, fixed, test_sink_append, out, &w), 0);
        else
                assert_int_equal(age_writer_new(pks, n, test_sink_append, out, &w), 0);
        for (size_t off = 0; off < len; off += piece) {
                size_t k = len - off < piece ? len - off : piece;
                assert_int_equal(age_writer_write(w, plain + off, k), 0);
        }
        assert_int_equal(age_writer_plaintext_bytes(w), len);
        assert_int_equal(age_writer_finish(w), 0);
        assert_int_equal(age_writer_write(w, "x", 1), -EINVAL);
        assert_int_equal(age_writer_finish(w), -EINVAL);
        age_writer_free(w);
}

static age_verdict open_file(const uint8_t *data, size_t len, const uint8_t (*sks)[AGE_KEY_LEN], size_t n,
                             test_sink *plain, age_read_result *res) {
        assert_int_equal(age_decrypt_buf(data, len, sks, n, test_sink_append, plain, res), 0);
        assert_true(strlen(res->detail) > 10);
        return res->verdict;
}

static void test_kat_golden(void **state) {
        static const struct kat kats[] = {
                {"kat-one-recipient.age", 1, 14},
                {"kat-three-recipients-two-chunks.age", 3, AGE_CHUNK_SIZE + 1000},
        };
        const char *src = getenv("STUDIO_SOURCE_DIR");
        uint8_t sks[3][AGE_KEY_LEN], pks[3][AGE_KEY_LEN];
        struct age_writer_fixed fixed;

        assert_non_null(src);
        kat_fixed(&fixed);
        for (unsigned i = 0; i < 3; i++)
                test_keypair((uint8_t) (0x40 + 0x10 * i), sks[i], pks[i]);
        /* kat.key was encoded by an independent script; stock age -d -i
         * kat.key decrypts the golden files (see tests/interop). */
        {
                _cleanup_free_ char *path = NULL;
                uint8_t(*file_sks)[AGE_KEY_LEN] = NULL;
                size_t n = 0;
                unsigned bad = 0;
                assert_true(asprintf(&path, "%s/tests/data/age/kat.key", src) > 0);
                assert_int_equal(age_identities_file_read(path, &file_sks, &n, &bad), 0);
                assert_int_equal(n, 3);
                assert_memory_equal(file_sks, sks, sizeof(sks));
                sodium_free(file_sks);
        }

        for (size_t k = 0; k < ELEMENTSOF(kats); k++) {
                _cleanup_free_ uint8_t *plain = malloc(kats[k].plaintext_len + 1);
                _cleanup_free_ char *path = NULL, *golden = NULL;
                test_sink out = {}, back = {};
                age_read_result res;
                size_t golden_len = 0;

                assert_non_null(plain);
                if (kats[k].plaintext_len == 14)
                        memcpy(plain, "hello, studio\n", 14);
                else
                        pattern(plain, kats[k].plaintext_len, 7);
                seal((const uint8_t(*)[AGE_KEY_LEN]) pks, kats[k].n_recipients, &fixed, plain,
                     kats[k].plaintext_len, 4096, &out);
                assert_true(asprintf(&path, "%s/tests/data/age/%s", src, kats[k].name) > 0);
                if (getenv("AGE_KAT_REGENERATE"))
                        assert_int_equal(fs_write_atomic(path, out.data, out.len, 0644), 0);
                assert_int_equal(fs_read_file(path, 1 << 20, &golden, &golden_len), 0);
                assert_int_equal(golden_len, out.len);
                assert_memory_equal(golden, out.data, out.len);

                /* Each recipient's identity opens it. */
                for (unsigned i = 0; i < kats[k].n_recipients; i++) {
                        assert_int_equal(open_file((const uint8_t *) golden, golden_len,
                                                   (const uint8_t(*)[AGE_KEY_LEN]) sks + i, 1, &back, &res),
                                         AGE_OK);
                        assert_int_equal(back.len, kats[k].plaintext_len);
                        assert_memory_equal(back.data, plain, back.len);
                        test_sink_done(&back);
                }
                test_sink_done(&out);
        }
}

/* A header + nonce length for n X25519 recipients from our writer. */
static size_t header_len(size_t n) {
        return 22 + n * (10 + 43 + 1 + 43 + 1) + 4 + 43 + 1;
}

static size_t chunks_for(size_t len) {
        return len == 0 ? 1 : (len + AGE_CHUNK_SIZE - 1) / AGE_CHUNK_SIZE;
}

static void test_round_trips(void **state) {
        static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536, 3 * 65536 + 100};
        static const size_t pieces[] = {1, 1000, 65536, 65537, 1 << 20};
        uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN];

        test_keypair(0x11, sk, pk);
        for (size_t s = 0; s < ELEMENTSOF(sizes); s++) {
                _cleanup_free_ uint8_t *plain = malloc(sizes[s] + 1);
                pattern(plain, sizes[s], (uint32_t) s);
                for (size_t p = 0; p < ELEMENTSOF(pieces); p++) {
                        test_sink out = {}, back = {};
                        age_read_result res;
                        size_t n = chunks_for(sizes[s]);

                        if (pieces[p] == 1 && sizes[s] > 65537)
                                continue; /* byte by byte is slow under ASan and adds nothing */
                        seal((const uint8_t(*)[AGE_KEY_LEN]) & pk, 1, NULL, plain, sizes[s], pieces[p],
                             &out);
                        /* Exactly the chunks needed: a full last chunk is final, an
                         * empty one only for an empty payload. */
                        assert_int_equal(out.len,
                                         header_len(1) + AGE_PAYLOAD_NONCE_LEN + sizes[s] + n * AGE_TAG_LEN);
                        assert_int_equal(open_file(out.data, out.len, (const uint8_t(*)[AGE_KEY_LEN]) & sk,
                                                   1, &back, &res),
                                         AGE_OK);
                        assert_int_equal(res.plaintext_bytes, sizes[s]);
                        assert_int_equal(res.intact_chunks, n);
                        assert_int_equal(back.len, sizes[s]);
                        if (sizes[s] > 0)
                                assert_memory_equal(back.data, plain, sizes[s]);
                        test_sink_done(&out);
                        test_sink_done(&back);
                }
        }
}

static void test_fd_and_no_match(void **state) {
        uint8_t sk[2][AGE_KEY_LEN], pk[2][AGE_KEY_LEN];
        uint8_t plain[100000];
        test_sink out = {}, back = {};
        age_read_result res;
        FILE *f;

        test_keypair(0x21, sk[0], pk[0]);
        test_keypair(0x22, sk[1], pk[1]);
        pattern(plain, sizeof(plain), 3);
        seal((const uint8_t(*)[AGE_KEY_LEN]) pk, 1, NULL, plain, sizeof(plain), 7777, &out);

        f = tmpfile();
        assert_non_null(f);
        assert_int_equal(fs_write_all(fileno(f), out.data, out.len), 0);
        assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
        /* The second identity does not match, the first does. */
        assert_int_equal(age_decrypt_fd(fileno(f), (const uint8_t(*)[AGE_KEY_LEN]) sk, 2, test_sink_append,
                                        &back, &res),
                         0);
        assert_int_equal(res.verdict, AGE_OK);
        assert_int_equal(back.len, sizeof(plain));
        assert_memory_equal(back.data, plain, sizeof(plain));
        test_sink_done(&back);
        fclose(f);

        assert_int_equal(
                open_file(out.data, out.len, (const uint8_t(*)[AGE_KEY_LEN]) sk + 1, 1, &back, &res),
                AGE_NO_MATCH);
        assert_int_equal(back.len, 0);
        assert_int_equal(open_file(out.data, out.len, NULL, 0, &back, &res), AGE_NO_MATCH);
        /* Only checking, without a plaintext sink. */
        assert_int_equal(
                age_decrypt_buf(out.data, out.len, (const uint8_t(*)[AGE_KEY_LEN]) sk, 1, NULL, NULL, &res),
                0);
        assert_int_equal(res.verdict, AGE_OK);
        test_sink_done(&out);
}

static void test_writer_errors(void **state) {
        uint8_t pk[2][AGE_KEY_LEN] = {}, sk[AGE_KEY_LEN];
        test_sink out = {};
        age_writer *w = NULL;

        /* The all-zero point is low order: refused as a recipient. */
        assert_int_equal(age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pk, 1, test_sink_append, &out, &w),
                         -EINVAL);
        assert_null(w);
        test_keypair(0x31, sk, pk[0]);
        assert_int_equal(age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pk, 0, test_sink_append, &out, &w),
                         -EINVAL);
        assert_int_equal(age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pk, AGE_RECIPIENT_MAX + 1,
                                        test_sink_append, &out, &w),
                         -EINVAL);
        assert_int_equal(age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pk, 1, fail_output, NULL, &w),
                         -ENOSPC);
        test_sink_done(&out);
        assert_null(age_writer_free(NULL));
        assert_string_equal(age_verdict_to_string(AGE_TRUNCATED), "truncated");
        assert_null(age_verdict_to_string(_AGE_VERDICT_MAX));
}

/* ---- tampering and truncation ---------------------------------------- */

struct sealed {
        uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN];
        uint8_t *plain;
        size_t plain_len;
        test_sink file;
        size_t payload_start; /* offset of the first chunk */
};

static void sealed_make(struct sealed *s, size_t len) {
        *s = (struct sealed){.plain_len = len};
        test_keypair(0x51, s->sk, s->pk);
        s->plain = malloc(len + 1);
        assert_non_null(s->plain);
        pattern(s->plain, len, 99);
        seal((const uint8_t(*)[AGE_KEY_LEN]) & s->pk, 1, NULL, s->plain, len, 65536, &s->file);
        s->payload_start = header_len(1) + AGE_PAYLOAD_NONCE_LEN;
}

static void sealed_done(struct sealed *s) {
        free(s->plain);
        test_sink_done(&s->file);
}

/* Opens a modified copy; checks that what was released is exactly the
 * authentic prefix the verdict claims. */
static age_verdict sealed_open(struct sealed *s, const uint8_t *data, size_t len, age_read_result *res) {
        test_sink back = {};
        age_verdict v = open_file(data, len, (const uint8_t(*)[AGE_KEY_LEN]) & s->sk, 1, &back, res);

        assert_int_equal(back.len, res->plaintext_bytes);
        if (v != AGE_OK)
                assert_int_equal(back.len, res->intact_chunks * AGE_CHUNK_SIZE);
        if (back.len > 0)
                assert_memory_equal(back.data, s->plain, back.len);
        if (v == AGE_NOT_AGE || v == AGE_NO_MATCH || v == AGE_HEADER_MAC)
                assert_int_equal(back.len, 0);
        test_sink_done(&back);
        return v;
}

static age_verdict flip_and_open(struct sealed *s, size_t off, uint8_t mask, age_read_result *res) {
        _cleanup_free_ uint8_t *copy = malloc(s->file.len);
        memcpy(copy, s->file.data, s->file.len);
        copy[off] ^= mask;
        return sealed_open(s, copy, s->file.len, res);
}

static void test_tamper(void **state) {
        struct sealed s;
        age_read_result res;
        size_t stanza = 22, share = stanza + 10, body = share + 44, mac = header_len(1) - 44;
        size_t last_chunk = 3;

        sealed_make(&s, 3 * AGE_CHUNK_SIZE + 100); /* 3 full chunks and a short final one */
        assert_int_equal(sealed_open(&s, s.file.data, s.file.len, &res), AGE_OK);

        assert_int_equal(flip_and_open(&s, 3, 0x01, &res), AGE_NOT_AGE);           /* version line */
        assert_int_equal(flip_and_open(&s, 20, 0x01, &res), AGE_NOT_AGE);          /* "v1" -> "v0" */
        assert_int_equal(flip_and_open(&s, stanza + 3, 0x20, &res), AGE_NO_MATCH); /* "X25519" -> "x25519" */
        assert_non_null(strstr(res.detail, "no X25519 recipient stanza (the first is 'x25519')"));
        assert_int_equal(flip_and_open(&s, stanza + 1, 0x01, &res), AGE_NOT_AGE); /* "->" */
        assert_int_equal(flip_and_open(&s, mac - 2, 0x01, &res), AGE_NOT_AGE);    /* "---" */
        /* Flips that keep valid base64 (bit 5 swaps letter case) land in the crypto. */
        for (size_t i = 0; i < 40; i++) {
                age_verdict v;
                if (!((s.file.data[share + i] >= 'a' && s.file.data[share + i] <= 'z') ||
                      (s.file.data[share + i] >= 'A' && s.file.data[share + i] <= 'Z')))
                        continue;
                v = flip_and_open(&s, share + i, 0x20, &res);
                assert_int_equal(v, AGE_NO_MATCH);
                break;
        }
        for (size_t i = 0; i < 40; i++) {
                if (!((s.file.data[body + i] >= 'a' && s.file.data[body + i] <= 'z') ||
                      (s.file.data[body + i] >= 'A' && s.file.data[body + i] <= 'Z')))
                        continue;
                assert_int_equal(flip_and_open(&s, body + i, 0x20, &res), AGE_NO_MATCH);
                break;
        }
        for (size_t i = 0; i < 40; i++) {
                if (!((s.file.data[mac + i] >= 'a' && s.file.data[mac + i] <= 'z') ||
                      (s.file.data[mac + i] >= 'A' && s.file.data[mac + i] <= 'Z')))
                        continue;
                assert_int_equal(flip_and_open(&s, mac + i, 0x20, &res), AGE_HEADER_MAC);
                break;
        }
        assert_int_equal(flip_and_open(&s, mac + 43, 0x01, &res), AGE_NOT_AGE); /* the newline */

        /* The payload nonce changes the payload key: the first chunk fails. */
        assert_int_equal(flip_and_open(&s, s.payload_start - 1, 0x80, &res), AGE_TAMPERED);
        assert_int_equal(res.bad_offset, s.payload_start);
        assert_int_equal(res.intact_chunks, 0);

        /* Every chunk, at its start, middle and tag. */
        for (size_t c = 0; c <= last_chunk; c++) {
                size_t start = s.payload_start + c * AGE_ENC_CHUNK_SIZE;
                size_t clen = c < last_chunk ? AGE_ENC_CHUNK_SIZE : 100 + AGE_TAG_LEN;
                size_t offs[3] = {start, start + clen / 2, start + clen - 1};
                for (unsigned k = 0; k < 3; k++) {
                        age_verdict v = flip_and_open(&s, offs[k], 0x04, &res);
                        assert_int_equal(res.intact_chunks, c);
                        if (c < last_chunk) {
                                assert_int_equal(v, AGE_TAMPERED);
                                assert_int_equal(res.bad_offset, start);
                        } else {
                                /* A short last piece that fails cannot be told from a cut. */
                                assert_int_equal(v, AGE_TRUNCATED);
                                assert_int_equal(res.unverifiable_bytes, clen);
                        }
                }
        }
        sealed_done(&s);

        /* A full final chunk that fails is tampered, not truncated. */
        sealed_make(&s, 3 * AGE_CHUNK_SIZE);
        assert_int_equal(flip_and_open(&s, s.file.len - 1, 0x01, &res), AGE_TAMPERED);
        assert_int_equal(res.bad_offset, s.payload_start + 2 * AGE_ENC_CHUNK_SIZE);
        assert_int_equal(res.intact_chunks, 2);
        sealed_done(&s);
}

static void test_truncate(void **state) {
        struct sealed s;
        age_read_result res;

        sealed_make(&s, 3 * AGE_CHUNK_SIZE + 100);
        /* Empty: nothing says it was ever an age file. */
        assert_int_equal(sealed_open(&s, s.file.data, 0, &res), AGE_NOT_AGE);
        /* Inside the header: cut short as the segment opened (truncated,
         * nothing to salvage), never mistaken for a forgery. */
        for (size_t cut = 1; cut < s.payload_start - AGE_PAYLOAD_NONCE_LEN; cut += 7) {
                assert_int_equal(sealed_open(&s, s.file.data, cut, &res), AGE_TRUNCATED);
                assert_int_equal(res.intact_chunks, 0);
                assert_int_equal(res.plaintext_bytes, 0);
                assert_int_equal(res.unverifiable_bytes, cut);
        }
        /* Inside the nonce: the community vectors call that a header
         * failure (stream_no_nonce, stream_short_nonce), and so do we. */
        for (size_t cut = s.payload_start - AGE_PAYLOAD_NONCE_LEN; cut < s.payload_start; cut += 5)
                assert_int_equal(sealed_open(&s, s.file.data, cut, &res), AGE_NOT_AGE);
        /* A cut header whose beginning is not age's stays "not age". */
        {
                uint8_t junk[40];
                memcpy(junk, s.file.data, sizeof(junk));
                junk[3] ^= 0x20;
                assert_int_equal(sealed_open(&s, junk, sizeof(junk), &res), AGE_NOT_AGE);
        }
        /* At every chunk boundary, and inside every chunk. */
        for (size_t c = 0; c <= 3; c++) {
                size_t start = s.payload_start + c * AGE_ENC_CHUNK_SIZE;
                static const size_t inside[] = {1, 15, 16, 17, 100, AGE_ENC_CHUNK_SIZE - 1};

                assert_int_equal(sealed_open(&s, s.file.data, start, &res), AGE_TRUNCATED);
                assert_int_equal(res.intact_chunks, c);
                assert_int_equal(res.unverifiable_bytes, 0);
                for (size_t k = 0; k < ELEMENTSOF(inside); k++) {
                        if (start + inside[k] >= s.file.len)
                                break;
                        assert_int_equal(sealed_open(&s, s.file.data, start + inside[k], &res),
                                         AGE_TRUNCATED);
                        assert_int_equal(res.intact_chunks, c);
                        assert_int_equal(res.unverifiable_bytes, inside[k]);
                        assert_int_equal(res.plaintext_bytes, c * AGE_CHUNK_SIZE);
                }
        }
        sealed_done(&s);

        /* A file cut right after a full chunk of a 3-full-chunk file. */
        sealed_make(&s, 3 * AGE_CHUNK_SIZE);
        assert_int_equal(sealed_open(&s, s.file.data, s.payload_start + 2 * AGE_ENC_CHUNK_SIZE, &res),
                         AGE_TRUNCATED);
        assert_int_equal(res.intact_chunks, 2);
        sealed_done(&s);
}

/* Files our writer never makes, built chunk by chunk with the internals. */
static void test_stream_rules(void **state) {
        struct age_writer_fixed fixed;
        uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN], key[32], chunk[AGE_ENC_CHUNK_SIZE];
        test_sink hdr = {};
        age_writer *w = NULL;
        age_read_result res;
        test_sink back = {};

        kat_fixed(&fixed);
        test_keypair(0x61, sk, pk);
        assert_int_equal(age_writer_new_fixed((const uint8_t(*)[AGE_KEY_LEN]) & pk, 1, &fixed,
                                              test_sink_append, &hdr, &w),
                         0);
        age_writer_free(w); /* header only: a file freed before finish is truncated */
        assert_int_equal(open_file(hdr.data, hdr.len, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1, &back, &res),
                         AGE_TRUNCATED);
        assert_int_equal(age_payload_key(fixed.file_key, fixed.nonce, key), 0);

#define BUILD(...)                                                                                          \
        ({                                                                                                  \
                test_sink f = {};                                                                           \
                struct {                                                                                    \
                        size_t len;                                                                         \
                        bool last;                                                                          \
                } spec[] = {__VA_ARGS__};                                                                   \
                assert_int_equal(test_sink_append(&f, hdr.data, hdr.len), 0);                               \
                for (size_t i = 0; i < ELEMENTSOF(spec); i++) {                                             \
                        memset(chunk, 'a', spec[i].len);                                                    \
                        age_stream_seal(key, i, spec[i].last, chunk, spec[i].len, chunk);                   \
                        assert_int_equal(test_sink_append(&f, chunk, spec[i].len + AGE_TAG_LEN), 0);        \
                }                                                                                           \
                f;                                                                                          \
        })
#define EXPECT(v, ...)                                                                                      \
        do {                                                                                                \
                test_sink built = BUILD(__VA_ARGS__);                                                       \
                assert_int_equal(open_file(built.data, built.len, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1,  \
                                           &back, &res),                                                    \
                                 v);                                                                        \
                test_sink_done(&built);                                                                     \
                test_sink_done(&back);                                                                      \
        } while (0)

        EXPECT(AGE_OK, {0, true});
        EXPECT(AGE_OK, {AGE_CHUNK_SIZE, false}, {5, true});
        EXPECT(AGE_OK, {AGE_CHUNK_SIZE, false}, {AGE_CHUNK_SIZE, true});
        EXPECT(AGE_TAMPERED, {AGE_CHUNK_SIZE, false}, {0, true}); /* empty last chunk after data */
        EXPECT(AGE_TAMPERED, {AGE_CHUNK_SIZE, true}, {5, true});  /* final chunk, then more */
        EXPECT(AGE_TAMPERED, {AGE_CHUNK_SIZE, true}, {0, true});
        EXPECT(AGE_TAMPERED, {AGE_CHUNK_SIZE - 1, false}, {AGE_CHUNK_SIZE, true}); /* short non-final */
        EXPECT(AGE_TRUNCATED, {AGE_CHUNK_SIZE, false}, {AGE_CHUNK_SIZE, false});
        EXPECT(AGE_TRUNCATED, {5, false}); /* short piece not final */
        {
                /* Trailing garbage after the final chunk. */
                test_sink tg = BUILD({AGE_CHUNK_SIZE, false}, {AGE_CHUNK_SIZE, true});
                assert_int_equal(test_sink_append(&tg, (const uint8_t *) "junk", 4), 0);
                assert_int_equal(
                        open_file(tg.data, tg.len, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1, &back, &res),
                        AGE_TAMPERED);
                assert_int_equal(res.bad_offset, hdr.len + AGE_ENC_CHUNK_SIZE);
                assert_int_equal(back.len, AGE_CHUNK_SIZE);
                test_sink_done(&tg);
                test_sink_done(&back);
        }
#undef EXPECT
#undef BUILD
        test_sink_done(&hdr);
}

/* The STREAM chunks are sealed with OpenSSL's ChaCha20-Poly1305 (stream.c);
 * they must be byte for byte what libsodium's makes, and a chunk that fails
 * its tag must release nothing. One context per key, reused across chunks
 * as the writer and reader use it. */
static void test_stream_evp_matches_libsodium(void **state) {
        static const size_t lens[] = {0, 1, 63, 64, AGE_CHUNK_SIZE - 1, AGE_CHUNK_SIZE};
        uint8_t key[AGE_STREAM_KEY_LEN], nonce[AGE_STREAM_NONCE_LEN], tag[AGE_TAG_LEN];
        uint8_t *plain = malloc(AGE_CHUNK_SIZE), *ref = malloc(AGE_ENC_CHUNK_SIZE);
        uint8_t *evp = malloc(AGE_ENC_CHUNK_SIZE), *work = malloc(AGE_ENC_CHUNK_SIZE);

        assert_true(plain && ref && evp && work);
        for (unsigned k = 0; k < 8; k++) {
                EVP_CIPHER_CTX *sctx = NULL, *octx = NULL;

                randombytes_buf(key, sizeof(key));
                assert_int_equal(age_stream_new(key, true, &sctx), 0);
                assert_int_equal(age_stream_new(key, false, &octx), 0);
                for (unsigned round = 0; round < 2; round++)
                        for (size_t l = 0; l < ELEMENTSOF(lens); l++) {
                                size_t len = lens[l], bit;
                                uint64_t counter;
                                bool last;

                                randombytes_buf(&counter, sizeof(counter));
                                if (k == 0)
                                        counter = round == 0 ? 0 : UINT64_MAX;
                                last = randombytes_uniform(2) == 1;
                                randombytes_buf(plain, len);
                                /* The nonce as the spec spells it: 11-byte big-endian counter, flag. */
                                memset(nonce, 0, sizeof(nonce));
                                for (unsigned i = 0; i < 8; i++)
                                        nonce[10 - i] = (uint8_t) (counter >> (8 * i));
                                nonce[11] = last;
                                assert_int_equal(
                                        crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                                                ref, ref + len, NULL, plain, len, NULL, 0, NULL, nonce, key),
                                        0);

                                /* From another buffer and in place, as the writer does both. */
                                assert_int_equal(age_stream_seal_chunk(sctx, counter, last, plain, len, evp),
                                                 0);
                                assert_memory_equal(evp, ref, len + AGE_TAG_LEN);
                                memcpy(work, plain, len);
                                assert_int_equal(age_stream_seal_chunk(sctx, counter, last, work, len, work),
                                                 0);
                                assert_memory_equal(work, ref, len + AGE_TAG_LEN);
                                memset(work, 0, len + AGE_TAG_LEN);
                                assert_int_equal(age_stream_seal(key, counter, last, plain, len, work), 0);
                                assert_memory_equal(work, ref, len + AGE_TAG_LEN);

                                /* libsodium's chunk opens with EVP, verify-only leaving it alone. */
                                memcpy(work, ref, len + AGE_TAG_LEN);
                                assert_int_equal(age_stream_open_chunk(octx, counter, last, work,
                                                                       len + AGE_TAG_LEN, true),
                                                 0);
                                assert_memory_equal(work, ref, len + AGE_TAG_LEN);
                                assert_int_equal(age_stream_open_chunk(octx, counter, last, work,
                                                                       len + AGE_TAG_LEN, false),
                                                 0);
                                if (len > 0)
                                        assert_memory_equal(work, plain, len);

                                /* A flipped tag bit: refused, and buf wiped (verify-only: untouched). */
                                bit = randombytes_uniform(8 * AGE_TAG_LEN);
                                memcpy(work, ref, len + AGE_TAG_LEN);
                                work[len + bit / 8] ^= (uint8_t) (1u << (bit % 8));
                                memcpy(tag, work + len, AGE_TAG_LEN);
                                assert_int_equal(age_stream_open_chunk(octx, counter, last, work,
                                                                       len + AGE_TAG_LEN, true),
                                                 -EBADMSG);
                                assert_memory_equal(work, ref, len);
                                assert_memory_equal(work + len, tag, AGE_TAG_LEN);
                                assert_int_equal(age_stream_open_chunk(octx, counter, last, work,
                                                                       len + AGE_TAG_LEN, false),
                                                 -EBADMSG);
                                for (size_t i = 0; i < len + AGE_TAG_LEN; i++)
                                        assert_int_equal(work[i], 0);
                                /* libsodium agrees that it is forged. */
                                assert_int_not_equal(crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                                                             NULL, NULL, ref, len, tag, NULL, 0, nonce, key),
                                                     0);

                                /* The other flag, or a flipped ciphertext bit: refused too. */
                                memcpy(work, ref, len + AGE_TAG_LEN);
                                assert_int_equal(age_stream_open_chunk(octx, counter, !last, work,
                                                                       len + AGE_TAG_LEN, false),
                                                 -EBADMSG);
                                if (len > 0) {
                                        memcpy(work, ref, len + AGE_TAG_LEN);
                                        work[randombytes_uniform((uint32_t) len)] ^= 0x80;
                                        assert_int_equal(age_stream_open_chunk(octx, counter, last, work,
                                                                               len + AGE_TAG_LEN, false),
                                                         -EBADMSG);
                                        for (size_t i = 0; i < len + AGE_TAG_LEN; i++)
                                                assert_int_equal(work[i], 0);
                                }
                                /* The context still works after a refusal. */
                                memcpy(work, ref, len + AGE_TAG_LEN);
                                assert_int_equal(age_stream_open_chunk(octx, counter, last, work,
                                                                       len + AGE_TAG_LEN, false),
                                                 0);
                        }
                /* Shorter than a tag, or longer than a chunk: refused. */
                assert_int_equal(age_stream_open_chunk(octx, 0, true, work, AGE_TAG_LEN - 1, false),
                                 -EBADMSG);
                assert_int_equal(age_stream_seal_chunk(sctx, 0, true, plain, AGE_CHUNK_SIZE + 1, evp),
                                 -EINVAL);
                age_stream_free(sctx);
                age_stream_free(octx);
        }
        assert_null(age_stream_free(NULL));
        free(plain);
        free(ref);
        free(evp);
        free(work);
}

/* The header's length as age_header_len_fd finds it in a file (what the
 * custody checkpoints and salvage count from), against the layout the
 * writer produced; anything that is not a whole header is -EBADMSG. */
static void test_header_len_fd(void **state) {
        char path[] = "/tmp/test-age-hlen.XXXXXX";
        struct sealed s;
        uint64_t hlen = 0;
        int fd = mkstemp(path);

        (void) state;
        assert_true(fd >= 0);
        sealed_make(&s, 3 * AGE_CHUNK_SIZE + 100);
        assert_int_equal(fs_write_all(fd, s.file.data, s.file.len), 0);
        assert_int_equal(age_header_len_fd(fd, &hlen), 0);
        assert_int_equal(hlen, s.payload_start - AGE_PAYLOAD_NONCE_LEN);
        assert_int_equal(s.file.len,
                         hlen + AGE_PAYLOAD_NONCE_LEN + 3 * AGE_ENC_CHUNK_SIZE + 100 + AGE_TAG_LEN);
        assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t) s.file.len); /* pread: the offset is left alone */
        /* Cut inside the MAC line, then not age at all: the length is untouched. */
        assert_int_equal(ftruncate(fd, (off_t) hlen - 1), 0);
        assert_int_equal(age_header_len_fd(fd, &hlen), -EBADMSG);
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(age_header_len_fd(fd, &hlen), -EBADMSG);
        assert_int_equal(pwrite(fd, "hello\n--- x\n", 13, 0), 13);
        assert_int_equal(age_header_len_fd(fd, &hlen), -EBADMSG);
        assert_int_equal(hlen, s.payload_start - AGE_PAYLOAD_NONCE_LEN);
        assert_int_equal(age_header_len_fd(-1, &hlen), -EBADF);
        sealed_done(&s);
        (void) close(fd);
        (void) unlink(path);
}

static void test_header_limits(void **state) {
        uint8_t sk[AGE_KEY_LEN];
        age_read_result res;
        _cleanup_free_ char *big = NULL;
        size_t len = 0, cap = AGE_HEADER_MAX * 2;
        test_sink back = {};

        {
                uint8_t pk[AGE_KEY_LEN];
                test_keypair(0x71, sk, pk);
        }
        /* Too many stanzas. */
        big = malloc(cap);
        len = (size_t) snprintf(big, cap, "age-encryption.org/v1\n");
        for (unsigned i = 0; i < AGE_STANZA_MAX + 1; i++)
                len += (size_t) snprintf(big + len, cap - len, "-> grease\n\n");
        len += (size_t) snprintf(big + len, cap - len, "--- %043d\n", 0);
        assert_int_equal(
                open_file((uint8_t *) big, len, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1, &back, &res),
                AGE_NOT_AGE);
        /* A header with no end, bigger than the limit. */
        len = (size_t) snprintf(big, cap, "age-encryption.org/v1\n-> a\n");
        while (len + 65 < AGE_HEADER_MAX + 100) {
                memset(big + len, 'A', 64);
                big[len + 64] = '\n';
                len += 65;
        }
        assert_int_equal(
                open_file((uint8_t *) big, len, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1, &back, &res),
                AGE_NOT_AGE);
        assert_int_equal(open_file((const uint8_t *) "hello", 5, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1,
                                   &back, &res),
                         AGE_NOT_AGE);
        assert_int_equal(open_file(NULL, 0, (const uint8_t(*)[AGE_KEY_LEN]) & sk, 1, &back, &res),
                         AGE_NOT_AGE);
        assert_int_equal(back.len, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_primitives),
                cmocka_unit_test(test_kat_golden),
                cmocka_unit_test(test_round_trips),
                cmocka_unit_test(test_fd_and_no_match),
                cmocka_unit_test(test_writer_errors),
                cmocka_unit_test(test_tamper),
                cmocka_unit_test(test_truncate),
                cmocka_unit_test(test_stream_rules),
                cmocka_unit_test(test_header_limits),
                cmocka_unit_test(test_header_len_fd),
                cmocka_unit_test(test_stream_evp_matches_libsodium),
        };

        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
