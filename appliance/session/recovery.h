/* Crash recovery at start-up: sessions a crash, a power cut or a full disk
 * left open are closed honestly (custody_recover_spool) before anything
 * new is recorded. It hashes whole segments, so it runs once when the
 * process starts, before the loop, never before each recording; the
 * daemon's studioctl recover runs it on a worker thread, never on the
 * event loop. */
#pragma once

#include "minisign.h"

/* Closes what needs closing in spool and logs what it found. *ret_note
 * (may be NULL) gets the report, cut to a size fit for a custody entry,
 * for the next session's log (so that a folder left untouched is never
 * only a line on a console nobody read); NULL when there was nothing. */
int rec_recover_spool(const char *spool, const char *state_dir, const minisign_secret *key, char **ret_note);
