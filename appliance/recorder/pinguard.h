/* Wrong-PIN rate limiting: the first three refusals are free, then each
 * refusal makes the next try wait longer (2, 4, 8 … s), and the tenth
 * locks the panel until an administrator clears it (studioctl unlock). A
 * right PIN resets the count. Pure logic on a caller-given clock, so that
 * it is tested without waiting. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PINGUARD_FREE_TRIES 3
#define PINGUARD_LOCK_AFTER 10

typedef struct pinguard {
        unsigned failures;
        uint64_t next_try_ns; /* monotonic; 0: now */
        bool locked;
} pinguard;

/* 0: a PIN may be checked now; -EAGAIN: wait *ret_wait_ns first;
 * -ENOLCK: locked. */
int pinguard_may_try(const pinguard *g, uint64_t now_ns, uint64_t *ret_wait_ns);
void pinguard_failed(pinguard *g, uint64_t now_ns);
void pinguard_succeeded(pinguard *g);
void pinguard_unlock(pinguard *g);
