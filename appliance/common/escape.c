#include "escape.h"

#include <glib.h>
#include <string.h>

/* Code points that draw nothing (or change how their neighbours are read)
 * and so can hide or forge text a reader trusts, by range. */
static const struct {
        uint32_t first, last;
} invisible[] = {
        {0x00ad, 0x00ad},   /* soft hyphen */
        {0x034f, 0x034f},   /* combining grapheme joiner */
        {0x061c, 0x061c},   /* Arabic letter mark (bidi) */
        {0x115f, 0x1160},   /* Hangul fillers */
        {0x17b4, 0x17b5},   /* Khmer inherent vowels */
        {0x180b, 0x180f},   /* Mongolian variation selectors and vowel separator */
        {0x200b, 0x200f},   /* zero-width space, joiners, LRM/RLM */
        {0x2028, 0x202e},   /* line/paragraph separators, bidi embeddings and overrides */
        {0x2060, 0x206f},   /* word joiner, invisible operators, bidi isolates, deprecated formats */
        {0x3164, 0x3164},   /* Hangul filler */
        {0xfe00, 0xfe0f},   /* variation selectors */
        {0xfeff, 0xfeff},   /* zero-width no-break space (BOM) */
        {0xffa0, 0xffa0},   /* halfwidth Hangul filler */
        {0xfff9, 0xfffb},   /* interlinear annotation */
        {0x1bca0, 0x1bca3}, /* shorthand format controls */
        {0x1d173, 0x1d17a}, /* musical format controls */
        {0xe0000, 0xe007f}, /* tags (can spell hidden text) */
        {0xe0100, 0xe01ef}, /* variation selectors supplement */
};

bool escape_code_point_unsafe(uint32_t cp) {
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
                return true;
        for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++)
                if (cp >= invisible[i].first && cp <= invisible[i].last)
                        return true;
        return false;
}

/* \uXXXX, or \UXXXXXXXX beyond the BMP (unambiguous: always 4 or 8 digits). */
static void append_escaped(GString *out, uint32_t cp) {
        if (cp > 0xffff)
                g_string_append_printf(out, "\\U%08x", (unsigned) cp);
        else
                g_string_append_printf(out, "\\u%04x", (unsigned) cp);
}

/* JSON has only \uXXXX: a code point beyond the BMP is a surrogate pair. */
static void append_json_escaped(GString *out, uint32_t cp) {
        if (cp > 0xffff) {
                cp -= 0x10000;
                g_string_append_printf(out, "\\u%04x\\u%04x", (unsigned) (0xd800 + (cp >> 10)),
                                       (unsigned) (0xdc00 + (cp & 0x3ff)));
        } else
                g_string_append_printf(out, "\\u%04x", (unsigned) cp);
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
                        append_escaped(out, (uint32_t) cp);
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
                        append_json_escaped(out, (uint32_t) cp);
                else
                        g_string_append_len(out, json + i, (gssize) len);
                i += len;
        }
        return g_string_free(out, FALSE);
}
