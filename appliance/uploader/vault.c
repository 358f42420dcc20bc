/* vault_open picks the backend from the scheme; the rest calls through the
 * backend's ops table (vault-internal.h). */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "fsutil.h"
#include "util.h"
#include "vault-internal.h"

void vault_receipt_clear(vault_receipt *r) {
        if (!r)
                return;
        g_free(r->key);
        g_free(r->etag);
        g_free(r->version_id);
        g_free(r->retention_mode);
        g_free(r->vault);
        memset(r, 0, sizeof(*r));
}

vault *vault_new(const vault_ops *ops, void *impl, gchar *description) {
        vault *v = g_new0(vault, 1);

        v->ops = ops;
        v->impl = impl;
        v->description = description;
        return v;
}

int vault_open(const studio_uploader_conf *conf, vault **ret, gchar **ret_message) {
        return vault_open_key(conf, ret, NULL, ret_message);
}

int vault_open_key(const studio_uploader_conf *conf, vault **ret, const char **ret_key,
                   gchar **ret_message) {
        const char *spec = conf ? conf->vault : NULL;
        const char *key = "vault";

        if (!ret_key)
                ret_key = &key;
        *ret_key = "vault";

        if (!spec || !*spec) {
                *ret_message = g_strdup(
                        "no vault is configured: set [uploader] vault = dir:/path or s3://bucket/prefix");
                return -EINVAL;
        }
        if (g_str_has_prefix(spec, "dir:"))
                return vault_dir_open(spec + strlen("dir:"), ret, ret_message);
        if (g_str_has_prefix(spec, "s3://"))
                return vault_s3_open(conf, ret, ret_key, ret_message);

        g_autofree char *shown = escape_text(spec);
        *ret_message = g_strdup_printf("[uploader] vault \"%s\" is neither dir:/path nor s3://bucket/prefix",
                                       shown);
        return -EINVAL;
}

vault *vault_free(vault *v) {
        if (!v)
                return NULL;
        if (v->ops && v->ops->free)
                v->ops->free(v->impl);
        g_free(v->description);
        g_free(v);
        return NULL;
}

const char *vault_describe(const vault *v) {
        return v ? v->description : "(no vault)";
}

/* The description names the folder, or the endpoint, bucket and prefix,
 * and never a credential: exactly what tells two vaults apart. Changing
 * its wording makes every existing receipt "another vault" (re-confirmed,
 * never a wipe), so it stays as it is. */
const char *vault_id(const vault *v) {
        return vault_describe(v);
}

/* Stamps a receipt with the vault that gave it. */
static int stamped(vault *v, int r, vault_receipt *ret) {
        if (r == 0) {
                g_free(ret->vault);
                ret->vault = g_strdup(vault_id(v));
        }
        return r;
}

/* Refused before the vault is touched: a key that could climb out of the
 * vault's root, alias another key, or collide with a backend's hidden
 * temporary names (which start with '.'). */
bool vault_key_valid(const char *key) {
        if (!key || !*key || strlen(key) > VAULT_KEY_MAX || key[0] == '/')
                return false;
        for (const char *p = key; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f || *p == '\\')
                        return false;
        g_auto(GStrv) parts = g_strsplit(key, "/", -1);
        for (char **p = parts; *p; p++)
                if (!fs_name_valid(*p) || (*p)[0] == '.')
                        return false;
        return true;
}

static bool hex64_valid(const char *s) {
        if (!s || strlen(s) != 64)
                return false;
        for (; *s; s++)
                if (!g_ascii_isdigit(*s) && !(*s >= 'a' && *s <= 'f'))
                        return false;
        return true;
}

static int key_refused(const char *key, gchar **ret_message) {
        g_autofree char *shown = escape_text(key ? key : "");
        *ret_message = g_strdup_printf("vault key \"%s\" is not a relative path of plain names (no \"..\", "
                                       "no empty part, no leading \"/\" or \".\")",
                                       shown);
        return -EINVAL;
}

/* 16 bytes in base64: 22 characters of the alphabet, then "==". */
static bool md5_b64_valid(const char *s) {
        if (strlen(s) != VAULT_MD5_B64_LEN || strcmp(s + 22, "==") != 0)
                return false;
        for (size_t i = 0; i < 22; i++)
                if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '/')
                        return false;
        return true;
}

int vault_put_md5(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
                  const char *content_md5_b64, vault_progress_fn progress, void *userdata,
                  vault_receipt *ret, gchar **ret_message) {
        if (!vault_key_valid(key))
                return key_refused(key, ret_message);
        if (!hex64_valid(sha256_hex)) {
                *ret_message = g_strdup("vault_put needs the file's SHA-256 as 64 lowercase hex digits");
                return -EINVAL;
        }
        if (content_md5_b64 && !md5_b64_valid(content_md5_b64)) {
                *ret_message = g_strdup("vault_put needs the file's Content-MD5 as 24 characters of base64");
                return -EINVAL;
        }
        return stamped(v,
                       v->ops->put(v, key, fd, size, sha256_hex, content_md5_b64, progress, userdata, ret,
                                   ret_message),
                       ret);
}

int vault_put(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
              vault_progress_fn progress, void *userdata, vault_receipt *ret, gchar **ret_message) {
        return vault_put_md5(v, key, fd, size, sha256_hex, NULL, progress, userdata, ret, ret_message);
}

int vault_head(vault *v, const char *key, vault_receipt *ret, gchar **ret_message) {
        if (!vault_key_valid(key))
                return key_refused(key, ret_message);
        return stamped(v, v->ops->head(v, key, ret, ret_message), ret);
}

int vault_confirm(vault *v, const vault_receipt *want, gchar **ret_message) {
        if (!vault_key_valid(want->key))
                return key_refused(want->key, ret_message);
        if (!hex64_valid(want->sha256)) {
                g_autofree char *shown = escape_text(want->key);
                *ret_message =
                        g_strdup_printf("the receipt of %s holds no SHA-256: it proves nothing", shown);
                return -EBADMSG;
        }
        return v->ops->confirm(v, want, ret_message);
}

static int not_supported(vault *v, const char *what, gchar **ret_message) {
        *ret_message = g_strdup_printf("%s cannot %s: only an s3:// vault is read through the vault library",
                                       vault_describe(v), what);
        return -EOPNOTSUPP;
}

int vault_get(vault *v, const char *key, int fd, uint64_t max, uint64_t *ret_size, gchar **ret_message) {
        if (!vault_key_valid(key))
                return key_refused(key, ret_message);
        if (!v->ops->get)
                return not_supported(v, "read an object", ret_message);
        return v->ops->get(v, key, fd, max, ret_size, ret_message);
}

int vault_list(vault *v, const char *prefix, vault_list_fn fn, void *userdata, unsigned *ret_refused,
               gchar **ret_message) {
        unsigned refused = 0;
        int r;

        /* "" or a key ending in '/': the folder's own name is checked as a key */
        if (*prefix) {
                g_autofree char *folder = g_strndup(prefix, strlen(prefix) - g_str_has_suffix(prefix, "/"));
                if (!vault_key_valid(folder))
                        return key_refused(prefix, ret_message);
        }
        if (!v->ops->list)
                return not_supported(v, "be listed", ret_message);
        r = v->ops->list(v, prefix, fn, userdata, &refused, ret_message);
        if (ret_refused)
                *ret_refused = refused;
        return r;
}

int vault_delete_version(vault *v, const char *key, const char *version_id, gchar **ret_message) {
        if (!vault_key_valid(key))
                return key_refused(key, ret_message);
        if (!version_id || !*version_id || strlen(version_id) > 1024) {
                *ret_message = g_strdup("vault_delete_version needs a version id");
                return -EINVAL;
        }
        if (!v->ops->delete_version)
                return not_supported(v, "delete a version", ret_message);
        return v->ops->delete_version(v, key, version_id, ret_message);
}
