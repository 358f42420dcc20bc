/* Line and base64 helpers for the minisign parsers. Every input here is
 * outside input: bounded, NUL-free, exact lengths. */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "minisign-internal.h"

int minisign_next_line(minisign_lines *l, size_t max, const char **ret_line, size_t *ret_len) {
        const char *nl;
        size_t len;

        if (l->p >= l->end)
                return -EBADMSG;
        nl = memchr(l->p, '\n', (size_t) (l->end - l->p));
        len = nl ? (size_t) (nl - l->p) : (size_t) (l->end - l->p);
        if (memchr(l->p, '\0', len))
                return -EBADMSG;
        *ret_line = l->p;
        l->p = nl ? nl + 1 : l->end;
        if (len > 0 && (*ret_line)[len - 1] == '\r')
                len--;
        if (len > max)
                return -EBADMSG;
        *ret_len = len;
        return 0;
}

bool minisign_lines_at_end(const minisign_lines *l) {
        for (const char *c = l->p; c < l->end; c++)
                if (*c != '\n' && *c != '\r')
                        return false;
        return true;
}

int minisign_unbase64(const char *b64, size_t b64_len, uint8_t *out, size_t len) {
        const char *b64_end = NULL;
        size_t bin_len = 0;

        /* Exactly the encoded length of len bytes, so nothing is ignored. */
        if (b64_len != sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) - 1)
                return -EBADMSG;
        if (sodium_base642bin(out, len, b64, b64_len, NULL, &bin_len, &b64_end,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
                return -EBADMSG;
        if (bin_len != len || b64_end != b64 + b64_len)
                return -EBADMSG;
        return 0;
}

bool minisign_comment_valid(const char *s, size_t len) {
        if (len > MINISIGN_COMMENT_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return false;
        }
        return true;
}
