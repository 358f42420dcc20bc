#include "util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (!s || !*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                unsigned d = (unsigned) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        if (v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

struct unit {
        const char *suffix;
        uint64_t factor;
};

static int parse_with_units(const char *s, const struct unit *units, size_t n_units, uint64_t *ret) {
        char digits[32];
        size_t i = 0;
        uint64_t v;
        int r;

        if (!s)
                return -EINVAL;
        while (s[i] >= '0' && s[i] <= '9')
                i++;
        if (i == 0 || i >= sizeof(digits))
                return -EINVAL;
        memcpy(digits, s, i);
        digits[i] = '\0';
        r = util_parse_u64(digits, 0, UINT64_MAX, &v);
        if (r < 0)
                return r;
        for (size_t u = 0; u < n_units; u++) {
                if (strcmp(s + i, units[u].suffix) != 0)
                        continue;
                if (units[u].factor && v > UINT64_MAX / units[u].factor)
                        return -ERANGE;
                *ret = v * units[u].factor;
                return 0;
        }
        return -EINVAL;
}

int util_parse_duration_ns(const char *s, uint64_t *ret_ns) {
        static const struct unit units[] = {
                {"", 1000000000ULL},   {"s", 1000000000ULL},    {"sec", 1000000000ULL},  {"ms", 1000000ULL},
                {"m", 60000000000ULL}, {"min", 60000000000ULL}, {"h", 3600000000000ULL},
        };
        return parse_with_units(s, units, ELEMENTSOF(units), ret_ns);
}

int util_parse_size(const char *s, uint64_t *ret_bytes) {
        static const struct unit units[] = {
                {"", 1},
                {"B", 1},
                {"K", 1ULL << 10},
                {"KiB", 1ULL << 10},
                {"KB", 1000ULL},
                {"M", 1ULL << 20},
                {"MiB", 1ULL << 20},
                {"MB", 1000000ULL},
                {"G", 1ULL << 30},
                {"GiB", 1ULL << 30},
                {"GB", 1000000000ULL},
        };
        return parse_with_units(s, units, ELEMENTSOF(units), ret_bytes);
}

void util_hex(const uint8_t *buf, size_t len, char *out) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[buf[i] >> 4];
                out[2 * i + 1] = digits[buf[i] & 0xf];
        }
        out[2 * len] = '\0';
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char) tolower((unsigned char) c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int util_unhex(const char *hex, uint8_t *out, size_t len) {
        if (!hex || strlen(hex) != 2 * len)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                out[i] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

void util_format_hms(uint64_t ns, char out[static UTIL_HMS_MAX]) {
        uint64_t s = ns / 1000000000ULL;

        (void) snprintf(out, UTIL_HMS_MAX, "%" PRIu64 ":%02u:%02u", s / 3600, (unsigned) (s / 60 % 60),
                        (unsigned) (s % 60));
}

bool util_session_id_valid(const char *name) {
        static const char pattern[] = "DDDDDDDDTDDDDDDZ-XXXXXXXX";

        if (!name || strlen(name) != sizeof(pattern) - 1)
                return false;
        for (size_t i = 0; pattern[i]; i++) {
                char c = name[i];
                bool ok = pattern[i] == 'D'   ? isdigit((unsigned char) c)
                          : pattern[i] == 'X' ? isdigit((unsigned char) c) || (c >= 'a' && c <= 'f')
                                              : c == pattern[i];
                if (!ok)
                        return false;
        }
        return true;
}
