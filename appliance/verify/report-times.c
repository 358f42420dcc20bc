/* Times in a report: UTC, the device's zone (its session-start entry names
 * it; the picture's burned-in clock shows that zone) and the examiner's
 * (this machine's). And the end of a session: for a TRUNCATED one, the
 * last thing the device signed, not the time a recovery closed it. */
#include <string.h>

#include "report.h"

#define ZONE_MAX 64

bool verify_time_zone_valid(const char *zone) {
        size_t n = zone ? strlen(zone) : 0;

        if (n == 0 || n > ZONE_MAX || zone[0] == '/' || zone[0] == ':' || strstr(zone, ".."))
                return false;
        for (const char *t = zone; *t; t++)
                if (!g_ascii_isalnum(*t) && !strchr("/_+-,.:<>", *t))
                        return false;
        return true;
}

GDateTime *report_parse_utc(const char *rfc3339) {
        g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
        return rfc3339 && *rfc3339 ? g_date_time_new_from_iso8601(rfc3339, utc) : NULL;
}

static bool same_day(GDateTime *a, GDateTime *b) {
        return g_date_time_get_year(a) == g_date_time_get_year(b) &&
               g_date_time_get_day_of_year(a) == g_date_time_get_day_of_year(b);
}

static bool is_utc(GDateTime *t) {
        return g_date_time_get_utc_offset(t) == 0 &&
               g_strcmp0(g_date_time_get_timezone_abbreviation(t), "UTC") == 0;
}

/* "2026-12-01 11:32:05 CET (10:32:05 UTC)" in tz; UTC alone when tz is UTC */
static char *zone_and_utc(GDateTime *utc, GTimeZone *tz, bool with_date) {
        g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
        g_autofree char *l = NULL, *u = NULL;

        if (!local || is_utc(local))
                return g_date_time_format(utc, with_date ? "%Y-%m-%d %H:%M:%S UTC" : "%H:%M:%S UTC");
        l = g_date_time_format(local, with_date ? "%Y-%m-%d %H:%M:%S %Z" : "%H:%M:%S %Z");
        u = g_date_time_format(utc, with_date && !same_day(local, utc) ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S");
        return g_strdup_printf("%s (%s UTC)", l, u);
}

char *report_local_datetime(GDateTime *utc, bool with_date) {
        g_autoptr(GTimeZone) tz = g_time_zone_new_local();
        return zone_and_utc(utc, tz, with_date);
}

char *report_local_time(const char *rfc3339, bool with_date) {
        g_autoptr(GDateTime) t = report_parse_utc(rfc3339);
        g_autoptr(GDateTime) u = t ? g_date_time_to_utc(t) : NULL;
        return u ? report_local_datetime(u, with_date) : NULL;
}

char *report_device_time(const report_facts *f, const char *rfc3339, bool with_date) {
        g_autoptr(GDateTime) t = report_parse_utc(rfc3339);
        g_autoptr(GDateTime) u = t ? g_date_time_to_utc(t) : NULL;

        if (!u)
                return NULL;
        return zone_and_utc(u, f->device_tz ? f->device_tz : f->examiner_tz, with_date);
}

/* "11:32:05 CET", with the date when it is not UTC's */
static char *clock_in(GDateTime *utc, GTimeZone *tz) {
        g_autoptr(GDateTime) l = g_date_time_to_timezone(utc, tz);

        if (!l)
                return g_strdup("?");
        return g_date_time_format(l, same_day(l, utc) ? "%H:%M:%S %Z" : "%Y-%m-%d %H:%M:%S %Z");
}

char *report_times(const report_facts *f, const char *rfc3339) {
        g_autoptr(GDateTime) t = report_parse_utc(rfc3339);
        g_autoptr(GDateTime) u = t ? g_date_time_to_utc(t) : NULL;
        g_autofree char *utc = NULL, *dev = NULL, *ex = NULL;

        if (!u)
                return NULL;
        utc = g_date_time_format(u, "%Y-%m-%d %H:%M:%S UTC");
        ex = clock_in(u, f->examiner_tz);
        if (!f->device_tz)
                return g_strdup_printf("%s; device zone unknown%s; examiner %s", utc,
                                       f->device_zone ? " to this machine" : "", ex);
        dev = clock_in(u, f->device_tz);
        if (strcmp(dev, ex) == 0)
                return g_strdup_printf("%s; device and examiner %s", utc, dev);
        return g_strdup_printf("%s; device %s; examiner %s", utc, dev, ex);
}

void report_zones_init(report_facts *f, const verify_ctx *c) {
        const char *ex;

        f->device_zone = c->log.time_zone;
        f->device_tz = f->device_zone ? g_time_zone_new_identifier(f->device_zone) : NULL;
        f->examiner_tz = g_time_zone_new_local();
        ex = g_time_zone_get_identifier(f->examiner_tz);
        f->examiner_zone = g_strdup(ex && *ex ? ex : "local time");
        if (f->device_tz)
                f->zone_line = g_strdup_printf("device %s (signed at the session's start); examiner %s",
                                               f->device_zone, f->examiner_zone);
        else if (f->device_zone)
                f->zone_line = g_strdup_printf(
                        "device %s (signed at the session's start), unknown to this machine's time zone "
                        "database: times are in UTC and the examiner's zone (%s)",
                        f->device_zone, f->examiner_zone);
        else
                f->zone_line = g_strdup_printf(
                        "device zone unknown: the session does not record it (an older release "
                        "recorded it); times are in UTC and the examiner's zone (%s)",
                        f->examiner_zone);
}

void report_zones_done(report_facts *f) {
        if (f->device_tz)
                g_time_zone_unref(f->device_tz);
        g_time_zone_unref(f->examiner_tz);
        g_free(f->examiner_zone);
        g_free(f->zone_line);
}

static bool has_truncated(const custody_manifest *m) {
        for (size_t i = 0; i < m->n_segments; i++)
                if (m->segments[i].truncated)
                        return true;
        return false;
}

void report_end_init(report_facts *f, const verify_ctx *c) {
        const verify_log *l = &c->log;

        f->end_utc = c->m->ended_utc;
        f->end_basis = NULL;
        if (!has_truncated(c->m) || !l->read)
                return;
        /* the device stopped signing at its last checkpoint; a recovery at the
         * next start closed the session later */
        if (*l->last_checkpoint_utc) {
                f->end_utc = l->last_checkpoint_utc;
                f->end_basis = "the last signed checkpoint: recorded and signed up to here";
        } else if (*l->last_signed_utc) {
                f->end_utc = l->last_signed_utc;
                f->end_basis = "the last signed entry: no checkpoint was signed";
        }
        f->closed_utc = *l->recovery_utc ? l->recovery_utc : c->m->ended_utc;
        f->closed_what = *l->recovery_utc ? "recovery after a crash, when the device started again"
                                          : report_stop_words(c->m->stop_reason);
}
