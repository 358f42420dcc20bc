/* The PIN guard's state file: the lock, the count of wrong PINs and the
 * refusals not yet signed, so that a restart (a power cut at the keypad)
 * clears none of them. Written atomically; read strictly. A file that
 * cannot be read or parsed locks the panel: corruption never unlocks it,
 * and studioctl unlock (which rewrites the file) is the way out.
 *
 *   version 1
 *   failures N        0..PINGUARD_LOCK_AFTER
 *   locked 0|1
 *   refused N         pending refusals
 *   first US          wall clock of the first and the last, µs
 *   last US
 *   number DIGITS     0..PINGUARD_NUMBERS_LISTED lines, distinct
 *   more 0|1
 */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "fsutil.h"
#include "pinguard.h"

#define PINGUARD_FILE_VERSION 1

char *pinguard_format(const pinguard *g, size_t *ret_len) {
        GString *s = g_string_new(NULL);

        g_string_append_printf(s, "version %d\nfailures %u\nlocked %d\nrefused %" G_GUINT64_FORMAT "\n",
                               PINGUARD_FILE_VERSION, g->failures, g->locked ? 1 : 0, (guint64) g->refused);
        g_string_append_printf(s, "first %" G_GINT64_FORMAT "\nlast %" G_GINT64_FORMAT "\n",
                               (gint64) g->first_us, (gint64) g->last_us);
        for (unsigned i = 0; i < g->n_numbers && i < PINGUARD_NUMBERS_LISTED; i++)
                g_string_append_printf(s, "number %.*s\n", PINGUARD_NUMBER_MAX, g->numbers[i]);
        g_string_append_printf(s, "more %d\n", g->more_numbers ? 1 : 0);
        *ret_len = s->len;
        return g_string_free(s, FALSE);
}

int pinguard_save(const pinguard *g, const char *state_dir) {
        g_autofree char *path = g_build_filename(state_dir, PINGUARD_FILE, NULL);
        size_t len;
        g_autofree char *text = pinguard_format(g, &len);

        return fs_write_atomic(path, text, len, 0600);
}

typedef struct cursor {
        const char *p, *end;
} cursor;

/* The next line "KEY VALUE" with this key: its value, NUL-free and
 * without the newline, in out (at most max bytes). */
static bool next_value(cursor *c, const char *key, char *out, size_t max) {
        size_t klen = strlen(key);
        const char *nl = memchr(c->p, '\n', (size_t) (c->end - c->p));

        if (!nl || (size_t) (nl - c->p) <= klen + 1 || memcmp(c->p, key, klen) != 0 || c->p[klen] != ' ')
                return false;
        const char *v = c->p + klen + 1;
        size_t vlen = (size_t) (nl - v);
        if (vlen == 0 || vlen > max || memchr(v, '\0', vlen))
                return false;
        memcpy(out, v, vlen);
        out[vlen] = '\0';
        c->p = nl + 1;
        return true;
}

static bool next_u64(cursor *c, const char *key, guint64 max, guint64 *ret) {
        char v[24];
        return next_value(c, key, v, sizeof(v) - 1) && g_ascii_string_to_unsigned(v, 10, 0, max, ret, NULL);
}

static bool next_i64(cursor *c, const char *key, gint64 *ret) {
        char v[24];
        return next_value(c, key, v, sizeof(v) - 1) &&
               g_ascii_string_to_signed(v, 10, 0, G_MAXINT64, ret, NULL);
}

static bool digits(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > PINGUARD_NUMBER_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static bool parse_numbers(cursor *c, pinguard *g) {
        char v[PINGUARD_NUMBER_MAX + 1];

        /* the text is not NUL-terminated: compare within it */
        while ((size_t) (c->end - c->p) > 7 && memcmp(c->p, "number ", 7) == 0) {
                if (g->n_numbers >= PINGUARD_NUMBERS_LISTED ||
                    !next_value(c, "number", v, PINGUARD_NUMBER_MAX) || !digits(v))
                        return false;
                for (unsigned i = 0; i < g->n_numbers; i++)
                        if (strcmp(g->numbers[i], v) == 0)
                                return false;
                g_strlcpy(g->numbers[g->n_numbers++], v, sizeof(g->numbers[0]));
        }
        return true;
}

static bool parse_all(const char *text, size_t len, pinguard *g) {
        cursor c = {text, text + len};
        guint64 version, failures, locked, refused, more;
        gint64 first, last;

        if (!next_u64(&c, "version", PINGUARD_FILE_VERSION, &version) || version != PINGUARD_FILE_VERSION ||
            !next_u64(&c, "failures", PINGUARD_LOCK_AFTER, &failures) ||
            !next_u64(&c, "locked", 1, &locked) || !next_u64(&c, "refused", G_MAXUINT64, &refused) ||
            !next_i64(&c, "first", &first) || !next_i64(&c, "last", &last) || !parse_numbers(&c, g) ||
            !next_u64(&c, "more", 1, &more) || c.p != c.end)
                return false;
        /* what the guard itself never writes */
        if ((failures >= PINGUARD_LOCK_AFTER && !locked) || first > last ||
            (refused == 0 && (first || last || g->n_numbers || more)) || (refused && !g->n_numbers && !more))
                return false;
        g->failures = (unsigned) failures;
        g->locked = locked;
        g->refused = refused;
        g->first_us = first;
        g->last_us = last;
        g->more_numbers = more;
        return true;
}

int pinguard_parse(const char *text, size_t len, pinguard *ret) {
        pinguard g = {0};

        if (!text || len > PINGUARD_FILE_MAX || !parse_all(text, len, &g)) {
                *ret = (pinguard){.locked = true, .failures = PINGUARD_LOCK_AFTER};
                return -EBADMSG;
        }
        *ret = g;
        return 0;
}

int pinguard_load(const char *state_dir, uint64_t now_ns, pinguard *ret, char **ret_message) {
        g_autofree char *path = g_build_filename(state_dir, PINGUARD_FILE, NULL);
        g_autofree char *text = NULL;
        size_t len = 0;
        int r = fs_read_file(path, PINGUARD_FILE_MAX, &text, &len);

        if (r == -ENOENT) {
                *ret = (pinguard){0};
                return 0;
        }
        if (r >= 0)
                r = pinguard_parse(text, len, ret);
        if (r < 0) {
                *ret = (pinguard){.locked = true, .failures = PINGUARD_LOCK_AFTER};
                *ret_message =
                        g_strdup_printf("the PIN guard's state %s cannot be read (%s): the panel stays "
                                        "locked until police IT checks the device and runs studioctl unlock",
                                        path, r == -EBADMSG ? "malformed" : g_strerror(-r));
                return r;
        }
        pinguard_rearm(ret, now_ns);
        return 0;
}
