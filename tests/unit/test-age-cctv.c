/* The C2SP community test vectors (CCTV) for age v1, read from the shared
 * folder at test time. Vectors for features we do not implement (scrypt
 * passphrases, post-quantum hybrid recipients, ASCII armor) are skipped and
 * counted; a missing folder is reported as skipped, never as passed. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include <sodium.h>
#include <zlib.h>

#include "age.h"
#include "fsutil.h"
#include "sha256.h"
#include "util.h"

#define VECTOR_MAX (4 * 1024 * 1024)
#define INFLATED_MAX (64 * 1024 * 1024)
#define IDENTITIES_MAX 8

struct vector {
        char expect[32];
        char payload_hex[SHA256_HEX_LEN + 1];
        bool has_payload, compressed, armored, passphrase, post_quantum;
        uint8_t sks[IDENTITIES_MAX][AGE_KEY_LEN];
        size_t n_sks;
        const uint8_t *body;
        size_t body_len;
};

/* Parses the "key: value" lines before the empty line. */
static int vector_parse(char *data, size_t len, struct vector *v) {
        size_t pos = 0;

        *v = (struct vector){};
        while (pos < len) {
                char *line = data + pos, *nl = memchr(line, '\n', len - pos), *val;
                if (!nl)
                        return -EINVAL;
                *nl = '\0';
                pos = (size_t) (nl - data) + 1;
                if (line[0] == '\0') {
                        v->body = (const uint8_t *) data + pos;
                        v->body_len = len - pos;
                        return 0;
                }
                val = strstr(line, ": ");
                if (!val)
                        return -EINVAL;
                *val = '\0';
                val += 2;
                if (strcmp(line, "expect") == 0)
                        (void) snprintf(v->expect, sizeof(v->expect), "%s", val);
                else if (strcmp(line, "payload") == 0) {
                        if (strlen(val) != SHA256_HEX_LEN)
                                return -EINVAL;
                        memcpy(v->payload_hex, val, SHA256_HEX_LEN + 1);
                        v->has_payload = true;
                } else if (strcmp(line, "compressed") == 0)
                        v->compressed = strcmp(val, "zlib") == 0;
                else if (strcmp(line, "armored") == 0)
                        v->armored = strcmp(val, "yes") == 0;
                else if (strcmp(line, "passphrase") == 0)
                        v->passphrase = true;
                else if (strcmp(line, "identity") == 0) {
                        if (strncmp(val, "AGE-SECRET-KEY-1", 16) != 0) {
                                v->post_quantum = true;
                                continue;
                        }
                        if (v->n_sks >= IDENTITIES_MAX || age_identity_parse(val, v->sks[v->n_sks]) < 0)
                                return -EINVAL;
                        v->n_sks++;
                }
        }
        return -EINVAL;
}

static int inflate_body(const uint8_t *in, size_t len, uint8_t **ret, size_t *ret_len) {
        z_stream z = {};
        uint8_t *out = NULL;
        size_t cap = 0;
        int r;

        if (inflateInit(&z) != Z_OK)
                return -ENOMEM;
        z.next_in = (Bytef *) in;
        z.avail_in = (uInt) len;
        do {
                if (z.total_out == cap) {
                        uint8_t *p;
                        if (cap >= INFLATED_MAX) {
                                r = Z_BUF_ERROR;
                                break;
                        }
                        cap = cap ? cap * 2 : 1 << 16;
                        p = realloc(out, cap);
                        if (!p) {
                                r = Z_MEM_ERROR;
                                break;
                        }
                        out = p;
                }
                z.next_out = out + z.total_out;
                z.avail_out = (uInt) (cap - z.total_out);
                r = inflate(&z, Z_NO_FLUSH);
        } while (r == Z_OK);
        *ret_len = z.total_out;
        inflateEnd(&z);
        if (r != Z_STREAM_END) {
                free(out);
                return -EINVAL;
        }
        *ret = out;
        return 0;
}

/* Runs one vector; returns true when our reader agrees with it. */
static bool run_vector(const char *name, struct vector *v) {
        _cleanup_free_ uint8_t *inflated = NULL;
        const uint8_t *file = v->body;
        size_t file_len = v->body_len;
        test_sink out = {};
        age_read_result res;
        bool ok = false;
        char hex[SHA256_HEX_LEN + 1];
        uint8_t digest[SHA256_LEN];

        if (v->compressed) {
                if (inflate_body(v->body, v->body_len, &inflated, &file_len) < 0) {
                        print_error("%s: cannot inflate the vector\n", name);
                        return false;
                }
                file = inflated;
        }
        if (age_decrypt_buf(file, file_len, (const uint8_t(*)[AGE_KEY_LEN]) v->sks, v->n_sks,
                            test_sink_append, &out, &res) < 0) {
                print_error("%s: the reader failed\n", name);
                test_sink_done(&out);
                return false;
        }
        sha256_buf(out.data ? out.data : (const uint8_t *) "", out.len, digest);
        sha256_hex(digest, hex);

        if (strcmp(v->expect, "success") == 0)
                ok = res.verdict == AGE_OK && v->has_payload && strcmp(hex, v->payload_hex) == 0;
        else if (strcmp(v->expect, "no match") == 0)
                ok = res.verdict == AGE_NO_MATCH && out.len == 0;
        else if (strcmp(v->expect, "HMAC failure") == 0)
                ok = res.verdict == AGE_HEADER_MAC && out.len == 0;
        else if (strcmp(v->expect, "header failure") == 0)
                ok = res.verdict == AGE_NOT_AGE && out.len == 0;
        else if (strcmp(v->expect, "payload failure") == 0)
                /* We hand out only chunks that authenticated. */
                ok = (res.verdict == AGE_TAMPERED || res.verdict == AGE_TRUNCATED) &&
                     out.len == res.intact_chunks * AGE_CHUNK_SIZE;
        if (ok && strcmp(v->expect, "payload failure") == 0 && out.len > 0 &&
            (!v->has_payload || strcmp(hex, v->payload_hex) != 0)) {
                /* The reference releases a final chunk before it sees the
                 * trailing data; we hold it back. Both are authentic. */
                print_message(
                        "age-cctv: %s: we released %zu authentic bytes, not what the reference released\n",
                        name, out.len);
        }
        if (!ok)
                print_error("%s: expected %s, got %s (%s), released %zu bytes\n", name, v->expect,
                            age_verdict_to_string(res.verdict), res.detail, out.len);
        test_sink_done(&out);
        return ok;
}

static void test_cctv(void **state) {
        const char *shared = getenv("STUDIO_SHARED_DIR");
        _cleanup_free_ char *dir = NULL;
        struct dirent **names = NULL;
        unsigned ran = 0, failed = 0, skip_scrypt = 0, skip_pq = 0, skip_armor = 0;
        int n;

        if (!shared || asprintf(&dir, "%s/vectors/age-cctv", shared) < 0) {
                print_message("age-cctv: STUDIO_SHARED_DIR is not set: SKIPPED all vectors\n");
                skip();
        }
        n = scandir(dir, &names, NULL, alphasort);
        if (n < 0) {
                print_message("age-cctv: %s is missing: SKIPPED all vectors\n", dir);
                free(TAKE_PTR(dir)); /* skip() jumps out, past the cleanup */
                skip();
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *data = NULL;
                struct vector v;
                size_t len = 0;

                if (names[i]->d_name[0] == '.' || strcmp(names[i]->d_name, "README.md") == 0) {
                        free(names[i]);
                        continue;
                }
                assert_true(asprintf(&path, "%s/%s", dir, names[i]->d_name) > 0);
                assert_int_equal(fs_read_file(path, VECTOR_MAX, &data, &len), 0);
                if (vector_parse(data, len, &v) < 0) {
                        print_error("%s: cannot parse the vector\n", names[i]->d_name);
                        failed++;
                } else if (v.passphrase)
                        skip_scrypt++;
                else if (v.post_quantum || strncmp(names[i]->d_name, "hybrid", 6) == 0)
                        skip_pq++;
                else if (v.armored)
                        skip_armor++;
                else {
                        ran++;
                        if (!run_vector(names[i]->d_name, &v))
                                failed++;
                }
                free(names[i]);
        }
        free(names);
        print_message(
                "age-cctv: %u vectors ran, %u failed; skipped %u (%u scrypt/passphrase, %u post-quantum "
                "hybrid, %u armored)\n",
                ran, failed, skip_scrypt + skip_pq + skip_armor, skip_scrypt, skip_pq, skip_armor);
        assert_true(ran > 0);
        assert_int_equal(failed, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cctv),
        };

        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
