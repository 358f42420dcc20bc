/* The room a session's close needs, held from its start.
 *
 * A full disk must never leave a session that cannot be closed: the last
 * custody entries (the fault, the recovery entry for the cut segment,
 * stop), the manifest, both SHA256SUMS files and their signatures need a
 * few KiB. A signed session therefore keeps that space allocated in a
 * reserve file in the spool (SPOOL/.studio-reserve, on the same disk as
 * the session folder) and frees it just before it writes them. */
#pragma once

#include <stdint.h>

typedef struct rec_reserve rec_reserve;

#define REC_RESERVE_NAME ".studio-reserve"
/* What every close needs, whatever the session's length, and what each
 * sealed segment or event adds to the manifest and the sums (generously:
 * a segment's manifest entry is about 700 bytes, a file takes whole
 * 4 KiB blocks). */
#define REC_RESERVE_BASE ((uint64_t) 256 * 1024)
#define REC_RESERVE_PER_SEGMENT ((uint64_t) 4096)
#define REC_RESERVE_PER_EVENT ((uint64_t) 1024)

/* Allocates SPOOL/.studio-reserve of base bytes (replacing one a crash
 * left). -ENOSPC when the disk cannot hold it: then nothing is left
 * behind. The environment variable STUDIO_CLOSE_RESERVE (bytes) replaces
 * base, for tests of a close that finds no room (0: no reserve). */
int rec_reserve_take(const char *spool_dir, uint64_t base, rec_reserve **ret);
/* Grows the reserve by bytes (the manifest grows with each segment and
 * event); -ENOSPC when the disk is full. */
int rec_reserve_grow(rec_reserve *r, uint64_t bytes);
/* Frees the space (unlinks the file); NULL is fine. Returns NULL. */
rec_reserve *rec_reserve_release(rec_reserve *r);
/* Removes a reserve a crashed recorder left in SPOOL, so that recovery can
 * use its room; 0 when there was none. */
int rec_reserve_drop_stale(const char *spool_dir);
/* Free bytes on the disk holding path, for messages (0 when unknown). */
uint64_t rec_reserve_free_bytes(const char *path);
