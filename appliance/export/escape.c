/* Every string that came from outside (a file name, a manifest field, a
 * path given to us) is escaped before it reaches a terminal: an escape
 * sequence in a file name must not repaint the screen, and a bidi override
 * must not make "seg-000001.mkv" read as something else. */
#include <stdarg.h>
#include <string.h>

#include "export.h"

static bool must_escape(gunichar c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || /* C0, DEL, C1 */
               c == 0x061c || c == 0x200e || c == 0x200f ||         /* ALM, LRM, RLM */
               (c >= 0x202a && c <= 0x202e) ||                      /* LRE … RLO */
               (c >= 0x2066 && c <= 0x2069) ||                      /* LRI … PDI */
               c == 0x2028 || c == 0x2029;                          /* line, paragraph separator */
}

char *export_escape(const char *s) {
        GString *out;
        const char *p, *end;

        if (!s)
                return g_strdup("(null)");
        out = g_string_sized_new(strlen(s));
        end = s + strlen(s);
        for (p = s; p < end;) {
                gunichar c = g_utf8_get_char_validated(p, end - p);

                if (c == (gunichar) -1 || c == (gunichar) -2) {
                        g_string_append_printf(out, "\\x%02x", (unsigned char) *p);
                        p++;
                        continue;
                }
                const char *next = g_utf8_next_char(p);
                if (c == '\\')
                        g_string_append(out, "\\\\");
                else if (must_escape(c))
                        g_string_append_printf(out, "\\u%04x", (unsigned) c);
                else
                        g_string_append_len(out, p, next - p);
                p = next;
        }
        return g_string_free(out, FALSE);
}

void export_say(FILE *f, const char *fmt, ...) {
        g_autofree char *line = NULL, *safe = NULL;
        va_list ap;

        va_start(ap, fmt);
        line = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        safe = export_escape(line);
        fprintf(f, "%s\n", safe);
        fflush(f);
}
