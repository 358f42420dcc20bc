/* With --identity: decrypt each segment (age last-chunk flag, plaintext
 * SHA-256). With --media: working copies against the plaintext hashes. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "age.h"
#include "verify.h"

static int hash_plain(void *userdata, const uint8_t *buf, size_t len) {
        sha256_update(userdata, buf, len);
        return 0;
}

static void judge(verify_ctx *c, verify_segment *s, const age_read_result *res) {
        const char *name = s->g->name;

        if (res->verdict == AGE_NO_MATCH && c->recipients) {
                /* verify_run made sure the identity is a listed recipient */
                verify_add(c, VERIFY_TAMPERED, name, "age",
                           "%s does not open with --identity, although its "
                           "recipient is listed in the signed manifest",
                           name);
                return;
        }
        if (res->verdict == AGE_NO_MATCH) {
                verify_warn(c, name, NULL, "the --identity key does not open %s", name);
                return;
        }
        if (!s->g->truncated && res->verdict == AGE_OK) {
                if (strcmp(s->plaintext_sha256, s->g->plaintext_sha256) != 0)
                        verify_add_hash(c, VERIFY_TAMPERED, name, "plaintext", s->g->plaintext_sha256,
                                        s->plaintext_sha256, "the decrypted %s differs from the manifest",
                                        s->g->plaintext_name);
                return;
        }
        if (s->g->truncated && res->verdict == AGE_TRUNCATED) {
                /* the unverifiable count is the manifest's, in the TRUNCATED
                 * finding: one count everywhere */
                verify_warn(c, name, NULL,
                            "decrypts to %" G_GUINT64_FORMAT " authentic plaintext bytes, then ends without "
                            "the last chunk",
                            res->plaintext_bytes);
                return;
        }
        verify_add(c, VERIFY_TAMPERED, name, "age", "decrypting %s: %s (%s)", name,
                   age_verdict_to_string(res->verdict), res->detail);
}

static void decrypt_one(verify_ctx *c, verify_segment *s) {
        age_read_result res = {0};
        sha256_ctx *h = sha256_new();
        uint8_t d[SHA256_LEN];
        int fd = verify_open(c, s->g->name, NULL), r;

        r = fd < 0 ? fd
                   : age_decrypt_fd(fd, (const uint8_t(*)[AGE_KEY_LEN]) c->sks, c->n_sks, hash_plain, h,
                                    &res);
        if (fd >= 0)
                (void) close(fd);
        if (r >= 0 && sha256_final(h, d) >= 0) {
                sha256_hex(d, s->plaintext_sha256);
                s->age_verdict = age_verdict_to_string(res.verdict);
                judge(c, s, &res);
        } else
                verify_warn(c, s->g->name, NULL, "cannot decrypt %s: %s", s->g->name, g_strerror(-r));
        sha256_free(h);
}

int verify_load_identity(verify_ctx *c) {
        unsigned bad = 0;

        if (!c->opt->identity)
                return 0;
        const char *path = c->opt->identity;
        int r;

        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
                return verify_fail(
                        c,
                        "--identity %s is missing or not a regular file: give the vault's age identity "
                        "file (AGE-SECRET-KEY-1…)",
                        path);
        r = age_identities_file_read(path, &c->sks, &c->n_sks, &bad);
        if (r >= 0)
                return 0;
        if (r == -EINVAL && bad > 0)
                return verify_fail(
                        c,
                        "--identity %s line %u is not an age identity (expected AGE-SECRET-KEY-1…): "
                        "give the vault's age identity file",
                        path, bad);
        if (r == -ENOKEY)
                return verify_fail(
                        c,
                        "--identity %s holds no age identity (expected AGE-SECRET-KEY-1…): give the "
                        "vault's age identity file",
                        path);
        return verify_fail(c, "--identity %s cannot be read (%s): give the vault's age identity file", path,
                           g_strerror(-r));
}

void verify_check_decrypt(verify_ctx *c) {
        if (!c->opt->identity || !c->sks)
                return;
        /* only what was hashed: a file whose size is wrong is never read */
        for (size_t i = 0; i < c->n_segs; i++)
                if (c->segs[i].checked)
                        decrypt_one(c, &c->segs[i]);
}

void verify_check_media(verify_ctx *c) {
        for (size_t i = 0; i < c->opt->n_media; i++) {
                const char *path = c->opt->media[i];
                g_autofree char *base = g_path_get_basename(path);
                uint8_t d[SHA256_LEN];
                char hex[SHA256_HEX_LEN + 1];
                const custody_manifest_segment *by_name = NULL;
                bool found = false;

                if (sha256_file(path, d, NULL) < 0) {
                        verify_add(c, VERIFY_INCOMPLETE, base, "--media", "cannot read working copy %s",
                                   path);
                        continue;
                }
                sha256_hex(d, hex);
                for (size_t k = 0; c->m && k < c->m->n_segments; k++) {
                        const custody_manifest_segment *g = &c->m->segments[k];
                        found |= !g->truncated && strcmp(g->plaintext_sha256, hex) == 0;
                        if (strcmp(g->plaintext_name, base) == 0)
                                by_name = g;
                }
                if (by_name && !by_name->truncated && strcmp(by_name->plaintext_sha256, hex) != 0)
                        verify_add_hash(c, VERIFY_TAMPERED, base, "--media", by_name->plaintext_sha256, hex,
                                        "working copy %s differs from %s in the manifest", path,
                                        by_name->plaintext_name);
                else if (!found && !(by_name && by_name->truncated))
                        verify_add_hash(c, VERIFY_TAMPERED, base, "--media", "(no segment)", hex,
                                        "working copy %s matches no segment of the session", path);
        }
}
