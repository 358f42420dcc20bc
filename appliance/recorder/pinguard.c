/* Wrong-PIN rate limiting (see pinguard.h). The waits double from 2 s:
 * after the 4th refusal 2 s, the 5th 4 s … the 9th 64 s; the 10th locks. A
 * right PIN resets the count but never a lock: only an administrator
 * clears that. */
#include <errno.h>
#include <stddef.h>

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

void pinguard_failed(pinguard *g, uint64_t now_ns) {
        if (g->failures < PINGUARD_LOCK_AFTER)
                g->failures++;
        if (g->failures >= PINGUARD_LOCK_AFTER) {
                g->locked = true;
                return;
        }
        if (g->failures <= PINGUARD_FREE_TRIES)
                return;
        uint64_t wait = PINGUARD_FIRST_WAIT_NS << (g->failures - PINGUARD_FREE_TRIES - 1);
        g->next_try_ns = now_ns > UINT64_MAX - wait ? UINT64_MAX : now_ns + wait;
}

void pinguard_succeeded(pinguard *g) {
        g->failures = 0;
        g->next_try_ns = 0;
}

void pinguard_unlock(pinguard *g) {
        *g = (pinguard){0};
}
