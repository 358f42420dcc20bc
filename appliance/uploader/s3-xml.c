/* S3 error bodies are small XML documents from a server we do not trust
 * to be well formed; we want one element, so we look for it rather than
 * parse the document, and accept only a plain identifier. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "s3-sign.h"
#include "s3-xml.h"

#define CODE_MAX 64

char *s3_error_code(const char *body, size_t len) {
        static const char open[] = "<Code>", close[] = "</Code>";

        if (!body)
                return NULL;
        const char *start = g_strstr_len(body, (gssize) len, open);
        if (!start)
                return NULL;
        start += strlen(open);
        size_t rest = len - (size_t) (start - body);
        size_t n = 0;
        while (n < rest && n <= CODE_MAX && g_ascii_isalnum(start[n]))
                n++;
        if (n == 0 || n > CODE_MAX || rest - n < strlen(close) ||
            memcmp(start + n, close, strlen(close)) != 0)
                return NULL;
        return g_strndup(start, n);
}

/* The text of the first <tag>…</tag> in [s, end): start and length, or
 * false. No nesting or attributes are expected in the elements we read. */
static bool element(const char *s, const char *end, const char *tag, const char **ret, size_t *ret_len) {
        g_autofree char *open = g_strdup_printf("<%s>", tag), *close = g_strdup_printf("</%s>", tag);
        const char *a = g_strstr_len(s, end - s, open);

        if (!a)
                return false;
        a += strlen(open);
        const char *b = g_strstr_len(a, end - a, close);
        if (!b)
                return false;
        *ret = a;
        *ret_len = (size_t) (b - a);
        return true;
}

static int hexval(char c) {
        return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* XML's five entities and numeric references below 0x80 undone; NULL for
 * anything else ('&' without a known entity, a NUL). */
static char *xml_unescape(const char *s, size_t len) {
        static const struct {
                const char *name;
                char c;
        } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        GString *out = g_string_sized_new(len);

        for (size_t i = 0; i < len;) {
                if (s[i] == '\0')
                        goto bad;
                if (s[i] != '&') {
                        g_string_append_c(out, s[i++]);
                        continue;
                }
                size_t j = 0;
                for (; j < G_N_ELEMENTS(ents); j++)
                        if (len - i >= strlen(ents[j].name) &&
                            memcmp(s + i, ents[j].name, strlen(ents[j].name)) == 0)
                                break;
                if (j < G_N_ELEMENTS(ents)) {
                        g_string_append_c(out, ents[j].c);
                        i += strlen(ents[j].name);
                        continue;
                }
                /* &#NN; or &#xNN; of a character below 0x80 (RGW escapes control characters so) */
                unsigned v = 0;
                size_t k = i + 2;
                bool hex = k < len && (s[k] == 'x' || s[k] == 'X');
                k += hex;
                size_t digits = 0;
                for (; k < len && digits < 4 && (hex ? g_ascii_isxdigit(s[k]) : g_ascii_isdigit(s[k]));
                     k++, digits++)
                        v = v * (hex ? 16 : 10) + (unsigned) (hex ? hexval(s[k]) : s[k] - '0');
                if (i + 1 >= len || s[i + 1] != '#' || digits == 0 || k >= len || s[k] != ';' || v == 0 ||
                    v >= 0x80)
                        goto bad;
                g_string_append_c(out, (char) v);
                i = k + 1;
        }
        return g_string_free(out, FALSE);
bad:
        g_string_free(out, TRUE);
        return NULL;
}

/* encoding-type=url: %XX and '+' (a space) undone; NULL for a bad escape
 * or a NUL byte. */
static char *url_decode(const char *s) {
        GString *out = g_string_sized_new(strlen(s));

        for (const char *p = s; *p; p++) {
                if (*p == '+') {
                        g_string_append_c(out, ' ');
                        continue;
                }
                if (*p != '%') {
                        g_string_append_c(out, *p);
                        continue;
                }
                int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
                if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                        g_string_free(out, TRUE);
                        return NULL;
                }
                g_string_append_c(out, (char) (hi * 16 + lo));
                p += 2;
        }
        return g_string_free(out, FALSE);
}

static bool parse_contents(const char *s, const char *end, s3_list_entry *ret) {
        const char *v;
        size_t n;
        guint64 size = 0;

        if (!element(s, end, "Key", &v, &n))
                return false;
        g_autofree char *raw = xml_unescape(v, n);
        char *key = raw ? url_decode(raw) : NULL;
        if (!key)
                return false;
        g_autofree char *sz = element(s, end, "Size", &v, &n) && n <= 20 ? g_strndup(v, n) : NULL;
        if (!sz || !g_ascii_string_to_unsigned(sz, 10, 0, G_MAXUINT64, &size, NULL)) {
                g_free(key);
                return false;
        }
        *ret = (s3_list_entry){.key = key, .size = size};
        g_autofree char *when = element(s, end, "LastModified", &v, &n) && n <= 40 ? g_strndup(v, n) : NULL;
        if (when)
                (void) s3_time_parse(when, &ret->modified_us);
        return true;
}

static void entry_clear(gpointer p) {
        g_free(((s3_list_entry *) p)->key);
}

void s3_list_page_clear(s3_list_page *p) {
        if (p->entries)
                g_array_unref(p->entries);
        g_free(p->next_token);
        memset(p, 0, sizeof(*p));
}

int s3_list_parse(const char *body, size_t len, s3_list_page *ret) {
        const char *end = body + len, *v, *p;
        s3_list_page page = {.entries = g_array_new(FALSE, FALSE, sizeof(s3_list_entry))};
        size_t n;

        g_array_set_clear_func(page.entries, entry_clear);
        if (!body || !g_strstr_len(body, (gssize) len, "<ListBucketResult")) {
                s3_list_page_clear(&page);
                return -EBADMSG;
        }
        for (p = body; (p = g_strstr_len(p, end - p, "<Contents>"));) {
                const char *close = g_strstr_len(p, end - p, "</Contents>");
                s3_list_entry e;
                if (!close)
                        break;
                if (parse_contents(p, close, &e))
                        g_array_append_val(page.entries, e);
                else
                        page.refused++;
                p = close + strlen("</Contents>");
        }
        page.truncated = element(body, end, "IsTruncated", &v, &n) && n == 4 && memcmp(v, "true", 4) == 0;
        if (element(body, end, "NextContinuationToken", &v, &n) && n > 0 && n <= S3_LIST_TOKEN_MAX)
                page.next_token = xml_unescape(v, n);
        if (page.truncated && !page.next_token) {
                s3_list_page_clear(&page);
                return -EBADMSG;
        }
        *ret = page;
        return 0;
}
