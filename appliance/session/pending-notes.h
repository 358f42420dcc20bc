/* Notes that wait for the next session's custody log: start-up recovery's
 * report, health faults seen while no session was open, each with the time
 * it happened. A bounded queue: past its bound the oldest notes stay and
 * the rest are counted, and the count is itself a note, so nothing is lost
 * without a word. */
#pragma once

#include <glib.h>

#define PENDING_NOTES_MAX 64

typedef struct pending_note {
        gchar *what;   /* the entry's kind, e.g. "health-fault" */
        gchar *detail; /* what happened, with when */
} pending_note;

typedef struct pending_notes {
        pending_note notes[PENDING_NOTES_MAX];
        guint n;
        guint dropped; /* notes past the bound since the last take */
} pending_notes;

/* Queues a copy of WHAT and DETAIL; past the bound, counts it. */
void pending_notes_add(pending_notes *q, const char *what, const char *detail);
/* Calls WRITE for each note in order, then for the count of dropped notes
 * ("notes-dropped"), and empties the queue. */
void pending_notes_take(pending_notes *q,
                        void (*write)(const char *what, const char *detail, void *userdata), void *userdata);
/* Frees what the queue holds. */
void pending_notes_clear(pending_notes *q);
