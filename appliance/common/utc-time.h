/* The one time form the published JSON documents use (the room state, the
 * backlog, status.json, receipts): UTC to the second, fixed at 20
 * characters, "2026-12-01T10:32:00Z". Times are g_get_real_time() values
 * (microseconds since 1970); years 1970 to 9999. */
#pragma once

#include <glib.h>
#include <stdint.h>

/* The form for real_us (seconds, never rounded up; clamped to the years
 * above); caller frees. */
gchar *utc_time_format(int64_t real_us);
/* That form exactly (and nothing else, no impossible date) into
 * microseconds; -EINVAL. */
int utc_time_parse(const char *s, int64_t *ret_us);
