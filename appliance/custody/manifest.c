/* manifest.json, built from the custody log alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"

static const char *const start_strings[] = {"officer", "room",           "software_version",
                                            "profile", "profile_sha256", "clock_sync"};
/* "tracks" only from studio-session/3 on: an older log implies the
 * manifest it always did */
static const char *const start_arrays[] = {"cameras", "microphones", "tracks", "recipients"};

static void add_str(JsonBuilder *b, const char *name, const char *v) {
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, v ? v : "");
}

static void add_int(JsonBuilder *b, const char *name, int64_t v) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, v);
}

static int64_t eint(const custody_entry *e, const char *name) {
        int64_t v = 0;
        (void) custody_entry_int(e, name, &v);
        return v;
}

static void add_copy(JsonBuilder *b, const custody_entry *e, const char *name) {
        JsonNode *n = json_object_get_member(e->obj, name);
        if (n) {
                json_builder_set_member_name(b, name);
                json_builder_add_value(b, json_node_copy(n));
        }
}

static const char *format_of(const custody_entry *start, const char *named) {
        if (json_object_has_member(start->obj, "tracks"))
                return CUSTODY_MANIFEST_FORMAT;
        return named ? CUSTODY_MANIFEST_FORMAT_V2 : CUSTODY_MANIFEST_FORMAT_V1;
}

/* start is the session-start entry, or for a start-less log the recovery
 * entry (which names the session; the rest is unknown and left empty). */
static void add_metadata(JsonBuilder *b, const custody_entry *start, const minisign_public *pk,
                         bool startless) {
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];
        const char *named = custody_entry_str(start, "device_public_key");

        /* studio-session/2 names its key in session-start: the manifest
         * repeats what the log says, like every other field */
        minisign_key_id_hex(pk->key_id, key_id);
        g_autofree char *pk_b64 = minisign_public_to_base64(pk);
        add_str(b, "format", format_of(start, named));
        add_str(b, "session", custody_entry_str(start, "session"));
        add_str(b, "device_id", custody_entry_str(start, "device_id"));
        add_str(b, "device_key_id", named ? custody_entry_str(start, "device_key_id") : key_id);
        add_str(b, "device_public_key", named ? named : pk_b64);
        for (size_t i = 0; i < G_N_ELEMENTS(start_strings); i++)
                add_str(b, start_strings[i], custody_entry_str(start, start_strings[i]));
        for (size_t i = 0; i < G_N_ELEMENTS(start_arrays); i++)
                add_copy(b, start, start_arrays[i]);
        add_str(b, "started_utc", startless ? "" : start->utc);
}

static void add_sealed(JsonBuilder *b, const custody_entry *e) {
        const char *name = custody_entry_str(e, "segment");
        g_autofree char *plain = g_strndup(name, strlen(name) - 4);

        json_builder_begin_object(b);
        add_str(b, "name", name);
        add_str(b, "plaintext_name", plain);
        add_str(b, "status", "complete");
        add_str(b, "plaintext_sha256", custody_entry_str(e, "plaintext_sha256"));
        add_str(b, "sealed_sha256", custody_entry_str(e, "sealed_sha256"));
        add_int(b, "plaintext_bytes", eint(e, "plaintext_bytes"));
        add_int(b, "sealed_bytes", eint(e, "sealed_bytes"));
        add_int(b, "media_start_ns", eint(e, "media_start_ns"));
        add_int(b, "duration_ns", eint(e, "duration_ns"));
        add_str(b, "wall_start", custody_entry_str(e, "wall_start"));
        add_str(b, "wall_end", custody_entry_str(e, "wall_end"));
        add_copy(b, e, "tracks");
        json_builder_end_object(b);
}

/* What the builder keeps of a segment that is checkpointed but not yet
 * sealed: its first checkpoint's time and its last checkpoint. */
typedef struct open_seg {
        char first_utc[CUSTODY_UTC_LEN + 1], last_utc[CUSTODY_UTC_LEN + 1];
        uint64_t last_seq;
        int64_t last_media_ns;
        char last_sha256[SHA256_HEX_LEN + 1];
} open_seg;

/* A genuine recorder has one segment open, two around a split; a log with
 * many more open at once was not written by one. */
#define OPEN_SEGMENTS_MAX 1024

struct custody_manifest_builder {
        custody_entry first, last; /* first whole entry and last entry; obj ref'd, no line */
        bool saw_entry, first_is_fragment;
        uint64_t entries; /* whole entries */
        JsonBuilder *segments, *events;
        size_t n_segments, n_events;
        int64_t media_next;
        GHashTable *open; /* segment name -> open_seg */
        int error;        /* set when the log holds more than a manifest can describe */
};

custody_manifest_builder *custody_manifest_builder_new(void) {
        custody_manifest_builder *b = g_new0(custody_manifest_builder, 1);
        b->segments = json_builder_new();
        b->events = json_builder_new();
        json_builder_begin_array(b->segments);
        json_builder_begin_array(b->events);
        b->open = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        return b;
}

custody_manifest_builder *custody_manifest_builder_free(custody_manifest_builder *b) {
        if (!b)
                return NULL;
        if (b->first.obj)
                json_object_unref(b->first.obj);
        if (b->last.obj)
                json_object_unref(b->last.obj);
        g_object_unref(b->segments);
        g_object_unref(b->events);
        g_hash_table_unref(b->open);
        g_free(b);
        return NULL;
}

static void note_checkpoint(custody_manifest_builder *b, const custody_entry *e) {
        const char *name = custody_entry_str(e, "segment");
        open_seg *s = g_hash_table_lookup(b->open, name);

        if (!s) {
                if (g_hash_table_size(b->open) >= OPEN_SEGMENTS_MAX) {
                        b->error = -E2BIG;
                        return;
                }
                s = g_new0(open_seg, 1);
                memcpy(s->first_utc, e->utc, sizeof(s->first_utc));
                g_hash_table_insert(b->open, g_strdup(name), s);
        }
        memcpy(s->last_utc, e->utc, sizeof(s->last_utc));
        s->last_seq = e->seq;
        s->last_media_ns = eint(e, "media_ns");
        g_strlcpy(s->last_sha256, custody_entry_str(e, "sealed_sha256"), sizeof(s->last_sha256));
}

/* A segment open at a crash, as the recovery entry describes it; cp is
 * the checkpoint it names when that is the segment's last one. */
static void add_truncated(JsonBuilder *b, const custody_entry *rec, const open_seg *seg,
                          int64_t media_start) {
        const char *name = custody_entry_str(rec, "segment");
        g_autofree char *plain = g_strndup(name, strlen(name) - 4);
        int64_t cp_seq = eint(rec, "last_checkpoint_seq");
        const open_seg *cp = seg && cp_seq > 0 && seg->last_seq == (uint64_t) cp_seq ? seg : NULL;
        int64_t verified = eint(rec, "checkpoint_sealed_bytes"), disk = eint(rec, "sealed_bytes_on_disk");
        int64_t cp_media = cp ? cp->last_media_ns : media_start;
        uint8_t empty[SHA256_LEN];
        char empty_hex[SHA256_HEX_LEN + 1];

        sha256_buf("", 0, empty);
        sha256_hex(empty, empty_hex);
        json_builder_begin_object(b);
        add_str(b, "name", name);
        add_str(b, "plaintext_name", plain);
        add_str(b, "status", "truncated");
        add_str(b, "sealed_sha256", custody_entry_str(rec, "sealed_sha256_on_disk"));
        add_int(b, "sealed_bytes", disk);
        add_int(b, "media_start_ns", media_start);
        add_int(b, "duration_ns", cp_media > media_start ? cp_media - media_start : 0);
        add_str(b, "wall_start", seg ? seg->first_utc : rec->utc);
        add_str(b, "wall_end", cp ? cp->last_utc : rec->utc);
        add_int(b, "verified_bytes", verified);
        add_int(b, "checkpoint_seq", cp_seq);
        add_str(b, "checkpoint_sealed_sha256", cp ? cp->last_sha256 : empty_hex);
        add_int(b, "checkpoint_media_ns", cp_media);
        add_int(b, "unverifiable_bytes", disk > verified ? disk - verified : 0);
        add_int(b, "salvageable_bytes", eint(rec, "salvageable_bytes"));
        json_builder_end_object(b);
}

static void add_segment_of(custody_manifest_builder *b, const custody_entry *e) {
        const char *seg = custody_entry_str(e, "segment");

        if (++b->n_segments > CUSTODY_SEGMENTS_MAX) {
                b->error = -E2BIG;
                return;
        }
        if (e->event == CUSTODY_EV_SEGMENT_SEALED) {
                add_sealed(b->segments, e);
                b->media_next = eint(e, "media_start_ns") + eint(e, "duration_ns");
        } else
                add_truncated(b->segments, e, g_hash_table_lookup(b->open, seg), b->media_next);
        g_hash_table_remove(b->open, seg);
}

static void add_event(custody_manifest_builder *b, const custody_entry *e) {
        static const char *const copy[] = {
                "media_ns", "note", "what", "detail", "segment", "checkpoint_match", "log_partial_bytes"};

        if (++b->n_events > CUSTODY_EVENTS_MAX) {
                b->error = -E2BIG;
                return;
        }
        json_builder_begin_object(b->events);
        add_int(b->events, "seq", (int64_t) e->seq);
        add_str(b->events, "utc", e->utc);
        add_str(b->events, "event", custody_event_to_string(e->event));
        for (size_t k = 0; k < G_N_ELEMENTS(copy); k++)
                add_copy(b->events, e, copy[k]);
        json_builder_end_object(b->events);
}

static void keep(custody_entry *dst, const custody_entry *e) {
        if (dst->obj)
                json_object_unref(dst->obj);
        *dst = *e;
        dst->line = NULL;
        if (dst->obj)
                json_object_ref(dst->obj);
}

void custody_manifest_builder_add(custody_manifest_builder *b, const custody_entry *e) {
        if (!b->saw_entry) {
                b->saw_entry = true;
                b->first_is_fragment = e->fragment;
        }
        keep(&b->last, e);
        if (e->fragment || b->error)
                return;
        if (!b->first.obj)
                keep(&b->first, e);
        b->entries++;
        if (e->event == CUSTODY_EV_CHECKPOINT)
                note_checkpoint(b, e);
        else if (e->event == CUSTODY_EV_SEGMENT_SEALED ||
                 (e->event == CUSTODY_EV_RECOVERY && custody_entry_str(e, "segment")))
                add_segment_of(b, e);
        if (e->event >= CUSTODY_EV_MARK && e->event <= CUSTODY_EV_RECOVERY)
                add_event(b, e);
}

static void add_array(JsonBuilder *root, const char *name, JsonBuilder *array) {
        json_builder_end_array(array);
        json_builder_set_member_name(root, name);
        json_builder_add_value(root, json_builder_get_root(array));
}

static void add_log(JsonBuilder *b, const custody_manifest_builder *mb, uint64_t bytes, const char *sha256) {
        json_builder_set_member_name(b, "custody_log");
        json_builder_begin_object(b);
        add_str(b, "name", CUSTODY_LOG_NAME);
        add_int(b, "entries", (int64_t) mb->entries);
        add_int(b, "bytes", (int64_t) bytes);
        add_str(b, "sha256", sha256);
        add_str(b, "first_prev", mb->first.prev);
        add_str(b, "last_line_sha256", mb->last.hash);
        json_builder_end_object(b);
}

/* The log ends where a session ends: with stop, or for a start-less log
 * with its recovery entry, and no partial line. */
static bool builder_finished(const custody_manifest_builder *b, size_t trailing) {
        bool startless = !b->first.obj || b->first.event == CUSTODY_EV_RECOVERY;

        if (!b->saw_entry || b->last.fragment || trailing > 0)
                return false;
        return b->last.event == CUSTODY_EV_STOP || (b->last.event == CUSTODY_EV_RECOVERY && startless);
}

int custody_manifest_builder_finish(custody_manifest_builder *b, const minisign_public *pk,
                                    uint64_t log_bytes, const char *log_sha256, size_t trailing,
                                    char **ret_text, size_t *ret_len) {
        g_autoptr(JsonBuilder) root = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) node = NULL;
        bool startless = b->first.obj && b->first.event == CUSTODY_EV_RECOVERY;
        gsize len = 0;

        if (b->error)
                return b->error;
        if (!b->first.obj || !builder_finished(b, trailing))
                return -EBADMSG;
        if (!startless && b->first.event != CUSTODY_EV_SESSION_START)
                return -EBADMSG;

        json_builder_begin_object(root);
        add_metadata(root, &b->first, pk, startless);
        add_str(root, "ended_utc", b->last.utc);
        add_str(root, "stop_reason", custody_entry_str(&b->last, "reason"));
        add_array(root, "segments", b->segments);
        add_array(root, "events", b->events);
        add_log(root, b, log_bytes, log_sha256);
        json_builder_end_object(root);

        node = json_builder_get_root(root);
        json_generator_set_root(gen, node);
        json_generator_set_pretty(gen, TRUE);
        json_generator_set_indent(gen, 2);
        g_autofree char *text = json_generator_to_data(gen, &len);
        *ret_text = g_strdup_printf("%s\n", text);
        *ret_len = len + 1;
        return 0;
}

const custody_entry *custody_log_first_whole(const custody_parsed_log *log) {
        for (size_t i = 0; i < log->n_entries; i++)
                if (!log->entries[i].fragment)
                        return &log->entries[i];
        return NULL;
}

bool custody_log_startless(const custody_parsed_log *log) {
        const custody_entry *first = custody_log_first_whole(log);
        return !first || first->event == CUSTODY_EV_RECOVERY;
}

bool custody_log_finished(const custody_parsed_log *log) {
        const custody_entry *last = log->n_entries ? &log->entries[log->n_entries - 1] : NULL;

        if (!last || last->fragment || log->trailing_bytes > 0)
                return false;
        return last->event == CUSTODY_EV_STOP ||
               (last->event == CUSTODY_EV_RECOVERY && custody_log_startless(log));
}

int custody_manifest_from_log(const custody_parsed_log *log, const minisign_public *pk, char **ret_text,
                              size_t *ret_len) {
        custody_manifest_builder *b = custody_manifest_builder_new();
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        int r;

        for (size_t i = 0; i < log->n_entries; i++)
                custody_manifest_builder_add(b, &log->entries[i]);
        sha256_buf(log->data, log->len, d);
        sha256_hex(d, hex);
        r = custody_manifest_builder_finish(b, pk, log->len, hex, log->trailing_bytes, ret_text, ret_len);
        custody_manifest_builder_free(b);
        return r;
}
