/* Reading a bundle from a folder that came from elsewhere (a drive anyone
 * could have written): its two files opened relative to the folder, never
 * through a link, bounded; the signature checked before a byte is parsed. */
#include "provision.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"
#include "minisign.h"
#include "sha256.h"
#include "util.h"

provision_bundle *provision_bundle_free(provision_bundle *pb) {
        if (!pb)
                return NULL;
        keys_bundle_free(pb->b);
        g_free(pb->sha256);
        g_free(pb->where);
        g_free(pb);
        return NULL;
}

static const char *read_refusal(int r) {
        switch (r) {
        case -ELOOP:
                return "is a symbolic link (copy the file itself)";
        case -EFBIG:
                return "is too large to be a bundle";
        case -EISDIR:
        case -EINVAL:
                return "is not a regular file";
        default:
                return g_strerror(-r);
        }
}

static int read_member(int dirfd, const char *dir, const char *name, size_t max, char **ret, size_t *ret_len,
                       gchar **msg) {
        int r = fs_read_fileat(dirfd, name, max, ret, ret_len);

        if (r < 0 && r != -ENOENT)
                *msg = g_strdup_printf("%s/%s %s: bundle refused", dir, name, read_refusal(r));
        else if (r == -ENOENT && g_strcmp0(name, KEYS_BUNDLE_SIG_NAME) == 0)
                *msg = g_strdup_printf("%s/%s is missing: an unsigned bundle is refused (sign it with "
                                       "'studio-keys bundle-make')",
                                       dir, name);
        return r;
}

static const char *sig_refusal(int r) {
        switch (r) {
        case -EKEYREJECTED:
                return "it was signed by another key than police IT's";
        case -EBADE:
                return "the signature does not match: the bundle was altered after it was signed";
        case -EBADMSG:
                return "the signature file is malformed";
        default:
                return g_strerror(-r);
        }
}

static int verify(const char *dir, const char *it_key, const char *json, size_t len, const char *sig,
                  size_t sig_len, gchar **msg) {
        minisign_public pk;
        int r = minisign_public_load(it_key, &pk);

        if (r < 0) {
                *msg = g_strdup_printf("cannot read police IT's public key %s: %s (the image must carry it)",
                                       it_key, r == -EBADMSG ? "not a minisign public key" : g_strerror(-r));
                return r;
        }
        r = minisign_verify_buf(&pk, (const uint8_t *) json, len, sig, sig_len, NULL);
        if (r < 0)
                *msg = g_strdup_printf("%s/%s does not verify with %s: %s; bundle refused", dir,
                                       KEYS_BUNDLE_NAME, it_key, sig_refusal(r));
        return r;
}

/* Both files, read relative to the folder (plain C: _cleanup_). */
static int read_both(const char *dir, char **ret_json, size_t *ret_len, char **ret_sig, size_t *ret_sig_len,
                     gchar **msg) {
        _cleanup_close_ int dirfd = fs_open_dir(dir);
        _cleanup_free_ char *json = NULL, *sig = NULL;
        size_t len = 0, sig_len = 0;
        int r;

        if (dirfd == -ENOENT)
                return -ENOENT;
        if (dirfd < 0) {
                *msg = g_strdup_printf("cannot open the bundle folder %s: %s", dir, g_strerror(-dirfd));
                return dirfd;
        }
        r = read_member(dirfd, dir, KEYS_BUNDLE_NAME, KEYS_BUNDLE_MAX, &json, &len, msg);
        if (r >= 0)
                r = read_member(dirfd, dir, KEYS_BUNDLE_SIG_NAME, KEYS_BUNDLE_SIG_MAX, &sig, &sig_len, msg);
        if (r == -ENOENT && json)
                return -ENOKEY; /* a bundle without its signature: refused, not absent */
        if (r < 0)
                return r;
        *ret_json = TAKE_PTR(json);
        *ret_len = len;
        *ret_sig = TAKE_PTR(sig);
        *ret_sig_len = sig_len;
        return 0;
}

int provision_bundle_load(const char *dir, const char *it_key, provision_bundle **ret, gchar **ret_message) {
        g_autoptr(provision_bundle) pb = g_new0(provision_bundle, 1);
        g_autofree gchar *msg = NULL, *why = NULL;
        g_autofree char *json = NULL, *sig = NULL; /* malloc'd: g_free is free */
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        size_t len = 0, sig_len = 0;
        int r;

        r = read_both(dir, &json, &len, &sig, &sig_len, &msg);
        if (r >= 0)
                r = verify(dir, it_key, json, len, sig, sig_len, &msg);
        if (r >= 0 && (r = keys_bundle_parse(json, len, &pb->b, &why)) < 0)
                msg = g_strdup_printf("%s/%s is signed but malformed: %s; bundle refused", dir,
                                      KEYS_BUNDLE_NAME, why);
        if (r < 0) {
                if (msg)
                        *ret_message = g_steal_pointer(&msg);
                return r;
        }
        sha256_buf(json, len, digest);
        sha256_hex(digest, hex);
        pb->sha256 = g_strdup(hex);
        pb->where = g_strdup(dir);
        *ret = g_steal_pointer(&pb);
        return 0;
}
