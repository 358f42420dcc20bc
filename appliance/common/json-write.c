/* Writing published JSON documents (json-write.h). */
#include "json-write.h"

#include <math.h>
#include <string.h>

#include "escape.h"
#include "utc-time.h"

/* A member name no document has: the generator writes the control
 * character as \u0001, and inside a string value the quote after it would
 * be escaped, so the placeholder cannot be forged by a value. */
#define TENTHS_MARK "\001tenths:"
#define TENTHS_MARK_TEXT "\"\\u0001tenths:"

void json_write_time(JsonBuilder *b, const char *member, int64_t real_us) {
        json_builder_set_member_name(b, member);
        if (real_us > 0) {
                g_autofree gchar *t = utc_time_format(real_us);
                json_builder_add_string_value(b, t);
        } else {
                json_builder_add_null_value(b);
        }
}

void json_write_tenths(JsonBuilder *b, const char *member, double value, double max) {
        if (!(value >= 0 && value <= max)) {
                json_builder_set_member_name(b, member);
                json_builder_add_null_value(b);
                return;
        }
        g_autofree gchar *name = g_strconcat(TENTHS_MARK, member, NULL);
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, (gint64) floor(value * 10.0));
}

void json_write_string(JsonBuilder *b, const char *member, const char *v) {
        json_builder_set_member_name(b, member);
        if (!v)
                json_builder_add_null_value(b);
        else if (g_utf8_validate(v, -1, NULL))
                json_builder_add_string_value(b, v);
        else {
                g_autofree char *x = escape_text(v);
                json_builder_add_string_value(b, x);
        }
}

void json_write_int(JsonBuilder *b, const char *member, int64_t v) {
        json_builder_set_member_name(b, member);
        json_builder_add_int_value(b, v);
}

gchar *json_write_text(JsonBuilder *b) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autoptr(GString) out = g_string_new(NULL);
        g_autofree gchar *text = NULL;
        const char *p, *at;

        json_generator_set_root(gen, root);
        text = json_generator_to_data(gen, NULL);
        for (p = text; (at = strstr(p, TENTHS_MARK_TEXT));) {
                const char *name = at + strlen(TENTHS_MARK_TEXT);
                size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz_");
                gchar *end;
                gint64 tenths;

                g_string_append_len(out, p, at - p);
                /* a member name of ours ends in '":' at once; the same
                 * letters inside a string value have an escaped quote */
                if (n == 0 || name[n] != '"' || name[n + 1] != ':') {
                        g_string_append_c(out, *at);
                        p = at + 1;
                        continue;
                }
                tenths = g_ascii_strtoll(name + n + 2, &end, 10);
                g_string_append_printf(out, "\"%.*s\":%" G_GINT64_FORMAT ".%d", (int) n, name, tenths / 10,
                                       (int) (tenths % 10));
                p = end;
        }
        g_string_append(out, p);
        return g_string_free(g_steal_pointer(&out), FALSE);
}
