/* Crash recovery: a session folder with a custody log and no manifest is
 * closed honestly. The log is only appended to; a partial last line (a
 * crash in the middle of a write) stays as it is, and the recovery entry
 * says how many bytes it has. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody-internal.h"

typedef struct open_segment {
        char name[32];
        const custody_entry *checkpoint; /* last one, or NULL */
        uint64_t disk_bytes, salvageable;
        char disk_sha256[SHA256_HEX_LEN + 1];
        bool match;
} open_segment;

static int examine_segment(const char *dir, open_segment *s) {
        g_autofree char *path = g_build_filename(dir, s->name, NULL);
        uint8_t pre[SHA256_LEN], all[SHA256_LEN];
        char pre_hex[SHA256_HEX_LEN + 1];
        int64_t cp_bytes = 0;
        uint64_t header = 0;
        bool pre_ok = false;
        int fd, r;

        if (s->checkpoint)
                (void) custody_entry_int(s->checkpoint, "sealed_bytes", &cp_bytes);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = custody_sealed_hash(fd, (uint64_t) cp_bytes, pre, all, &s->disk_bytes, &pre_ok);
        if (r >= 0 && custody_sealed_header_len(fd, &header) >= 0)
                s->salvageable = custody_sealed_salvageable(header, s->disk_bytes);
        (void) close(fd);
        if (r < 0)
                return r;
        sha256_hex(all, s->disk_sha256);
        sha256_hex(pre, pre_hex);
        s->match = pre_ok && (!s->checkpoint ||
                              strcmp(pre_hex, custody_entry_str(s->checkpoint, "sealed_sha256")) == 0);
        return 0;
}

static bool is_sealed(const custody_parsed_log *log, const char *name) {
        for (size_t i = 0; i < log->n_entries; i++)
                if (log->entries[i].event == CUSTODY_EV_SEGMENT_SEALED && !log->entries[i].fragment &&
                    strcmp(custody_entry_str(&log->entries[i], "segment"), name) == 0)
                        return true;
        return false;
}

static const custody_entry *last_checkpoint(const custody_parsed_log *log, const char *name) {
        for (size_t i = log->n_entries; i > 0; i--) {
                const custody_entry *e = &log->entries[i - 1];
                if (!e->fragment && e->event == CUSTODY_EV_CHECKPOINT &&
                    strcmp(custody_entry_str(e, "segment"), name) == 0)
                        return e;
        }
        return NULL;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Segment files on disk that no segment-sealed entry closed, sorted. */
static GPtrArray *find_open_segments(const char *dir, const custody_parsed_log *log) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const char *n;

        while (d && (n = g_dir_read_name(d)))
                if (custody_segment_name_valid(n) && !is_sealed(log, n))
                        g_ptr_array_add(names, g_strdup(n));
        g_ptr_array_sort(names, cmp_str);
        return names;
}

static JsonObject *recovery_fields(const open_segment *s, size_t partial) {
        JsonObject *o = json_object_new();
        int64_t cp_bytes = 0, media = 0;

        if (s) {
                if (s->checkpoint) {
                        (void) custody_entry_int(s->checkpoint, "sealed_bytes", &cp_bytes);
                        (void) custody_entry_int(s->checkpoint, "media_ns", &media);
                }
                json_object_set_string_member(o, "segment", s->name);
                json_object_set_int_member(o, "last_checkpoint_seq", s->checkpoint ? (int64_t) s->checkpoint->seq : 0);
                json_object_set_int_member(o, "checkpoint_sealed_bytes", s->match ? cp_bytes : 0);
                json_object_set_boolean_member(o, "checkpoint_match", s->match);
                json_object_set_int_member(o, "sealed_bytes_on_disk", (int64_t) s->disk_bytes);
                json_object_set_string_member(o, "sealed_sha256_on_disk", s->disk_sha256);
                json_object_set_int_member(o, "salvageable_bytes", (int64_t) s->salvageable);
                json_object_set_int_member(o, "media_ns", media);
        }
        json_object_set_int_member(o, "log_partial_bytes", (int64_t) partial);
        return o;
}

static void report_segment(GString *rep, const char *session, const open_segment *s) {
        int64_t cp_bytes = 0;

        if (s->checkpoint)
                (void) custody_entry_int(s->checkpoint, "sealed_bytes", &cp_bytes);
        g_string_append_printf(rep, "%s: %s open at the crash: %" PRIu64 " bytes on disk, checkpoint %" PRIu64
                               " (%" PRId64 " bytes) %s, %" PRIu64 " bytes salvageable\n",
                               session, s->name, s->disk_bytes, s->checkpoint ? s->checkpoint->seq : 0,
                               cp_bytes, s->match ? "matches" : "DOES NOT MATCH", s->salvageable);
}

static int append_recovery(custody_log *log, const char *dir, const custody_parsed_log *parsed,
                           GPtrArray *open, GString *rep, const char *session) {
        size_t partial = parsed->trailing_bytes;
        int r;

        if (partial > 0)
                g_string_append_printf(rep, "%s: custody log ends in a partial line of %zu bytes (left as is)\n",
                                       session, partial);
        for (guint i = 0; i < MAX(open->len, 1u); i++) {
                open_segment s = {0};
                g_autoptr(JsonObject) f = NULL;
                if (open->len > 0) {
                        g_strlcpy(s.name, open->pdata[i], sizeof(s.name));
                        s.checkpoint = last_checkpoint(parsed, s.name);
                        r = examine_segment(dir, &s);
                        if (r < 0)
                                return r;
                        report_segment(rep, session, &s);
                }
                f = recovery_fields(open->len > 0 ? &s : NULL, partial);
                /* a newline ends the fragment so the next line starts clean */
                r = custody_log_append_with_prefix(log, partial > 0 ? "\n" : NULL, "recovery", f);
                if (r < 0)
                        return r;
                partial = 0;
        }
        return 0;
}

static size_t count_sealed(const custody_parsed_log *log) {
        size_t n = 0;
        for (size_t i = 0; i < log->n_entries; i++)
                n += log->entries[i].event == CUSTODY_EV_SEGMENT_SEALED && !log->entries[i].fragment;
        return n;
}

static int recover_session(const char *dir, const char *state_dir, const minisign_secret *key, GString *rep) {
        g_autofree char *path = g_build_filename(dir, CUSTODY_LOG_NAME, NULL);
        g_autofree char *err = NULL;
        g_autoptr(GPtrArray) open = NULL;
        g_autoptr(JsonObject) stop = json_object_new();
        g_autofree char *session = g_path_get_basename(dir);
        custody_parsed_log *parsed = NULL;
        custody_log *log = NULL;
        int r;

        r = custody_log_parse_file(path, &parsed, &err);
        if (r < 0) {
                g_string_append_printf(rep, "%s: cannot recover, custody log unreadable: %s\n", session, err);
                return r;
        }
        const custody_entry *last = parsed->n_entries ? &parsed->entries[parsed->n_entries - 1] : NULL;
        if (last && last->event == CUSTODY_EV_STOP && !last->fragment && parsed->trailing_bytes == 0) {
                g_string_append_printf(rep, "%s: stopped but not closed; closing\n", session);
                goto close;
        }
        r = custody_log_open_append(dir, parsed, key, &log);
        if (r < 0)
                goto out;
        open = find_open_segments(dir, parsed);
        r = append_recovery(log, dir, parsed, open, rep, session);
        if (r < 0)
                goto out;
        json_object_set_string_member(stop, "reason", "recovered after crash");
        json_object_set_int_member(stop, "segments", (int64_t) (count_sealed(parsed) + open->len));
        r = custody_log_append(log, "stop", stop);
        if (r < 0)
                goto out;
close:
        r = custody_session_close(dir, state_dir, key);
        if (r >= 0)
                g_string_append_printf(rep, "%s: recovered and closed\n", session);
out:
        if (r < 0)
                g_string_append_printf(rep, "%s: recovery failed: %s\n", session, g_strerror(-r));
        custody_log_free(log);
        custody_parsed_log_free(parsed);
        return r;
}

static bool needs_recovery(const char *dir) {
        g_autofree char *log = g_build_filename(dir, CUSTODY_LOG_NAME, NULL);
        g_autofree char *man = g_build_filename(dir, "manifest.json", NULL);

        return g_file_test(log, G_FILE_TEST_IS_REGULAR) && !g_file_test(man, G_FILE_TEST_EXISTS);
}

int custody_recover_spool(const char *spool_dir, const char *state_dir, const minisign_secret *key,
                          char **ret_report) {
        g_autoptr(GDir) d = NULL;
        g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GString) rep = g_string_new(NULL);
        const char *n;
        int recovered = 0, first_error = 0;

        if (!spool_dir || !state_dir || !key)
                return -EINVAL;
        d = g_dir_open(spool_dir, 0, NULL);
        if (!d)
                return -errno ?: -ENOENT;
        while ((n = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(spool_dir, n, NULL);
                if (n[0] != '.' && g_file_test(p, G_FILE_TEST_IS_DIR) && needs_recovery(p))
                        g_ptr_array_add(dirs, g_steal_pointer(&p));
        }
        /* session ids start with their UTC start, so this is time order and
         * the chain head ends at the newest session */
        g_ptr_array_sort(dirs, cmp_str);
        for (guint i = 0; i < dirs->len; i++) {
                int r = recover_session(dirs->pdata[i], state_dir, key, rep);
                if (r < 0 && first_error == 0)
                        first_error = r;
                recovered += r >= 0;
        }
        if (ret_report)
                *ret_report = g_strdup(rep->str);
        return recovered > 0 || first_error == 0 ? recovered : first_error;
}
