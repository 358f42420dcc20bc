/* Wrong-PIN rate limiting (see pinguard.h). The waits double from 2 s:
 * after the 4th refusal 2 s, the 5th 4 s … the 9th 64 s; the 10th locks. A
 * right PIN resets the count but never a lock: only an administrator
 * clears that. */
#include <errno.h>
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "pinguard.h"

#define PINGUARD_FIRST_WAIT_NS 2000000000ULL

_Static_assert(PINGUARD_LOCK_AFTER > PINGUARD_FREE_TRIES, "the lock comes after the free tries");
_Static_assert(PINGUARD_LOCK_AFTER - PINGUARD_FREE_TRIES < 40, "the longest wait fits in 64 bits");

int pinguard_may_try(const pinguard *g, uint64_t now_ns, uint64_t *ret_wait_ns) {
        if (g->locked)
                return -ENOLCK;
        if (now_ns < g->next_try_ns) {
                if (ret_wait_ns)
                        *ret_wait_ns = g->next_try_ns - now_ns;
                return -EAGAIN;
        }
        return 0;
}

/* The wait the current count of failures asks for, from now_ns. */
void pinguard_rearm(pinguard *g, uint64_t now_ns) {
        if (g->failures >= PINGUARD_LOCK_AFTER) {
                g->locked = true;
                return;
        }
        if (g->failures <= PINGUARD_FREE_TRIES)
                return;
        uint64_t wait = PINGUARD_FIRST_WAIT_NS << (g->failures - PINGUARD_FREE_TRIES - 1);
        g->next_try_ns = now_ns > UINT64_MAX - wait ? UINT64_MAX : now_ns + wait;
}

void pinguard_failed(pinguard *g, uint64_t now_ns) {
        if (g->failures < PINGUARD_LOCK_AFTER)
                g->failures++;
        pinguard_rearm(g, now_ns);
}

static bool number_listed(const pinguard *g, const char *officer) {
        for (unsigned i = 0; i < g->n_numbers; i++)
                if (strcmp(g->numbers[i], officer) == 0)
                        return true;
        return false;
}

void pinguard_refused(pinguard *g, uint64_t now_ns, int64_t wall_us, const char *officer) {
        pinguard_failed(g, now_ns);
        if (g->refused < UINT64_MAX)
                g->refused++;
        if (g->refused == 1 || wall_us < g->first_us)
                g->first_us = wall_us;
        if (g->refused == 1 || wall_us > g->last_us)
                g->last_us = wall_us;
        if (!officer || number_listed(g, officer))
                return;
        if (g->n_numbers < PINGUARD_NUMBERS_LISTED && strlen(officer) <= PINGUARD_NUMBER_MAX)
                g_strlcpy(g->numbers[g->n_numbers++], officer, sizeof(g->numbers[0]));
        else
                g->more_numbers = true;
}

void pinguard_succeeded(pinguard *g) {
        g->failures = 0;
        g->next_try_ns = 0;
}

void pinguard_unlock(pinguard *g) {
        g->failures = 0;
        g->next_try_ns = 0;
        g->locked = false;
}

static char *format_time(int64_t us) {
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);
        return t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("an unknown time");
}

char *pinguard_summary(const pinguard *g) {
        g_autofree char *first = NULL, *last = NULL;
        GString *s;

        if (!g->refused)
                return NULL;
        first = format_time(g->first_us);
        last = format_time(g->last_us);
        s = g_string_new(NULL);
        g_string_append_printf(
                s, "%" G_GUINT64_FORMAT " PIN refusal(s) between %s and %s for officer number(s) ",
                (guint64) g->refused, first, last);
        for (unsigned i = 0; i < g->n_numbers && i < PINGUARD_NUMBERS_LISTED; i++)
                g_string_append_printf(s, "%s%.*s", i ? ", " : "", PINGUARD_NUMBER_MAX, g->numbers[i]);
        if (g->more_numbers)
                g_string_append(s, g->n_numbers ? " and others" : "not listed");
        if (g->locked)
                g_string_append(s, "; the panel is locked");
        return g_string_free(s, FALSE);
}

void pinguard_summary_taken(pinguard *g) {
        g->refused = 0;
        g->first_us = g->last_us = 0;
        g->n_numbers = 0;
        g->more_numbers = false;
        memset(g->numbers, 0, sizeof(g->numbers));
}
