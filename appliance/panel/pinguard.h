/* Wrong-PIN rate limiting: the first three refusals are free, then each
 * refusal makes the next try wait longer (2, 4, 8 … s), and the tenth
 * locks the panel until an administrator clears it (studioctl unlock). A
 * right PIN resets the count. Pure logic on a caller-given clock, so that
 * it is tested without waiting.
 *
 * The guard also keeps the refusals not yet signed into a session's log,
 * as a summary of bounded size (count, first and last time, the officer
 * numbers tried, at most PINGUARD_NUMBERS_LISTED of them): however many
 * refusals come before a session, the one pin-refused entry that reports
 * them fits a custody line.
 *
 * Its state survives a restart (pinguard-file.c): a power cut at the
 * keypad neither clears a lock nor forgets a refusal. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PINGUARD_FREE_TRIES 3
#define PINGUARD_LOCK_AFTER 10
#define PINGUARD_NUMBER_MAX 12     /* = OFFICERS_NUMBER_MAX */
#define PINGUARD_NUMBERS_LISTED 16 /* distinct officer numbers named in the summary */
/* The summary's longest form: the fixed words, two times, a 20-digit
 * count and the listed numbers with their separators. */
#define PINGUARD_SUMMARY_MAX (256 + PINGUARD_NUMBERS_LISTED * (PINGUARD_NUMBER_MAX + 2))

typedef struct pinguard {
        unsigned failures;
        uint64_t next_try_ns; /* monotonic; 0: now */
        bool locked;

        /* refusals not yet signed into a session's log */
        uint64_t refused;
        int64_t first_us, last_us; /* wall clock, µs since the epoch */
        unsigned n_numbers;
        bool more_numbers; /* numbers were tried beyond those listed */
        char numbers[PINGUARD_NUMBERS_LISTED][PINGUARD_NUMBER_MAX + 1];
} pinguard;

/* 0: a PIN may be checked now; -EAGAIN: wait *ret_wait_ns first;
 * -ENOLCK: locked. */
int pinguard_may_try(const pinguard *g, uint64_t now_ns, uint64_t *ret_wait_ns);
void pinguard_failed(pinguard *g, uint64_t now_ns);
/* Sets the wait (or the lock) the count of failures asks for, from now_ns. */
void pinguard_rearm(pinguard *g, uint64_t now_ns);
/* A refusal: pinguard_failed() plus the pending summary (the officer
 * number tried, never the digits of the PIN). */
void pinguard_refused(pinguard *g, uint64_t now_ns, int64_t wall_us, const char *officer);
void pinguard_succeeded(pinguard *g);
/* Clears the lock and the count; the pending refusals stay until a
 * session's log holds them. */
void pinguard_unlock(pinguard *g);

/* The pending refusals in words (g_free), at most PINGUARD_SUMMARY_MAX
 * bytes; NULL when there are none. */
char *pinguard_summary(const pinguard *g);
/* The summary is in a session's log: forget the pending refusals. */
void pinguard_summary_taken(pinguard *g);

/* ---- the state file (pinguard-file.c) --------------------------------- */
#define PINGUARD_FILE "pin-guard"
#define PINGUARD_FILE_MAX 4096

/* The file's text (g_free). */
char *pinguard_format(const pinguard *g, size_t *ret_len);
/* Writes the guard to state_dir/PINGUARD_FILE atomically (mode 0600). */
int pinguard_save(const pinguard *g, const char *state_dir);
/* Parses the file's text strictly into *ret (cleared first). -EBADMSG for
 * anything malformed; *ret is then a locked guard, never an open one. */
int pinguard_parse(const char *text, size_t len, pinguard *ret);
/* Reads state_dir/PINGUARD_FILE: 0 and the saved guard (a wait due is
 * counted again from now_ns), 0 and a fresh guard when there is no file,
 * or -errno with *ret locked and *ret_message saying what is wrong and
 * how to clear it (g_free). */
int pinguard_load(const char *state_dir, uint64_t now_ns, pinguard *ret, char **ret_message);
