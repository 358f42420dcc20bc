/* S3 error bodies are small XML documents from a server we do not trust
 * to be well formed; we want one element, so we look for it rather than
 * parse the document, and accept only a plain identifier. */
#include <glib.h>
#include <string.h>

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
