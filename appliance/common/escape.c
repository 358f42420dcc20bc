#include "escape.h"

#include <glib.h>
#include <string.h>

bool escape_code_point_unsafe(uint32_t cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
               (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* The code point at p (with n bytes left), or -1 when p does not start a
 * valid UTF-8 sequence; *ret_len its length in bytes. */
static int32_t next_code_point(const char *p, size_t n, size_t *ret_len) {
        gunichar cp = g_utf8_get_char_validated(p, (gssize) n);

        if (cp == (gunichar) -1 || cp == (gunichar) -2) {
                *ret_len = 1;
                return -1;
        }
        *ret_len = (size_t) (g_utf8_next_char(p) - p);
        return (int32_t) cp;
}

char *escape_text(const char *s) {
        GString *out;
        size_t n;

        if (!s)
                return NULL;
        n = strlen(s);
        out = g_string_sized_new(n);
        for (size_t i = 0; i < n;) {
                size_t len = 1;
                int32_t cp = next_code_point(s + i, n - i, &len);
                if (cp < 0)
                        g_string_append_printf(out, "\\x%02x", (unsigned char) s[i]);
                else if (cp == '\\')
                        g_string_append(out, "\\\\");
                else if (escape_code_point_unsafe((uint32_t) cp))
                        g_string_append_printf(out, "\\u%04x", (unsigned) cp);
                else
                        g_string_append_len(out, s + i, (gssize) len);
                i += len;
        }
        return g_string_free(out, FALSE);
}

char *escape_json_text(const char *json) {
        size_t n = strlen(json);
        GString *out = g_string_sized_new(n);

        for (size_t i = 0; i < n;) {
                size_t len = 1;
                int32_t cp = next_code_point(json + i, n - i, &len);
                /* C0 controls outside strings are the generator's own layout */
                if (cp >= 0x20 && escape_code_point_unsafe((uint32_t) cp))
                        g_string_append_printf(out, "\\u%04x", (unsigned) cp);
                else
                        g_string_append_len(out, json + i, (gssize) len);
                i += len;
        }
        return g_string_free(out, FALSE);
}
