/* Base64 as the age header uses it: standard alphabet, no padding, and only
 * the canonical encoding (unused trailing bits zero), so that every header
 * has exactly one spelling. */
#include <errno.h>

#include "age-internal.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t age_b64_encoded_len(size_t len) {
        return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

void age_b64_encode(const uint8_t *in, size_t len, char *out) {
        size_t i = 0, o = 0;

        for (; i + 3 <= len; i += 3) {
                uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
                out[o++] = alphabet[(v >> 18) & 63];
                out[o++] = alphabet[(v >> 12) & 63];
                out[o++] = alphabet[(v >> 6) & 63];
                out[o++] = alphabet[v & 63];
        }
        if (len - i == 1) {
                uint32_t v = (uint32_t) in[i] << 16;
                out[o++] = alphabet[(v >> 18) & 63];
                out[o++] = alphabet[(v >> 12) & 63];
        } else if (len - i == 2) {
                uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8;
                out[o++] = alphabet[(v >> 18) & 63];
                out[o++] = alphabet[(v >> 12) & 63];
                out[o++] = alphabet[(v >> 6) & 63];
        }
}

static int b64_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

int age_b64_decode(const char *in, size_t len, uint8_t *out, size_t out_size) {
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t o = 0;

        if (len % 4 == 1)
                return -EINVAL;
        if (len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > out_size)
                return -ENOBUFS;
        for (size_t i = 0; i < len; i++) {
                int v = b64_value(in[i]);
                if (v < 0)
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (acc >> bits) & 0xff;
                }
                acc &= 0xffff;
        }
        if ((acc & ((1u << bits) - 1)) != 0)
                return -EINVAL;
        return (int) o;
}
