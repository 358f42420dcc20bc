/* The documents' time form (utc-time.h). */
#include "utc-time.h"

#include <errno.h>
#include <string.h>

/* Years 1970..9999 keep the form fixed at 20 characters. */
#define TIME_MIN_S 0LL
#define TIME_MAX_S 253402300799LL /* 9999-12-31T23:59:59Z */

gchar *utc_time_format(int64_t real_us) {
        int64_t s = real_us >= 0 ? real_us / G_USEC_PER_SEC
                                 : -((-real_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
        g_autoptr(GDateTime) t = NULL;

        s = CLAMP(s, TIME_MIN_S, TIME_MAX_S);
        t = g_date_time_new_from_unix_utc(s);
        return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year(t),
                               g_date_time_get_month(t), g_date_time_get_day_of_month(t),
                               g_date_time_get_hour(t), g_date_time_get_minute(t),
                               g_date_time_get_second(t));
}

int utc_time_parse(const char *s, int64_t *ret_us) {
        g_autoptr(GDateTime) t = NULL;
        g_autofree gchar *back = NULL;
        int64_t unix_s;

        if (!g_regex_match_simple("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", s,
                                  G_REGEX_DOLLAR_ENDONLY, 0))
                return -EINVAL;
        t = g_date_time_new_from_iso8601(s, NULL);
        if (!t)
                return -EINVAL;
        unix_s = g_date_time_to_unix(t);
        if (unix_s < TIME_MIN_S || unix_s > TIME_MAX_S)
                return -EINVAL;
        /* GDateTime normalises some impossible times (a leap second "…:60"). */
        back = utc_time_format(unix_s * G_USEC_PER_SEC);
        if (strcmp(back, s) != 0)
                return -EINVAL;
        *ret_us = unix_s * G_USEC_PER_SEC;
        return 0;
}
