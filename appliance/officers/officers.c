/* Officers file: parsing, PIN policy and Argon2id PIN hashes. */
#include "officers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "util.h"

#define OFFICERS_HASH_PREFIX "$argon2id$"
#define OFFICERS_LINE_MAX (OFFICERS_NUMBER_MAX + 1 + crypto_pwhash_STRBYTES)
#define OFFICERS_FILE_MAX ((size_t) OFFICERS_MAX * (OFFICERS_LINE_MAX + 1) + 4096)
#define OFFICERS_HEADER "# studio officers: NUMBER:Argon2id PIN hash, written by studio-keys officer-add\n"

typedef struct officer {
        char number[OFFICERS_NUMBER_MAX + 1];
        char hash[crypto_pwhash_STRBYTES];
} officer;

struct officers {
        officer *list;
        size_t n, cap;
};

officers *officers_new(void) {
        return calloc(1, sizeof(officers));
}

officers *officers_free(officers *o) {
        if (!o)
                return NULL;
        free(o->list);
        free(o);
        return NULL;
}

static void officers_freep(officers **o) {
        officers_free(*o);
}

size_t officers_count(const officers *o) {
        return o->n;
}

const char *officers_number(const officers *o, size_t i) {
        return i < o->n ? o->list[i].number : NULL;
}

static bool number_valid_len(const char *s, size_t len) {
        if (len < 1 || len > OFFICERS_NUMBER_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

bool officers_number_valid(const char *number) {
        return number && number_valid_len(number, strnlen(number, OFFICERS_NUMBER_MAX + 1));
}

static bool hash_valid_len(const char *s, size_t len) {
        if (len >= crypto_pwhash_STRBYTES || len <= strlen(OFFICERS_HASH_PREFIX) ||
            memcmp(s, OFFICERS_HASH_PREFIX, strlen(OFFICERS_HASH_PREFIX)) != 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$=,+/", s[i]) ||
                    s[i] == '\0')
                        return false;
        return true;
}

static officer *officers_find(const officers *o, const char *number) {
        for (size_t i = 0; i < o->n; i++)
                if (strcmp(o->list[i].number, number) == 0)
                        return &o->list[i];
        return NULL;
}

static int officers_append(officers *o, const char *number, size_t nlen, const char *hash, size_t hlen) {
        officer *e;

        if (o->n >= OFFICERS_MAX)
                return -E2BIG;
        if (o->n == o->cap) {
                size_t cap = o->cap ? 2 * o->cap : 16;
                officer *l = reallocarray(o->list, cap, sizeof *l);
                if (!l)
                        return -ENOMEM;
                o->list = l;
                o->cap = cap;
        }
        e = &o->list[o->n];
        memset(e, 0, sizeof *e);
        memcpy(e->number, number, nlen);
        memcpy(e->hash, hash, hlen);
        if (officers_find(o, e->number))
                return -EEXIST;
        o->n++;
        return 0;
}

static int parse_line(officers *o, const char *line, size_t len) {
        const char *colon;

        if (len == 0 || line[0] == '#')
                return 0;
        if (len > OFFICERS_LINE_MAX || memchr(line, '\0', len))
                return -EBADMSG;
        colon = memchr(line, ':', len);
        if (!colon)
                return -EBADMSG;
        if (!number_valid_len(line, (size_t) (colon - line)))
                return -EBADMSG;
        if (!hash_valid_len(colon + 1, len - (size_t) (colon - line) - 1))
                return -EBADMSG;
        return officers_append(o, line, (size_t) (colon - line), colon + 1,
                               len - (size_t) (colon - line) - 1) < 0
                       ? -EBADMSG
                       : 0;
}

int officers_parse(const char *text, size_t len, officers **ret, unsigned *ret_bad_line) {
        _cleanup_(officers_freep) officers *o = officers_new();
        const char *p = text, *end = text + len;
        unsigned lineno = 0;

        if (!o)
                return -ENOMEM;
        if (len > OFFICERS_FILE_MAX)
                return -EFBIG;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                lineno++;
                if (parse_line(o, p, n) < 0) {
                        if (ret_bad_line)
                                *ret_bad_line = lineno;
                        return -EBADMSG;
                }
                p = nl ? nl + 1 : end;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

int officers_load(const char *path, officers **ret, unsigned *ret_bad_line) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        r = fs_read_file(path, OFFICERS_FILE_MAX, &text, &len);
        if (r < 0)
                return r;
        return officers_parse(text, len, ret, ret_bad_line);
}

int officers_save(const officers *o, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t cap = sizeof OFFICERS_HEADER + o->n * (OFFICERS_LINE_MAX + 1), len;

        text = malloc(cap);
        if (!text)
                return -ENOMEM;
        memcpy(text, OFFICERS_HEADER, sizeof OFFICERS_HEADER - 1);
        len = sizeof OFFICERS_HEADER - 1;
        for (size_t i = 0; i < o->n; i++) {
                int n = snprintf(text + len, cap - len, "%s:%s\n", o->list[i].number, o->list[i].hash);
                if (n < 0 || (size_t) n >= cap - len)
                        return -ENOBUFS;
                len += (size_t) n;
        }
        return fs_write_atomic(path, text, len, 0640);
}

static bool pin_is_run(const char *pin, size_t len, int step) {
        for (size_t i = 1; i < len; i++)
                if ((pin[i] - pin[i - 1] + 10) % 10 != step)
                        return false;
        return true;
}

int officers_pin_check(const char *pin, const char **ret_reason) {
        const char *why = NULL;
        size_t len = pin ? strnlen(pin, OFFICERS_PIN_MAX + 1) : 0;

        for (size_t i = 0; i < len && !why; i++)
                if (pin[i] < '0' || pin[i] > '9')
                        why = "a PIN may contain digits only (the studio panel has a number pad)";
        if (!why && len < 5)
                why = "a PIN needs at least 5 digits";
        else if (!why && len > OFFICERS_PIN_MAX)
                why = "a PIN may have at most 64 digits";
        else if (!why && pin_is_run(pin, len, 0))
                why = "a PIN may not repeat one digit (like 11111): it is the first thing anyone tries";
        else if (!why && (pin_is_run(pin, len, 1) || pin_is_run(pin, len, 9)))
                why = "a PIN may not be a straight run (like 12345 or 54321): it is among the first guesses";
        if (why && ret_reason)
                *ret_reason = why;
        return why ? -EINVAL : 0;
}

int officers_add(officers *o, const char *number, const char *pin) {
        char hash[crypto_pwhash_STRBYTES];
        int r;

        if (!officers_number_valid(number) || officers_pin_check(pin, NULL) < 0)
                return -EINVAL;
        if (officers_find(o, number))
                return -EEXIST;
        if (sodium_init() < 0)
                return -EIO;
        if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
                return -ENOMEM;
        r = officers_append(o, number, strlen(number), hash, strlen(hash));
        sodium_memzero(hash, sizeof hash);
        return r;
}

int officers_remove(officers *o, const char *number) {
        officer *e = officers_number_valid(number) ? officers_find(o, number) : NULL;

        if (!e)
                return -ENOENT;
        memmove(e, e + 1, (size_t) (o->list + o->n - (e + 1)) * sizeof *e);
        o->n--;
        return 0;
}

const char *officers_pin_hash(const officers *o, const char *number) {
        const officer *e = officers_number_valid(number) ? officers_find(o, number) : NULL;
        return e ? e->hash : NULL;
}

int officers_check_pin(const officers *o, const char *number, const char *pin) {
        const officer *e = officers_number_valid(number) ? officers_find(o, number) : NULL;

        if (!e)
                return -ENOENT;
        if (!pin || strnlen(pin, OFFICERS_PIN_MAX + 1) > OFFICERS_PIN_MAX)
                return -EACCES;
        if (sodium_init() < 0)
                return -EIO;
        return crypto_pwhash_str_verify(e->hash, pin, strlen(pin)) == 0 ? 0 : -EACCES;
}
