/* The published room state (room-state.h): its string table, writer and
 * strict reader. The reader is the status daemon's only view of the
 * recorder, so it refuses anything it would have to guess about. */
#include "room-state.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "json-write.h"
#include "utc-time.h"
#include "util.h"

static const char *const room_state_table[_ROOM_STATE_MAX] = {
        [ROOM_FREE] = "free",           [ROOM_IDENTIFYING] = "identifying",
        [ROOM_READY] = "ready",         [ROOM_RECORDING] = "recording",
        [ROOM_BREAK] = "break",         [ROOM_STOPPING] = "stopping",
        [ROOM_ATTENTION] = "attention", [ROOM_UNPROVISIONED] = "unprovisioned",
};

const char *room_state_to_string(room_state s) {
        if (s < 0 || s >= _ROOM_STATE_MAX)
                return NULL;
        return room_state_table[s];
}

room_state room_state_from_string(const char *s) {
        if (!s)
                return _ROOM_STATE_INVALID;
        for (int i = 0; i < _ROOM_STATE_MAX; i++)
                if (strcmp(s, room_state_table[i]) == 0)
                        return (room_state) i;
        return _ROOM_STATE_INVALID;
}

void room_state_doc_build(JsonBuilder *b, const room_state_doc *doc) {
        const char *state = room_state_to_string(doc->state);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "state");
        /* Never an invalid document: an unknown state is shown as needing attention. */
        json_builder_add_string_value(b, state ? state : room_state_to_string(ROOM_ATTENTION));
        json_write_time(b, "since", MAX(doc->since_us, 1));
        json_builder_set_member_name(b, "attention");
        json_builder_begin_array(b);
        for (size_t i = 0; doc->attention && doc->attention[i] && i < ROOM_ATTENTION_MAX; i++)
                if (g_utf8_validate(doc->attention[i], -1, NULL))
                        json_builder_add_string_value(b, doc->attention[i]);
        json_builder_end_array(b);
        json_write_tenths(b, "hours_left", doc->hours_left, ROOM_HOURS_LEFT_MAX);
        json_write_time(b, "updated", MAX(doc->updated_us, 1));
        if (doc->session_since_us > 0)
                json_write_time(b, "session_since", doc->session_since_us);
        json_builder_end_object(b);
}

gchar *room_state_doc_to_json(const room_state_doc *doc) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree gchar *text = NULL;

        room_state_doc_build(b, doc);
        text = json_write_text(b);
        /* The reasons are the recorder's words, but the file reaches pages and
         * terminals: nothing raw that could act on them. */
        return escape_json_text(text);
}

int room_state_publish(const char *path, const room_state_doc *doc) {
        g_autofree gchar *json = room_state_doc_to_json(doc);
        g_autofree gchar *line = g_strconcat(json, "\n", NULL);

        return fs_write_atomic(path, line, strlen(line), 0644);
}

void room_state_doc_clear(room_state_doc *doc) {
        if (!doc)
                return;
        g_strfreev(doc->attention);
        *doc = (room_state_doc){.state = ROOM_FREE, .hours_left = -1};
}

static int bad(gchar **ret_message, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int bad(gchar **ret_message, const char *format, ...) {
        va_list ap;

        if (ret_message) {
                va_start(ap, format);
                *ret_message = g_strdup_vprintf(format, ap);
                va_end(ap);
        }
        return -EBADMSG;
}

static int read_time(JsonObject *o, const char *member, int64_t *ret_us, gchar **ret_message) {
        JsonNode *n = json_object_get_member(o, member);
        g_autofree gchar *shown = NULL;

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return bad(ret_message, "\"%s\" is missing or not a string", member);
        if (utc_time_parse(json_node_get_string(n), ret_us) < 0) {
                shown = escape_text(json_node_get_string(n));
                return bad(ret_message, "\"%s\" is \"%s\", not a UTC time like 2026-12-01T10:32:00Z", member,
                           shown);
        }
        return 0;
}

/* "attention": a bounded list of UTF-8 strings, or null or missing. */
static int read_attention(JsonObject *o, GPtrArray *reasons, gchar **ret_message) {
        JsonNode *n = json_object_get_member(o, "attention");
        JsonArray *a;

        if (!n || JSON_NODE_HOLDS_NULL(n))
                return 0;
        if (!JSON_NODE_HOLDS_ARRAY(n))
                return bad(ret_message, "\"attention\" is not a list of reasons");
        a = json_node_get_array(n);
        if (json_array_get_length(a) > ROOM_ATTENTION_MAX)
                return bad(ret_message, "\"attention\" holds %u reasons, more than the %d a writer keeps",
                           json_array_get_length(a), ROOM_ATTENTION_MAX);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                        return bad(ret_message, "\"attention\" item %u is not a string", i + 1);
                /* a lone surrogate escape (\ud800) decodes to bytes that are not UTF-8 */
                if (!g_utf8_validate(json_node_get_string(e), -1, NULL))
                        return bad(ret_message, "\"attention\" item %u is not UTF-8 text", i + 1);
                g_ptr_array_add(reasons, g_strdup(json_node_get_string(e)));
        }
        return 0;
}

/* "hours_left": a number of hours in range, or null or missing (-1). */
static int read_hours_left(JsonObject *o, double *ret, gchar **ret_message) {
        JsonNode *n = json_object_get_member(o, "hours_left");
        GType t;
        double h;

        if (!n || JSON_NODE_HOLDS_NULL(n))
                return 0;
        t = JSON_NODE_HOLDS_VALUE(n) ? json_node_get_value_type(n) : G_TYPE_INVALID;
        h = t == G_TYPE_DOUBLE  ? json_node_get_double(n)
            : t == G_TYPE_INT64 ? (double) json_node_get_int(n)
                                : -1;
        if (!(h >= 0 && h <= ROOM_HOURS_LEFT_MAX))
                return bad(ret_message, "\"hours_left\" is not a number of hours from 0 to %.0f",
                           ROOM_HOURS_LEFT_MAX);
        *ret = h;
        return 0;
}

static int read_state(JsonObject *o, room_state *ret, gchar **ret_message) {
        JsonNode *n = json_object_get_member(o, "state");
        g_autofree gchar *shown = NULL;

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return bad(ret_message, "\"state\" is missing or not a string");
        *ret = room_state_from_string(json_node_get_string(n));
        if (*ret < 0) {
                shown = escape_text(json_node_get_string(n));
                return bad(ret_message, "\"state\" is \"%s\", not a known room state", shown);
        }
        return 0;
}

int room_state_parse(const char *text, size_t len, room_state_doc *ret, gchar **ret_message) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func(g_free);
        room_state_doc doc = {.hours_left = -1};
        JsonNode *root;
        JsonObject *o;
        int r;

        r = json_load_bounded(parser, text, len, ROOM_STATE_FILE_MAX, ret_message);
        if (r < 0)
                return r;
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return bad(ret_message, "the room state is not a JSON object");
        o = json_node_get_object(root);
        if ((r = read_state(o, &doc.state, ret_message)) < 0 ||
            (r = read_time(o, "since", &doc.since_us, ret_message)) < 0 ||
            (r = read_time(o, "updated", &doc.updated_us, ret_message)) < 0)
                return r;
        /* optional (older writers have no such member) */
        if (json_object_has_member(o, "session_since") &&
            (r = read_time(o, "session_since", &doc.session_since_us, ret_message)) < 0)
                return r;
        if ((r = read_attention(o, reasons, ret_message)) < 0 ||
            (r = read_hours_left(o, &doc.hours_left, ret_message)) < 0)
                return r;
        if (reasons->len > 0) {
                g_ptr_array_add(reasons, NULL);
                doc.attention = (char **) g_ptr_array_free(TAKE_PTR(reasons), FALSE);
        }
        *ret = doc;
        return 0;
}

int room_state_read_owned(const char *path, uid_t owner, room_state_doc *ret, gchar **ret_message) {
        g_autofree char *data = NULL;
        g_auto(fd_owned) fd = -EBADF;
        g_autofree gchar *file = escape_text(path);
        g_autofree gchar *m = NULL;
        struct stat st;
        size_t len = 0;
        int r;

        fd = fs_open_regular(path, &st);
        /* the owner of the file opened, not of whatever the name holds later */
        if (fd >= 0 && owner != (uid_t) -1 && st.st_uid != owner) {
                if (ret_message)
                        *ret_message = g_strdup_printf("the room state %s belongs to user id %u, not to the "
                                                       "recorder's user (id %u): not read (who wrote it? "
                                                       "see [status] state_owner)",
                                                       file, (unsigned) st.st_uid, (unsigned) owner);
                return -EPERM;
        }
        r = fd < 0 ? fd : fs_read_fd(fd, ROOM_STATE_FILE_MAX, &data, &len);
        if (r < 0) {
                if (ret_message)
                        *ret_message =
                                g_strdup_printf("cannot read the room state %s: %s", file,
                                                r == -EFBIG ? "larger than any room state" : g_strerror(-r));
                return r;
        }
        r = room_state_parse(data, len, ret, &m);
        if (r < 0 && ret_message)
                *ret_message = g_strdup_printf("room state %s: %s", file, m);
        return r;
}

int room_state_read(const char *path, room_state_doc *ret, gchar **ret_message) {
        return room_state_read_owned(path, (uid_t) -1, ret, ret_message);
}
