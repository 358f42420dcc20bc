/* Checking custody entry signatures on every core (sigcheck.c). */
#pragma once

#include "custody.h"
#include "minisign.h"

typedef struct verify_sigcheck verify_sigcheck;

typedef struct verify_sig_bad {
        unsigned line_no;
        uint64_t seq;
        custody_event event;
} verify_sig_bad;

verify_sigcheck *verify_sigcheck_new(const minisign_public *pk);
/* Queues e's signature (its line is copied; e need not outlive the call). */
void verify_sigcheck_add(verify_sigcheck *s, const custody_entry *e);
/* Waits for every check, frees s, and returns the entries (verify_sig_bad,
 * by line) whose signature does not verify (caller g_array_unrefs). */
GArray *verify_sigcheck_finish(verify_sigcheck *s);
