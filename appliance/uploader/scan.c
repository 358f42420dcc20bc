/* What a session folder holds and which of its files may leave for the
 * vault now. An open session (no manifest.json yet) gives only the
 * segments its custody log says are sealed, and only when the file hashes
 * as the log says: the open segment is never sent. A closed one gives
 * every session file, the manifest last. Nothing is followed through a
 * link, and anything that is not a session file is reported, never sent. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody.h"
#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "uploader.h"
#include "util.h"

/* The closing files, in the order they go: manifest.json last, as the
 * recorder writes it last (its presence marks the session closed). */
static const char *const closing[] = {
        "custody.jsonl",
        "SHA256SUMS",
        "SHA256SUMS.minisig",
        "SHA256SUMS.sealed",
        "SHA256SUMS.sealed.minisig",
        "manifest.json.minisig",
        "manifest.json",
};

bool upl_session_name_valid(const char *name) {
        return util_session_id_valid(name);
}

static void file_free(gpointer p) {
        upl_file *f = p;

        g_free(f->name);
        g_free(f);
}

upl_session *upl_session_free(upl_session *s) {
        if (!s)
                return NULL;
        g_free(s->name);
        g_ptr_array_unref(s->ready);
        g_ptr_array_unref(s->ignored);
        g_free(s);
        return NULL;
}

/* Hashes are kept by (inode, size, mtime): a sealed file does not change,
 * and the periodic scan must not re-read gigabytes every time. */
typedef struct hash_memo {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
        char sha256[SHA256_HEX_LEN + 1];
        char content_md5[VAULT_MD5_B64_LEN + 1];
} hash_memo;

static GHashTable *memo; /* "session/name" -> hash_memo */

/* Both digests in one read (vault_digests_fd): S3 needs the MD5 too, and
 * the file is read once more only to be sent. */
static int hash_file(int dfd, const char *session, const char *name, upl_file **ret) {
        struct stat st;
        uint64_t size;
        g_auto(fd_owned) fd = fs_openat_regular(dfd, name, &st);
        g_autofree gchar *id = g_strdup_printf("%s/%s", session, name);
        int r;

        if (fd < 0)
                return fd;
        if (!memo)
                memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        hash_memo *m = g_hash_table_lookup(memo, id);
        upl_file *f = g_new0(upl_file, 1);
        f->name = g_strdup(name);
        f->mtime_us = (int64_t) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
        if (m && m->dev == st.st_dev && m->ino == st.st_ino && m->size == st.st_size &&
            m->mtime.tv_sec == st.st_mtim.tv_sec && m->mtime.tv_nsec == st.st_mtim.tv_nsec) {
                f->size = (uint64_t) st.st_size;
                memcpy(f->sha256, m->sha256, sizeof(f->sha256));
                memcpy(f->content_md5, m->content_md5, sizeof(f->content_md5));
                *ret = f;
                return 0;
        }
        r = vault_digests_fd(fd, f->sha256, f->content_md5, &size);
        if (r < 0) {
                file_free(f);
                return r;
        }
        f->size = size;
        m = g_new0(hash_memo, 1);
        *m = (hash_memo){.dev = st.st_dev, .ino = st.st_ino, .size = st.st_size, .mtime = st.st_mtim};
        memcpy(m->sha256, f->sha256, sizeof(m->sha256));
        memcpy(m->content_md5, f->content_md5, sizeof(m->content_md5));
        g_hash_table_replace(memo, g_steal_pointer(&id), m);
        *ret = f;
        return 0;
}

static bool closing_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(closing); i++)
                if (strcmp(name, closing[i]) == 0)
                        return true;
        return false;
}

bool upl_session_file_name(const char *name) {
        return custody_segment_name_valid(name) || closing_name(name);
}

bool upl_closing_file_name(const char *name) {
        return closing_name(name);
}

int upl_spool_owner(int spool_dirfd, uid_t *ret) {
        struct stat st;

        if (fstat(spool_dirfd, &st) < 0)
                return -errno;
        *ret = st.st_uid;
        return 0;
}

/* Only the segment names: the uploader needs to know which files are the
 * session's, not to verify it (studio-verify does, with the device key). */
int upl_manifest_segments(int dfd, GHashTable **ret, gchar **ret_message) {
        g_autoptr(JsonParser) p = json_parser_new();
        g_autofree char *data = NULL;
        size_t len = 0;
        int r = fs_read_fileat(dfd, "manifest.json", CUSTODY_MANIFEST_MAX, &data, &len);

        if (r < 0) {
                *ret_message = g_strdup_printf("manifest.json cannot be read: %s", g_strerror(-r));
                return r;
        }
        if (json_load_bounded(p, data, len, CUSTODY_MANIFEST_MAX, NULL) < 0 || !json_parser_get_root(p) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
                *ret_message = g_strdup("manifest.json is not a JSON object");
                return -EBADMSG;
        }
        JsonObject *o = json_node_get_object(json_parser_get_root(p));
        JsonNode *segs = json_object_get_member(o, "segments");
        if (!segs || !JSON_NODE_HOLDS_ARRAY(segs)) {
                *ret_message = g_strdup("manifest.json lists no \"segments\"");
                return -EBADMSG;
        }
        g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        JsonArray *a = json_node_get_array(segs);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                JsonNode *n = JSON_NODE_HOLDS_OBJECT(e)
                                      ? json_object_get_member(json_node_get_object(e), "name")
                                      : NULL;
                const char *name =
                        n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                                ? json_node_get_string(n)
                                : NULL;
                if (!name || !custody_segment_name_valid(name)) {
                        *ret_message =
                                g_strdup_printf("manifest.json segment %u has no segment name", i + 1);
                        return -EBADMSG;
                }
                g_hash_table_add(names, g_strdup(name));
        }
        *ret = g_steal_pointer(&names);
        return 0;
}

static void ignore(upl_session *s, const char *name, const char *why) {
        g_autofree char *shown = escape_text(name);
        g_ptr_array_add(s->ignored, g_strdup_printf("\"%s\" (%s)", shown, why));
}

/* What the recorder did not make: reported, and counted as a stranger. */
static void stranger(upl_session *s, const char *name, const char *why) {
        ignore(s, name, why);
        s->strangers++;
}

/* The session files in the folder that the recorder made (owned by the
 * spool's owner), sorted; the rest reported. */
static int list_files(int dfd, upl_session *s, uid_t owner, GPtrArray *names) {
        g_auto(GStrv) all = NULL;
        int r = fs_list_namesat(dfd, FS_LIST_MAX, &all);

        if (r < 0)
                return r;
        s->empty = !all[0];
        for (char **n = all; *n; n++) {
                struct stat st;
                if (g_str_has_prefix(*n, ".tmp-")) /* the recorder's atomic writes, in flight */
                        continue;
                if (fstatat(dfd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (!S_ISREG(st.st_mode))
                        stranger(s, *n, fs_kind_name(st.st_mode));
                else if (!upl_session_file_name(*n))
                        stranger(s, *n, "not a session file");
                else if (st.st_uid != owner) {
                        g_autofree gchar *why =
                                g_strdup_printf("not made by the recorder: owner uid %u, the spool's is %u",
                                                (unsigned) st.st_uid, (unsigned) owner);
                        stranger(s, *n, why);
                } else
                        g_ptr_array_add(names, g_strdup(*n));
        }
        return 0;
}

/* A closed session's files are those its manifest names: the closing
 * files and its segments. Another segment in the folder was not part of
 * the session the recorder closed. */
static void keep_manifest_segments(upl_session *s, int dfd, GPtrArray *names) {
        g_autoptr(GHashTable) segs = NULL;
        g_autofree gchar *why = NULL;

        if (upl_manifest_segments(dfd, &segs, &why) < 0) {
                ignore(s, "manifest.json", why); /* still sent: the vault keeps what there is */
                return;
        }
        for (guint i = names->len; i-- > 0;)
                if (custody_segment_name_valid(names->pdata[i]) &&
                    !g_hash_table_contains(segs, names->pdata[i])) {
                        stranger(s, names->pdata[i], "a segment the manifest does not list");
                        g_ptr_array_remove_index(names, i);
                }
}

/* segment name -> sealed_sha256, from the segment-sealed entries of the
 * log as far as it reads (the recorder may be appending its last line). */
static GHashTable *sealed_segments(int dfd) {
        GHashTable *sealed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        _cleanup_close_ int fd = fs_openat_regular(dfd, "custody.jsonl", NULL);
        custody_log_reader *rd;
        const custody_entry *e;

        if (fd < 0)
                return sealed;
        rd = custody_log_reader_new(fd);
        while (custody_log_reader_next(rd, &e, NULL) > 0) {
                const char *seg = custody_entry_str(e, "segment");
                const char *sha = custody_entry_str(e, "sealed_sha256");
                if (e->event == CUSTODY_EV_SEGMENT_SEALED && seg && sha && custody_segment_name_valid(seg))
                        g_hash_table_replace(sealed, g_strdup(seg), g_strdup(sha));
        }
        custody_log_reader_free(rd);
        return sealed;
}

static void add_ready(upl_session *s, int dfd, const char *name, const char *want_sha) {
        upl_file *f = NULL;
        int r = hash_file(dfd, s->name, name, &f);

        if (r < 0) {
                ignore(s, name, g_strerror(-r));
                return;
        }
        if (want_sha && strcmp(f->sha256, want_sha) != 0) {
                ignore(s, name,
                       "does not hash as its segment-sealed entry says; it goes when the session closes");
                file_free(f);
                return;
        }
        g_ptr_array_add(s->ready, f);
}

/* The session folder, opened without following a link, and made by the
 * spool's owner (the recorder): its descriptor, with that owner in
 * *ret_owner; -EPERM for a folder someone else made. */
static int open_session_dir(int spool_dirfd, const char *name, uid_t *ret_owner, gchar **ret_message) {
        g_auto(fd_owned) dfd = openat(spool_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        uid_t owner = 0;
        int r;

        if (dfd < 0) {
                r = errno == ENOTDIR || errno == ELOOP ? -ELOOP : -errno;
                g_autofree char *shown = escape_text(name);
                *ret_message = g_strdup_printf(
                        "session folder \"%s\" cannot be opened (%s); a link is never followed", shown,
                        g_strerror(-r));
                return r;
        }
        if ((r = upl_spool_owner(spool_dirfd, &owner)) < 0 || fstat(dfd, &st) < 0) {
                r = r < 0 ? r : -errno;
                *ret_message = g_strdup_printf("cannot stat session folder %s: %s", name, g_strerror(-r));
                return r;
        }
        if (st.st_uid != owner) {
                g_autofree char *shown = escape_text(name);
                *ret_message = g_strdup_printf(
                        "session folder \"%s\" was not made by the recorder (owner uid %u, the spool's is "
                        "%u): it is never sent to the vault nor wiped",
                        shown, (unsigned) st.st_uid, (unsigned) owner);
                return -EPERM;
        }
        *ret_owner = owner;
        return TAKE_FD(dfd);
}

/* A closed session: every segment the manifest lists, then the closing
 * files, in the order the vault must receive them. */
static void add_closed_files(upl_session *s, int dfd, GPtrArray *names) {
        keep_manifest_segments(s, dfd, names);
        for (guint i = 0; i < names->len; i++)
                if (custody_segment_name_valid(names->pdata[i]))
                        add_ready(s, dfd, names->pdata[i], NULL);
        for (size_t c = 0; c < ELEMENTSOF(closing); c++)
                for (guint i = 0; i < names->len; i++)
                        if (strcmp(names->pdata[i], closing[c]) == 0)
                                add_ready(s, dfd, closing[c], NULL);
}

/* A session still recording: only the segments its log says are sealed. */
static void add_sealed_files(upl_session *s, int dfd, GPtrArray *names) {
        bool log_ours = false; /* a log someone else put there says nothing */
        for (guint i = 0; i < names->len; i++)
                log_ours = log_ours || strcmp(names->pdata[i], "custody.jsonl") == 0;
        g_autoptr(GHashTable) sealed =
                log_ours ? sealed_segments(dfd)
                         : g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (guint i = 0; i < names->len; i++) {
                const char *want = g_hash_table_lookup(sealed, names->pdata[i]);
                if (want)
                        add_ready(s, dfd, names->pdata[i], want);
        }
}

int upl_session_scan(int spool_dirfd, const char *name, upl_session **ret, gchar **ret_message) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        uid_t owner = 0;
        int r;

        g_auto(fd_owned) dfd = open_session_dir(spool_dirfd, name, &owner, ret_message);
        if (dfd < 0)
                return dfd;
        upl_session *s = g_new0(upl_session, 1);
        s->name = g_strdup(name);
        s->ready = g_ptr_array_new_with_free_func(file_free);
        s->ignored = g_ptr_array_new_with_free_func(g_free);
        r = list_files(dfd, s, owner, names);
        if (r < 0) {
                upl_session_free(s);
                *ret_message = g_strdup_printf("cannot list session folder %s: %s", name, g_strerror(-r));
                return r;
        }
        /* closed only by a manifest the recorder wrote (listed above) */
        for (guint i = 0; i < names->len; i++)
                s->closed = s->closed || strcmp(names->pdata[i], "manifest.json") == 0;
        if (s->closed)
                add_closed_files(s, dfd, names);
        else
                add_sealed_files(s, dfd, names);
        *ret = s;
        return 0;
}
