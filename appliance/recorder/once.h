/* `studio-recorder --once`: one session without the daemon, for the demo,
 * the tests and diagnosis; a thin driver of the session controller. */
#pragma once

#include <stdint.h>

#include "controller.h"

typedef struct once_options {
        uint64_t duration_ns; /* 0: until SIGINT/SIGTERM */
        const char *officer;
        const char *recovery_note; /* what start-up recovery found, for the session's log */
} once_options;

/* Records one session with settings, until the duration passes or a
 * signal arrives (SIGUSR1 marks, SIGUSR2 breaks and resumes), prints what
 * was kept and, as its last line on stdout, the session folder. Returns
 * the exit status: 0 recorded and sealed, 1 nothing was recorded, 3 the
 * recording ended on a fault (what was sealed is kept). */
int once_main(const rec_settings *settings, const once_options *o);
