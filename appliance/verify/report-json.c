/* The machine report (--json). Strings from the session are JSON-encoded
 * with every control, bidi and separator character as a \u escape, so the
 * document decodes to the original strings and shows nothing raw. */
#include "escape.h"
#include "json-write.h"
#include "report.h"

static void add_segments(JsonBuilder *b, const verify_ctx *c, const report_facts *f) {
        json_builder_set_member_name(b, "segments");
        json_builder_begin_array(b);
        for (size_t i = 0; i < c->n_segs; i++) {
                const verify_segment *s = &c->segs[i];
                json_builder_begin_object(b);
                json_write_string(b, "name", s->g->name);
                json_write_string(b, "status", s->status);
                json_write_string(b, "manifest_status", s->g->truncated ? "truncated" : "complete");
                json_write_string(b, "stored_sealed_sha256", s->g->sealed_sha256);
                json_write_string(b, "computed_sealed_sha256", s->checked ? s->sealed_sha256 : NULL);
                json_builder_set_member_name(b, "stored_sealed_bytes");
                json_builder_add_int_value(b, (gint64) s->g->sealed_bytes);
                json_builder_set_member_name(b, "computed_sealed_bytes");
                json_builder_add_int_value(b, (gint64) s->size);
                json_write_string(b, "stored_plaintext_sha256",
                                  s->g->truncated ? NULL : s->g->plaintext_sha256);
                json_write_string(b, "computed_plaintext_sha256",
                                  s->age_verdict ? s->plaintext_sha256 : NULL);
                json_write_string(b, "age_verdict", s->age_verdict);
                json_write_int(b, "media_start_ns", s->g->media_start_ns);
                json_write_int(b, "duration_ns", s->g->duration_ns);
                if (s->g->truncated)
                        json_write_int(b, "checkpoint_media_ns", s->g->checkpoint_media_ns);
                json_write_string(b, "wall_start", s->g->wall_start);
                json_write_string(b, "wall_end", s->g->wall_end);
                json_builder_set_member_name(b, "tampered");
                json_builder_add_boolean_value(b, report_segment_tampered(f, s));
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

void report_json_findings(JsonBuilder *b, const verify_ctx *c) {
        json_builder_set_member_name(b, "findings");
        json_builder_begin_array(b);
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *f = c->findings->pdata[i];
                json_builder_begin_object(b);
                json_write_string(b, "verdict",
                                  f->warning ? "WARNING" : verify_verdict_to_string(f->verdict));
                json_write_string(b, "file", f->file);
                json_write_string(b, "entry", f->entry);
                json_write_string(b, "text", f->text);
                json_write_string(b, "stored", f->stored);
                json_write_string(b, "computed", f->computed);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static void add_timeline(JsonBuilder *b, const verify_ctx *c, const report_facts *f) {
        g_autoptr(GPtrArray) rows = verify_timeline(c);

        json_builder_set_member_name(b, "timeline");
        json_builder_begin_array(b);
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                json_builder_begin_object(b);
                json_write_string(b, "utc", r->utc);
                json_write_string(b, "event", r->event);
                json_write_string(b, "detail", r->detail);
                if (r->seq > 0)
                        json_write_int(b, "seq", (int64_t) r->seq);
                if (r->note || r->note_sealed)
                        json_write_string(b, "note", r->note); /* null: sealed, not opened */
                if (r->note_sealed) {
                        json_builder_set_member_name(b, "note_sealed");
                        json_builder_add_boolean_value(b, TRUE);
                        json_builder_set_member_name(b, "note_opened");
                        json_builder_add_boolean_value(b, r->note_opened);
                }
                g_autofree char *what = report_event_what(r);
                json_write_string(b, "what", what);
                if (r->source)
                        json_write_string(b, "source", r->source);
                g_autofree char *local = report_local_time(r->utc, true);
                g_autofree char *device = f->device_tz ? report_device_time(f, r->utc, true) : NULL;
                json_write_string(b, "local", local);
                json_write_string(b, "device_time", device);
                int64_t ns;
                if (report_event_media_ns(f, c, r, &ns))
                        json_write_int(b, "media_ns", ns);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

/* The command as typed; an argument that is not UTF-8 is escaped. */
static void add_command_line(JsonBuilder *b, const verify_options *o) {
        json_builder_set_member_name(b, "command_line");
        if (!o->argv) {
                json_builder_add_null_value(b);
                return;
        }
        json_builder_begin_array(b);
        for (int i = 0; i < o->argc && o->argv[i]; i++) {
                g_autofree char *x = g_utf8_validate(o->argv[i], -1, NULL) ? NULL : escape_text(o->argv[i]);
                json_builder_add_string_value(b, x ? x : o->argv[i]);
        }
        json_builder_end_array(b);
}

/* The stretches of media a finding touches, per segment. */
static void add_affected_media(JsonBuilder *b, const report_facts *f) {
        json_builder_set_member_name(b, "affected_media");
        json_builder_begin_array(b);
        for (guint i = 0; i < f->stretches->len; i++) {
                const report_stretch *st = &g_array_index(f->stretches, report_stretch, i);
                json_builder_begin_object(b);
                json_write_string(b, "segment", st->segment);
                json_write_int(b, "media_start_ns", st->start_ns);
                json_write_int(b, "media_end_ns", st->end_ns);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

/* Each working copy given with --media and what its check found. */
static void add_media_copies(JsonBuilder *b, const verify_ctx *c) {
        const verify_options *o = c->opt;

        json_builder_set_member_name(b, "media_copies");
        json_builder_begin_array(b);
        for (size_t i = 0; i < o->n_media; i++) {
                bool ok = false;
                g_autofree char *what = report_media_copy(c, i, &ok);
                json_builder_begin_object(b);
                json_write_string(b, "path", o->media[i]);
                json_builder_set_member_name(b, "checked");
                json_builder_add_boolean_value(b, ok);
                json_write_string(b, "result", what);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

/* Who checked what, when, with which command and trust basis. */
static void add_facts(JsonBuilder *b, const verify_ctx *c, const report_facts *f) {
        const custody_manifest *m = c->m;
        const verify_options *o = c->opt;

        json_write_string(b, "checked_utc", f->checked_utc);
        json_write_string(b, "checked_local", f->checked_local);
        json_write_string(b, "folder", f->folder);
        add_command_line(b, o);
        json_write_string(b, "examiner", o->examiner);
        json_write_string(b, "case", o->case_id);
        json_write_string(b, "trust_public_key", f->public_key);
        json_write_string(b, "trust_key_id", f->public_key ? f->key_id : NULL);
        json_write_string(b, "registry", o->registry);
        json_write_string(b, "registry_sha256", *f->registry_sha256 ? f->registry_sha256 : NULL);
        json_write_string(b, "custody_log_sha256", *c->log.sha256 ? c->log.sha256 : NULL);
        json_write_string(b, "custody_log_stored_sha256", m ? m->log_sha256 : NULL);
        json_write_int(b, "custody_log_bytes", (int64_t) c->log.bytes);
        json_write_int(b, "custody_log_entries", (int64_t) c->log.entries);
        json_write_string(b, "manifest_sha256", *c->manifest_sha256 ? c->manifest_sha256 : NULL);
        json_write_string(b, "clock_sync", m ? m->clock_sync : NULL);
        json_write_string(b, "started_local", f->started);
        json_write_string(b, "ended_local", f->ended);
        json_write_string(b, "device_time_zone", f->device_zone);
        json_builder_set_member_name(b, "device_time_zone_known");
        json_builder_add_boolean_value(b, f->device_tz != NULL);
        json_write_string(b, "examiner_time_zone", f->examiner_zone);
        json_write_string(b, "time_zones", f->zone_line);
        json_write_string(b, "session_end_utc", m ? f->end_utc : NULL);
        json_write_string(b, "session_end_basis", m ? (f->end_basis ? f->end_basis : "stop") : NULL);
        json_write_string(b, "closed_utc", f->closed_utc);
        json_write_string(b, "closed_how", f->closed_what);
        json_write_string(b, "stop_reason", m ? m->stop_reason : NULL);
        json_write_int(b, "media_duration_ns", f->media_ns);
        json_builder_set_member_name(b, "content_checked");
        json_builder_add_boolean_value(b, f->content_checked);
        json_write_int(b, "segments_decrypted", (int64_t) f->decrypted);
        json_write_string(b, "next_step", f->next_step);
        json_write_string(b, "affected", f->affected);
        add_affected_media(b, f);
        add_media_copies(b, c);
}

/* "tracks": each audio track as session-start names it; absent for a
 * session before studio-session/3. */
static void add_tracks(JsonBuilder *b, const custody_manifest *m) {
        if (!m || m->n_tracks == 0)
                return;
        json_builder_set_member_name(b, "tracks");
        json_builder_begin_array(b);
        for (size_t i = 0; i < m->n_tracks; i++) {
                const custody_manifest_track *t = &m->tracks[i];
                json_builder_begin_object(b);
                json_write_string(b, "role", t->role);
                json_write_string(b, "label", t->label);
                json_write_string(b, "device", t->device);
                json_write_int(b, "channel", (int64_t) t->channel);
                if (t->language)
                        json_write_string(b, "language", t->language);
                json_builder_set_member_name(b, "required");
                json_builder_add_boolean_value(b, t->required);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

void verify_report_json(const verify_ctx *c, FILE *out) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *summary = verify_summary(c);
        const custody_manifest *m = c->m;
        report_facts f;

        report_facts_init(&f, c);
        json_builder_begin_object(b);
        json_write_string(b, "verdict", verify_verdict_to_string(c->verdict));
        json_builder_set_member_name(b, "exit_code");
        json_builder_add_int_value(b, verify_verdict_exit_code(c->verdict));
        json_write_string(b, "summary", summary);
        json_write_string(b, "session", m ? m->session : NULL);
        json_write_string(b, "device_id", m ? m->device_id : NULL);
        json_write_string(b, "device_key_id", m ? m->device_key_id : NULL);
        json_write_string(b, "trust", c->key_source);
        json_write_string(b, "officer", m ? m->officer : NULL);
        json_write_string(b, "room", m ? m->room : NULL);
        add_tracks(b, m);
        json_write_string(b, "started_utc", m ? m->started_utc : NULL);
        json_write_string(b, "ended_utc", m ? m->ended_utc : NULL);
        add_segments(b, c, &f);
        report_json_findings(b, c);
        add_timeline(b, c, &f);
        json_write_string(b, "verifier_version", STUDIO_VERSION);
        json_write_string(b, "verifier", "studio-verify");
        add_facts(b, c, &f);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, TRUE);
        g_autofree char *text = json_generator_to_data(gen, NULL);
        g_autofree char *safe = escape_json_text(text);
        fprintf(out, "%s\n", safe);
        report_facts_done(&f);
}
