/* Bech32 (BIP 173) as age uses it: the original checksum constant, all
 * lower or all upper case, no 90-character limit. */
#include <errno.h>
#include <string.h>

#include "age-internal.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t v) {
        static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        uint8_t top = chk >> 25;

        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (unsigned i = 0; i < 5; i++)
                if ((top >> i) & 1)
                        chk ^= gen[i];
        return chk;
}

static uint32_t hrp_polymod(const char *hrp, size_t hrp_len) {
        uint32_t chk = 1;

        for (size_t i = 0; i < hrp_len; i++)
                chk = polymod_step(chk, (uint8_t) hrp[i] >> 5);
        chk = polymod_step(chk, 0);
        for (size_t i = 0; i < hrp_len; i++)
                chk = polymod_step(chk, (uint8_t) hrp[i] & 31);
        return chk;
}

static char to_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

static char to_upper(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
}

int age_bech32_encode(const char *hrp, const uint8_t *data, size_t len, bool upper, char *out,
                      size_t out_size) {
        size_t hrp_len = strlen(hrp), n5 = (len * 8 + 4) / 5, pos = 0;
        uint32_t chk, acc = 0;
        unsigned bits = 0;

        if (hrp_len + 1 + n5 + 6 + 1 > out_size)
                return -ENOBUFS;
        chk = hrp_polymod(hrp, hrp_len);
        memcpy(out, hrp, hrp_len);
        pos = hrp_len;
        out[pos++] = '1';
        for (size_t i = 0; i < len; i++) {
                acc = (acc << 8) | data[i];
                bits += 8;
                while (bits >= 5) {
                        uint8_t v = (acc >> (bits - 5)) & 31;
                        bits -= 5;
                        chk = polymod_step(chk, v);
                        out[pos++] = charset[v];
                }
        }
        if (bits > 0) {
                uint8_t v = (acc << (5 - bits)) & 31;
                chk = polymod_step(chk, v);
                out[pos++] = charset[v];
        }
        for (unsigned i = 0; i < 6; i++)
                chk = polymod_step(chk, 0);
        chk ^= 1;
        for (unsigned i = 0; i < 6; i++)
                out[pos++] = charset[(chk >> (5 * (5 - i))) & 31];
        out[pos] = '\0';
        if (upper)
                for (size_t i = 0; i < pos; i++)
                        out[i] = to_upper(out[i]);
        return (int) pos;
}

/* S's LEN printable characters into BUF in lower case, NUL-terminated;
 * -EINVAL for a character outside 33..126 or for mixed case. */
static int fold_case(const char *s, size_t len, char *buf) {
        bool has_lower = false, has_upper = false;

        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c < 33 || c > 126)
                        return -EINVAL;
                if (c >= 'a' && c <= 'z')
                        has_lower = true;
                if (c >= 'A' && c <= 'Z')
                        has_upper = true;
                buf[i] = to_lower(c);
        }
        buf[len] = '\0';
        return has_lower && has_upper ? -EINVAL : 0;
}

/* The index of the last '1' in BUF's LEN characters, LEN when none. */
static size_t last_separator(const char *buf, size_t len) {
        for (size_t i = len; i > 0; i--)
                if (buf[i - 1] == '1')
                        return i - 1;
        return len;
}

int age_bech32_decode(const char *s, char *ret_hrp, size_t hrp_size, uint8_t *ret_data, size_t data_size,
                      size_t *ret_len) {
        char buf[AGE_BECH32_MAX + 1];
        size_t len = strnlen(s, AGE_BECH32_MAX + 1), sep, out_len = 0;
        uint32_t chk, acc = 0;
        unsigned bits = 0;

        if (len > AGE_BECH32_MAX || fold_case(s, len, buf) < 0)
                return -EINVAL;
        /* The separator is the last '1'; the checksum takes 6 characters. */
        sep = last_separator(buf, len);
        if (sep == len || sep == 0 || len - sep - 1 < 6 || sep + 1 > hrp_size)
                return -EINVAL;

        chk = hrp_polymod(buf, sep);
        for (size_t i = sep + 1; i < len; i++) {
                const char *p = memchr(charset, buf[i], 32);
                uint8_t v;
                if (!p)
                        return -EINVAL;
                v = (uint8_t) (p - charset);
                chk = polymod_step(chk, v);
                if (i + 6 >= len)
                        continue; /* checksum characters carry no data */
                acc = (acc << 5) | v;
                bits += 5;
                if (bits >= 8) {
                        bits -= 8;
                        if (out_len >= data_size)
                                return -EINVAL;
                        ret_data[out_len++] = (acc >> bits) & 0xff;
                }
        }
        if (chk != 1)
                return -EINVAL;
        /* Padding: fewer than 5 bits, all zero. */
        if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
                return -EINVAL;

        memcpy(ret_hrp, buf, sep);
        ret_hrp[sep] = '\0';
        *ret_len = out_len;
        return 0;
}
