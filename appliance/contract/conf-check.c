/* Shared value rules (conf-check.h). */
#include "conf-check.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#include "escape.h"

static int why(char **ret_why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int why(char **ret_why, const char *fmt, ...) {
        va_list ap;

        if (ret_why) {
                va_start(ap, fmt);
                *ret_why = g_strdup_vprintf(fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

static bool only(const char *s, size_t len, const char *allowed) {
        return strspn(s, allowed) == len;
}

#define HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-."

/* host[:port] of an endpoint: *ret_host is the host as written (an IPv6
 * address without its brackets). */
static bool split_authority(const char *a, char **ret_host) {
        const char *port = NULL;
        g_autofree char *host = NULL;

        if (a[0] == '[') {
                const char *end = strchr(a, ']');
                if (!end || (end[1] && end[1] != ':'))
                        return false;
                host = g_strndup(a + 1, (gsize) (end - a - 1));
                if (!host[0] || !only(host, strlen(host), "0123456789abcdefABCDEF:."))
                        return false;
                g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(host);
                if (!ip || g_inet_address_get_family(ip) != G_SOCKET_FAMILY_IPV6)
                        return false;
                port = end[1] ? end + 2 : NULL;
        } else {
                size_t n = strcspn(a, ":");
                host = g_strndup(a, n);
                if (!host[0] || n > 253 || !only(host, n, HOST_CHARS) || host[0] == '-' || host[0] == '.')
                        return false;
                port = a[n] ? a + n + 1 : NULL;
        }
        if (port) {
                guint64 n;
                if (!*port || !only(port, strlen(port), "0123456789") ||
                    !g_ascii_string_to_unsigned(port, 10, 1, 65535, &n, NULL))
                        return false;
        }
        *ret_host = g_steal_pointer(&host);
        return true;
}

/* An address literal on loopback: never a name such as 127.evil.example. */
static bool loopback_literal(const char *host) {
        g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(host);
        return ip && g_inet_address_get_is_loopback(ip);
}

int conf_check_endpoint(const char *v, char **ret_why) {
        bool https = g_str_has_prefix(v, "https://"), http = g_str_has_prefix(v, "http://");
        g_autofree char *authority = NULL, *host = NULL;
        const char *rest;

        if (!https && !http)
                return why(ret_why, "is not https://host[:port] (write e.g. https://vault.police.example)");
        rest = v + (https ? 8 : 7);
        /* a single trailing slash is the same address */
        authority = g_strdup(rest);
        if (g_str_has_suffix(authority, "/"))
                authority[strlen(authority) - 1] = '\0';
        if (strpbrk(authority, "@"))
                return why(ret_why, "holds a user name or password (userinfo): give credentials in "
                                    "[uploader] credentials_file, never in the address");
        if (strpbrk(authority, "?#"))
                return why(ret_why, "holds a query or a fragment: write https://host[:port] only");
        if (strchr(authority, '/'))
                return why(ret_why, "holds a path: write https://host[:port] only");
        if (!split_authority(authority, &host))
                return why(ret_why, "is not https://host[:port] (a host name or address, and a port "
                                    "from 1 to 65535)");
        if (http && !loopback_literal(host))
                return why(ret_why, "is plain http to a machine that is not this one: use https:// (with "
                                    "ca_file); http:// is for a test server on an address such as "
                                    "127.0.0.1 or [::1] only, never a name");
        return 0;
}

int conf_check_room(const char *v, size_t len, char **ret_why) {
        if (len == 0 || !v)
                return why(ret_why, "is empty (write the room's name, e.g. Room 3)");
        if (memchr(v, '\0', len))
                return why(ret_why, "holds a NUL character (write plain words)");
        if (!g_utf8_validate(v, (gssize) len, NULL))
                return why(ret_why, "is not UTF-8 text");
        for (const char *p = v; p < v + len; p = g_utf8_next_char(p))
                if (escape_code_point_unsafe(g_utf8_get_char(p)) || *p == '\\')
                        return why(ret_why, "holds a control character, an invisible or bidirectional "
                                            "one, or a backslash (write plain words)");
        if (g_utf8_strlen(v, (gssize) len) > CONF_ROOM_MAX)
                return why(ret_why,
                           "is longer than %d characters (it is burned into the picture: keep it "
                           "short)",
                           CONF_ROOM_MAX);
        return 0;
}

int conf_check_device_id(const char *v, char **ret_why) {
        size_t len = v ? strnlen(v, CONF_DEVICE_ID_MAX + 1) : 0;

        if (len == 0 || len > CONF_DEVICE_ID_MAX ||
            !only(v, len, "abcdefghijklmnopqrstuvwxyz0123456789._-") || !g_ascii_isalnum(v[0]))
                return why(ret_why,
                           "is not a device id (1 to %d of a-z, 0-9, '.', '_', '-', starting with a "
                           "letter or digit, e.g. studio-room3)",
                           CONF_DEVICE_ID_MAX);
        return 0;
}

int conf_check_region(const char *v, char **ret_why) {
        size_t len = v ? strlen(v) : 0;

        if (len == 0 || len > 32 || !only(v, len, "abcdefghijklmnopqrstuvwxyz0123456789-"))
                return why(ret_why, "is not a region name (a-z, 0-9, '-', e.g. us-east-1)");
        return 0;
}

static bool bucket_ok(const char *b, size_t len) {
        return len >= 3 && len <= 63 && only(b, len, "abcdefghijklmnopqrstuvwxyz0123456789-.") &&
               g_ascii_isalnum(b[0]) && g_ascii_isalnum(b[len - 1]);
}

static bool prefix_ok(const char *p) {
        g_auto(GStrv) parts = g_strsplit(p, "/", -1);

        for (gchar **s = parts; *s; s++) {
                size_t n = strlen(*s);
                /* one trailing slash is allowed */
                if (n == 0 && !s[1] && s != parts)
                        continue;
                if (n == 0 || n > 255 || strcmp(*s, ".") == 0 || strcmp(*s, "..") == 0 ||
                    !only(*s, n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"))
                        return false;
        }
        return true;
}

int conf_check_s3_vault(const char *v, char **ret_why) {
        const char *rest = g_str_has_prefix(v, "s3://") ? v + 5 : NULL;
        const char *slash = rest ? strchr(rest, '/') : NULL;
        size_t blen = rest ? (slash ? (size_t) (slash - rest) : strlen(rest)) : 0;

        if (!rest || !bucket_ok(rest, blen) || (slash && slash[1] && !prefix_ok(slash + 1)) ||
            strlen(v) > 512)
                return why(ret_why,
                           "is not s3://bucket[/prefix] (a bucket of 3 to 63 of a-z, 0-9, '-', '.'; "
                           "a prefix of plain names)");
        return 0;
}
