/* The subcommands that talk to the recorder: each builds one request
 * (docs/control-socket.md), waits for its reply and prints it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "ctl-client.h"
#include "ctl-conf.h"
#include "ctl.h"
#include "escape.h"
#include "key-files.h"
#include "officers.h"
#include "util.h"

const char *ctl_member_string(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

bool ctl_member_int(JsonObject *o, const char *name, gint64 *ret) {
        JsonNode *n = json_object_get_member(o, name);

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return false;
        *ret = json_node_get_int(n);
        return true;
}

/* Sends request to the recorder of config; 0 with *ret_reply, or the exit
 * code after printing why. */
static int ctl_send(const char *config, const char *request, size_t len, unsigned timeout_s,
                    JsonObject **ret_reply) {
        g_autofree gchar *socket = NULL, *message = NULL;
        int r;

        r = ctl_conf_socket(config, &socket, &message);
        if (r < 0)
                return ctl_error("%s", message);
        r = ctl_client_request(socket, request, len, timeout_s, ret_reply, &message);
        if (r < 0)
                return ctl_error("%s", message);
        return CTL_EXIT_OK;
}

/* {"command":command[,key:value]} */
static gchar *request_text(const char *command, const char *key, const char *value) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "command");
        json_builder_add_string_value(b, command);
        if (key && value) {
                json_builder_set_member_name(b, key);
                json_builder_add_string_value(b, value);
        }
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        return json_generator_to_data(gen, NULL);
}

int ctl_simple_request(const char *config, const char *command, const char *key, const char *value,
                       unsigned timeout_s, JsonObject **ret_reply) {
        g_autofree gchar *text = request_text(command, key, value);

        return ctl_send(config, text, strlen(text), timeout_s, ret_reply);
}

/* The reply's "message" (a sentence from the recorder, or recovery's
 * report of several lines) or our own words: each line escaped on its own,
 * so a report reads as lines and no control character reaches the terminal. */
static void print_done(JsonObject *reply, const char *fallback) {
        const char *m = ctl_member_string(reply, "message");
        g_auto(GStrv) lines = g_strsplit(m ? m : fallback, "\n", -1);
        guint n = g_strv_length(lines);

        if (n > 1 && !*lines[n - 1])
                n--; /* a report ends with a newline: no empty last line */
        for (guint i = 0; i < n; i++) {
                g_autofree char *shown = escape_text(lines[i]);
                printf("%s\n", shown);
        }
}

int ctl_no_options(int argc, char **argv) {
        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("Usage: studioctl [--config FILE] %s\n", argv[0]);
                return -ECANCELED;
        }
        if (argc > 1)
                return ctl_usage_error(argv[0], "takes no options or arguments ('%s')", argv[1]);
        return CTL_EXIT_OK;
}

static const char *state_phrase(const char *state) {
        static const struct {
                const char *state, *phrase;
        } table[] = {
                {"free", "free"},
                {"identifying", "identifying an officer"},
                {"ready", "ready to record"},
                {"recording", "recording"},
                {"break", "on a break"},
                {"stopping", "stopping (sealing the session)"},
                {"attention", "needs attention"},
                {"unprovisioned", "not provisioned (records nothing)"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
                if (strcmp(state, table[i].state) == 0)
                        return table[i].phrase;
        return NULL;
}

/* "recording since 2026-12-01T10:32:00Z; attention: camera disconnected" */
static gchar *status_line(JsonObject *doc) {
        const char *state = ctl_member_string(doc, "state"), *since = ctl_member_string(doc, "since");
        JsonNode *att = json_object_get_member(doc, "attention");
        GString *s = g_string_new(NULL);
        g_autofree char *state_shown = escape_text(state ? state : "unknown");
        const char *phrase = state ? state_phrase(state) : NULL;

        if (phrase)
                g_string_append(s, phrase);
        else
                g_string_append_printf(s, "state %s", state_shown);
        if (since) {
                g_autofree char *shown = escape_text(since);
                g_string_append_printf(s, " since %s", shown);
        }
        if (att && JSON_NODE_HOLDS_ARRAY(att)) {
                JsonArray *a = json_node_get_array(att);
                const char *sep = "; attention: ";
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        JsonNode *n = json_array_get_element(a, i);
                        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                                continue;
                        g_autofree char *shown = escape_text(json_node_get_string(n));
                        g_string_append_printf(s, "%s%s", sep, shown);
                        sep = ", ";
                }
        }
        return g_string_free(s, FALSE);
}

/* While a session records: "marks so far: 0:00:08, 0:01:12" or "no marks
 * so far"; NULL when the reply has no marks list (no session). */
static gchar *marks_line(JsonObject *reply) {
        JsonNode *n = json_object_get_member(reply, "marks");
        JsonArray *a;
        GString *s;

        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return NULL;
        a = json_node_get_array(n);
        if (json_array_get_length(a) == 0)
                return g_strdup("no marks so far");
        s = g_string_new("marks so far:");
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                char at[UTIL_HMS_MAX];
                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_INT64 ||
                    json_node_get_int(e) < 0)
                        continue;
                util_format_hms((uint64_t) json_node_get_int(e), at);
                g_string_append_printf(s, "%s %s", i ? "," : "", at);
        }
        return g_string_free(s, FALSE);
}

/* While a session records: "recorded so far: 0:00:12 media time"; NULL
 * when the reply has no length (no session, or an older recorder). */
static gchar *length_line(JsonObject *reply) {
        JsonNode *n = json_object_get_member(reply, "media_ns");
        char length[UTIL_HMS_MAX];

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
            json_node_get_int(n) < 0)
                return NULL;
        util_format_hms((uint64_t) json_node_get_int(n), length);
        return g_strdup_printf("recorded so far: %s media time", length);
}

int ctl_cmd_status(const char *config, int argc, char **argv) {
        g_autoptr(JsonObject) reply = NULL;
        JsonNode *state;
        bool json = false;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else if (strcmp(argv[i], "--help") == 0) {
                        puts("Usage: studioctl [--config FILE] status [--json]");
                        return CTL_EXIT_OK;
                } else
                        return ctl_usage_error("status", "'%s' is not an option here (only --json)",
                                               argv[i]);
        }
        r = ctl_simple_request(config, "status", NULL, NULL, CTL_TIMEOUT_S, &reply);
        if (r != CTL_EXIT_OK)
                return r;
        state = json_object_get_member(reply, "state");
        if (!state || !JSON_NODE_HOLDS_OBJECT(state))
                return ctl_error("the recorder's status reply has no \"state\" object");
        if (json) {
                g_autoptr(JsonGenerator) gen = json_generator_new();
                json_generator_set_root(gen, state);
                g_autofree gchar *text = json_generator_to_data(gen, NULL);
                g_autofree char *shown = escape_json_text(text);
                printf("%s\n", shown);
        } else {
                g_autofree gchar *line = status_line(json_node_get_object(state));
                g_autofree gchar *marks = marks_line(reply);
                g_autofree gchar *length = length_line(reply);
                printf("%s\n", line);
                if (marks)
                        printf("%s\n", marks);
                if (length)
                        printf("%s\n", length);
        }
        return CTL_EXIT_OK;
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* {"command":"start","officer":"N","pin":"…"} in locked memory: both are
 * digits only, so they need no JSON escaping, and no copy of the PIN is
 * left in memory that is not wiped. */
static char *start_request(const char *command, const char *officer, const char *pin, size_t *ret_len) {
        size_t size = strlen(command) + strlen(officer) + strlen(pin) + 64;
        char *text = sodium_malloc(size);
        int n;

        if (!text)
                return NULL;
        n = snprintf(text, size, "{\"command\":\"%s\",\"officer\":\"%s\",\"pin\":\"%s\"}", command, officer,
                     pin);
        *ret_len = (size_t) n;
        return text;
}

static void start_usage(bool identify) {
        puts(identify ? "Usage: studioctl [--config FILE] identify --officer N\n"
                        "The PIN is read from stdin, or from the terminal without echo; the room is then "
                        "ready\n"
                        "(pre-rolled) for 'studioctl start' or the panel's Start key."
                      : "Usage: studioctl [--config FILE] start [--officer N]\n"
                        "With --officer the PIN is read from stdin, or from the terminal without echo;\n"
                        "without it, the officer already identified (the room is ready) starts.");
}

/* The officer's PIN read once, then COMMAND sent with it in locked
 * memory; the PIN is wiped whatever happens. */
static int send_with_pin(const char *config, const char *command, const char *officer,
                         JsonObject **ret_reply) {
        g_autofree gchar *prompt = g_strdup_printf("PIN for officer %s: ", officer);
        char *pin = NULL, *text;
        size_t len = 0;
        int r;

        r = keys_read_pin_once(prompt, &pin);
        if (r == -E2BIG)
                return ctl_error("the PIN is longer than %d digits", OFFICERS_PIN_MAX);
        if (r < 0)
                return ctl_error("cannot read the PIN: %s", g_strerror(-r));
        if (!all_digits(pin)) {
                sodium_free(pin);
                return ctl_error("a PIN is digits only (none given, or other characters in it)");
        }
        text = start_request(command, officer, pin, &len);
        sodium_free(pin);
        if (!text)
                return ctl_error("cannot allocate locked memory for the PIN");
        r = ctl_send(config, text, len, CTL_TIMEOUT_START_S, ret_reply);
        sodium_free(text);
        return r;
}

/* start (and identify): with --officer, the PIN is read and the officer
 * identified first; start alone presses Start for the officer who is
 * already identified (the room is ready). */
int ctl_cmd_start(const char *config, int argc, char **argv) {
        static const struct option opts[] = {
                {"officer", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {}};
        g_autoptr(JsonObject) reply = NULL;
        const char *officer = NULL, *command = argv[0];
        bool identify = strcmp(command, "identify") == 0;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) >= 0) {
                if (c == 'o')
                        officer = optarg;
                else if (c == 'h') {
                        start_usage(identify);
                        return CTL_EXIT_OK;
                } else
                        return ctl_usage_error(command, "'%s' is not an option here, or it needs a value",
                                               argv[optind - 1]);
        }
        if (optind != argc || (identify && !officer))
                return ctl_usage_error(command, "needs --officer N and nothing else");
        if (!officer) {
                r = ctl_simple_request(config, "start", NULL, NULL, CTL_TIMEOUT_START_S, &reply);
                if (r != CTL_EXIT_OK)
                        return r;
                print_done(reply, "recording");
                return CTL_EXIT_OK;
        }
        if (!officers_number_valid(officer))
                return ctl_usage_error(command, "officer number '%s' is not 1 to %d digits", officer,
                                       OFFICERS_NUMBER_MAX);
        r = send_with_pin(config, command, officer, &reply);
        if (r != CTL_EXIT_OK)
                return r;
        print_done(reply, identify ? "ready" : "recording");
        return CTL_EXIT_OK;
}

int ctl_cmd_mark(const char *config, int argc, char **argv) {
        static const struct option opts[] = {
                {"note", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {}};
        g_autoptr(JsonObject) reply = NULL;
        const char *note = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+n:h", opts, NULL)) >= 0) {
                if (c == 'n')
                        note = optarg;
                else if (c == 'h') {
                        puts("Usage: studioctl [--config FILE] mark [--note TEXT]\n"
                             "The note is sealed for the vault; the appliance keeps no plaintext of it.");
                        return CTL_EXIT_OK;
                } else
                        return ctl_usage_error("mark", "'%s' is not an option here, or it needs a value",
                                               argv[optind - 1]);
        }
        if (optind != argc)
                return ctl_usage_error("mark", "'%s' is not an option (give a note as --note TEXT)",
                                       argv[optind]);
        if (note && !g_utf8_validate(note, -1, NULL))
                return ctl_usage_error("mark", "the note is not UTF-8 text");
        r = ctl_simple_request(config, "mark", "note", note, CTL_TIMEOUT_S, &reply);
        if (r != CTL_EXIT_OK)
                return r;
        print_done(reply, "marked");
        return CTL_EXIT_OK;
}

int ctl_cmd_simple(const char *config, int argc, char **argv) {
        static const struct {
                const char *command, *done;
                unsigned timeout_s;
        } table[] = {
                {"break", "on a break", CTL_TIMEOUT_S},
                {"resume", "recording again", CTL_TIMEOUT_S},
                {"recover", "recovered", CTL_TIMEOUT_RECOVER_S},
                {"cancel", "cancelled: the room is free", CTL_TIMEOUT_S},
                {"unlock", "panel unlocked", CTL_TIMEOUT_S},
        };
        g_autoptr(JsonObject) reply = NULL;
        int r;

        r = ctl_no_options(argc, argv);
        if (r != CTL_EXIT_OK)
                return r < 0 ? CTL_EXIT_OK : r;
        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                if (strcmp(argv[0], table[i].command) != 0)
                        continue;
                r = ctl_simple_request(config, table[i].command, NULL, NULL, table[i].timeout_s, &reply);
                if (r != CTL_EXIT_OK)
                        return r;
                print_done(reply, table[i].done);
                return CTL_EXIT_OK;
        }
        return ctl_usage_error(argv[0], "not a subcommand");
}

int ctl_cmd_stop(const char *config, int argc, char **argv) {
        g_autoptr(JsonObject) reply = NULL;
        const char *session;
        bool verbose = false;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0)
                        verbose = true;
                else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        puts("Usage: studioctl [--config FILE] stop [--verbose]\n"
                             "Returns once the session is sealed, with its length and number of segments;\n"
                             "--verbose also prints the session's id (its folder's name in the spool).");
                        return CTL_EXIT_OK;
                } else
                        return ctl_usage_error("stop", "'%s' is not an option here (only --verbose)",
                                               argv[i]);
        }
        r = ctl_simple_request(config, "stop", NULL, NULL, CTL_TIMEOUT_STOP_S, &reply);
        if (r != CTL_EXIT_OK)
                return r;
        print_done(reply, "stopped: the session is sealed and the room is free");
        session = ctl_member_string(reply, "session");
        if (verbose && session) {
                g_autofree char *shown = escape_text(session);
                printf("session: %s\n", shown);
        }
        return CTL_EXIT_OK;
}
