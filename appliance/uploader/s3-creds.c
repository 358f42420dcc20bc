/* The S3 credentials file: parsed in locked memory, never logged. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "s3-creds.h"
#include "util.h"

s3_creds *s3_creds_free(s3_creds *c) {
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
            alen + slen + 1 > S3_CREDS_MAX)
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
int s3_creds_load(const char *path, s3_creds **ret, gchar **ret_message) {
        _cleanup_free_ char *shown = escape_text(path ? path : "");
        if (!path) {
                *ret_message =
                        g_strdup("[uploader] credentials_file is not set: an s3:// vault needs a file "
                                 "with the access key and the secret key on two lines (mode 0600)");
                return -EINVAL;
        }
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
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

        char *buf = sodium_malloc(S3_CREDS_MAX + 1);
        s3_creds *c = sodium_malloc(sizeof(s3_creds));
        if (!buf || !c) {
                sodium_free(buf);
                sodium_free(c);
                *ret_message = g_strdup("out of locked memory for the S3 credentials");
                return -ENOMEM;
        }
        size_t len = 0;
        ssize_t n;
        while (len <= S3_CREDS_MAX && (n = read(fd, buf + len, S3_CREDS_MAX + 1 - len)) > 0)
                len += (size_t) n;
        int r = (len > S3_CREDS_MAX) ? -EFBIG : creds_parse(buf, len, c);
        sodium_free(buf);
        if (r < 0) {
                s3_creds_free(c);
                *ret_message = g_strdup_printf("the S3 credentials file %s must hold two lines, the access "
                                               "key (no ':') then the secret key, printable ASCII, "
                                               "at most %d bytes",
                                               shown, S3_CREDS_MAX);
                return -EINVAL;
        }
        *ret = c;
        return 0;
}
