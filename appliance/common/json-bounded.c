#include "json-bounded.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int json_depth_check(const char *data, size_t len, unsigned max_depth) {
        unsigned depth = 0;
        bool in_string = false;

        for (size_t i = 0; i < len; i++) {
                char ch = data[i];
                if (in_string) {
                        if (ch == '\\')
                                i++; /* the escaped character cannot end the string */
                        else if (ch == '"')
                                in_string = false;
                        continue;
                }
                if (ch == '"')
                        in_string = true;
                else if (ch == '[' || ch == '{') {
                        if (++depth > max_depth)
                                return -ELOOP;
                } else if ((ch == ']' || ch == '}') && depth > 0)
                        depth--;
        }
        return 0;
}

int json_nul_escape_check(const char *data, size_t len) {
        bool in_string = false;

        for (size_t i = 0; i < len; i++) {
                char ch = data[i];
                if (!in_string) {
                        in_string = ch == '"';
                        continue;
                }
                if (ch == '"')
                        in_string = false;
                else if (ch == '\\') {
                        if (len - i >= 6 && data[i + 1] == 'u' && memcmp(data + i + 2, "0000", 4) == 0)
                                return -EBADMSG;
                        i++; /* the escaped character cannot end the string */
                }
        }
        return 0;
}

static int fail(char **ret_message, int r, char *message) {
        if (ret_message)
                *ret_message = message;
        else
                g_free(message);
        return r;
}

int json_load_bounded(JsonParser *parser, const char *data, size_t len, size_t max_len, char **ret_message) {
        g_autoptr(GError) error = NULL;

        if (len > max_len)
                return fail(ret_message, -EFBIG,
                            g_strdup_printf("larger than %zu bytes (%zu bytes)", max_len, len));
        if (memchr(data, '\0', len))
                return fail(ret_message, -EBADMSG, g_strdup("NUL byte in the text"));
        /* json-glib hands strings out NUL-terminated: "a\u0000b" would be
         * read as "a", silently (a note cut short, a room name "R") */
        if (json_nul_escape_check(data, len) < 0)
                return fail(ret_message, -EBADMSG, g_strdup("a string holds \\u0000 (a NUL character)"));
        if (json_depth_check(data, len, JSON_DEPTH_MAX) < 0)
                return fail(ret_message, -ELOOP,
                            g_strdup_printf("nested deeper than %d levels", JSON_DEPTH_MAX));
        if (!json_parser_load_from_data(parser, data, (gssize) len, &error))
                return fail(ret_message, -EBADMSG, g_strdup_printf("not JSON: %s", error->message));
        return 0;
}
