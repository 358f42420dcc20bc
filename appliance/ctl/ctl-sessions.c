/* studioctl sessions: the sessions on the device and those already
 * transferred to the vault, one a line, with date, length and state. The
 * ids only with --verbose: a shared screen does not show them unasked. */
#include <stdio.h>
#include <string.h>

#include "ctl-client.h"
#include "ctl.h"
#include "escape.h"
#include "util.h"

/* "2026-12-01T10:32:00Z" → "2026-12-01 10:32 UTC"; anything else escaped as it is. */
static gchar *date_text(const char *started) {
        if (started && strlen(started) == 20 && started[10] == 'T' && started[19] == 'Z')
                return g_strdup_printf("%.10s %.5s UTC", started, started + 11);
        return escape_text(started ? started : "?");
}

static gchar *state_text(JsonObject *o) {
        const char *state = ctl_member_string(o, "state");
        gint64 segments = 0, bytes = 0;

        (void) ctl_member_int(o, "segments", &segments);
        (void) ctl_member_int(o, "bytes", &bytes);
        if (!state)
                return g_strdup("?");
        if (strcmp(state, "transferred") == 0) {
                const char *when = ctl_member_string(o, "transferred");
                g_autofree char *shown = when ? escape_text(when) : NULL;
                return shown ? g_strdup_printf("transferred to the vault (last receipt %s)", shown)
                             : g_strdup("transferred to the vault");
        }
        if (strcmp(state, "sealed") == 0)
                return g_strdup_printf("sealed, on the device (%" G_GINT64_FORMAT
                                       " segment%s, %" G_GINT64_FORMAT " bytes)",
                                       segments, segments == 1 ? "" : "s", bytes);
        if (strcmp(state, "recording") == 0)
                return g_strdup_printf("recording now (%" G_GINT64_FORMAT " segment%s so far)", segments,
                                       segments == 1 ? "" : "s");
        if (strcmp(state, "interrupted") == 0)
                return g_strdup_printf("interrupted, not closed (%" G_GINT64_FORMAT
                                       " segment%s): studioctl recover closes it",
                                       segments, segments == 1 ? "" : "s");
        return escape_text(state);
}

int ctl_cmd_sessions(const char *config, int argc, char **argv) {
        g_autoptr(JsonObject) reply = NULL;
        bool verbose = false;
        JsonNode *list;
        JsonArray *a;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
                        verbose = true;
                else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        puts("Usage: studioctl [--config FILE] sessions [--verbose]\n"
                             "The sessions on the device and those already transferred to the vault, one a\n"
                             "line: date (UTC), length, state; --verbose adds each session's id.");
                        return CTL_EXIT_OK;
                } else
                        return ctl_usage_error("sessions", "'%s' is not an option here (only --verbose)",
                                               argv[i]);
        }
        r = ctl_simple_request(config, "sessions", NULL, NULL, CTL_TIMEOUT_S, &reply);
        if (r != CTL_EXIT_OK)
                return r;
        list = json_object_get_member(reply, "sessions");
        if (!list || !JSON_NODE_HOLDS_ARRAY(list))
                return ctl_error("the recorder's sessions reply has no \"sessions\" list");
        a = json_node_get_array(list);
        if (json_array_get_length(a) == 0)
                puts("no sessions on the device, and none transferred");
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *n = json_array_get_element(a, i);
                JsonObject *o;
                gint64 media_ns = -1;
                char length[UTIL_HMS_MAX] = "-";

                if (!JSON_NODE_HOLDS_OBJECT(n))
                        continue;
                o = json_node_get_object(n);
                if (ctl_member_int(o, "media_ns", &media_ns) && media_ns >= 0)
                        util_format_hms((uint64_t) media_ns, length);
                g_autofree gchar *date = date_text(ctl_member_string(o, "started"));
                g_autofree gchar *state = state_text(o);
                printf("%s  %8s  %s", date, length, state);
                if (verbose) {
                        const char *id = ctl_member_string(o, "id");
                        g_autofree char *shown = escape_text(id ? id : "?");
                        printf("  %s", shown);
                }
                putchar('\n');
        }
        return CTL_EXIT_OK;
}
