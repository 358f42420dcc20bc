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
        if (json_depth_check(data, len, JSON_DEPTH_MAX) < 0)
                return fail(ret_message, -ELOOP,
                            g_strdup_printf("nested deeper than %d levels", JSON_DEPTH_MAX));
        if (!json_parser_load_from_data(parser, data, (gssize) len, &error))
                return fail(ret_message, -EBADMSG, g_strdup_printf("not JSON: %s", error->message));
        return 0;
}
