/* libFuzzer: arbitrary bytes as the PIN guard's state file. Oracles: a
 * refused file leaves a locked guard (corruption never unlocks the panel);
 * an accepted one is a guard the recorder could have written (failures in
 * range, a full count locked, numbers listed at most
 * PINGUARD_NUMBERS_LISTED, digits only), and writing it out again gives
 * back exactly the same guard. */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "pinguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const pinguard *g) {
        if (g->failures > PINGUARD_LOCK_AFTER || (g->failures == PINGUARD_LOCK_AFTER && !g->locked) ||
            g->n_numbers > PINGUARD_NUMBERS_LISTED || g->first_us > g->last_us)
                abort();
        for (unsigned i = 0; i < g->n_numbers; i++) {
                size_t n = strnlen(g->numbers[i], PINGUARD_NUMBER_MAX + 1);
                if (n == 0 || n > PINGUARD_NUMBER_MAX || strspn(g->numbers[i], "0123456789") != n)
                        abort();
        }
        char *s = pinguard_summary(g);
        if (s && strlen(s) > PINGUARD_SUMMARY_MAX)
                abort();
        g_free(s);
}

static bool same(const pinguard *a, const pinguard *b) {
        if (a->failures != b->failures || a->locked != b->locked || a->refused != b->refused ||
            a->first_us != b->first_us || a->last_us != b->last_us || a->n_numbers != b->n_numbers ||
            a->more_numbers != b->more_numbers)
                return false;
        for (unsigned i = 0; i < a->n_numbers; i++)
                if (strcmp(a->numbers[i], b->numbers[i]) != 0)
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        pinguard g, again;
        size_t len;

        if (pinguard_parse((const char *) data, size, &g) < 0) {
                if (!g.locked || pinguard_may_try(&g, 0, NULL) != -ENOLCK)
                        abort();
                return 0;
        }
        check_accepted(&g);
        char *text = pinguard_format(&g, &len);
        if (pinguard_parse(text, len, &again) != 0 || !same(&g, &again))
                abort();
        g_free(text);
        return 0;
}
