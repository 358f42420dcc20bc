/* `studio-recorder --once`: one session without the daemon, for the demo,
 * the tests and diagnosis. */
#pragma once

#include <stdint.h>

#include "capture.h"
#include "session.h"

typedef struct once_options {
        uint64_t duration_ns;    /* 0: until SIGINT/SIGTERM */
        uint64_t eos_timeout_ns; /* bound on the wait for end of stream */
} once_options;

/* Runs the pipeline until the duration passes or a signal arrives, then
 * ends it with EOS so that the last segment is sealed whole. Returns 0 when
 * the recording ended cleanly, < 0 when it ended on a fault (-EIO, or
 * -ENOSPC when the custody log or its close reserve found the disk full;
 * everything sealed so far is kept), and fills *ret_message with the
 * reason. A full disk stops the pipeline at once, without end of stream
 * (the last chunk would not fit): the open segment is left truncated. */
int once_run(GstElement *pipeline, rec_session *session, const once_options *o, gchar **ret_message);
