#include "session.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <unistd.h>

#include "custody.h"
#include "reserve.h"
#include "seal.h"

/* An entry a full disk kept out of the log, written once the reserve is
 * freed at the end. Of checkpoints only the last is kept: it still holds
 * (the sink cuts a failed write back, never below a synced checkpoint),
 * and it is what extends the verified prefix of the cut segment. */
typedef struct pending_entry {
        gchar *event;
        JsonObject *fields;
} pending_entry;

static void pending_entry_free(gpointer p) {
        pending_entry *e = p;
        g_free(e->event);
        json_object_unref(e->fields);
        g_free(e);
}

struct rec_session {
        gchar *spool;
        gchar *dir;
        gchar *id;
        custody_log *log;
        rec_reserve *reserve; /* the room the close needs (signed sessions) */
        bool disk_full;
        GPtrArray *pending;        /* pending_entry */
        GHashTable *segment_start; /* location -> running time (ns) at open */
        guint64 media_ns;          /* latest media time seen */
        unsigned opened;           /* segment files created */
        unsigned sealed;           /* segments closed whole */
        unsigned aborted;
        gint64 first_open_us; /* monotonic time the first segment opened */
        bool behind_reported;
        rec_session_info *info; /* an owned copy (the key is borrowed) */
        rec_session_fault_fn fault_fn;
        void *fault_userdata;
};

static rec_session_info *info_copy(const rec_session_info *i) {
        rec_session_info *c = g_new0(rec_session_info, 1);

        c->officer = g_strdup(i->officer);
        c->room = g_strdup(i->room);
        c->profile = g_strdup(i->profile);
        c->profile_sha256 = g_strdup(i->profile_sha256);
        c->cameras = g_strdupv(i->cameras);
        c->microphones = g_strdupv(i->microphones);
        c->tracks = i->tracks ? json_array_ref(i->tracks) : NULL;
        c->recipients = g_strdupv(i->recipients);
        c->state_dir = g_strdup(i->state_dir);
        c->key = i->key;
        c->device_id = g_strdup(i->device_id);
        c->timesync_file = g_strdup(i->timesync_file);
        return c;
}

static void info_free(rec_session_info *i) {
        if (!i)
                return;
        g_free((gchar *) i->officer);
        g_free((gchar *) i->room);
        g_free((gchar *) i->profile);
        g_free((gchar *) i->profile_sha256);
        g_strfreev(i->cameras);
        g_strfreev(i->microphones);
        if (i->tracks)
                json_array_unref(i->tracks);
        g_strfreev(i->recipients);
        g_free((gchar *) i->state_dir);
        g_free((gchar *) i->device_id);
        g_free((gchar *) i->timesync_file);
        g_free(i);
}

void rec_session_set_fault_hook(rec_session *s, rec_session_fault_fn fn, void *userdata) {
        s->fault_fn = fn;
        s->fault_userdata = userdata;
}

static void tell_fault(rec_session *s, room_reason reason, const char *detail) {
        if (s->fault_fn)
                s->fault_fn(reason, detail, s->fault_userdata);
}

static gchar *new_session_id(void) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree gchar *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
        uint8_t rnd[4];

        randombytes_buf(rnd, sizeof(rnd));
        return g_strdup_printf("%s-%02x%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2], rnd[3]);
}

/* What the custody log says of the clock at the start: timesyncd's flag
 * file first (the appliance's source of time; under ProtectClock= the
 * kernel cannot be asked), else the kernel's own word (chrony or ntpd on
 * a development machine). */
static const char *clock_sync_state(const char *timesync_file) {
        struct timex t = {0};
        int state;

        if (access(timesync_file ? timesync_file : REC_TIMESYNC_FILE, F_OK) == 0)
                return "synchronized";
        state = adjtimex(&t);
        if (state < 0)
                return "unsynchronized";
        return (state == TIME_ERROR || (t.status & STA_UNSYNC)) ? "unsynchronized" : "synchronized";
}

static JsonArray *strv_to_array(char **v) {
        JsonArray *a = json_array_new();
        for (; v && *v; v++)
                json_array_add_string_element(a, *v);
        return a;
}

/* The device's time zone as the system names it ("Europe/Amsterdam", from
 * TZ or /etc/localtime): the zone of the picture's burned-in clock, so
 * that a report can show the session's times as the picture does. A zone
 * known only as a file is logged as its offset now ("+01:00"). */
static char *device_time_zone(GTimeZone *tz) {
        const char *id = g_time_zone_get_identifier(tz), *db = id ? strstr(id, "zoneinfo/") : NULL;
        gint32 off =
                g_time_zone_get_offset(tz, g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL,
                                                                     g_get_real_time() / G_USEC_PER_SEC));

        if (db)
                id = db + strlen("zoneinfo/");
        if (id && *id && *id != '/')
                return g_strdup(id);
        return g_strdup_printf("%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60);
}

static int log_start(rec_session *s) {
        const rec_session_info *i = s->info;
        g_autoptr(JsonObject) o = json_object_new();
        g_autoptr(GTimeZone) tz = g_time_zone_new_local();
        g_autofree char *zone = device_time_zone(tz);

        json_object_set_string_member(o, "session", s->id);
        json_object_set_string_member(o, "officer", i->officer);
        json_object_set_string_member(o, "room", i->room);
        json_object_set_string_member(o, "device_id", i->device_id);
        json_object_set_string_member(o, "software_version", STUDIO_VERSION);
        json_object_set_string_member(o, "profile", i->profile);
        json_object_set_string_member(o, "profile_sha256", i->profile_sha256);
        json_object_set_array_member(o, "cameras", strv_to_array(i->cameras));
        json_object_set_array_member(o, "microphones", strv_to_array(i->microphones));
        if (i->tracks)
                json_object_set_array_member(o, "tracks", json_array_ref(i->tracks));
        json_object_set_string_member(o, "clock_sync", clock_sync_state(i->timesync_file));
        json_object_set_string_member(o, "time_zone", zone);
        json_object_set_array_member(o, "recipients", strv_to_array(i->recipients));
        return custody_log_append(s->log, "session-start", o);
}

gchar *rec_session_disk_full_message(const char *spool) {
        return g_strdup_printf("the disk holding the spool %s is full (%" G_GUINT64_FORMAT
                               " KiB free): free space on it (move closed sessions to the vault) or give "
                               "--out a folder on a disk with room",
                               spool, rec_reserve_free_bytes(spool) / 1024);
}

/* A start that failed leaves nothing behind: no empty custody log (which
 * recovery can only report and the verifier would call TAMPERED), no empty
 * folder, no reserve. The folder is new and ours, so what is in it is too. */
static void undo_begin(rec_session *s) {
        g_autofree gchar *log = g_build_filename(s->dir, "custody.jsonl", NULL);
        struct stat st;

        s->log = custody_log_free(s->log);
        if (stat(log, &st) == 0 && st.st_size == 0)
                (void) unlink(log);
        (void) rmdir(s->dir);
        s->reserve = rec_reserve_release(s->reserve);
}

static int begin_failed(rec_session *s, int r, gchar *what, gchar **ret_message) {
        g_autofree gchar *w = what;
        g_autofree gchar *why = r == -ENOSPC ? rec_session_disk_full_message(s->spool)
                                             : g_strdup_printf("%s", g_strerror(-r));

        *ret_message = g_strdup_printf("cannot start a session: %s: %s", w, why);
        undo_begin(s);
        rec_session_free(s);
        return r;
}

/* The spool and each session folder are 2770: the recorder's user and the
 * spool's group (the uploader) may add and remove names, setgid so that
 * everything made in them belongs to that group; each file in them is
 * 0640, so the group reads but never alters it (docs/security.md). The
 * mode is set with chmod after mkdir: the umask would drop the group's
 * write bit. An existing spool keeps the mode it has (tmpfiles.d or the
 * administrator chose it). */
/* Group rwx, and setgid where setgid says so, without naming S_ISGID in a
 * call that need not: under the unit's RestrictSUIDSGID= such a chmod or
 * mkdir is refused. There the spool comes 2770 from tmpfiles.d, and a
 * session folder made 0770 under UMask=0007 inherits the setgid bit, so no
 * chmod is made at all; elsewhere (tests, a developer's spool) it is set. */
static int group_dir(const char *path, bool setgid) {
        struct stat st;
        mode_t want;

        if (stat(path, &st) < 0)
                return -errno;
        want = 0770 | (st.st_mode & S_ISGID) | (setgid ? S_ISGID : 0);
        if ((st.st_mode & 07777) == want)
                return 0;
        return chmod(path, want) < 0 ? -errno : 0;
}

int rec_spool_prepare(const char *spool) {
        g_autofree gchar *parent = g_path_get_dirname(spool);

        if (g_mkdir_with_parents(parent, 0750) < 0)
                return -errno;
        if (mkdir(spool, 0770) < 0 && errno != EEXIST)
                return -errno;
        return group_dir(spool, REC_SESSION_DIR_MODE & S_ISGID);
}

int rec_session_begin(const char *out_dir, const rec_session_info *info, rec_session **ret,
                      gchar **ret_message) {
        rec_session *s = g_new0(rec_session, 1);
        int r;

        s->info = info_copy(info);
        s->spool = g_strdup(out_dir);
        s->id = new_session_id();
        s->dir = g_build_filename(out_dir, s->id, NULL);
        s->segment_start = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        s->pending = g_ptr_array_new_with_free_func(pending_entry_free);
        r = rec_spool_prepare(out_dir);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot create the spool folder %s: %s (choose an output "
                                               "folder this user can write to)",
                                               out_dir, g_strerror(-r));
                rec_session_free(s);
                return r;
        }
        /* the room to close the session, before anything of it exists */
        if (info->key && (r = rec_reserve_take(out_dir, REC_RESERVE_BASE, &s->reserve)) < 0)
                return begin_failed(s, r,
                                    g_strdup_printf("no room for the %" G_GUINT64_FORMAT
                                                    " KiB its close needs",
                                                    REC_RESERVE_BASE / 1024),
                                    ret_message);
        /* group-writable: in the appliance's setgid spool (2770 studio-spool)
         * the uploader removes the session after its receipts */
        r = mkdir(s->dir, 0770) < 0 ? -errno : group_dir(s->dir, false);
        if (r < 0) {
                if (r == -ENOSPC)
                        return begin_failed(s, r, g_strdup_printf("cannot create %s", s->dir), ret_message);
                *ret_message = g_strdup_printf("cannot create the session folder %s: %s (choose an output "
                                               "folder this user can write to)",
                                               s->dir, g_strerror(-r));
                undo_begin(s);
                rec_session_free(s);
                return r;
        }
        if (info->key) {
                r = custody_log_create(s->dir, info->state_dir, info->key, &s->log);
                if (r >= 0)
                        r = log_start(s);
                if (r < 0)
                        return begin_failed(s, r,
                                            g_strdup_printf("cannot start the custody log in %s", s->dir),
                                            ret_message);
        }
        *ret = s;
        return 0;
}

const char *rec_session_dir(const rec_session *s) {
        return s->dir;
}
const char *rec_session_id(const rec_session *s) {
        return s->id;
}
unsigned rec_session_segments(const rec_session *s) {
        return s->sealed;
}
unsigned rec_session_segments_opened(const rec_session *s) {
        return s->opened;
}

bool rec_session_disk_full(const rec_session *s) {
        return s->disk_full;
}

void rec_session_note_disk_full(rec_session *s) {
        s->disk_full = true;
}

/* Every entry goes through here. A full disk loses nothing silently: the
 * log is cut back to its last whole line, the recording is told to stop,
 * and the entry is written at the end, into the room the reserve kept. */
static int append(rec_session *s, const char *event, JsonObject *fields) {
        int r = custody_log_append(s->log, event, fields);

        if (r == -ENOSPC) {
                pending_entry *e = g_new0(pending_entry, 1);

                s->disk_full = true;
                for (guint i = s->pending->len; i > 0 && strcmp(event, "checkpoint") == 0; i--)
                        if (strcmp(((pending_entry *) s->pending->pdata[i - 1])->event, event) == 0)
                                g_ptr_array_remove_index(s->pending, i - 1);
                e->event = g_strdup(event);
                e->fields = json_object_ref(fields);
                g_ptr_array_add(s->pending, e);
        }
        return r;
}

/* The manifest grows with each segment and event: so does the reserve. A
 * disk too full for that is full: the recording stops while the close is
 * still certain. */
static void grow_reserve(rec_session *s, uint64_t bytes) {
        if (rec_reserve_grow(s->reserve, bytes) == -ENOSPC)
                s->disk_full = true;
}

static guint64 get_u64(const GstStructure *st, const char *field) {
        guint64 v = 0;
        (void) gst_structure_get_uint64(st, field, &v);
        return v;
}

static guint64 segment_start_ns(rec_session *s, const GstStructure *st) {
        const char *location = gst_structure_get_string(st, "location");
        const guint64 *start = location ? g_hash_table_lookup(s->segment_start, location) : NULL;

        return start ? *start : 0;
}

/* A live pipeline that cannot keep up records less media than time passes
 * (a starved CPU, a camera delivering late): say so once, in the log and
 * the custody record, instead of silently recording a shorter interview.
 * The threshold allows for the keyframe interval splitmuxsink holds back. */
#define BEHIND_THRESHOLD_NS (3ULL * 1000000000ULL)

static int check_real_time(rec_session *s, guint64 media_ns) {
        guint64 wall_ns = (guint64) (g_get_monotonic_time() - s->first_open_us) * 1000ULL;
        g_autofree gchar *detail = NULL;

        if (s->behind_reported || s->first_open_us == 0 || wall_ns < media_ns + BEHIND_THRESHOLD_NS)
                return 0;
        s->behind_reported = true;
        detail = g_strdup_printf(
                "%.1f s of media recorded in %.1f s: the pipeline is falling behind real time "
                "(CPU overloaded or the camera is delivering late)",
                media_ns / 1e9, wall_ns / 1e9);
        tell_fault(s, REASON_BEHIND_REAL_TIME, detail);
        return rec_session_fault(s, "behind-real-time", detail);
}

static int on_checkpoint(rec_session *s, const GstStructure *st) {
        g_autoptr(JsonObject) o = json_object_new();
        guint64 media = segment_start_ns(s, st) + get_u64(st, "media-duration");

        s->media_ns = MAX(s->media_ns, media);
        (void) check_real_time(s, media);
        if (!s->log)
                return 0;
        json_object_set_string_member(o, "segment", gst_structure_get_string(st, "segment"));
        json_object_set_int_member(o, "sealed_bytes", (gint64) get_u64(st, "sealed-bytes"));
        json_object_set_string_member(o, "sealed_sha256", gst_structure_get_string(st, "sealed-sha256"));
        json_object_set_int_member(o, "media_ns", (gint64) media);
        return append(s, "checkpoint", o);
}

static int on_closed(rec_session *s, const GstStructure *st) {
        g_autoptr(JsonObject) o = json_object_new();
        int r;
        static const char *const strings[] = {"segment", "plaintext_sha256", "sealed_sha256", "wall_start",
                                              "wall_end"};
        static const char *const fields[] = {"segment", "plaintext-sha256", "sealed-sha256", "wall-start",
                                             "wall-end"};

        s->sealed++;
        if (!s->log)
                return 0;
        for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
                json_object_set_string_member(o, strings[i], gst_structure_get_string(st, fields[i]));
        json_object_set_int_member(o, "plaintext_bytes", (gint64) get_u64(st, "plaintext-bytes"));
        json_object_set_int_member(o, "sealed_bytes", (gint64) get_u64(st, "sealed-bytes"));
        json_object_set_int_member(o, "media_start_ns", (gint64) segment_start_ns(s, st));
        json_object_set_int_member(o, "duration_ns", (gint64) get_u64(st, "media-duration"));
        if (s->info->tracks)
                json_object_set_array_member(o, "tracks", rec_session_track_roles(s->info->tracks));
        r = append(s, "segment-sealed", o);
        if (r >= 0)
                grow_reserve(s, REC_RESERVE_PER_SEGMENT);
        return r;
}

/* splitmuxsink tells when each segment opens, in running time: that is the
 * segment's place on the session's media timeline. */
static void on_fragment_opened(rec_session *s, const GstStructure *st) {
        const char *location = gst_structure_get_string(st, "location");
        GstClockTime rt = 0;

        if (!location || !gst_structure_get_clock_time(st, "running-time", &rt))
                return;
        if (s->first_open_us == 0)
                s->first_open_us = g_get_monotonic_time() - (gint64) (rt / 1000);
        g_hash_table_replace(s->segment_start, g_strdup(location), g_memdup2(&rt, sizeof(rt)));
}

bool rec_session_on_element(rec_session *s, GstMessage *m) {
        const GstStructure *st = gst_message_get_structure(m);
        int r = 0;

        if (!st)
                return false;
        if (gst_structure_has_name(st, "splitmuxsink-fragment-opened"))
                on_fragment_opened(s, st);
        else if (gst_structure_has_name(st, SEAL_MSG_OPENED))
                s->opened++;
        else if (gst_structure_has_name(st, SEAL_MSG_CHECKPOINT))
                r = on_checkpoint(s, st);
        else if (gst_structure_has_name(st, SEAL_MSG_CLOSED))
                r = on_closed(s, st);
        else if (gst_structure_has_name(st, SEAL_MSG_ABORTED)) {
                s->aborted++;
                tell_fault(s, REASON_SEGMENT_NOT_SEALED, gst_structure_get_string(st, "reason"));
                r = rec_session_fault(s, "segment-aborted", gst_structure_get_string(st, "reason"));
        } else
                return false;
        if (r < 0 && r != -ENOSPC) {
                g_autofree gchar *detail =
                        g_strdup_printf("could not write the custody log in %s: %s", s->dir, g_strerror(-r));
                tell_fault(s, REASON_CUSTODY_UNWRITABLE, detail);
        }
        return true;
}

int rec_session_fault(rec_session *s, const char *what, const char *detail) {
        g_autoptr(JsonObject) o = json_object_new();
        int r;

        if (!s->log)
                return 0;
        json_object_set_string_member(o, "what", what);
        json_object_set_string_member(o, "detail", detail ? detail : "");
        r = append(s, "fault", o);
        if (r >= 0)
                grow_reserve(s, REC_RESERVE_PER_EVENT);
        return r;
}

int rec_session_mark(rec_session *s, const char *event, const char *source, const char *note_age,
                     GstClockTime media_time) {
        g_autoptr(JsonObject) o = json_object_new();
        int r;

        if (!s->log)
                return 0;
        /* The checkpoints lag the clock by what the muxer holds back (up to a
         * keyframe interval): a mark is placed at the moment it was made. */
        json_object_set_int_member(
                o, "media_ns", (gint64) (GST_CLOCK_TIME_IS_VALID(media_time) ? media_time : s->media_ns));
        if (source)
                json_object_set_string_member(o, "source", source);
        if (note_age)
                json_object_set_string_member(o, "note_age", note_age);
        r = append(s, event, o);
        if (r >= 0)
                grow_reserve(s, REC_RESERVE_PER_EVENT);
        return r;
}

/* The entries a full disk kept out, then the fault that says so. */
static int write_pending(rec_session *s) {
        int r = 0;

        for (guint i = 0; i < s->pending->len && r >= 0; i++) {
                const pending_entry *e = s->pending->pdata[i];
                r = custody_log_append(s->log, e->event, e->fields);
        }
        if (r >= 0 && s->disk_full) {
                g_autoptr(JsonObject) o = json_object_new();
                g_autofree gchar *detail = g_strdup_printf(
                        "the disk holding the spool filled (%" G_GUINT64_FORMAT
                        " KiB free after the close reserve was freed); the recording stopped, everything "
                        "sealed until then is kept and a segment cut by it is closed as truncated",
                        rec_reserve_free_bytes(s->spool) / 1024);
                json_object_set_string_member(o, "what", "disk-full");
                json_object_set_string_member(o, "detail", detail);
                r = custody_log_append(s->log, "fault", o);
        }
        return r;
}

/* A segment opened and never sealed (cut by a full disk, a lost camera,
 * an end of stream that never came) is closed as truncated at its last
 * signed checkpoint, exactly as recovery closes one after a crash. */
static int end_with_open_segments(rec_session *s, const char *reason) {
        s->log = custody_log_free(s->log);
        return custody_session_close_cut(s->dir, s->info->state_dir, s->info->key, reason, NULL);
}

int rec_session_end(rec_session *s, const char *reason, gchar **ret_message) {
        g_autoptr(JsonObject) o = json_object_new();
        int r;

        if (!s->log)
                return (int) s->sealed;
        /* the pipeline has stopped: nothing else writes now */
        s->reserve = rec_reserve_release(s->reserve);
        r = write_pending(s);
        if (r >= 0 && s->opened > s->sealed)
                r = end_with_open_segments(s, reason);
        else if (r >= 0) {
                json_object_set_string_member(o, "reason", reason);
                json_object_set_int_member(o, "segments", s->sealed);
                r = custody_log_append(s->log, "stop", o);
                s->log = custody_log_free(s->log);
                if (r >= 0)
                        r = custody_session_close(s->dir, s->info->state_dir, s->info->key);
        }
        s->log = custody_log_free(s->log);
        if (r == -ENOSPC) {
                g_autofree gchar *why = rec_session_disk_full_message(s->spool);
                *ret_message = g_strdup_printf(
                        "could not close the session in %s: %s; then run studio-recorder --recover (the "
                        "next start does it too): it closes the session as truncated",
                        s->dir, why);
                return r;
        }
        if (r < 0) {
                *ret_message = g_strdup_printf("could not close the session's custody records in %s: %s",
                                               s->dir, g_strerror(-r));
                return r;
        }
        return (int) s->sealed;
}

rec_session *rec_session_free(rec_session *s) {
        if (!s)
                return NULL;
        custody_log_free(s->log);
        rec_reserve_release(s->reserve);
        g_ptr_array_unref(s->pending);
        g_hash_table_unref(s->segment_start);
        g_free(s->spool);
        g_free(s->dir);
        g_free(s->id);
        info_free(s->info);
        g_free(s);
        return NULL;
}
