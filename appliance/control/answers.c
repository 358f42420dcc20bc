#include "answers.h"

#include <errno.h>

#include "escape.h"
#include "json-write.h"
#include "util.h"

struct control_answers {
        control_request *start; /* start or identify, answered once */
        room_state start_wants; /* ROOM_RECORDING or ROOM_READY */
        GPtrArray *stops;       /* answered when the session has ended */
};

control_answers *control_answers_new(void) {
        control_answers *a = g_new0(control_answers, 1);

        a->stops = g_ptr_array_new();
        return a;
}

static void answer_stops_with_state(control_answers *a, room_state now) {
        while (a->stops->len)
                control_reply_state(g_ptr_array_steal_index(a->stops, 0), now, NULL);
}

control_answers *control_answers_free(control_answers *a, room_state now) {
        if (!a)
                return NULL;
        control_answers_on_refused(a, "the recorder is shutting down");
        answer_stops_with_state(a, now);
        g_ptr_array_unref(a->stops);
        g_free(a);
        return NULL;
}

int control_answers_wait_start(control_answers *a, control_request *req, room_state want) {
        if (a->start)
                return -EBUSY;
        a->start = req;
        a->start_wants = want;
        return 0;
}

bool control_answers_start_waiting(const control_answers *a) {
        return a->start != NULL;
}

void control_answers_wait_stop(control_answers *a, control_request *req) {
        g_ptr_array_add(a->stops, req);
}

void control_answers_on_state(control_answers *a, room_state now) {
        if (!a->start)
                return;
        if (now == ROOM_READY && a->start_wants == ROOM_READY)
                control_reply_state(g_steal_pointer(&a->start), now, NULL);
        else if (now == ROOM_FREE || now == ROOM_ATTENTION || now == ROOM_UNPROVISIONED)
                control_answers_on_refused(a, "the identification was cancelled");
}

void control_answers_on_recording(control_answers *a, room_state now) {
        if (a->start)
                control_reply_state(g_steal_pointer(&a->start), now, NULL);
}

void control_answers_on_refused(control_answers *a, const char *why) {
        if (a->start)
                control_reply_refused(g_steal_pointer(&a->start), why);
}

/* "the room is free", or "the room needs attention" (a reason stands:
 * studioctl status says which). */
static gchar *room_after(room_state now) {
        return now == ROOM_ATTENTION ? g_strdup("the room needs attention (studioctl status says why)")
                                     : g_strdup_printf("the room is %s", room_state_to_string(now));
}

/* "stopped: 0:20:13 recorded in 5 segments, sealed; the room is free".
 * The session's id goes in its own member, for studioctl stop --verbose:
 * a shared screen never shows it unasked. */
void control_answers_on_ended(control_answers *a, const control_session_end *e, room_state now) {
        char length[UTIL_HMS_MAX];
        g_autofree gchar *after = room_after(now);

        util_format_hms(e->media_ns, length);
        while (a->stops->len) {
                control_request *req = g_ptr_array_steal_index(a->stops, 0);
                g_autoptr(JsonObject) o = json_object_new();
                g_autofree gchar *msg =
                        g_strdup_printf("stopped: %s recorded in %d segment%s, sealed; %s", length,
                                        e->segments, e->segments == 1 ? "" : "s", after);
                json_object_set_string_member(o, "message", msg);
                json_object_set_string_member(o, "state", room_state_to_string(now));
                json_object_set_int_member(o, "media_ns", (gint64) MIN(e->media_ns, (uint64_t) G_MAXINT64));
                json_object_set_int_member(o, "segments", e->segments);
                if (e->dir) {
                        g_autofree gchar *id = g_path_get_basename(e->dir);
                        json_object_set_string_member(o, "session", id);
                }
                control_request_reply(req, o);
        }
}

/* ---- replies given at once ---- */

const char *control_args_string(JsonObject *args, const char *name) {
        JsonNode *n = json_object_get_member(args, name);

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

void control_reply_refused(control_request *req, const char *why) {
        control_request_fail(req, "%s", why);
}

void control_reply_state(control_request *req, room_state now, const char *message) {
        g_autoptr(JsonObject) o = json_object_new();

        json_object_set_string_member(o, "state", room_state_to_string(now));
        if (message)
                json_object_set_string_member(o, "message", message);
        control_request_reply(req, o);
}

void control_reply_cancelled(control_request *req, room_state now) {
        g_autofree gchar *after = room_after(now);
        g_autofree gchar *msg = g_strdup_printf("cancelled: %s", after);

        control_reply_state(req, now, msg);
}

void control_reply_marked(control_request *req, room_state now, uint64_t at_ns) {
        char at[UTIL_HMS_MAX];
        g_autofree gchar *msg = NULL;

        util_format_hms(at_ns, at);
        msg = g_strdup_printf("mark at %s media time", at);
        control_reply_state(req, now, msg);
}

/* The state member is the published document itself, as status.json has
 * it, written by the same builder (never turned into text and parsed back). */
void control_reply_status(control_request *req, const room_state_doc *doc, const control_session_now *s) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree gchar *text = NULL;
        g_autofree gchar *escaped = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "ok");
        json_builder_add_boolean_value(b, TRUE);
        json_builder_set_member_name(b, "state");
        room_state_doc_build(b, doc);
        if (s) {
                json_builder_set_member_name(b, "marks");
                json_builder_begin_array(b);
                for (unsigned i = 0; i < s->n_marks; i++)
                        json_builder_add_int_value(b, (gint64) MIN(s->marks[i], (uint64_t) G_MAXINT64));
                json_builder_end_array(b);
                if (s->media_ns >= 0) {
                        json_builder_set_member_name(b, "media_ns");
                        json_builder_add_int_value(b, s->media_ns);
                }
        }
        json_builder_end_object(b);
        text = json_write_text(b);
        escaped = escape_json_text(text);
        control_request_reply_text(req, escaped);
}

void control_reply_sessions(control_request *req, JsonArray *list) {
        g_autoptr(JsonObject) o = json_object_new();

        json_object_set_array_member(o, "sessions", list);
        control_request_reply(req, o);
}

void control_reply_recovered(control_request *req, int n, const char *note) {
        g_autoptr(JsonObject) o = json_object_new();

        json_object_set_int_member(o, "recovered", n);
        /* recovery's report also names folders it left untouched (n may be 0) */
        json_object_set_string_member(o, "message",
                                      note    ? note
                                      : n > 0 ? "recovered"
                                              : "nothing to recover");
        control_request_reply(req, o);
}
