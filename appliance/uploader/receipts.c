/* SPOOL/receipts/<session>.jsonl: one JSON line per object the vault has
 * confirmed, appended and fdatasync'd before the uploader counts the
 * object as transferred. The file came from our own disk but may have been
 * cut by a crash or damaged: a line that does not parse is refused and
 * counted, and its object is simply confirmed again (vault_put is
 * idempotent), so a bad line can cost a HEAD, never a loss. */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "json-write.h"
#include "uploader.h"
#include "util.h"
#include "vault-internal.h"

upl_receipts *upl_receipts_free(upl_receipts *r) {
        if (!r)
                return NULL;
        g_hash_table_unref(r->by_key);
        g_free(r->first_refused);
        g_free(r);
        return NULL;
}

static void receipt_free(gpointer p) {
        upl_receipt *rc = p;

        g_free(rc->version_id);
        g_free(rc);
}

static upl_receipts *receipts_new(void) {
        upl_receipts *r = g_new0(upl_receipts, 1);

        r->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, receipt_free);
        return r;
}

static gchar *file_name(const char *session) {
        return g_strdup_printf("%s.jsonl", session);
}

static bool hex64(const char *s) {
        if (!s || strlen(s) != SHA256_HEX_LEN)
                return false;
        for (; *s; s++)
                if (!g_ascii_isdigit(*s) && !(*s >= 'a' && *s <= 'f'))
                        return false;
        return true;
}

static const char *member_str(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                       ? json_node_get_string(n)
                       : NULL;
}

/* A nullable time member: 0 for null or absent, -1 when malformed. */
static int64_t member_time(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || JSON_NODE_HOLDS_NULL(n))
                return 0;
        const char *s = member_str(o, name);
        g_autoptr(GDateTime) t = s ? g_date_time_new_from_iso8601(s, NULL) : NULL;
        return t ? g_date_time_to_unix(t) * G_USEC_PER_SEC : -1;
}

/* One line into key and receipt, or a reason it is refused; *ret_vault
 * gets the vault it names (NULL: none). */
static const char *parse_line(const char *session, const char *line, size_t len, gchar **ret_key,
                              upl_receipt *ret, gchar **ret_vault) {
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o;
        JsonNode *size;
        const char *key, *sha, *time;

        if (len > UPL_RECEIPT_LINE_MAX)
                return "longer than a receipt";
        if (json_load_bounded(p, line, len, UPL_RECEIPT_LINE_MAX, NULL) < 0)
                return "not JSON";
        if (!json_parser_get_root(p) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) /* "" has no root */
                return "not a JSON object";
        o = json_node_get_object(json_parser_get_root(p));
        key = member_str(o, "key");
        if (!key || !vault_key_valid(key) || !g_str_has_prefix(key, session) || key[strlen(session)] != '/')
                return "no key of this session";
        size = json_object_get_member(o, "size");
        if (!size || !JSON_NODE_HOLDS_VALUE(size) || json_node_get_value_type(size) != G_TYPE_INT64 ||
            json_node_get_int(size) < 0)
                return "no size";
        sha = member_str(o, "sha256");
        if (!hex64(sha))
                return "no sha256";
        time = member_str(o, "time");
        g_autoptr(GDateTime) t = time ? g_date_time_new_from_iso8601(time, NULL) : NULL;
        if (!t)
                return "no time";
        JsonNode *vn = json_object_get_member(o, "vault");
        const char *named = member_str(o, "vault");
        if (vn && !JSON_NODE_HOLDS_NULL(vn) && (!named || !*named))
                return "a vault that is not a name";
        JsonNode *ver = json_object_get_member(o, "version_id");
        const char *version = member_str(o, "version_id");
        if (ver && !JSON_NODE_HOLDS_NULL(ver) &&
            (!version || !*version || strlen(version) > UPL_VERSION_ID_MAX))
                return "a version_id that is not one";
        int64_t until = member_time(o, "retain_until");
        if (until < 0)
                return "a retain_until that is not a time";
        ret->size = (uint64_t) json_node_get_int(size);
        memcpy(ret->sha256, sha, SHA256_HEX_LEN + 1);
        ret->time_us = g_date_time_to_unix(t) * G_USEC_PER_SEC;
        ret->version_id = g_strdup(version);
        ret->retain_until_us = until;
        *ret_key = g_strdup(key);
        *ret_vault = g_strdup(named);
        return NULL;
}

/* Takes key and rc's strings. */
static void add(upl_receipts *r, gchar *key, const upl_receipt *rc) {
        g_hash_table_replace(r->by_key, key, g_memdup2(rc, sizeof(*rc)));
        r->last_us = MAX(r->last_us, rc->time_us);
}

static void load_lines(upl_receipts *r, const char *session, const char *vault_id, const char *data,
                       size_t len) {
        unsigned line_no = 0;

        for (size_t off = 0; off < len;) {
                const char *nl = memchr(data + off, '\n', len - off);
                size_t n = nl ? (size_t) (nl - (data + off)) : len - off;
                gchar *key = NULL;
                g_autofree gchar *named = NULL;
                upl_receipt rc = {0};
                const char *why;

                line_no++;
                why = nl ? parse_line(session, data + off, n, &key, &rc, &named) : "cut short (no newline)";
                if (why) {
                        if (!r->first_refused)
                                r->first_refused = g_strdup_printf("line %u: %s", line_no, why);
                        r->refused++;
                } else if (!named || !vault_id || strcmp(named, vault_id) != 0) {
                        r->elsewhere++;
                        g_free(key);
                        g_free(rc.version_id);
                } else
                        add(r, key, &rc);
                off += n + 1;
        }
}

int upl_receipts_load(int receipts_dirfd, const char *session, const char *vault_id, upl_receipts **ret,
                      gchar **ret_message) {
        g_autofree gchar *name = file_name(session);
        g_autofree char *data = NULL;
        size_t len = 0;
        int r = fs_read_fileat(receipts_dirfd, name, UPL_RECEIPTS_FILE_MAX, &data, &len);

        if (r < 0 && r != -ENOENT) {
                g_autofree char *shown = escape_text(name);
                *ret_message = g_strdup_printf("cannot read the receipts file %s/%s: %s", UPL_RECEIPTS_DIR,
                                               shown, g_strerror(-r));
                return r;
        }
        upl_receipts *res = receipts_new();
        if (data)
                load_lines(res, session, vault_id, data, len);
        *ret = res;
        return 0;
}

const upl_receipt *upl_receipts_get(const upl_receipts *r, const char *key) {
        return g_hash_table_lookup(r->by_key, key);
}

const upl_receipt *upl_receipts_match(const upl_receipts *r, const char *key, uint64_t size,
                                      const char *sha256) {
        const upl_receipt *rc = g_hash_table_lookup(r->by_key, key);

        return rc && rc->size == size && strcmp(rc->sha256, sha256) == 0 ? rc : NULL;
}

static void add_nullable(JsonBuilder *b, const char *member, const char *value) {
        json_builder_set_member_name(b, member);
        if (value)
                json_builder_add_string_value(b, value);
        else
                json_builder_add_null_value(b);
}

gchar *upl_receipt_line(const vault_receipt *rc) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "key");
        json_builder_add_string_value(b, rc->key);
        json_builder_set_member_name(b, "size");
        json_builder_add_int_value(b, (gint64) rc->size);
        json_builder_set_member_name(b, "sha256");
        json_builder_add_string_value(b, rc->sha256);
        add_nullable(b, "etag", rc->etag);
        add_nullable(b, "version_id", rc->version_id);
        add_nullable(b, "retention_mode", rc->retention_mode);
        json_write_time(b, "retain_until", rc->retain_until_us);
        json_write_time(b, "time", rc->confirmed_us);
        add_nullable(b, "vault", rc->vault);
        json_builder_end_object(b);
        return json_write_text(b);
}

/* One write of the whole line (and a newline first when the file ends in
 * a crash's partial line), then fdatasync: a receipt is durable before it
 * counts. */
static int append_line(int fd, const char *line) {
        struct stat st;
        char last = '\n';

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
                return -EIO;
        g_autofree gchar *text = g_strdup_printf("%s%s\n", last == '\n' ? "" : "\n", line);
        int r = fs_write_all(fd, text, strlen(text));
        if (r < 0) {
                /* Never leave half a receipt. The write's error is the one
                 * reported: a failed cut-back leaves the caller nothing else to do. */
                if (ftruncate(fd, st.st_size) < 0) {
                }
                return r;
        }
        return fdatasync(fd) < 0 ? -errno : 0;
}

int upl_receipts_append(int receipts_dirfd, const char *session, upl_receipts *r, const vault_receipt *rc,
                        gchar **ret_message) {
        g_autofree gchar *name = file_name(session);
        g_autofree gchar *line = upl_receipt_line(rc);
        bool created = false;
        g_auto(fd_owned) fd = openat(receipts_dirfd, name,
                                     O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        int res;

        if (fd < 0 && errno == ENOENT) {
                fd = openat(receipts_dirfd, name,
                            O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
                created = true;
        }
        res = fd < 0 ? -errno : append_line(fd, line);
        if (res == 0 && created)
                res = fsync(receipts_dirfd) < 0 ? -errno : 0;
        if (res < 0) {
                *ret_message = g_strdup_printf("cannot append a receipt to %s/%s: %s", UPL_RECEIPTS_DIR,
                                               name, g_strerror(-res));
                return res;
        }
        upl_receipt u = {.size = rc->size,
                         .time_us = rc->confirmed_us,
                         .version_id = g_strdup(rc->version_id),
                         .retain_until_us = rc->retain_until_us};
        memcpy(u.sha256, rc->sha256, SHA256_HEX_LEN + 1);
        add(r, g_strdup(rc->key), &u);
        return 0;
}

typedef struct recent {
        gchar *session;
        int64_t mtime_us;
} recent;

static gint by_mtime_desc(gconstpointer a, gconstpointer b) {
        const recent *x = *(recent *const *) a, *y = *(recent *const *) b;
        return x->mtime_us < y->mtime_us ? 1 : x->mtime_us > y->mtime_us ? -1 : 0;
}

static void recent_free(gpointer p) {
        recent *e = p;
        g_free(e->session);
        g_free(e);
}

int64_t upl_receipts_last_transfer(int receipts_dirfd, const char *vault_id) {
        g_auto(fd_owned) fd = openat(receipts_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(recent_free);
        g_auto(GStrv) names = NULL;
        int64_t last = 0;

        if (fd < 0 || fs_list_namesat(fd, FS_LIST_MAX, &names) < 0)
                return 0;
        for (char **n = names; *n; n++) {
                struct stat st;
                g_autofree gchar *session =
                        g_str_has_suffix(*n, ".jsonl") ? g_strndup(*n, strlen(*n) - strlen(".jsonl")) : NULL;
                if (!session || !upl_session_name_valid(session) ||
                    fstatat(receipts_dirfd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                recent *e = g_new0(recent, 1);
                e->session = g_steal_pointer(&session);
                e->mtime_us = (int64_t) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
                g_ptr_array_add(files, e);
        }
        g_ptr_array_sort(files, by_mtime_desc);
        /* the last line is appended last: the newest files hold the newest receipt */
        for (guint i = 0; i < MIN(files->len, UPL_LAST_TRANSFER_FILES); i++) {
                g_autoptr(upl_receipts) r = NULL;
                g_autofree gchar *msg = NULL;
                const recent *e = files->pdata[i];
                if (upl_receipts_load(receipts_dirfd, e->session, vault_id, &r, &msg) == 0)
                        last = MAX(last, r->last_us);
        }
        return last;
}
