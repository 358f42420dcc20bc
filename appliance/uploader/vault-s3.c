/* The S3 Object Lock vault: one signed PUT per object (curl's SigV4),
 * streamed from the file, then a HEAD that must show the lock before there
 * is a receipt. Written against Ceph RGW 16.2 and AWS; the facts it relies
 * on are in docs/vault-s3.md. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "s3-request.h"
#include "s3-sign.h"
#include "s3-xml.h"
#include "util.h"
#include "vault-internal.h"

#define CREDS_MAX 512
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The credentials live only here: sodium_malloc'd, locked, wiped on free. */
typedef struct s3_creds {
        char userpwd[CREDS_MAX + 2]; /* "ACCESS:SECRET" as CURLOPT_USERPWD wants */
} s3_creds;

static s3_creds *creds_free(s3_creds *c) {
        if (c)
                sodium_free(c); /* zeroes before unmapping */
        return NULL;
}

static bool creds_line_valid(const char *s, size_t n, bool colon_ok) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x21 || s[i] > 0x7e || (!colon_ok && s[i] == ':'))
                        return false;
        return true;
}

/* Parses "ACCESS\nSECRET\n" held in buf (sodium memory) into c. */
static int creds_parse(const char *buf, size_t len, s3_creds *c) {
        const char *nl = memchr(buf, '\n', len);
        if (!nl)
                return -EINVAL;
        size_t alen = (size_t) (nl - buf);
        const char *secret = nl + 1;
        size_t slen = len - alen - 1;
        const char *end = memchr(secret, '\n', slen);
        if (end) {
                /* nothing but blank lines after the secret */
                for (const char *p = end; p < buf + len; p++)
                        if (*p != '\n')
                                return -EINVAL;
                slen = (size_t) (end - secret);
        }
        if (alen && buf[alen - 1] == '\r')
                alen--;
        if (slen && secret[slen - 1] == '\r')
                slen--;
        /* curl splits USERPWD at the first ':', so the access key has none */
        if (!creds_line_valid(buf, alen, false) || !creds_line_valid(secret, slen, true) ||
            alen + slen + 1 > CREDS_MAX)
                return -EINVAL;
        memcpy(c->userpwd, buf, alen);
        c->userpwd[alen] = ':';
        memcpy(c->userpwd + alen + 1, secret, slen);
        c->userpwd[alen + 1 + slen] = '\0';
        return 0;
}

/* A systemd credential (LoadCredential=): systemd grants the unit's user
 * read access with an ACL, whose mask shows as group bits (0440); the
 * folder itself is the unit's alone, so those bits grant nobody else. */
static bool in_credentials_directory(const char *path) {
        const char *dir = g_getenv("CREDENTIALS_DIRECTORY");
        size_t n = dir ? strlen(dir) : 0;

        return n > 1 && dir[0] == '/' && strncmp(path, dir, n) == 0 && path[n] == '/' &&
               !strchr(path + n + 1, '/');
}

/* Read once at open; a file others can read is refused, since the key
 * lets whoever holds it write into the police vault. */
static int creds_load(const char *path, s3_creds **ret, gchar **ret_message) {
        g_autofree char *shown = escape_text(path ? path : "");
        if (!path) {
                *ret_message =
                        g_strdup("[uploader] credentials_file is not set: an s3:// vault needs a file "
                                 "with the access key and the secret key on two lines (mode 0600)");
                return -EINVAL;
        }
        g_auto(fd_owned) fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = -errno;
                *ret_message =
                        g_strdup_printf("cannot open the S3 credentials file %s: %s", shown, g_strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                *ret_message = g_strdup_printf("the S3 credentials file %s is not a regular file", shown);
                return -EINVAL;
        }
        if (st.st_mode & (in_credentials_directory(path) ? 007 : 077)) {
                *ret_message = g_strdup_printf("the S3 credentials file %s is readable by group or others "
                                               "(mode %04o): chmod 600 it, owned by the uploader's user",
                                               shown, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }

        char *buf = sodium_malloc(CREDS_MAX + 1);
        s3_creds *c = sodium_malloc(sizeof(s3_creds));
        if (!buf || !c) {
                sodium_free(buf);
                sodium_free(c);
                *ret_message = g_strdup("out of locked memory for the S3 credentials");
                return -ENOMEM;
        }
        size_t len = 0;
        ssize_t n;
        while (len <= CREDS_MAX && (n = read(fd, buf + len, CREDS_MAX + 1 - len)) > 0)
                len += (size_t) n;
        int r = (len > CREDS_MAX) ? -EFBIG : creds_parse(buf, len, c);
        sodium_free(buf);
        if (r < 0) {
                creds_free(c);
                *ret_message = g_strdup_printf("the S3 credentials file %s must hold two lines, the access "
                                               "key (no ':') then the secret key, printable ASCII, "
                                               "at most %d bytes",
                                               shown, CREDS_MAX);
                return -EINVAL;
        }
        *ret = c;
        return 0;
}

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

static void s3_free(void *impl) {
        vault_s3 *s = impl;

        if (!s)
                return;
        if (s->conn.curl)
                curl_easy_cleanup(s->conn.curl);
        creds_free(s->creds);
        g_free(s->base_url);
        g_free(s->prefix);
        g_free(s->sigv4);
        g_free(s->ca_file);
        g_free(s->pinned_key);
        g_free(s);
}

static gchar *object_url(const vault_s3 *s, const char *key) {
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

/* One sentence naming the object and what to do, and the -errno class of
 * vault.h, for an answer that is not a success. */
static int answer_error(const vault *v, const char *key, const char *what, int r, const s3_response *a,
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
        g_autofree gchar *object = object_url(s, key);
        g_autofree char *encoded = version ? s3_uri_encode(version, false) : NULL;
        g_autofree gchar *url =
                version ? g_strconcat(object, "?versionId=", encoded, NULL) : g_strdup(object);
        /* RGW refuses a signed request without the payload hash, even an empty one */
        struct curl_slist *h = curl_slist_append(NULL, "x-amz-content-sha256: " EMPTY_SHA256);
        int r = s3_request(&s->conn, "HEAD", url, h, NULL, a);
        curl_slist_free_all(h);

        if (r == 0 && a->status == 200)
                return 0;
        if (r == 0 && a->status == 404) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("%s holds no object %s", vault_describe(v), k);
                return -ENOENT;
        }
        return answer_error(v, key, "HEAD", r, a, ret_message);
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
        g_autofree gchar *url = object_url(s, key);
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
                r = answer_error(v, key, "PUT", r, &a, ret_message);
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

static const vault_ops s3_ops = {
        .put = s3_put,
        .head = s3_head,
        .confirm = s3_confirm,
        .free = s3_free,
};

static bool bucket_valid(const char *b) {
        size_t n = strlen(b);
        if (n < 3 || n > 63)
                return false;
        for (const char *p = b; *p; p++)
                if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '.')
                        return false;
        return true;
}

/* s3://bucket[/prefix] into bucket and "prefix/" (or ""). */
static int parse_vault(const char *spec, gchar **ret_bucket, gchar **ret_prefix, gchar **ret_message) {
        const char *rest = spec + strlen("s3://");
        const char *slash = strchr(rest, '/');
        g_autofree gchar *bucket = slash ? g_strndup(rest, slash - rest) : g_strdup(rest);
        g_autofree gchar *prefix = g_strdup(slash ? slash + 1 : "");

        while (*prefix && g_str_has_suffix(prefix, "/"))
                prefix[strlen(prefix) - 1] = '\0';
        if (!bucket_valid(bucket) || (*prefix && !vault_key_valid(prefix))) {
                g_autofree char *shown = escape_text(spec);
                *ret_message =
                        g_strdup_printf("[uploader] vault \"%s\" is not s3://bucket/prefix (a bucket of "
                                        "3-63 lower-case letters, digits, '-' and '.'; a prefix of "
                                        "plain names)",
                                        shown);
                return -EINVAL;
        }
        *ret_bucket = TAKE_PTR(bucket);
        *ret_prefix = *prefix ? g_strconcat(prefix, "/", NULL) : g_strdup("");
        return 0;
}

/* Clear text is for a test server on this machine only, and "this
 * machine" is judged from an address literal, never a name: a name
 * (127.vault.example, even localhost) is whatever a resolver says, so it is
 * refused before any lookup. 127.0.0.0/8 as four decimal parts (inet_pton
 * takes no other form), or [::1]. */
static bool loopback_host(const char *host) {
        struct in_addr a4;
        struct in6_addr a6;

        if (host[0] == '[') {
                size_t n = strlen(host);
                g_autofree gchar *inner = n >= 2 && host[n - 1] == ']' ? g_strndup(host + 1, n - 2) : NULL;
                return inner && inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
        }
        return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* https://host[:port], or http:// to a loopback test server: credentials
 * and evidence never cross a network in clear. */
static int parse_endpoint(const char *endpoint, gchar **ret, gchar **ret_message) {
        g_autofree char *shown = escape_text(endpoint ? endpoint : "");
        g_autofree gchar *e = g_strdup(endpoint ? endpoint : "");
        while (g_str_has_suffix(e, "/"))
                e[strlen(e) - 1] = '\0';
        bool https = g_str_has_prefix(e, "https://"), http = g_str_has_prefix(e, "http://");
        const char *host = e + (https ? strlen("https://") : http ? strlen("http://") : 0);
        g_autofree gchar *hostname = g_strndup(host, strcspn(host, host[0] == '[' ? "]" : ":"));
        if (host[0] == '[' && host[strlen(hostname)] == ']') {
                g_free(hostname);
                hostname = g_strndup(host, strlen(host) - strlen(strchr(host, ']')) + 1);
        }
        bool clean = *host && !strpbrk(host, "/?#@ \\") && !escape_code_point_unsafe((unsigned char) *host);
        for (const char *p = host; *p; p++)
                clean = clean && (unsigned char) *p > 0x20 && (unsigned char) *p < 0x7f;

        if (!(https || http) || !clean) {
                *ret_message =
                        g_strdup_printf("[uploader] endpoint \"%s\" is not https://host[:port]", shown);
                return -EINVAL;
        }
        if (http && !loopback_host(hostname)) {
                *ret_message =
                        g_strdup_printf("[uploader] endpoint \"%s\" is plain http to another machine: "
                                        "use https:// (with ca_file); http:// is for a test server "
                                        "on this machine, named by its address (127.0.0.1 or [::1], "
                                        "never a name such as localhost)",
                                        shown);
                return -EINVAL;
        }
        *ret = TAKE_PTR(e);
        return 0;
}

static int parse_region(const char *region, gchar **ret_sigv4, gchar **ret_message) {
        const char *r = region && *region ? region : "us-east-1";
        bool ok = strlen(r) <= 32;
        for (const char *p = r; *p; p++)
                ok = ok && (g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-');
        if (!ok) {
                g_autofree char *shown = escape_text(r);
                *ret_message =
                        g_strdup_printf("[uploader] region \"%s\" is not a region name (us-east-1)", shown);
                return -EINVAL;
        }
        *ret_sigv4 = g_strdup_printf("aws:amz:%s:s3", r);
        return 0;
}

int vault_s3_open(const studio_uploader_conf *conf, vault **ret, const char **ret_key, gchar **ret_message) {
        g_autofree gchar *bucket = NULL, *prefix = NULL, *endpoint = NULL, *sigv4 = NULL;
        int r;

        *ret_key = "vault";
        if ((r = parse_vault(conf->vault, &bucket, &prefix, ret_message)) < 0)
                return r;
        *ret_key = "endpoint";
        if ((r = parse_endpoint(conf->endpoint, &endpoint, ret_message)) < 0)
                return r;
        *ret_key = "region";
        if ((r = parse_region(conf->region, &sigv4, ret_message)) < 0)
                return r;
        *ret_key = "retention_days";
        if (conf->retention_days < 1 || conf->retention_days > 36500) {
                *ret_message = g_strdup_printf("[uploader] retention_days %d is out of range (1..36500)",
                                               conf->retention_days);
                return -EINVAL;
        }
        if (sodium_init() < 0) {
                *ret_message =
                        g_strdup("libsodium could not be initialised (locked memory for the credentials)");
                return -ENOMEM;
        }
        vault_s3 *s = g_new0(vault_s3, 1);
        *ret_key = "credentials_file";
        if ((r = creds_load(conf->credentials_file, &s->creds, ret_message)) < 0) {
                s3_free(s);
                return r;
        }
        s->conn.curl = curl_easy_init();
        if (!s->conn.curl) {
                s3_free(s);
                *ret_message = g_strdup("libcurl could not be initialised");
                return -ENOMEM;
        }
        s->base_url = g_strconcat(endpoint, "/", bucket, NULL);
        s->prefix = TAKE_PTR(prefix);
        s->sigv4 = TAKE_PTR(sigv4);
        s->ca_file = g_strdup(conf->ca_file);
        s->pinned_key = g_strdup(conf->pinned_key);
        s->retention_days = conf->retention_days;
        s->conn.userpwd = s->creds->userpwd;
        s->conn.sigv4 = s->sigv4;
        s->conn.ca_file = s->ca_file;
        s->conn.pinned_key = s->pinned_key;
        s->conn.max_rate = conf->max_rate;

        gchar *description = g_strdup_printf("s3://%s/%s at %s", bucket, s->prefix, endpoint);
        *ret = vault_new(&s3_ops, s, description);
        return 0;
}
