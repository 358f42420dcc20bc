/* What the S3 backend's files share (vault-s3.c: open, PUT, HEAD;
 * vault-s3-read.c: GET, ListObjectsV2). Nothing outside
 * appliance/uploader includes this header. */
#pragma once

#include "s3-creds.h"
#include "s3-request.h"
#include "vault-internal.h"

/* RGW refuses a signed request without the payload hash, even an empty one */
#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct vault_s3 {
        gchar *base_url; /* endpoint/bucket (path-style) */
        gchar *prefix;   /* "" or "a/b/" */
        gchar *sigv4;
        gchar *ca_file;
        gchar *pinned_key;
        int retention_days;
        s3_creds *creds;
        s3_conn conn;
} vault_s3;

extern const vault_ops vault_s3_ops;
void vault_s3_free(void *impl);

/* The URL of key below the vault's prefix. Caller g_frees. */
gchar *vault_s3_object_url(const vault_s3 *s, const char *key);
/* One sentence naming the object and what to do, and the -errno class of
 * vault.h, for an answer that is not a success (what: "PUT", "GET", …). */
int vault_s3_answer_error(const vault *v, const char *key, const char *what, int r, const s3_response *a,
                          gchar **ret_message);

/* vault-s3-read.c */
int vault_s3_get(vault *v, const char *key, int fd, uint64_t max, uint64_t *ret_size, gchar **ret_message);
int vault_s3_list(vault *v, const char *prefix, vault_list_fn fn, void *userdata, unsigned *ret_refused,
                  gchar **ret_message);
