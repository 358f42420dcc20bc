/* The vault the uploader hands sealed sessions to: one interface, two
 * backends (vault-dir.c: a local or mounted folder; vault-s3.c: any
 * S3-compatible store with Object Lock, through libcurl's SigV4).
 *
 * Keys are '/'-separated paths below the vault's prefix:
 *   <session>/seg-000001.mkv.age, <session>/custody.jsonl, …  a session's files
 *   receipts/<session>.jsonl                                 its receipts
 *   heartbeats/<device id>/<UTC time>-<kind>.json            heartbeats, status
 * A receipt exists only once the vault has confirmed the object: the
 * directory vault re-reads the file and compares its SHA-256; S3 answers a
 * HEAD with the size, the lock mode COMPLIANCE and a retain-until date no
 * earlier than asked. The lock is verified, never assumed.
 *
 * Functions return 0 or -errno with *ret_message (one sentence naming the
 * object and what to do; never a credential). -EAGAIN: try again later
 * (network, server down, 5xx); -EACCES: credentials refused (do not retry
 * in a storm); -ENOLCK: the vault does not enforce retention; -EBADMSG: the
 * vault answered but holds something else. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sha256.h"
#include "studio-conf.h"

typedef struct vault vault;

typedef struct vault_receipt {
        gchar *key; /* below the prefix, as given */
        uint64_t size;
        char sha256[65];         /* hex, of the bytes stored */
        gchar *etag;             /* S3: the ETag (quotes removed); dir: NULL */
        gchar *version_id;       /* S3: the version id; dir: NULL */
        gchar *retention_mode;   /* S3: "COMPLIANCE"; dir: "read-only" */
        int64_t retain_until_us; /* S3: the lock's end; dir: 0 */
        int64_t confirmed_us;    /* when the vault confirmed it (g_get_real_time) */
        gchar *vault;            /* vault_id of the vault that confirmed it */
} vault_receipt;

void vault_receipt_clear(vault_receipt *r);

/* From [uploader] (vault, endpoint, region, credentials_file, ca_file,
 * pinned_key, retention_days, max_rate). */
int vault_open(const studio_uploader_conf *conf, vault **ret, gchar **ret_message);
/* The same; on failure *ret_key (may be NULL) names the [uploader] key that
 * is wrong ("vault", "endpoint", "region", "retention_days",
 * "credentials_file"), so the caller can name its file and line. */
int vault_open_key(const studio_uploader_conf *conf, vault **ret, const char **ret_key, gchar **ret_message);
vault *vault_free(vault *v);
/* "dir:/srv/vault" or "s3://bucket/prefix/ at https://host" for messages. */
const char *vault_describe(const vault *v);
/* Which vault this is, as receipts record it ("vault" member): the folder
 * of a directory vault, the endpoint, bucket and prefix of an S3 one (the
 * same text as vault_describe, never a credential). A receipt that names
 * another vault proves nothing about this one. */
const char *vault_id(const vault *v);

/* Stores size bytes read from fd (from offset 0; the file is not changed)
 * under key, whose SHA-256 the caller has computed (sha256_hex). Idempotent:
 * an object already there with that size and hash is confirmed, not sent
 * again. Memory stays bounded whatever the size. progress (may be NULL) is
 * called with the bytes sent so far. */
typedef void (*vault_progress_fn)(uint64_t sent, uint64_t total, void *userdata);
int vault_put(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
              vault_progress_fn progress, void *userdata, vault_receipt *ret, gchar **ret_message);

/* As vault_put, with the object's Content-MD5 (base64 of its MD5) when the
 * caller has it from the same read as its SHA-256 (vault_digests_fd); NULL:
 * the S3 backend reads the file once more to compute it. The directory
 * vault does not use it. */
#define VAULT_MD5_B64_LEN 24
int vault_put_md5(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
                  const char *content_md5_b64, vault_progress_fn progress, void *userdata,
                  vault_receipt *ret, gchar **ret_message);
/* The SHA-256 (hex) and Content-MD5 (base64) of fd from its current offset
 * to its end, in one read; ret_size (may be NULL) gets the length. */
int vault_digests_fd(int fd, char ret_sha256_hex[SHA256_HEX_LEN + 1],
                     char ret_md5_b64[VAULT_MD5_B64_LEN + 1], uint64_t *ret_size);

/* What the vault holds under key: -ENOENT when nothing. For S3 the receipt
 * is filled from the HEAD (and the retention checked as for a put). */
int vault_head(vault *v, const char *key, vault_receipt *ret, gchar **ret_message);

/* Streams the object under key into fd (written from its current offset):
 * at most max bytes, memory bounded whatever the object's size. -ENOENT
 * when there is none; -EFBIG when it is larger than max (what came is in
 * fd, at most max bytes: the caller truncates or keeps it as evidence);
 * *ret_size (may be NULL) the bytes written. The S3 backend only (the
 * directory backend: -EOPNOTSUPP; its readers open the files themselves). */
int vault_get(vault *v, const char *key, int fd, uint64_t max, uint64_t *ret_size, gchar **ret_message);

/* Lists the objects whose key starts with prefix (below the vault's own
 * prefix; "" for all, "receipts/" for one folder), page by page
 * (ListObjectsV2, encoding-type=url), calling fn for each with its key
 * decoded and relative to the vault's prefix, its size and its
 * LastModified (µs since the epoch, 0 when the store did not say). The key
 * is the store's, outside input: any byte but NUL, any length; fn checks
 * it before using it (vault_key_valid). fn returns < 0 to stop the listing
 * (that value is returned). *ret_refused (may be NULL) counts entries the
 * listing could not decode (never passed to fn). Memory is bounded by one
 * page whatever the number of objects; a listing that has not ended after
 * 100,000 pages (or repeats its token) is -E2BIG (-EBADMSG). The S3
 * backend only. */
typedef int (*vault_list_fn)(const char *key, uint64_t size, int64_t modified_us, void *userdata);
int vault_list(vault *v, const char *prefix, vault_list_fn fn, void *userdata, unsigned *ret_refused,
               gchar **ret_message);

/* Asks the vault to delete one version of key, which must be locked: the
 * intake's lock canary. 0: the vault DELETED it (it does not enforce its
 * lock); -EACCES: refused, as a locked version must be; -ENOENT: no such
 * version; other -errno: the vault could not be asked. The S3 backend only. */
int vault_delete_version(vault *v, const char *key, const char *version_id, gchar **ret_message);

/* Proves, now, that the vault still holds the object a receipt names
 * (want: key, size, sha256; for S3 version_id and retain_until_us too):
 * the directory vault reads the file again and hashes it; S3 HEADs that
 * version and checks its size, its x-amz-meta-sha256, the lock mode
 * COMPLIANCE and a retain-until no earlier than the receipt's and still to
 * come. 0 confirmed; -ENOENT it is not there (or the receipt names no
 * version); -EBADMSG other content; -ENOLCK not locked as the receipt
 * says; any other -errno: the vault could not be asked (unreachable,
 * credentials), which proves nothing either way. */
int vault_confirm(vault *v, const vault_receipt *want, gchar **ret_message);

/* A key below the vault's prefix is '/'-separated parts, each a valid
 * single name (fs_name_valid) not starting with '.' (the backends'
 * temporary names): no leading '/', no empty part, no "." or "..", no
 * control character or backslash, at most VAULT_KEY_MAX bytes. Both backends refuse anything else
 * with -EINVAL before touching the vault. */
#define VAULT_KEY_MAX 1024
bool vault_key_valid(const char *key);
