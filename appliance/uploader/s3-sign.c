/* Canonical SigV4 paths and queries, and the Object Lock date formats. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "s3-sign.h"

static bool unreserved(unsigned char c) {
        return g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char *s3_uri_encode(const char *s, bool keep_slash) {
        static const char hex[] = "0123456789ABCDEF";
        GString *out = g_string_sized_new(strlen(s) + 16);

        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (unreserved(*p) || (keep_slash && *p == '/')) {
                        g_string_append_c(out, (char) *p);
                        continue;
                }
                g_string_append_c(out, '%');
                g_string_append_c(out, hex[*p >> 4]);
                g_string_append_c(out, hex[*p & 0xf]);
        }
        return g_string_free(out, FALSE);
}

/* Sorting "name=value" strings whole would put "a-b=" before "a=" ('-' <
 * '='), so names and values are compared apart, as SigV4 does. */
typedef struct query_pair {
        char *name;
        char *value;
} query_pair;

static int pair_cmp(const void *a, const void *b) {
        const query_pair *x = a, *y = b;
        int r = strcmp(x->name, y->name);
        return r ? r : strcmp(x->value, y->value);
}

char *s3_canonical_query(const char *const *pairs) {
        size_t n = 0;

        while (pairs && pairs[2 * n])
                n++;
        query_pair *v = g_new0(query_pair, n + 1);
        for (size_t i = 0; i < n; i++) {
                const char *value = pairs[2 * i + 1];
                v[i].name = s3_uri_encode(pairs[2 * i], false);
                v[i].value = s3_uri_encode(value ? value : "", false);
        }
        qsort(v, n, sizeof(*v), pair_cmp);

        GString *out = g_string_new(NULL);
        for (size_t i = 0; i < n; i++) {
                g_string_append_printf(out, "%s%s=%s", i ? "&" : "", v[i].name, v[i].value);
                g_free(v[i].name);
                g_free(v[i].value);
        }
        g_free(v);
        return g_string_free(out, FALSE);
}

char *s3_time_format(int64_t us) {
        GDateTime *t = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);
        char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
        g_date_time_unref(t);
        return s;
}

/* n decimal digits at s, or -1. */
static int digits(const char *s, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (!g_ascii_isdigit(s[i]))
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

int s3_time_parse(const char *s, int64_t *ret_us) {
        if (!s || strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
            s[16] != ':')
                return -EINVAL;
        int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
        int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
            sec < 0 || sec > 59)
                return -EINVAL;

        const char *p = s + 19;
        int64_t frac_us = 0;
        if (*p == '.') {
                int n = 0;
                for (p++; g_ascii_isdigit(*p); p++, n++)
                        if (n < 6)
                                frac_us = frac_us * 10 + (*p - '0');
                if (n < 1 || n > 9)
                        return -EINVAL;
                for (; n < 6; n++)
                        frac_us *= 10;
        }
        if (strcmp(p, "Z") != 0)
                return -EINVAL;

        GDateTime *t = g_date_time_new_utc(y, mo, d, h, mi, sec);
        if (!t) /* 31 February and the like */
                return -EINVAL;
        *ret_us = g_date_time_to_unix(t) * G_USEC_PER_SEC + frac_us;
        g_date_time_unref(t);
        return 0;
}
