/* The machine report (--json). Strings from the session are JSON-encoded
 * with every control, bidi and separator character as a \u escape, so the
 * document decodes to the original strings and shows nothing raw. */
#include "escape.h"
#include "verify.h"

static void str(JsonBuilder *b, const char *name, const char *v) {
        json_builder_set_member_name(b, name);
        if (!v)
                json_builder_add_null_value(b);
        else if (g_utf8_validate(v, -1, NULL))
                json_builder_add_string_value(b, v);
        else {
                /* a file name that is not UTF-8 cannot be a JSON string: shown escaped */
                g_autofree char *x = escape_text(v);
                json_builder_add_string_value(b, x);
        }
}

static void add_segments(JsonBuilder *b, const verify_ctx *c) {
        json_builder_set_member_name(b, "segments");
        json_builder_begin_array(b);
        for (size_t i = 0; i < c->n_segs; i++) {
                const verify_segment *s = &c->segs[i];
                json_builder_begin_object(b);
                str(b, "name", s->g->name);
                str(b, "status", s->status);
                str(b, "manifest_status", s->g->truncated ? "truncated" : "complete");
                str(b, "stored_sealed_sha256", s->g->sealed_sha256);
                str(b, "computed_sealed_sha256", s->checked ? s->sealed_sha256 : NULL);
                json_builder_set_member_name(b, "stored_sealed_bytes");
                json_builder_add_int_value(b, (gint64) s->g->sealed_bytes);
                json_builder_set_member_name(b, "computed_sealed_bytes");
                json_builder_add_int_value(b, (gint64) s->size);
                str(b, "stored_plaintext_sha256", s->g->truncated ? NULL : s->g->plaintext_sha256);
                str(b, "computed_plaintext_sha256", s->age_verdict ? s->plaintext_sha256 : NULL);
                str(b, "age_verdict", s->age_verdict);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static void add_findings(JsonBuilder *b, const verify_ctx *c) {
        json_builder_set_member_name(b, "findings");
        json_builder_begin_array(b);
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *f = c->findings->pdata[i];
                json_builder_begin_object(b);
                str(b, "verdict", f->warning ? "WARNING" : verify_verdict_to_string(f->verdict));
                str(b, "file", f->file);
                str(b, "entry", f->entry);
                str(b, "text", f->text);
                str(b, "stored", f->stored);
                str(b, "computed", f->computed);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static void add_timeline(JsonBuilder *b, const verify_ctx *c) {
        g_autoptr(GPtrArray) rows = verify_timeline(c);

        json_builder_set_member_name(b, "timeline");
        json_builder_begin_array(b);
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                json_builder_begin_object(b);
                str(b, "utc", r->utc);
                str(b, "event", r->event);
                str(b, "detail", r->detail);
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

        json_builder_begin_object(b);
        str(b, "verdict", verify_verdict_to_string(c->verdict));
        json_builder_set_member_name(b, "exit_code");
        json_builder_add_int_value(b, verify_verdict_exit_code(c->verdict));
        str(b, "summary", summary);
        str(b, "session", m ? m->session : NULL);
        str(b, "device_id", m ? m->device_id : NULL);
        str(b, "device_key_id", m ? m->device_key_id : NULL);
        str(b, "trust", c->key_source);
        str(b, "officer", m ? m->officer : NULL);
        str(b, "room", m ? m->room : NULL);
        str(b, "started_utc", m ? m->started_utc : NULL);
        str(b, "ended_utc", m ? m->ended_utc : NULL);
        add_segments(b, c);
        add_findings(b, c);
        add_timeline(b, c);
        str(b, "verifier_version", STUDIO_VERSION);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, TRUE);
        g_autofree char *text = json_generator_to_data(gen, NULL);
        g_autofree char *safe = escape_json_text(text);
        fprintf(out, "%s\n", safe);
}
