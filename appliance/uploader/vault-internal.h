/* What a vault backend provides (vault-dir.c, vault-s3.c): vault_open picks
 * the backend from the scheme of [uploader] vault, and the public vault_*
 * functions call through the ops table. Nothing outside appliance/uploader
 * includes this header. */
#pragma once

#include "vault.h"

typedef struct vault_ops {
        /* Same contract as vault_put_md5 / vault_head (vault.h); content_md5_b64
         * is NULL or checked well-formed. */
        int (*put)(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
                   const char *content_md5_b64, vault_progress_fn progress, void *userdata,
                   vault_receipt *ret, gchar **ret_message);
        int (*head)(vault *v, const char *key, vault_receipt *ret, gchar **ret_message);
        /* Same contract as vault_confirm (vault.h); want->key is checked valid. */
        int (*confirm)(vault *v, const vault_receipt *want, gchar **ret_message);
        /* Same contract as vault_get / vault_list (vault.h); NULL: -EOPNOTSUPP. */
        int (*get)(vault *v, const char *key, int fd, uint64_t max, uint64_t *ret_size, gchar **ret_message);
        int (*list)(vault *v, const char *prefix, vault_list_fn fn, void *userdata, unsigned *ret_refused,
                    gchar **ret_message);
        int (*delete_version)(vault *v, const char *key, const char *version_id, gchar **ret_message);
        /* Frees the backend's state (impl) only; vault_free frees the rest. */
        void (*free)(void *impl);
} vault_ops;

struct vault {
        const vault_ops *ops;
        void *impl;         /* the backend's own state */
        gchar *description; /* for vault_describe: never a credential */
};

/* Builds a vault around a backend's state; takes description. */
vault *vault_new(const vault_ops *ops, void *impl, gchar *description);

/* "dir:/path" (vault-dir.c). */
int vault_dir_open(const char *root, vault **ret, gchar **ret_message);
/* "s3://bucket/prefix" (vault-s3.c). */
int vault_s3_open(const studio_uploader_conf *conf, vault **ret, const char **ret_key, gchar **ret_message);
