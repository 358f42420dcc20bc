/* The S3 Object Lock vault: one signed PUT per object (curl's SigV4),
 * streamed from the file, then a HEAD that must show the lock before there
 * is a receipt. Opening it (the address, the credentials) is in
 * vault-s3-open.c; reading (GET, ListObjectsV2) in vault-s3-read.c. Written against Ceph RGW 16.2 and AWS;
 * the facts it relies on are in docs/vault-s3.md. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "s3-sign.h"
#include "s3-xml.h"
#include "util.h"
#include "vault-s3-internal.h"

void vault_s3_free(void *impl) {
        vault_s3 *s = impl;

        if (!s)
                return;
        if (s->conn.curl)
                curl_easy_cleanup(s->conn.curl);
        s3_creds_free(s->creds);
        g_free(s->base_url);
        g_free(s->prefix);
        g_free(s->sigv4);
        g_free(s->ca_file);
        g_free(s->pinned_key);
        g_free(s);
}

gchar *vault_s3_object_url(const vault_s3 *s, const char *key) {
        g_autofree gchar *path = g_strconcat(s->prefix, key, NULL);
        g_autofree char *encoded = s3_uri_encode(path, true);
        return g_strconcat(s->base_url, "/", encoded, NULL);
}

/* The answer's S3 error code ("" when none): HEAD answers have no body. */
static gchar *error_code(const s3_response *r) {
        char *code = s3_error_code(r->body->str, r->body->len);
        return code ? code : g_strdup("");
}

/* What to do after a transfer that got no HTTP answer: a TLS refusal
 * names the setting that refused it (a person must act), anything else is
 * retried. */
static const char *tls_advice(int r, CURLcode code) {
        if (r != -EACCES)
                return "it will be retried";
        if (code == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
                return "the server's public key does not match [uploader] pinned_key: check it with police "
                       "IT";
        if (code == CURLE_SSL_CACERT_BADFILE)
                return "[uploader] ca_file cannot be read as a CA bundle: check it with police IT";
        return "the server's certificate is not signed by the CA in [uploader] ca_file (or, without "
               "ca_file, by a system CA): check ca_file with police IT";
}

int vault_s3_answer_error(const vault *v, const char *key, const char *what, int r, const s3_response *a,
                          gchar **ret_message) {
        g_autofree char *k = escape_text(key);
        g_autofree gchar *code = error_code(a);
        /* " SignatureDoesNotMatch" after the status, or nothing (HEAD answers have no body) */
        g_autofree gchar *scode = *code ? g_strconcat(" ", code, NULL) : g_strdup("");
        const char *where = vault_describe(v);

        /* a transfer curl could not finish is the network's, whatever status came
         * before the cut (a "100 Continue" to a PUT whose body was cut) */
        if (r < 0) {
                g_autofree char *detail = escape_text(a->curl_error);
                *ret_message = g_strdup_printf("%s of %s in %s failed: %s; %s", what, k, where, detail,
                                               tls_advice(r, a->curl_code));
                return r;
        }
        long st = a->status;
        if (st == 403 && g_str_equal(code, "RequestTimeTooSkewed")) {
                *ret_message = g_strdup_printf("%s refused the %s of %s: this appliance's clock is wrong; "
                                               "set the time (NTP) and it will be retried",
                                               where, what, k);
                return -EAGAIN;
        }
        if (st == 401 || st == 403) {
                *ret_message = g_strdup_printf("%s refused the credentials for the %s of %s (HTTP %ld%s): "
                                               "check [uploader] credentials_file and the user's rights",
                                               where, what, k, st, scode);
                return -EACCES;
        }
        if (st == 400 &&
            (g_str_equal(code, "BadDigest") || g_str_equal(code, "XAmzContentSHA256Mismatch"))) {
                *ret_message =
                        g_strdup_printf("%s received other bytes than were hashed for %s (HTTP 400%s): the "
                                        "file changed while it was sent; check the spool",
                                        where, k, scode);
                return -EBADMSG;
        }
        if (st == 400 && g_str_equal(code, "InvalidRequest")) {
                *ret_message =
                        g_strdup_printf("%s refused the Object Lock headers for %s (HTTP 400%s): the vault "
                                        "does not enforce retention; use a bucket created with "
                                        "Object Lock",
                                        where, k, scode);
                return -ENOLCK;
        }
        if (st == 404) {
                *ret_message = g_strdup_printf(
                        "%s has no such bucket for the %s of %s (HTTP 404%s): check [uploader] "
                        "vault and endpoint",
                        where, what, k, scode);
                return -ENOENT;
        }
        if (st >= 500 || st == 408 || st == 429) {
                *ret_message = g_strdup_printf("%s answered HTTP %ld%s to the %s of %s; it will be retried",
                                               where, st, scode, what, k);
                return -EAGAIN;
        }
        *ret_message = g_strdup_printf("%s answered HTTP %ld%s to the %s of %s", where, st, scode, what, k);
        return -EIO;
}

static uint64_t header_u64(const s3_response *a, const char *name, bool *ok) {
        const char *s = s3_response_header(a, name);
        guint64 v = 0;

        *ok = s && g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, &v, NULL);
        return v;
}

/* The lock the HEAD shows, checked: COMPLIANCE until no earlier than
 * min_until_us. Fills ret from the answer. */
static int check_head(const vault *v, const char *key, const s3_response *a, int64_t min_until_us,
                      vault_receipt *ret, gchar **ret_message) {
        g_autofree char *k = escape_text(key);
        const char *mode = s3_response_header(a, "x-amz-object-lock-mode");
        const char *until = s3_response_header(a, "x-amz-object-lock-retain-until-date");
        const char *version = s3_response_header(a, "x-amz-version-id");
        const char *etag = s3_response_header(a, "etag");
        int64_t until_us = 0;
        bool ok;
        uint64_t size = header_u64(a, "content-length", &ok);

        if (!ok || !etag) {
                *ret_message = g_strdup_printf("%s answered the HEAD of %s without a size or an ETag",
                                               vault_describe(v), k);
                return -EBADMSG;
        }
        if (!mode || !g_str_equal(mode, "COMPLIANCE") || !until || s3_time_parse(until, &until_us) < 0 ||
            until_us < min_until_us || !version || !*version) {
                g_autofree char *m = escape_text(mode ? mode : "none");
                g_autofree char *u = escape_text(until ? until : "none");
                *ret_message = g_strdup_printf("%s holds %s without the lock asked for (mode %s, retain "
                                               "until %s): the vault does not enforce retention; no "
                                               "receipt, the local copy is kept",
                                               vault_describe(v), k, m, u);
                return -ENOLCK;
        }
        ret->key = g_strdup(key);
        ret->size = size;
        ret->etag = g_strndup(etag + (etag[0] == '"'),
                              strlen(etag) - (etag[0] == '"') -
                                      (strlen(etag) > 1 && g_str_has_suffix(etag, "\"")));
        ret->version_id = g_strdup(version);
        ret->retention_mode = g_strdup(mode);
        ret->retain_until_us = until_us;
        ret->confirmed_us = g_get_real_time();
        const char *sha = s3_response_header(a, "x-amz-meta-sha256");
        g_strlcpy(ret->sha256, sha ? sha : "", sizeof(ret->sha256));
        return 0;
}

/* HEAD key (its latest version, or version when not NULL): 0 with the
 * answer, -ENOENT when nothing is there, else -errno. */
static int do_head_version(vault *v, const char *key, const char *version, s3_response *a,
                           gchar **ret_message) {
        vault_s3 *s = v->impl;
        g_autofree gchar *object = vault_s3_object_url(s, key);
        g_autofree char *encoded = version ? s3_uri_encode(version, false) : NULL;
        g_autofree gchar *url =
                version ? g_strconcat(object, "?versionId=", encoded, NULL) : g_strdup(object);
        /* RGW refuses a signed request without the payload hash, even an empty one */
        struct curl_slist *h = curl_slist_append(NULL, "x-amz-content-sha256: " S3_EMPTY_SHA256);
        int r = s3_request(&s->conn, "HEAD", url, h, NULL, a);
        curl_slist_free_all(h);

        if (r == 0 && a->status == 200)
                return 0;
        if (r == 0 && a->status == 404) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("%s holds no object %s", vault_describe(v), k);
                return -ENOENT;
        }
        return vault_s3_answer_error(v, key, "HEAD", r, a, ret_message);
}

static int do_head(vault *v, const char *key, s3_response *a, gchar **ret_message) {
        return do_head_version(v, key, NULL, a, ret_message);
}

/* The proof before a wipe: the very version the receipt names, as the
 * vault answers for it now. */
static int s3_confirm(vault *v, const vault_receipt *want, gchar **ret_message) {
        g_autofree char *k = escape_text(want->key);
        vault_receipt have = {0};
        s3_response a;
        int r;

        if (!want->version_id || !*want->version_id || strlen(want->version_id) > 1024) {
                *ret_message = g_strdup_printf("the receipt of %s names no version of it in %s: it is "
                                               "confirmed again",
                                               k, vault_describe(v));
                return -ENOENT;
        }
        r = do_head_version(v, want->key, want->version_id, &a, ret_message);
        if (r == 0)
                r = check_head(v, want->key, &a, MAX(want->retain_until_us, g_get_real_time()), &have,
                               ret_message);
        s3_response_clear(&a);
        if (r == -ENOENT) {
                g_autofree char *ver = escape_text(want->version_id);
                g_clear_pointer(ret_message, g_free);
                *ret_message = g_strdup_printf("%s does not hold version %s of %s that its receipt names",
                                               vault_describe(v), ver, k);
        }
        if (r < 0)
                return r;
        bool same = have.size == want->size && g_str_equal(have.sha256, want->sha256) &&
                    g_str_equal(have.version_id, want->version_id);
        vault_receipt_clear(&have);
        if (!same) {
                *ret_message = g_strdup_printf("%s holds %s with another size or SHA-256 than its receipt "
                                               "says",
                                               vault_describe(v), k);
                return -EBADMSG;
        }
        return 0;
}

static int s3_head(vault *v, const char *key, vault_receipt *ret, gchar **ret_message) {
        s3_response a;
        vault_receipt rec = {0};
        int r = do_head(v, key, &a, ret_message);

        /* an object of ours is locked until some time still to come */
        if (r == 0)
                r = check_head(v, key, &a, g_get_real_time(), &rec, ret_message);
        s3_response_clear(&a);
        if (r < 0)
                return r;
        *ret = rec;
        return 0;
}

/* Content-MD5 (base64) of size bytes of fd, in a first pass with pread,
 * when the caller did not compute it with the SHA-256 (vault_put_md5): S3
 * checks it, so bytes damaged on the way are refused (400 BadDigest). */
static int content_md5(int fd, uint64_t size, gchar **ret) {
        enum { CHUNK = 256 * 1024 };
        g_autofree guint8 *buf = g_malloc(CHUNK);
        GChecksum *md5 = g_checksum_new(G_CHECKSUM_MD5);
        uint64_t off = 0;

        while (off < size) {
                ssize_t n = pread(fd, buf, (size_t) MIN((uint64_t) CHUNK, size - off), (off_t) off);
                if (n <= 0) {
                        g_checksum_free(md5);
                        return n < 0 ? -errno : -EIO;
                }
                g_checksum_update(md5, buf, n);
                off += (uint64_t) n;
        }
        guint8 digest[16];
        gsize dlen = sizeof(digest);
        g_checksum_get_digest(md5, digest, &dlen);
        g_checksum_free(md5);
        *ret = g_base64_encode(digest, dlen);
        return 0;
}

static struct curl_slist *put_headers(const char *md5, const char *sha256_hex, const char *until) {
        struct curl_slist *h = NULL;
        g_autofree gchar *m = g_strconcat("Content-MD5: ", md5, NULL);
        /* RGW answers 403 without it, and checks the body against it */
        g_autofree gchar *c = g_strconcat("x-amz-content-sha256: ", sha256_hex, NULL);
        g_autofree gchar *meta = g_strconcat("x-amz-meta-sha256: ", sha256_hex, NULL);
        g_autofree gchar *u = g_strconcat("x-amz-object-lock-retain-until-date: ", until, NULL);

        h = curl_slist_append(h, "Content-Type: application/octet-stream");
        h = curl_slist_append(h, m);
        h = curl_slist_append(h, c);
        h = curl_slist_append(h, meta);
        h = curl_slist_append(h, "x-amz-object-lock-mode: COMPLIANCE");
        h = curl_slist_append(h, u);
        return h;
}

/* An object already under key: ours (same size and hash) is confirmed;
 * anything else is kept untouched and reported. */
static int confirm_existing(vault *v, const char *key, uint64_t size, const char *sha256_hex,
                            const s3_response *a, vault_receipt *ret, gchar **ret_message) {
        bool ok;
        uint64_t have = header_u64(a, "content-length", &ok);
        const char *sha = s3_response_header(a, "x-amz-meta-sha256");

        if (!ok || have != size || !sha || !g_str_equal(sha, sha256_hex)) {
                g_autofree char *k = escape_text(key);
                *ret_message =
                        g_strdup_printf("%s already holds a different %s (%" PRIu64 " bytes, not %" PRIu64
                                        "): it is left as it is; compare the two before going on",
                                        vault_describe(v), k, have, size);
                return -EBADMSG;
        }
        return check_head(v, key, a, g_get_real_time(), ret, ret_message);
}

static int send_object(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
                       const char *content_md5_b64, vault_progress_fn progress, void *userdata,
                       int64_t until_us, gchar **ret_message) {
        vault_s3 *s = v->impl;
        g_autofree gchar *md5 = content_md5_b64 ? g_strdup(content_md5_b64) : NULL;
        int r = md5 ? 0 : content_md5(fd, size, &md5);
        if (r < 0) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("cannot read the local file for %s: %s", k, g_strerror(-r));
                return r;
        }
        g_autofree char *until = s3_time_format(until_us);
        struct curl_slist *headers = put_headers(md5, sha256_hex, until);
        g_autofree gchar *url = vault_s3_object_url(s, key);
        s3_body body = {.fd = fd, .size = size, .progress = progress, .userdata = userdata};
        s3_response a;

        r = s3_request(&s->conn, "PUT", url, headers, &body, &a);
        curl_slist_free_all(headers);
        if (body.read_errno) {
                g_autofree char *k = escape_text(key);
                *ret_message =
                        g_strdup_printf("the local file for %s could not be read while it was sent: %s", k,
                                        g_strerror(body.read_errno));
                r = -body.read_errno;
        } else if (r < 0 || a.status != 200) {
                r = vault_s3_answer_error(v, key, "PUT", r, &a, ret_message);
        }
        s3_response_clear(&a);
        return r;
}

static int s3_put(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
                  const char *content_md5_b64, vault_progress_fn progress, void *userdata,
                  vault_receipt *ret, gchar **ret_message) {
        vault_s3 *s = v->impl;
        vault_receipt rec = {0};
        s3_response a;
        g_autofree gchar *msg = NULL;

        int r = do_head(v, key, &a, &msg);
        if (r == 0)
                r = confirm_existing(v, key, size, sha256_hex, &a, &rec, ret_message);
        s3_response_clear(&a);
        if (r != -ENOENT) {
                if (r == 0)
                        *ret = rec;
                else if (!*ret_message)
                        *ret_message = TAKE_PTR(msg);
                return r;
        }

        /* whole seconds: the date we send is the one we then require */
        int64_t until_us =
                (g_get_real_time() / G_USEC_PER_SEC + (int64_t) s->retention_days * 86400) * G_USEC_PER_SEC;
        r = send_object(v, key, fd, size, sha256_hex, content_md5_b64, progress, userdata, until_us,
                        ret_message);
        if (r < 0)
                return r;

        g_clear_pointer(&msg, g_free);
        r = do_head(v, key, &a, ret_message);
        if (r == 0)
                r = check_head(v, key, &a, until_us, &rec, ret_message);
        s3_response_clear(&a);
        if (r == 0 && (rec.size != size || !g_str_equal(rec.sha256, sha256_hex))) {
                g_autofree char *k = escape_text(key);
                *ret_message =
                        g_strdup_printf("%s confirmed %s with %" PRIu64 " bytes and hash %s after the "
                                        "PUT, not what was sent: no receipt",
                                        vault_describe(v), k, rec.size, rec.sha256);
                vault_receipt_clear(&rec);
                return -EBADMSG;
        }
        if (r < 0)
                return r;
        *ret = rec;
        return 0;
}

/* DELETE of one version: a locked version is refused (403 AccessDenied). */
static int s3_delete_version(vault *v, const char *key, const char *version_id, gchar **ret_message) {
        vault_s3 *s = v->impl;
        g_autofree gchar *object = vault_s3_object_url(s, key);
        g_autofree char *encoded = s3_uri_encode(version_id, false);
        g_autofree gchar *url = g_strconcat(object, "?versionId=", encoded, NULL);
        struct curl_slist *h = curl_slist_append(NULL, "x-amz-content-sha256: " S3_EMPTY_SHA256);
        s3_response a;
        int r = s3_request(&s->conn, "DELETE", url, h, NULL, &a);

        curl_slist_free_all(h);
        if (r == 0 && (a.status == 204 || a.status == 200)) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("%s deleted a locked version of %s when asked to",
                                               vault_describe(v), k);
        } else if (r == 0 && a.status == 404) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("%s holds no such version of %s", vault_describe(v), k);
                r = -ENOENT;
        } else {
                r = vault_s3_answer_error(v, key, "DELETE", r, &a, ret_message);
        }
        s3_response_clear(&a);
        return r;
}

const vault_ops vault_s3_ops = {
        .put = s3_put,
        .head = s3_head,
        .confirm = s3_confirm,
        .get = vault_s3_get,
        .list = vault_s3_list,
        .delete_version = s3_delete_version,
        .free = vault_s3_free,
};
