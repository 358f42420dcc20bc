/* The SQLite index (index.h). */
#include "index.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>

#include "intake.h"
#include "json-bounded.h"

struct intake_index {
        sqlite3 *db;
        char *path;
};

static const char schema[] =
        "CREATE TABLE IF NOT EXISTS sessions ("
        " session TEXT PRIMARY KEY, device TEXT, room TEXT, officer TEXT, started_utc TEXT, ended_utc TEXT,"
        " segments INTEGER, sealed_bytes INTEGER, media_ns INTEGER, verdict TEXT NOT NULL, arrived TEXT,"
        " verified TEXT, token_time TEXT);"
        "CREATE INDEX IF NOT EXISTS sessions_room ON sessions (room, started_utc);"
        "CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_utc);"
        "CREATE INDEX IF NOT EXISTS sessions_device ON sessions (device, started_utc);";

static int db_error(intake_index *x, const char *what, gchar **ret_message) {
        *ret_message =
                g_strdup_printf("the index %s: %s: %s (delete it: studio-intake --rebuild-index makes it "
                                "again from the vault)",
                                x->path, what, sqlite3_errmsg(x->db));
        return -EIO;
}

intake_index *intake_index_free(intake_index *x) {
        if (!x)
                return NULL;
        sqlite3_close(x->db);
        g_free(x->path);
        g_free(x);
        return NULL;
}

int intake_index_open(const char *path, intake_index **ret, gchar **ret_message) {
        g_autoptr(intake_index) x = g_new0(intake_index, 1);

        x->path = g_strdup(path);
        if (sqlite3_open_v2(path, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                            NULL) != SQLITE_OK)
                return db_error(x, "cannot be opened", ret_message);
        sqlite3_busy_timeout(x->db, 10000);
        if (sqlite3_exec(x->db, schema, NULL, NULL, NULL) != SQLITE_OK)
                return db_error(x, "cannot be set up", ret_message);
        *ret = g_steal_pointer(&x);
        return 0;
}

int intake_index_clear(intake_index *x, gchar **ret_message) {
        if (sqlite3_exec(x->db, "DELETE FROM sessions", NULL, NULL, NULL) != SQLITE_OK)
                return db_error(x, "cannot be emptied", ret_message);
        return 0;
}

static const char *member_str(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                       ? json_node_get_string(n)
                       : NULL;
}

static sqlite3_int64 member_int(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64
                       ? json_node_get_int(n)
                       : 0;
}

int intake_index_put(intake_index *x, const char *text, size_t len, const char *token_time,
                     gchar **ret_message) {
        static const char *const text_fields[] = {"session",     "device_id", "room",    "officer",
                                                  "started_utc", "ended_utc", NULL,      NULL,
                                                  NULL,          "verdict",   "arrived", "verified"};
        static const char sql[] = "INSERT OR REPLACE INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        sqlite3_stmt *st = NULL;
        JsonObject *o;
        int rc;

        if (json_load_bounded(p, text, len, INTAKE_RECORD_MAX, NULL) < 0 || !json_parser_get_root(p) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
                *ret_message = g_strdup("not a record");
                return -EBADMSG;
        }
        o = json_node_get_object(json_parser_get_root(p));
        if (!member_str(o, "session") || !member_str(o, "verdict")) {
                *ret_message = g_strdup("a record without session or verdict");
                return -EBADMSG;
        }
        if (sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) != SQLITE_OK)
                return db_error(x, "cannot be written", ret_message);
        for (int i = 0; i < (int) G_N_ELEMENTS(text_fields); i++)
                if (text_fields[i])
                        sqlite3_bind_text(st, i + 1, member_str(o, text_fields[i]), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 7, member_int(o, "segments"));
        sqlite3_bind_int64(st, 8, member_int(o, "sealed_bytes"));
        sqlite3_bind_int64(st, 9, member_int(o, "media_ns"));
        sqlite3_bind_text(st, 13, token_time, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
                return db_error(x, "cannot be written", ret_message);
        return 0;
}

static const char *col(sqlite3_stmt *st, int i) {
        return (const char *) sqlite3_column_text(st, i);
}

/* The query's text with a clause for each filter given (so that SQLite
 * can use the index on room, device or start: "?1 IS NULL OR …" would
 * defeat it), and its parameters bound in the same order. Only constant
 * clauses go into the text; the values are bound. */
static int query_prepare(intake_index *x, const intake_index_query *q, sqlite3_stmt **ret) {
        static const char *const clauses[] = {" AND started_utc >= ?", " AND started_utc <= ?",
                                              " AND device = ?",       " AND room = ?",
                                              " AND officer = ?",      " AND verdict = ?"};
        const char *values[] = {q->since, q->until, q->device, q->room, q->officer, q->verdict};
        g_autoptr(GString) sql =
                g_string_new("SELECT session, device, room, officer, started_utc, ended_utc, segments, "
                             "sealed_bytes, media_ns, verdict, arrived, token_time FROM sessions WHERE 1");
        int n = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(values); i++)
                if (values[i])
                        g_string_append(sql, clauses[i]);
        g_string_append(sql, " ORDER BY started_utc, session");
        if (sqlite3_prepare_v2(x->db, sql->str, -1, ret, NULL) != SQLITE_OK)
                return -EIO;
        for (size_t i = 0; i < G_N_ELEMENTS(values); i++)
                if (values[i])
                        sqlite3_bind_text(*ret, ++n, values[i], -1, SQLITE_STATIC);
        return 0;
}

int intake_index_query_run(intake_index *x, const intake_index_query *q, intake_index_row_fn fn,
                           void *userdata, gchar **ret_message) {
        sqlite3_stmt *st = NULL;
        int n = 0, rc;

        if (query_prepare(x, q, &st) < 0)
                return db_error(x, "cannot be read", ret_message);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                intake_index_row row = {
                        .session = col(st, 0),
                        .device = col(st, 1),
                        .room = col(st, 2),
                        .officer = col(st, 3),
                        .started = col(st, 4),
                        .ended = col(st, 5),
                        .segments = sqlite3_column_int64(st, 6),
                        .sealed_bytes = sqlite3_column_int64(st, 7),
                        .media_ns = sqlite3_column_int64(st, 8),
                        .verdict = col(st, 9),
                        .arrived = col(st, 10),
                        .token_time = col(st, 11),
                };
                fn(&row, userdata);
                n++;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
                return db_error(x, "cannot be read", ret_message);
        return n;
}
