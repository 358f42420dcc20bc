/* The intake's SQLite index: one row per session the vault holds a signed
 * record of. It is a cache of what the vault proves, never the only copy
 * of anything: `--rebuild-index` (or a pass, for every record it
 * re-checks) fills it from the records alone (docs/intake.md, "The
 * index"). Functions return 0 or -errno with *ret_message. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct intake_index intake_index;

int intake_index_open(const char *path, intake_index **ret, gchar **ret_message);
intake_index *intake_index_free(intake_index *x);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(intake_index, intake_index_free)

/* Inserts or replaces the row of the record text (a record the caller has
 * checked: signed by the intake's key); token_time NULL: no token yet. */
int intake_index_put(intake_index *x, const char *text, size_t len, const char *token_time,
                     gchar **ret_message);
/* Removes every row (before a rebuild). */
int intake_index_clear(intake_index *x, gchar **ret_message);

typedef struct intake_index_query {
        const char *since, *until; /* RFC 3339 UTC bounds on the start, as given (validated by the caller) */
        const char *device, *room, *officer, *verdict;
} intake_index_query;

typedef struct intake_index_row {
        const char *session, *device, *room, *officer, *started, *ended, *verdict, *arrived, *token_time;
        long long segments, sealed_bytes, media_ns;
} intake_index_row;

typedef void (*intake_index_row_fn)(const intake_index_row *row, void *userdata);
/* The matching rows in order of start; returns how many (or -errno). */
int intake_index_query_run(intake_index *x, const intake_index_query *q, intake_index_row_fn fn,
                           void *userdata, gchar **ret_message);
