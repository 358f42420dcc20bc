/* The three minisign signatures: manifest.json, SHA256SUMS, SHA256SUMS.sealed. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "verify.h"

static void check_comment(verify_ctx *c, const char *name, const char *comment) {
        g_autofree char *want_file = g_strdup_printf("file=%s", name);
        g_autofree char *want_session = c->m ? g_strdup_printf("session=%s ", c->m->session) : NULL;
        g_auto(GStrv) words = g_strsplit(comment ? comment : "", " ", 16);

        if (!comment || !g_strv_contains((const char *const *) words, want_file))
                verify_add(c, VERIFY_TAMPERED, name, NULL,
                           "the signature's trusted comment names another file: \"%s\"",
                           comment ? comment : "");
        else if (want_session && !g_str_has_prefix(comment, want_session))
                verify_add(c, VERIFY_TAMPERED, name, NULL,
                           "the signature belongs to another session: \"%s\"", comment);
}

/* NAME.minisig read into *ret_sig and its key id into id; false, with the
 * finding added, when it is missing, unusable or not a signature. */
static bool read_signature(verify_ctx *c, const char *name, char **ret_sig, size_t *ret_len,
                           uint8_t id[MINISIGN_KEY_ID_LEN]) {
        g_autofree char *sig_name = g_strdup_printf("%s.minisig", name);
        g_autofree char *sig = NULL;
        size_t len = 0;
        int r;

        r = fs_read_fileat(c->dirfd, sig_name, 64 * 1024, &sig, &len);
        if (r == -ENOENT) {
                verify_add(c, VERIFY_UNSIGNED, name, NULL, "%s has no signature (%s is missing)", name,
                           sig_name);
                return false;
        }
        if (r == -EISDIR || r == -EINVAL || r == -ELOOP) {
                verify_add(c, VERIFY_UNSIGNED, name, NULL, "%s has no usable signature (%s %s)", name,
                           sig_name, verify_unusable_why(r));
                return false;
        }
        if (r < 0 || minisign_sig_key_id(sig, len, id) < 0) {
                verify_add(c, VERIFY_TAMPERED, name, NULL, "%s is not a readable minisign signature",
                           sig_name);
                return false;
        }
        *ret_sig = g_steal_pointer(&sig);
        *ret_len = len;
        return true;
}

/* Whether the signature's key id is the trusted key's; the finding added
 * when not. */
static bool signed_by_trusted_key(verify_ctx *c, const char *name, const uint8_t id[MINISIGN_KEY_ID_LEN]) {
        char got[2 * MINISIGN_KEY_ID_LEN + 1], want[2 * MINISIGN_KEY_ID_LEN + 1];

        minisign_key_id_hex(id, got);
        minisign_key_id_hex(c->key.key_id, want);
        if (strcmp(got, want) == 0)
                return true;
        /* data that fails under the key the session claims is TAMPERED;
         * under a key only the examiner gave, the key is simply not the
         * one that signed it */
        if (c->key_from_session)
                verify_add(c, VERIFY_TAMPERED, name, NULL,
                           "%s is signed by key %s, but the session names key %s as its signer", name, got,
                           want);
        else
                verify_add(c, VERIFY_UNTRUSTED_KEY, name, NULL,
                           "%s is signed by key %s, not by the given key %s", name, got, want);
        return false;
}

/* The file's content against the signature, then its trusted comment. */
static void check_content(verify_ctx *c, const char *name, const char *sig, size_t len) {
        g_autofree char *comment = NULL;
        struct stat st;
        int fd, r;

        fd = verify_open(c, name, &st);
        if (fd >= 0 && (uint64_t) st.st_size > CUSTODY_MANIFEST_MAX) {
                /* never hash a sparse giant: no session file is this large */
                verify_add(c, VERIFY_TAMPERED, name, NULL,
                           "%s is %" G_GUINT64_FORMAT " bytes, larger than any "
                           "session's (%d bytes); it was not hashed",
                           name, (uint64_t) st.st_size, CUSTODY_MANIFEST_MAX);
                (void) close(fd);
                return;
        }
        r = fd < 0 ? fd : minisign_verify_fd(&c->key, fd, sig, len, &comment);
        if (fd >= 0)
                (void) close(fd);
        if (r < 0) {
                verify_add(c, VERIFY_TAMPERED, name, NULL,
                           "the signature of %s does not match its content (%s)", name,
                           r == -EBADE ? "bad signature" : g_strerror(-r));
                return;
        }
        check_comment(c, name, comment);
}

static void check_one(verify_ctx *c, const char *name) {
        g_autofree char *sig = NULL;
        uint8_t id[MINISIGN_KEY_ID_LEN];
        size_t len = 0;

        if (!verify_session_file(c, name))
                return; /* missing or not a regular file: reported by the file check */
        if (!read_signature(c, name, &sig, &len, id))
                return;
        if (!c->have_key || !signed_by_trusted_key(c, name, id))
                return;
        check_content(c, name, sig, len);
}

void verify_check_signatures(verify_ctx *c) {
        static const char *const files[] = {"manifest.json", "SHA256SUMS", "SHA256SUMS.sealed"};

        for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
                check_one(c, files[i]);
}
