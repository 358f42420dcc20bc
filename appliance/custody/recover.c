/* Crash recovery: a session folder with a custody log and no manifest is
 * closed honestly, and a close a crash interrupted is finished. The log is
 * only appended to; a partial last line (a crash in the middle of a
 * write) stays as it is, and the recovery entry says how many bytes it
 * has and their SHA-256. A folder that cannot be closed honestly is left
 * exactly as it is and named in the report; it never stops the others.
 * docs/session-format.md, "Crash recovery", describes every case. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody-internal.h"
#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"

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

/* A segment the log already accounts for: sealed whole, or recorded by a
 * recovery entry (of an earlier recovery that power cut short before its
 * stop: it is never recorded twice). */
static bool is_accounted(const custody_parsed_log *log, const char *name) {
        for (size_t i = 0; i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                const char *seg = e->fragment ? NULL : custody_entry_str(e, "segment");
                if ((e->event == CUSTODY_EV_SEGMENT_SEALED || e->event == CUSTODY_EV_RECOVERY) && seg &&
                    strcmp(seg, name) == 0)
                        return true;
        }
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

/* The names in the folder at dir, sorted (NULL-terminated, never NULL:
 * a folder that cannot be listed names nothing, as before). */
static char **folder_names(const char *dir) {
        _cleanup_close_ int fd = fs_open_dir(dir);
        char **names = NULL;

        if (fd < 0 || fs_list_namesat(fd, FS_LIST_MAX, &names) < 0)
                return g_new0(char *, 1);
        return names;
}

/* Segment files on disk that the log does not account for yet, sorted. */
static GPtrArray *find_open_segments(const char *dir, const custody_parsed_log *log) {
        g_auto(GStrv) all = folder_names(dir);
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

        for (char **n = all; *n; n++)
                if (custody_segment_name_valid(*n) && !is_accounted(log, *n))
                        g_ptr_array_add(names, g_strdup(*n));
        return names;
}

static JsonObject *recovery_fields(const open_segment *s, const custody_parsed_log *parsed, size_t partial,
                                   const char *session) {
        JsonObject *o = json_object_new();
        int64_t cp_bytes = 0, media = 0;

        if (s) {
                if (s->checkpoint) {
                        (void) custody_entry_int(s->checkpoint, "sealed_bytes", &cp_bytes);
                        (void) custody_entry_int(s->checkpoint, "media_ns", &media);
                }
                json_object_set_string_member(o, "segment", s->name);
                json_object_set_int_member(o, "last_checkpoint_seq",
                                           s->checkpoint ? (int64_t) s->checkpoint->seq : 0);
                json_object_set_int_member(o, "checkpoint_sealed_bytes", s->match ? cp_bytes : 0);
                json_object_set_boolean_member(o, "checkpoint_match", s->match);
                json_object_set_int_member(o, "sealed_bytes_on_disk", (int64_t) s->disk_bytes);
                json_object_set_string_member(o, "sealed_sha256_on_disk", s->disk_sha256);
                json_object_set_int_member(o, "salvageable_bytes", (int64_t) s->salvageable);
                json_object_set_int_member(o, "media_ns", media);
        }
        json_object_set_int_member(o, "log_partial_bytes", (int64_t) partial);
        if (partial > 0) {
                char hex[SHA256_HEX_LEN + 1];
                custody_line_hash(parsed->data + parsed->len - partial, partial, hex);
                json_object_set_string_member(o, "log_partial_sha256", hex);
        }
        if (custody_log_startless(parsed)) {
                /* the manifest takes the session name and reason from here */
                json_object_set_string_member(o, "session", session);
                json_object_set_string_member(o, "reason",
                                              "never started: the power failed while session-start "
                                              "was being written");
        }
        return o;
}

/* How a session came to be closed here: after a crash (at the next
 * start), or by the recorder itself when its recording ended on a fault
 * with a segment still open (custody_session_close_cut). */
typedef struct close_how {
        const char *stop_reason;
        const char *open_at; /* for the report: "the crash", "the fault" */
        /* a recovery entry even with no segment open and no partial line:
         * crash recovery always says on the record that it ran */
        bool always_entry;
} close_how;

static const close_how after_crash = {"recovered after crash", "the crash", true};

/* The checkpoint's ordinal in the session (1 = its first checkpoint), the
 * number studio-verify's TRUNCATED report gives it too. */
static uint64_t checkpoint_ordinal(const custody_parsed_log *log, const custody_entry *cp) {
        uint64_t n = 0;

        for (size_t i = 0; cp && i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                n += !e->fragment && e->event == CUSTODY_EV_CHECKPOINT;
                if (e == cp)
                        return n;
        }
        return 0;
}

static void report_segment(GString *rep, const char *session, const custody_parsed_log *log,
                           const open_segment *s, const close_how *how) {
        int64_t cp_bytes = 0;

        if (s->checkpoint)
                (void) custody_entry_int(s->checkpoint, "sealed_bytes", &cp_bytes);
        g_string_append_printf(
                rep,
                "%s: %s open at %s: %" PRIu64 " bytes on disk, checkpoint %" PRIu64 " (entry seq %" PRIu64
                ", %" PRId64 " bytes) %s, %" PRIu64 " bytes salvageable\n",
                session, s->name, how->open_at, s->disk_bytes, checkpoint_ordinal(log, s->checkpoint),
                s->checkpoint ? s->checkpoint->seq : 0, cp_bytes, s->match ? "matches" : "DOES NOT MATCH",
                s->salvageable);
}

static int append_recovery(custody_log *log, const char *dir, const custody_parsed_log *parsed,
                           GPtrArray *open, GString *rep, const char *session, const close_how *how) {
        size_t partial = parsed->trailing_bytes;
        int r;

        if (partial > 0)
                g_string_append_printf(rep,
                                       "%s: custody log ends in a partial line of %zu bytes (left as is)\n",
                                       session, partial);
        for (guint i = 0; i < MAX(open->len, (how->always_entry || partial > 0) ? 1u : 0u); i++) {
                open_segment s = {0};
                g_autoptr(JsonObject) f = NULL;
                if (open->len > 0) {
                        g_strlcpy(s.name, open->pdata[i], sizeof(s.name));
                        s.checkpoint = last_checkpoint(parsed, s.name);
                        r = examine_segment(dir, &s);
                        if (r < 0)
                                return r;
                        report_segment(rep, session, parsed, &s, how);
                }
                f = recovery_fields(open->len > 0 ? &s : NULL, parsed, partial, session);
                /* a newline ends the fragment so the next line starts clean */
                r = custody_log_append_with_prefix(log, partial > 0 ? "\n" : NULL, "recovery", f);
                if (r < 0)
                        return r;
                partial = 0;
        }
        return 0;
}

/* Segments the log accounts for: sealed, or recovered by an earlier run. */
static size_t count_accounted(const custody_parsed_log *log) {
        size_t n = 0;
        for (size_t i = 0; i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                n += !e->fragment && (e->event == CUSTODY_EV_SEGMENT_SEALED ||
                                      (e->event == CUSTODY_EV_RECOVERY && custody_entry_str(e, "segment")));
        }
        return n;
}

/* What a folder left untouched holds, so the report alone records it. */
static void report_segment_files(GString *rep, const char *dir, const char *session) {
        g_auto(GStrv) names = folder_names(dir);

        for (char **n = names; *n; n++) {
                open_segment s = {0};
                if (!custody_segment_name_valid(*n))
                        continue;
                g_strlcpy(s.name, *n, sizeof(s.name));
                if (examine_segment(dir, &s) < 0)
                        g_string_append_printf(rep, "%s:   %s (unreadable)\n", session, s.name);
                else
                        g_string_append_printf(rep, "%s:   %s %" PRIu64 " bytes, sealed SHA-256 %s\n",
                                               session, s.name, s.disk_bytes, s.disk_sha256);
        }
}

static int leave_untouched(GString *rep, const char *dir, const char *session, const char *why) {
        g_string_append_printf(rep,
                               "%s: NOT RECOVERED, left untouched: %s. Recording continues; keep the folder "
                               "for police IT to examine.\n",
                               session, why);
        report_segment_files(rep, dir, session);
        return 0;
}

/* Why a log that parsed cannot be closed honestly, or NULL. The recorder
 * writes session-start first, so a whole first entry of any other kind
 * is not a crash artefact. An empty log holds nothing to close, and a
 * log beginning with a recovery entry would read as TAMPERED. */
static const char *unclosable(const custody_parsed_log *p) {
        const custody_entry *first = custody_log_first_whole(p);

        if (p->n_entries == 0 && p->trailing_bytes == 0)
                return "its custody log is empty (the power failed before the session started; the device "
                       "chain does not include it, so nothing is missing from it)";
        if (first && first->event != CUSTODY_EV_SESSION_START &&
            !(first->event == CUSTODY_EV_RECOVERY && p->entries[0].fragment))
                return "its custody log does not begin with session-start";
        return NULL;
}

/* In a fragment (a line the power cut short), the string value of
 * "name":"…" when it is there whole, else NULL (g_free). */
static char *fragment_value(const char *bytes, size_t len, const char *name) {
        g_autofree char *key = g_strdup_printf("\"%s\":\"", name);
        const char *at = g_strstr_len(bytes, (gssize) len, key), *end;

        if (!at)
                return NULL;
        at += strlen(key);
        end = memchr(at, '"', len - (size_t) (at - bytes));
        return end ? g_strndup(at, (gsize) (end - at)) : NULL;
}

/* Crash recovery signs as this device, so it closes only the session this
 * device opened and has not closed: the folder's name is the session id
 * its log's first entry gives, and that entry links to the device's chain
 * head (a session's first entry links to the head, which moves only when
 * the session closes; or, for a close cut short after the head moved, the
 * head is the log's own last entry). A copy of a session's log under a new folder name,
 * or of an older session, is neither: it is reported and left unsigned.
 * Why not, or NULL (g_free). */
static char *not_the_open_session(const custody_parsed_log *p, const char *session, const char *state_dir) {
        const custody_entry *first = custody_log_first_whole(p);
        g_autofree char *frag_id = NULL, *frag_prev = NULL, *shown = NULL;
        char head[SHA256_HEX_LEN + 1];
        const char *id = NULL, *prev = NULL;
        int r = custody_chain_head_read(state_dir, head);

        if (r < 0)
                return g_strdup_printf("the device's chain head in %s cannot be read (%s), so nothing shows "
                                       "that this device opened the session",
                                       state_dir, g_strerror(-r));
        if (p->n_entries > 0 && p->entries[0].fragment) {
                frag_id = fragment_value(p->entries[0].line, p->entries[0].len, "session");
                frag_prev = fragment_value(p->entries[0].line, p->entries[0].len, "prev");
        } else if (p->n_entries == 0 && p->trailing_bytes > 0) {
                const char *t = p->data + p->len - p->trailing_bytes;
                frag_id = fragment_value(t, p->trailing_bytes, "session");
                frag_prev = fragment_value(t, p->trailing_bytes, "prev");
        }
        id = frag_id;
        prev = frag_prev;
        if (first) {
                /* a recovery entry first (after a fragment) names the folder it was written for */
                if (first->event == CUSTODY_EV_SESSION_START || custody_entry_str(first, "session"))
                        id = custody_entry_str(first, "session");
                prev = first->prev;
        }
        if (id && strcmp(id, session) != 0) {
                shown = escape_text(id);
                return g_strdup_printf(
                        "its custody log is for the session %s, not %s (a session's log copied "
                        "under another folder name is never signed)",
                        shown, session);
        }
        /* a close the power cut short after the head moved past this very
         * session: its end is the head */
        if (custody_log_finished(p) && strcmp(p->entries[p->n_entries - 1].hash, head) == 0)
                return NULL;
        if (prev && strcmp(prev, head) != 0)
                return g_strdup_printf(
                        "its custody log does not link to this device's chain head in %s (it is "
                        "not the session this device has open: an older or another device's "
                        "session, or a copy of one), so it is not signed",
                        state_dir);
        return NULL;
}

static int close_finished(const char *dir, const char *state_dir, const minisign_secret *key, GString *rep,
                          const char *session) {
        g_autofree char *err = NULL;
        int r = custody_session_complete(dir, state_dir, key, &err);

        if (r == -EEXIST)
                return leave_untouched(rep, dir, session, err);
        if (r >= 0)
                g_string_append_printf(rep, "%s: recovered and closed\n", session);
        return r < 0 ? r : 1;
}

static int append_and_close(const char *dir, const char *state_dir, const minisign_secret *key,
                            const custody_parsed_log *parsed, GString *rep, const char *session,
                            const close_how *how) {
        g_autoptr(GPtrArray) open = NULL;
        g_autoptr(JsonObject) stop = json_object_new();
        custody_log *log = NULL;
        int r;

        r = custody_log_open_append(dir, state_dir, parsed, key, &log);
        if (r < 0)
                return r;
        open = find_open_segments(dir, parsed);
        r = append_recovery(log, dir, parsed, open, rep, session, how);
        /* a session that never started never stopped: the log ends with
         * its recovery entry and verifies INCOMPLETE */
        if (r >= 0 && !custody_log_startless(parsed)) {
                json_object_set_string_member(stop, "reason", how->stop_reason);
                json_object_set_int_member(stop, "segments",
                                           (int64_t) (count_accounted(parsed) + open->len));
                r = custody_log_append(log, "stop", stop);
        }
        custody_log_free(log);
        if (r < 0)
                return r;
        return close_finished(dir, state_dir, key, rep, session);
}

/* 1 closed, 0 left untouched (reported), < 0 failed (reported). */
static int recover_session(const char *dir, const char *state_dir, const minisign_secret *key,
                           GString *rep) {
        g_autofree char *path = g_build_filename(dir, CUSTODY_LOG_NAME, NULL);
        g_autofree char *err = NULL, *why = NULL;
        g_autofree char *session = g_path_get_basename(dir);
        custody_parsed_log *parsed = NULL;
        const char *reason;
        int r;

        if (!g_file_test(path, G_FILE_TEST_EXISTS))
                return leave_untouched(rep, dir, session, "it holds segment files but no custody log");
        r = custody_log_parse_file(path, &parsed, &err);
        if (r == -EBADMSG || r == -EFBIG) {
                why = g_strdup_printf(
                        "its custody log is damaged (%s), which no crash of the recorder leaves", err);
                return leave_untouched(rep, dir, session, why);
        }
        if (r < 0)
                goto out;
        if ((reason = unclosable(parsed))) {
                r = leave_untouched(rep, dir, session, reason);
        } else if ((why = not_the_open_session(parsed, session, state_dir))) {
                r = leave_untouched(rep, dir, session, why);
        } else if (custody_log_finished(parsed)) {
                g_string_append_printf(rep, "%s: ended but not closed; closing\n", session);
                r = close_finished(dir, state_dir, key, rep, session);
        } else
                r = append_and_close(dir, state_dir, key, parsed, rep, session, &after_crash);
out:
        if (r < 0)
                g_string_append_printf(rep,
                                       "%s: recovery failed: %s (nothing in it was rewritten or "
                                       "deleted; the next start tries again)\n",
                                       session, g_strerror(-r));
        custody_parsed_log_free(parsed);
        return r;
}

static bool file_missing(const char *dir, const char *name) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        return !g_file_test(p, G_FILE_TEST_EXISTS);
}

static bool has_segments(const char *dir) {
        g_auto(GStrv) names = folder_names(dir);

        for (char **n = names; *n; n++)
                if (custody_segment_name_valid(*n))
                        return true;
        return false;
}

/* No manifest or a closing file missing (a crash during close), or
 * segment files with no log at all (reported, never touched). */
static bool needs_recovery(const char *dir) {
        static const char *const closing[] = {"manifest.json",     "manifest.json.minisig",
                                              "SHA256SUMS",        "SHA256SUMS.minisig",
                                              "SHA256SUMS.sealed", "SHA256SUMS.sealed.minisig"};

        if (file_missing(dir, CUSTODY_LOG_NAME))
                return has_segments(dir);
        for (size_t i = 0; i < G_N_ELEMENTS(closing); i++)
                if (file_missing(dir, closing[i]))
                        return true;
        return false;
}

/* A crash after manifest.json was written but before the chain head moved
 * leaves the head one session behind; the manifest names both ends. */
static int advance_chain(const char *dir, const char *state_dir, GString *rep) {
        g_autofree char *path = g_build_filename(dir, "manifest.json", NULL);
        g_autofree char *data = NULL, *err = NULL, *session = g_path_get_basename(dir);
        custody_manifest *m = NULL;
        bool advanced = false;
        size_t len = 0;
        int r;

        r = fs_read_file(path, CUSTODY_MANIFEST_MAX, &data, &len);
        if (r < 0)
                err = g_strdup(g_strerror(-r));
        else
                r = custody_manifest_parse(data, len, &m, &err);
        if (r < 0) {
                /* studio-verify judges the folder; here it is only named, never touched */
                g_string_append_printf(rep,
                                       "%s: NOT CHECKED, left untouched: its manifest.json cannot be read "
                                       "(%s), so the device chain head was not compared with it. "
                                       "Recording continues; keep the folder for police IT to examine.\n",
                                       session, err);
                return 0;
        }
        r = custody_chain_advance(state_dir, m->log_first_prev, m->log_last_line_sha256, &advanced);
        if (r < 0)
                g_string_append_printf(rep, "%s: cannot move the device chain head in %s: %s\n", session,
                                       state_dir, g_strerror(-r));
        else if (advanced)
                g_string_append_printf(rep,
                                       "%s: closed, but the device chain head had not moved past it; "
                                       "moved it\n",
                                       session);
        custody_manifest_free(m);
        return r;
}

/* The listing is sorted, and session ids start with their UTC start, so
 * this is time order and the chain head ends at the newest session. */
static GPtrArray *list_sessions(char **names, const char *spool_dir) {
        GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);

        for (char **n = names; *n; n++) {
                g_autofree char *p = g_build_filename(spool_dir, *n, NULL);
                if ((*n)[0] != '.' && g_file_test(p, G_FILE_TEST_IS_DIR))
                        g_ptr_array_add(dirs, g_steal_pointer(&p));
        }
        return dirs;
}

int custody_recover_spool(const char *spool_dir, const char *state_dir, const minisign_secret *key,
                          char **ret_report) {
        g_auto(fd_owned) fd = -EBADF;
        g_auto(GStrv) names = NULL;
        g_autoptr(GPtrArray) dirs = NULL;
        g_autoptr(GString) rep = g_string_new(NULL);
        int recovered = 0, listed;

        if (!spool_dir || !state_dir || !key)
                return -EINVAL;
        fd = fs_open_dir(spool_dir);
        if (fd < 0)
                return fd;
        listed = fs_list_namesat(fd, FS_LIST_MAX, &names);
        if (listed < 0)
                return listed;
        dirs = list_sessions(names, spool_dir);
        for (guint i = 0; i < dirs->len; i++) {
                int r = 0;
                if (needs_recovery(dirs->pdata[i]))
                        r = recover_session(dirs->pdata[i], state_dir, key, rep);
                else if (!file_missing(dirs->pdata[i], "manifest.json"))
                        r = advance_chain(dirs->pdata[i], state_dir, rep);
                /* a folder that failed is in the report; the others go on */
                recovered += r > 0;
        }
        if (ret_report)
                *ret_report = g_strdup(rep->str);
        return recovered;
}

int custody_session_close_cut(const char *session_dir, const char *state_dir, const minisign_secret *key,
                              const char *reason, char **ret_report) {
        g_autofree char *path = NULL, *err = NULL, *session = NULL;
        g_autoptr(GString) rep = g_string_new(NULL);
        const close_how how = {reason, "the fault", false};
        custody_parsed_log *parsed = NULL;
        const char *why;
        int r;

        if (!session_dir || !state_dir || !key || !reason)
                return -EINVAL;
        path = g_build_filename(session_dir, CUSTODY_LOG_NAME, NULL);
        session = g_path_get_basename(session_dir);
        r = custody_log_parse_file(path, &parsed, &err);
        if (r < 0) {
                g_string_append_printf(rep, "%s: %s\n", session, err ? err : g_strerror(-r));
                goto out;
        }
        if ((why = unclosable(parsed))) {
                /* the recorder wrote session-start itself: never reached */
                g_string_append_printf(rep, "%s: not closed: %s\n", session, why);
                r = -EBADMSG;
        } else if (custody_log_finished(parsed))
                r = close_finished(session_dir, state_dir, key, rep, session);
        else
                r = append_and_close(session_dir, state_dir, key, parsed, rep, session, &how);
        if (r == 0) /* close_finished left it untouched: a closing file differs */
                r = -EEXIST;
out:
        custody_parsed_log_free(parsed);
        if (ret_report)
                *ret_report = g_strdup(rep->str);
        return r < 0 ? r : 0;
}
