/* A stand-in recorder for tests/integration/studioctl.sh: serves the
 * control socket with the real control library, logs every request it
 * receives (one JSON line each) and answers as the daemon would, so that each
 * studioctl subcommand's request and exit code can be checked without a
 * camera. Usage: ctl-test-server SOCKET LOG. SIGTERM ends it. */
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "control.h"

typedef struct server {
        FILE *log;
        GMainLoop *loop;
} server;

static void reply_json(control_request *req, const char *json) {
        g_autoptr(JsonParser) p = json_parser_new();

        if (!json_parser_load_from_data(p, json, -1, NULL))
                g_error("bad reply %s", json);
        control_request_reply(req, json_node_get_object(json_parser_get_root(p)));
}

typedef struct later {
        control_request *req;
        gchar *json;
} later;

static gboolean reply_later(gpointer userdata) {
        later *l = userdata;

        reply_json(l->req, l->json);
        g_free(l->json);
        g_free(l);
        return G_SOURCE_REMOVE;
}

static void handle(control_request *req, const char *command, JsonObject *args, void *userdata) {
        server *s = userdata;
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        g_autoptr(JsonGenerator) gen = json_generator_new();
        const char *note =
                json_object_has_member(args, "note") ? json_object_get_string_member(args, "note") : NULL;

        json_node_set_object(node, args);
        json_generator_set_root(gen, node);
        g_autofree gchar *line = json_generator_to_data(gen, NULL);
        fprintf(s->log, "%s\n", line);
        fflush(s->log);

        if (strcmp(command, "status") == 0) {
                reply_json(req,
                           "{\"state\":{\"state\":\"recording\",\"since\":\"2026-12-01T10:32:00Z\","
                           "\"attention\":[\"camera disconnected\",\"evil \\u001b[2J\"],"
                           "\"updated\":\"2026-12-01T10:40:05Z\"},\"marks\":[8900000000,3725000000000]}");
        } else if (strcmp(command, "sessions") == 0) {
                reply_json(
                        req,
                        "{\"sessions\":["
                        "{\"id\":\"20261130T080000Z-0000beef\",\"started\":\"2026-11-30T08:00:00Z\","
                        "\"state\":\"transferred\",\"transferred\":\"2026-11-30T09:00:00Z\","
                        "\"media_ns\":600000000000},"
                        "{\"id\":\"20261201T103200Z-1a2b3c4d\",\"started\":\"2026-12-01T10:32:00Z\","
                        "\"state\":\"sealed\",\"closed\":true,\"segments\":3,\"bytes\":123456,"
                        "\"media_ns\":1213000000000},"
                        "{\"id\":\"20261202T090000Z-0badf00d\",\"started\":\"2026-12-02T09:00:00Z\","
                        "\"state\":\"interrupted\",\"closed\":false,\"segments\":1,\"bytes\":10},"
                        "{\"id\":\"evil\\u001b[2J\",\"started\":\"evil\\u001b[2J\",\"state\":\"recording\","
                        "\"segments\":1,\"bytes\":10}]}");
        } else if (strcmp(command, "start") == 0 && !json_object_has_member(args, "officer")) {
                reply_json(req, "{}"); /* the Start key for an officer already identified */
        } else if (strcmp(command, "start") == 0 || strcmp(command, "identify") == 0) {
                const char *officer = json_object_get_string_member_with_default(args, "officer", "");
                const char *pin = json_object_get_string_member_with_default(args, "pin", "");
                if (strcmp(officer, "1234") != 0 || strcmp(pin, "48213") != 0) {
                        control_request_fail(req, "wrong PIN for officer %s", officer);
                        return;
                }
                later *l = g_new0(later, 1);
                l->req = req;
                l->json = g_strdup("{}");
                g_timeout_add(300, reply_later, l);
        } else if (strcmp(command, "mark") == 0 && note && strcmp(note, "refuse") == 0) {
                control_request_fail(req, "not recording \x1b[31mred");
        } else if (strcmp(command, "resume") == 0) {
                control_request_fail(req, "not on a break");
        } else if (strcmp(command, "stop") == 0) {
                later *l = g_new0(later, 1);
                l->req = req;
                l->json = g_strdup(
                        "{\"message\":\"stopped: 0:20:13 recorded in 5 segments, sealed; the room is "
                        "free\",\"session\":\"20261201T103200Z-1a2b3c4d\"}");
                g_timeout_add(1000, reply_later, l);
        } else if (strcmp(command, "recover") == 0) {
                reply_json(req, "{\"message\":\"nothing to recover\"}");
        } else if (strcmp(command, "mark") == 0) {
                reply_json(req, "{\"message\":\"mark at 0:00:08 media time\"}");
        } else if (strcmp(command, "cancel") == 0) {
                reply_json(req, "{\"message\":\"cancelled: the room is free\"}");
        } else if (strcmp(command, "break") == 0 || strcmp(command, "unlock") == 0) {
                reply_json(req, "{}");
        } else {
                control_request_fail(req, "unknown command %s", command);
        }
}

static gboolean on_term(gpointer userdata) {
        g_main_loop_quit(((server *) userdata)->loop);
        return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
        g_autofree gchar *message = NULL;
        control_server *cs = NULL;
        server s = {0};

        if (argc != 3) {
                fprintf(stderr, "usage: ctl-test-server SOCKET LOG\n");
                return 2;
        }
        s.log = fopen(argv[2], "ae");
        if (!s.log || control_server_new(argv[1], (gid_t) -1, handle, &s, &cs, &message) < 0) {
                fprintf(stderr, "ctl-test-server: %s\n", message ? message : "cannot open the log");
                return 1;
        }
        s.loop = g_main_loop_new(NULL, FALSE);
        g_unix_signal_add(SIGTERM, on_term, &s);
        g_main_loop_run(s.loop);
        control_server_free(cs);
        g_main_loop_unref(s.loop);
        fclose(s.log);
        return 0;
}
