/* studioctl sessions: the sessions the spool holds and those already
 * transferred to the vault (their receipts, SPOOL/receipts/<id>.jsonl, stay
 * after the local copy is wiped), with date, length and state. Every name
 * and file comes from the spool, so each is opened relative to its folder,
 * never through a link, and read with a bound. */
#include "session-list.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "util.h"

#define RECEIPTS_DIR "receipts"        /* the uploader's (UPL_RECEIPTS_DIR), never a session */
#define MANIFEST_MAX (16u << 20)       /* as session-format.md limits it */
#define RECEIPTS_MAX (16u << 20)       /* as the uploader limits it (UPL_RECEIPTS_FILE_MAX) */
#define LENGTHS_FILE "session-lengths" /* STATE_DIR: "ID MEDIA_NS SEGMENTS" a line */
#define LENGTHS_MAX (4u << 20)

bool rec_session_name_date(const char *name, char ret_date[static REC_SESSION_DATE_MAX]) {
        if (!util_session_id_valid(name))
                return false;
        /* 20261201T103200Z → 2026-12-01T10:32:00Z */
        (void) g_snprintf(ret_date, REC_SESSION_DATE_MAX, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", name, name + 4,
                          name + 6, name + 9, name + 11, name + 13);
        return true;
}

static gint64 member_int(JsonObject *o, const char *name) {
        JsonNode *n = o ? json_object_get_member(o, name) : NULL;

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return -1;
        return json_node_get_int(n);
}

/* The end of the media timeline the signed manifest records; -1 unknown. */
static gint64 manifest_length(int dirfd) {
        g_autofree char *data = NULL;
        g_autoptr(JsonParser) p = json_parser_new();
        g_autofree char *why = NULL;
        JsonNode *root, *segs;
        gint64 end = -1;
        size_t len;

        if (fs_read_fileat(dirfd, "manifest.json", MANIFEST_MAX, &data, &len) < 0 ||
            json_load_bounded(p, data, len, MANIFEST_MAX, &why) < 0)
                return -1;
        root = json_parser_get_root(p);
        segs = root && JSON_NODE_HOLDS_OBJECT(root)
                       ? json_object_get_member(json_node_get_object(root), "segments")
                       : NULL;
        if (!segs || !JSON_NODE_HOLDS_ARRAY(segs))
                return -1;
        for (guint i = 0; i < json_array_get_length(json_node_get_array(segs)); i++) {
                JsonNode *n = json_array_get_element(json_node_get_array(segs), i);
                JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
                gint64 start = member_int(o, "media_start_ns"), d = member_int(o, "duration_ns");
                if (start >= 0 && d >= 0 && start <= G_MAXINT64 - d)
                        end = MAX(end, start + d);
        }
        return end;
}

/* One spool folder: sealed (its manifest is signed), recording (the
 * recorder's open session) or interrupted (recovery closes it). */
static JsonObject *local_entry(int spool_fd, const char *name, const char *date, const char *recording) {
        g_auto(fd_owned) fd = openat(spool_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_auto(GStrv) names = NULL;
        JsonObject *o;
        struct stat st;
        guint64 bytes = 0;
        gint64 segments = 0, length;
        bool closed;

        if (fd < 0 || fs_list_namesat(fd, FS_LIST_MAX, &names) < 0)
                return NULL;
        closed = fstatat(fd, "manifest.json.minisig", &st, AT_SYMLINK_NOFOLLOW) == 0;
        for (size_t i = 0; names[i]; i++)
                if (g_str_has_prefix(names[i], "seg-") &&
                    fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
                        segments++;
                        bytes += (guint64) st.st_size;
                }
        o = json_object_new();
        json_object_set_string_member(o, "id", name);
        json_object_set_string_member(o, "started", date);
        json_object_set_string_member(o, "state",
                                      closed                                      ? "sealed"
                                      : recording && strcmp(recording, name) == 0 ? "recording"
                                                                                  : "interrupted");
        json_object_set_boolean_member(o, "closed", closed);
        json_object_set_int_member(o, "segments", segments);
        json_object_set_int_member(o, "bytes", (gint64) bytes);
        if (closed && (length = manifest_length(fd)) >= 0)
                json_object_set_int_member(o, "media_ns", length);
        return o;
}

/* The latest receipt's "time" in receipts/<id>.jsonl; NULL when none. */
static gchar *last_receipt_time(int receipts_fd, const char *file) {
        g_autofree char *data = NULL;
        g_auto(GStrv) lines = NULL;
        gchar *best = NULL;
        size_t len;

        if (receipts_fd < 0 || fs_read_fileat(receipts_fd, file, RECEIPTS_MAX, &data, &len) < 0)
                return NULL;
        lines = g_strsplit(data, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
                g_autoptr(JsonParser) p = json_parser_new();
                g_autofree char *why = NULL;
                JsonNode *root, *t;
                if (!*lines[i] || json_load_bounded(p, lines[i], strlen(lines[i]), 4096, &why) < 0)
                        continue;
                root = json_parser_get_root(p);
                t = JSON_NODE_HOLDS_OBJECT(root) ? json_object_get_member(json_node_get_object(root), "time")
                                                 : NULL;
                if (t && JSON_NODE_HOLDS_VALUE(t) && json_node_get_value_type(t) == G_TYPE_STRING &&
                    (!best || strcmp(json_node_get_string(t), best) > 0)) {
                        g_free(best);
                        best = g_strdup(json_node_get_string(t));
                }
        }
        return best;
}

/* The recorder's own note of each session's length (written when it
 * ends), for sessions whose manifest has gone to the vault. */
static GHashTable *load_lengths(const char *state_dir) {
        GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autofree gchar *path = state_dir ? g_build_filename(state_dir, LENGTHS_FILE, NULL) : NULL;
        g_autofree char *data = NULL;
        g_auto(GStrv) lines = NULL;
        size_t len;

        if (!path || fs_read_file(path, LENGTHS_MAX, &data, &len) < 0)
                return h;
        lines = g_strsplit(data, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
                g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);
                uint64_t ns;
                if (g_strv_length(f) == 3 && rec_session_name_date(f[0], (char[REC_SESSION_DATE_MAX]){}) &&
                    util_parse_u64(f[1], 0, G_MAXINT64, &ns) == 0)
                        g_hash_table_replace(h, g_strdup(f[0]),
                                             g_memdup2(&(gint64){(gint64) ns}, sizeof(gint64)));
        }
        return h;
}

int rec_session_length_note(const char *state_dir, const char *session_dir, uint64_t media_ns,
                            unsigned segments) {
        g_autofree gchar *path = g_build_filename(state_dir, LENGTHS_FILE, NULL);
        g_autofree gchar *id = g_path_get_basename(session_dir);
        g_autofree gchar *line = g_strdup_printf("%s %" G_GUINT64_FORMAT " %u\n", id, media_ns, segments);
        g_auto(fd_owned) fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd < 0)
                return -errno;
        return fs_write_all(fd, line, strlen(line));
}

static gint compare_entries(gconstpointer a, gconstpointer b) {
        JsonObject *x = json_node_get_object(*(JsonNode *const *) a);
        JsonObject *y = json_node_get_object(*(JsonNode *const *) b);

        return g_strcmp0(json_object_get_string_member(x, "id"), json_object_get_string_member(y, "id"));
}

static void add_transferred(GPtrArray *out, GHashTable *local, int spool_fd, GHashTable *lengths) {
        g_auto(fd_owned) fd =
                openat(spool_fd, RECEIPTS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_auto(GStrv) names = NULL;

        if (fd < 0 || fs_list_namesat(fd, FS_LIST_MAX, &names) < 0)
                return;
        for (size_t i = 0; names[i]; i++) {
                char date[REC_SESSION_DATE_MAX];
                g_autofree gchar *id = g_str_has_suffix(names[i], ".jsonl")
                                               ? g_strndup(names[i], strlen(names[i]) - strlen(".jsonl"))
                                               : NULL;
                g_autofree gchar *when = NULL;
                const gint64 *length;
                JsonObject *o;
                if (!id || !rec_session_name_date(id, date) || g_hash_table_contains(local, id))
                        continue;
                o = json_object_new();
                json_object_set_string_member(o, "id", id);
                json_object_set_string_member(o, "started", date);
                json_object_set_string_member(o, "state", "transferred");
                if ((when = last_receipt_time(fd, names[i])))
                        json_object_set_string_member(o, "transferred", when);
                if ((length = g_hash_table_lookup(lengths, id)))
                        json_object_set_int_member(o, "media_ns", *length);
                g_ptr_array_add(out, json_node_init_object(json_node_alloc(), o));
                json_object_unref(o);
        }
}

int rec_session_list(const char *spool, const char *state_dir, const char *recording, JsonArray **ret,
                     gchar **ret_message) {
        g_auto(fd_owned) fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func((GDestroyNotify) json_node_unref);
        g_autoptr(GHashTable) local = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) lengths = NULL;
        g_auto(GStrv) names = NULL;
        g_autofree gchar *current = recording ? g_path_get_basename(recording) : NULL;
        JsonArray *a;
        int r;

        if (fd < 0 || (r = fs_list_namesat(fd, FS_LIST_MAX, &names)) < 0) {
                r = fd < 0 ? -errno : r;
                *ret_message = g_strdup_printf("cannot read the spool %s: %s", spool, g_strerror(-r));
                return r;
        }
        lengths = load_lengths(state_dir);
        for (size_t i = 0; names[i]; i++) {
                char date[REC_SESSION_DATE_MAX];
                JsonObject *o;
                /* receipts/ and anything else that is not named like a session */
                if (!rec_session_name_date(names[i], date) ||
                    !(o = local_entry(fd, names[i], date, current)))
                        continue;
                const gint64 *length = g_hash_table_lookup(lengths, names[i]);
                if (!json_object_has_member(o, "media_ns") && length)
                        json_object_set_int_member(o, "media_ns", *length);
                g_hash_table_add(local, g_strdup(names[i]));
                g_ptr_array_add(entries, json_node_init_object(json_node_alloc(), o));
                json_object_unref(o);
        }
        add_transferred(entries, local, fd, lengths);
        g_ptr_array_sort(entries, compare_entries);
        a = json_array_new();
        for (guint i = 0; i < entries->len; i++)
                json_array_add_element(a, json_node_copy(entries->pdata[i]));
        *ret = a;
        return 0;
}
