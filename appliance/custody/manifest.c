/* manifest.json, built from the custody log alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"

static const char *const start_strings[] = {"officer", "room",           "software_version",
                                            "profile", "profile_sha256", "clock_sync"};
static const char *const start_arrays[] = {"cameras", "microphones", "recipients"};

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

/* start is the session-start entry, or for a start-less log the recovery
 * entry (which names the session; the rest is unknown and left empty). */
static void add_metadata(JsonBuilder *b, const custody_entry *start, const minisign_public *pk,
                         bool startless) {
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];

        minisign_key_id_hex(pk->key_id, key_id);
        g_autofree char *pk_b64 = minisign_public_to_base64(pk);
        add_str(b, "format", CUSTODY_MANIFEST_FORMAT);
        add_str(b, "session", custody_entry_str(start, "session"));
        add_str(b, "device_id", custody_entry_str(start, "device_id"));
        add_str(b, "device_key_id", key_id);
        add_str(b, "device_public_key", pk_b64);
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
        json_builder_end_object(b);
}

static const custody_entry *find_seq(const custody_parsed_log *log, int64_t seq) {
        for (size_t i = 0; i < log->n_entries; i++)
                if (!log->entries[i].fragment && (int64_t) log->entries[i].seq == seq)
                        return &log->entries[i];
        return NULL;
}

static const custody_entry *first_checkpoint(const custody_parsed_log *log, const char *seg) {
        for (size_t i = 0; i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                if (e->event == CUSTODY_EV_CHECKPOINT &&
                    g_strcmp0(custody_entry_str(e, "segment"), seg) == 0)
                        return e;
        }
        return NULL;
}

/* A segment open at a crash, as the recovery entry describes it. */
static void add_truncated(JsonBuilder *b, const custody_parsed_log *log, const custody_entry *rec,
                          int64_t media_start) {
        const char *name = custody_entry_str(rec, "segment");
        g_autofree char *plain = g_strndup(name, strlen(name) - 4);
        const custody_entry *cp = find_seq(log, eint(rec, "last_checkpoint_seq"));
        const custody_entry *first = first_checkpoint(log, name);
        int64_t verified = eint(rec, "checkpoint_sealed_bytes"), disk = eint(rec, "sealed_bytes_on_disk");
        int64_t cp_media = cp ? eint(cp, "media_ns") : media_start;
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
        add_str(b, "wall_start", first ? first->utc : rec->utc);
        add_str(b, "wall_end", cp ? cp->utc : rec->utc);
        add_int(b, "verified_bytes", verified);
        add_int(b, "checkpoint_seq", eint(rec, "last_checkpoint_seq"));
        add_str(b, "checkpoint_sealed_sha256", cp ? custody_entry_str(cp, "sealed_sha256") : empty_hex);
        add_int(b, "checkpoint_media_ns", cp_media);
        add_int(b, "unverifiable_bytes", disk > verified ? disk - verified : 0);
        add_int(b, "salvageable_bytes", eint(rec, "salvageable_bytes"));
        json_builder_end_object(b);
}

static void add_segments(JsonBuilder *b, const custody_parsed_log *log) {
        int64_t media_next = 0;

        json_builder_set_member_name(b, "segments");
        json_builder_begin_array(b);
        for (size_t i = 0; i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                if (e->event == CUSTODY_EV_SEGMENT_SEALED) {
                        add_sealed(b, e);
                        media_next = eint(e, "media_start_ns") + eint(e, "duration_ns");
                } else if (!e->fragment && e->event == CUSTODY_EV_RECOVERY &&
                           custody_entry_str(e, "segment"))
                        add_truncated(b, log, e, media_next);
        }
        json_builder_end_array(b);
}

static void add_events(JsonBuilder *b, const custody_parsed_log *log) {
        static const char *const copy[] = {
                "media_ns", "note", "what", "detail", "segment", "checkpoint_match", "log_partial_bytes"};

        json_builder_set_member_name(b, "events");
        json_builder_begin_array(b);
        for (size_t i = 0; i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                if (e->fragment || e->event < CUSTODY_EV_MARK || e->event > CUSTODY_EV_RECOVERY)
                        continue;
                json_builder_begin_object(b);
                add_int(b, "seq", (int64_t) e->seq);
                add_str(b, "utc", e->utc);
                add_str(b, "event", custody_event_to_string(e->event));
                for (size_t k = 0; k < G_N_ELEMENTS(copy); k++)
                        add_copy(b, e, copy[k]);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static void add_log(JsonBuilder *b, const custody_parsed_log *log, const custody_entry *first,
                    const custody_entry *last) {
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        int64_t n = 0;

        for (size_t i = 0; i < log->n_entries; i++)
                n += !log->entries[i].fragment;
        sha256_buf(log->data, log->len, d);
        sha256_hex(d, hex);
        json_builder_set_member_name(b, "custody_log");
        json_builder_begin_object(b);
        add_str(b, "name", CUSTODY_LOG_NAME);
        add_int(b, "entries", n);
        add_int(b, "bytes", (int64_t) log->len);
        add_str(b, "sha256", hex);
        add_str(b, "first_prev", first->prev);
        add_str(b, "last_line_sha256", last->hash);
        json_builder_end_object(b);
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
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        const custody_entry *first = custody_log_first_whole(log), *last;
        bool startless = custody_log_startless(log);
        gsize len = 0;

        if (!first || !custody_log_finished(log))
                return -EBADMSG;
        last = &log->entries[log->n_entries - 1];
        if (!startless && first->event != CUSTODY_EV_SESSION_START)
                return -EBADMSG;

        json_builder_begin_object(b);
        add_metadata(b, first, pk, startless);
        add_str(b, "ended_utc", last->utc);
        add_str(b, "stop_reason", custody_entry_str(last, "reason"));
        add_segments(b, log);
        add_events(b, log);
        add_log(b, log, first, last);
        json_builder_end_object(b);

        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, TRUE);
        json_generator_set_indent(gen, 2);
        g_autofree char *text = json_generator_to_data(gen, &len);
        *ret_text = g_strdup_printf("%s\n", text);
        *ret_len = len + 1;
        return 0;
}
