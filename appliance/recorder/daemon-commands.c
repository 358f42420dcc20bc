/* studioctl's commands, as the control socket hands them over. Each is
 * checked against the room's state; a refusal says why. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon-internal.h"
#include "log.h"
#include "recovery.h"

static const char *arg_string(JsonObject *args, const char *name) {
        JsonNode *n = json_object_get_member(args, name);

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

static void reply_ok(control_request *req, const char *key, const char *value) {
        g_autoptr(JsonObject) o = json_object_new();

        if (key)
                json_object_set_string_member(o, key, value);
        control_request_reply(req, o);
}

void daemon_answer_start(rec_daemon *d, int r, const char *message) {
        control_request *req = g_steal_pointer(&d->start_req);

        if (!req)
                return;
        if (r < 0)
                control_request_fail(req, "%s", message ? message : g_strerror(-r));
        else
                reply_ok(req, "state", room_state_to_string(d->state));
}

void daemon_answer_stops(rec_daemon *d, const char *message) {
        while (d->stop_reqs->len) {
                control_request *req = g_ptr_array_steal_index(d->stop_reqs, 0);
                if (message)
                        control_request_fail(req, "%s", message);
                else
                        reply_ok(req, "state", room_state_to_string(d->state));
        }
}

static void cmd_status(rec_daemon *d, control_request *req) {
        room_state_doc doc;
        g_autoptr(JsonObject) o = json_object_new();
        g_autofree gchar *text = NULL;
        g_autoptr(JsonParser) p = json_parser_new();

        daemon_state_doc(d, &doc);
        text = room_state_doc_to_json(&doc);
        room_state_doc_clear(&doc);
        if (!json_parser_load_from_data(p, text, -1, NULL)) {
                control_request_fail(req, "the state document could not be built");
                return;
        }
        json_object_set_member(o, "state", json_node_copy(json_parser_get_root(p)));
        control_request_reply(req, o);
}

/* One spool folder: whether its custody record is closed, its segments. */
static JsonObject *session_entry(int spool_fd, const char *name) {
        int fd = openat(spool_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        JsonObject *o;
        struct stat st;
        guint64 bytes = 0;
        gint64 segments = 0;
        DIR *dir;

        if (fd < 0)
                return NULL;
        o = json_object_new();
        json_object_set_string_member(o, "id", name);
        json_object_set_boolean_member(o, "closed",
                                       fstatat(fd, "manifest.json.minisig", &st, AT_SYMLINK_NOFOLLOW) == 0);
        dir = fdopendir(fd);
        for (struct dirent *e; dir && (e = readdir(dir));)
                if (g_str_has_prefix(e->d_name, "seg-") &&
                    fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
                        segments++;
                        bytes += (guint64) st.st_size;
                }
        if (dir)
                closedir(dir);
        else
                close(fd);
        json_object_set_int_member(o, "segments", segments);
        json_object_set_int_member(o, "bytes", (gint64) bytes);
        return o;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
        return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

static void cmd_sessions(rec_daemon *d, control_request *req) {
        g_autoptr(JsonObject) o = json_object_new();
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        JsonArray *list = json_array_new();
        int fd = open(d->conf->recorder.spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

        for (struct dirent *e; dir && (e = readdir(dir));)
                if (e->d_name[0] != '.')
                        g_ptr_array_add(names, g_strdup(e->d_name));
        g_ptr_array_sort(names, compare_names);
        for (guint i = 0; i < names->len; i++) {
                JsonObject *s = session_entry(dirfd(dir), names->pdata[i]);
                if (s)
                        json_array_add_object_element(list, s);
        }
        if (dir)
                closedir(dir);
        else if (fd >= 0)
                close(fd);
        json_object_set_array_member(o, "sessions", list);
        control_request_reply(req, o);
}

/* start with officer and PIN identifies and then starts; identify stops
 * at ready (pre-rolled, as after the panel's PIN entry); start alone is the
 * Start key for the officer already identified. */
static void cmd_start(rec_daemon *d, control_request *req, const char *command, JsonObject *args) {
        const char *officer = arg_string(args, "officer"), *pin = arg_string(args, "pin");
        bool identify = strcmp(command, "identify") == 0;
        g_autofree gchar *msg = NULL;

        if (!identify && !officer && !pin) {
                if (d->start_req) {
                        control_request_fail(req, "a start is already on its way");
                        return;
                }
                d->start_req = req;
                if (daemon_start(d, "studioctl", &msg) < 0 && d->start_req) {
                        d->start_req = NULL;
                        control_request_fail(req, "%s", msg);
                }
                return;
        }
        if (!officer || !pin) {
                control_request_fail(req, "%s needs \"officer\" and \"pin\"", command);
                return;
        }
        if (d->start_req || d->state == ROOM_READY) {
                control_request_fail(req,
                                     "an officer is already being identified or is ready to start "
                                     "(the room is %s)",
                                     room_state_to_string(d->state));
                return;
        }
        if (daemon_check_pin(d, officer, pin, &msg) < 0) {
                control_request_fail(req, "%s", msg);
                return;
        }
        d->start_req = req;
        d->start_after_identify = !identify;
}

static void cmd_stop(rec_daemon *d, control_request *req) {
        g_autofree gchar *msg = NULL;

        if (daemon_stop(d, "stopped", &msg) < 0) {
                control_request_fail(req, "%s", msg);
                return;
        }
        g_ptr_array_add(d->stop_reqs, req);
}

static void cmd_simple(control_request *req, int r, gchar *msg, rec_daemon *d) {
        g_autofree gchar *m = msg;

        if (r < 0)
                control_request_fail(req, "%s", m ? m : g_strerror(-r));
        else
                reply_ok(req, "state", room_state_to_string(d->state));
}

static void cmd_recover(rec_daemon *d, control_request *req) {
        g_autofree char *note = NULL;
        int n;

        if (d->state != ROOM_FREE && d->state != ROOM_ATTENTION) {
                control_request_fail(req, "recovery runs only while the room is free (it is %s)",
                                     room_state_to_string(d->state));
                return;
        }
        if (!d->key) {
                control_request_fail(req, "recovery needs the device key, which is not provisioned");
                return;
        }
        n = rec_recover_spool(d->conf->recorder.spool, d->conf->recorder.state_dir, d->key, &note);
        if (n < 0) {
                control_request_fail(req, "recovery of the spool %s failed: %s", d->conf->recorder.spool,
                                     g_strerror(-n));
                return;
        }
        if (note) {
                g_free(d->recovery_note);
                d->recovery_note = g_strdup(note);
        }
        daemon_attention_remove(d, "disk full");
        reply_ok(req, "report", note ? note : "nothing needed recovery");
}

void daemon_on_command(control_request *req, const char *command, JsonObject *args, void *userdata) {
        rec_daemon *d = userdata;
        gchar *msg = NULL;

        log_debug("command %s from uid %u", command, (unsigned) control_request_uid(req));
        if (strcmp(command, "status") == 0)
                cmd_status(d, req);
        else if (strcmp(command, "sessions") == 0)
                cmd_sessions(d, req);
        else if (d->state == ROOM_UNPROVISIONED && strcmp(command, "unlock") != 0)
                control_request_fail(req, "the recorder is not provisioned: %s", d->unprovisioned_why);
        else if (strcmp(command, "start") == 0 || strcmp(command, "identify") == 0)
                cmd_start(d, req, command, args);
        /* each call sets msg before cmd_simple reads it: not in one argument
         * list, whose order C leaves unspecified (gcc reads msg first) */
        else if (strcmp(command, "mark") == 0) {
                int r = daemon_mark(d, "studioctl", arg_string(args, "note"), &msg);
                cmd_simple(req, r, msg, d);
        } else if (strcmp(command, "break") == 0) {
                int r = daemon_break(d, "studioctl", &msg);
                cmd_simple(req, r, msg, d);
        } else if (strcmp(command, "resume") == 0) {
                int r = daemon_resume(d, "studioctl", &msg);
                cmd_simple(req, r, msg, d);
        } else if (strcmp(command, "stop") == 0)
                cmd_stop(d, req);
        else if (strcmp(command, "recover") == 0)
                cmd_recover(d, req);
        else if (strcmp(command, "unlock") == 0) {
                pinguard_unlock(&d->guard);
                log_notice("the panel was unlocked by uid %u", (unsigned) control_request_uid(req));
                reply_ok(req, "state", room_state_to_string(d->state));
        } else
                control_request_fail(req, "unknown command \"%s\" (see studioctl --help)", command);
}
