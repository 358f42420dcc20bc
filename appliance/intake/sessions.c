/* studio-intake --config FILE sessions [--since DATE] [--until DATE]
 * [--device ID] [--room NAME] [--officer N] [--verdict V] [--json]: the
 * index's sessions, in order of start. Strings from the index (which came
 * from the sessions) are escaped in the table and JSON-encoded in --json. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "index.h"
#include "intake.h"
#include "json-write.h"

static const char *const verdicts[] = {"INTACT",   "TRUNCATED",     "INCOMPLETE",
                                       "UNSIGNED", "UNTRUSTED-KEY", "TAMPERED"};

/* DATE (YYYY-MM-DD, the whole day) or an RFC 3339 time, as UTC text that
 * compares with the index's started_utc. NULL when it is neither. */
static char *bound(const char *s, bool end) {
        g_autoptr(GDateTime) t = NULL;

        if (strlen(s) == 10) {
                g_autofree char *full = g_strdup_printf("%sT00:00:00Z", s);
                t = g_date_time_new_from_iso8601(full, NULL);
                if (t && end) {
                        GDateTime *next = g_date_time_add_days(t, 1);
                        g_date_time_unref(t);
                        t = g_date_time_add_seconds(next, -0.000001);
                        g_date_time_unref(next);
                }
        } else
                t = g_date_time_new_from_iso8601(s, NULL);
        if (!t)
                return NULL;
        g_autoptr(GDateTime) utc = g_date_time_to_utc(t);
        return g_date_time_format(utc, end ? "%Y-%m-%dT%H:%M:%S.%fZ" : "%Y-%m-%dT%H:%M:%SZ");
}

static void add(JsonBuilder *b, const char *name, const char *v) {
        json_builder_set_member_name(b, name);
        if (v && g_utf8_validate(v, -1, NULL))
                json_builder_add_string_value(b, v);
        else if (v) {
                g_autofree char *x = escape_text(v);
                json_builder_add_string_value(b, x);
        } else
                json_builder_add_null_value(b);
}

static void row_json(const intake_index_row *r, void *userdata) {
        JsonBuilder *b = userdata;

        json_builder_begin_object(b);
        add(b, "session", r->session);
        add(b, "started_utc", r->started);
        add(b, "ended_utc", r->ended);
        add(b, "room", r->room);
        add(b, "device_id", r->device);
        add(b, "officer", r->officer);
        json_builder_set_member_name(b, "media_seconds");
        json_builder_add_int_value(b, r->media_ns / 1000000000);
        json_builder_set_member_name(b, "segments");
        json_builder_add_int_value(b, r->segments);
        json_builder_set_member_name(b, "sealed_bytes");
        json_builder_add_int_value(b, r->sealed_bytes);
        add(b, "verdict", r->verdict);
        add(b, "arrived", r->arrived);
        add(b, "token_time", r->token_time);
        json_builder_end_object(b);
}

static void row_text(const intake_index_row *r, void *userdata) {
        g_autofree char *room = escape_text(r->room ? r->room : "-"),
                        *dev = escape_text(r->device ? r->device : "-");
        g_autofree char *off = escape_text(r->officer ? r->officer : "-");
        long long s = r->media_ns / 1000000000;

        printf("%-25s  %-20.20s  %-20.20s  %-16s  %-24s  %6s  %02lld:%02lld:%02lld  %3lld  %12lld  %-13s  "
               "%-20s  %s\n",
               r->session, r->started ? r->started : "-", r->ended ? r->ended : "-", room, dev, off,
               s / 3600, s / 60 % 60, s % 60, r->segments, r->sealed_bytes, r->verdict,
               r->arrived ? r->arrived : "-", r->token_time ? r->token_time : "(no token)");
}

static int usage_error(const char *what) {
        fprintf(stderr, "studio-intake sessions: %s (see studio-intake --help)\n", what);
        return 2;
}

/* The filters of the command line into *q (with --since and --until into
 * *since and *until, which q points to) and --json into *json: returns -1
 * to go on, else the exit status of a wrong command line. */
static int parse_query(int argc, char **argv, intake_index_query *q, char **since, char **until,
                       bool *json) {
        static const struct option opts[] = {
                {"since", required_argument, NULL, 's'},   {"until", required_argument, NULL, 'u'},
                {"device", required_argument, NULL, 'd'},  {"room", required_argument, NULL, 'r'},
                {"officer", required_argument, NULL, 'o'}, {"verdict", required_argument, NULL, 'v'},
                {"json", no_argument, NULL, 'j'},          {}};
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0) {
                if (c == 's' && !(*since = bound(optarg, false)))
                        return usage_error("--since wants a date (2026-12-03) or an RFC 3339 time");
                else if (c == 'u' && !(*until = bound(optarg, true)))
                        return usage_error("--until wants a date (2026-12-03) or an RFC 3339 time");
                else if (c == 'd')
                        q->device = optarg;
                else if (c == 'r')
                        q->room = optarg;
                else if (c == 'o')
                        q->officer = optarg;
                else if (c == 'v')
                        q->verdict = optarg;
                else if (c == 'j')
                        *json = true;
                else if (c == '?')
                        return usage_error("unknown option");
        }
        if (optind != argc)
                return usage_error("unexpected argument");
        if (q->verdict &&
            !g_strv_contains((const char *const[]){verdicts[0], verdicts[1], verdicts[2], verdicts[3],
                                                   verdicts[4], verdicts[5], NULL},
                             q->verdict))
                return usage_error(
                        "--verdict is one of INTACT, TRUNCATED, INCOMPLETE, UNSIGNED, UNTRUSTED-KEY, "
                        "TAMPERED");
        q->since = *since;
        q->until = *until;
        return -1;
}

/* The matching sessions on stdout, as a JSON array or a table. */
static int print_sessions(intake_index *x, intake_index_query *q, bool json, gchar **ret_message) {
        int n;

        if (json) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                json_builder_begin_array(b);
                n = intake_index_query_run(x, q, row_json, b, ret_message);
                json_builder_end_array(b);
                g_autofree char *text = json_write_text(b);
                if (n >= 0)
                        puts(text);
                return n;
        }
        printf("%-25s  %-20s  %-20s  %-16s  %-24s  %6s  %8s  %3s  %12s  %-13s  %-20s  %s\n", "SESSION",
               "START (UTC)", "END (UTC)", "ROOM", "DEVICE", "OFFICER", "LENGTH", "SEG", "BYTES", "VERDICT",
               "ARRIVED", "TOKEN TIME");
        return intake_index_query_run(x, q, row_text, NULL, ret_message);
}

int intake_sessions_main(const intake_conf *conf, int argc, char **argv) {
        g_autofree char *since = NULL, *until = NULL;
        g_autoptr(intake_index) x = NULL;
        g_autofree gchar *msg = NULL;
        intake_index_query q = {};
        bool json = false;
        int r;

        r = parse_query(argc, argv, &q, &since, &until, &json);
        if (r >= 0)
                return r;
        if (intake_index_open(conf->index, &x, &msg) < 0)
                return fprintf(stderr, "studio-intake: %s\n", msg), 1;
        if (print_sessions(x, &q, json, &msg) < 0)
                return fprintf(stderr, "studio-intake: %s\n", msg), 1;
        return 0;
}
