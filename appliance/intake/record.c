/* The verification record (docs/intake.md, "The record"): what the intake
 * found, in one JSON object that stock minisign checks (.minisig) and an
 * RFC 3161 token dates (.tsr). Strings from the session are JSON-encoded
 * (json-glib escapes every control character); a string that is not UTF-8
 * is shown escaped. */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "intake.h"
#include "json-bounded.h"
#include "json-write.h"
#include "report.h"

/* An empty field is as good as none: null. */
static void str(JsonBuilder *b, const char *name, const char *v) {
        json_write_string(b, name, v && *v ? v : NULL);
}

/* What the signed manifest says of the session, for the index: empty when
 * there is no manifest to believe. */
static void add_session(JsonBuilder *b, const verify_ctx *c) {
        const custody_manifest *m = c->m;
        uint64_t bytes = 0;
        int64_t media = 0;

        for (size_t i = 0; m && i < m->n_segments; i++) {
                bytes += m->segments[i].sealed_bytes;
                media += m->segments[i].duration_ns;
        }
        str(b, "device_id", m ? m->device_id : NULL);
        str(b, "device_key_id", m ? m->device_key_id : NULL);
        str(b, "room", m ? m->room : NULL);
        str(b, "officer", m ? m->officer : NULL);
        str(b, "started_utc", m ? m->started_utc : c->start_utc);
        str(b, "ended_utc", m ? m->ended_utc : NULL);
        json_write_int(b, "segments", m ? (int64_t) m->n_segments : 0);
        json_write_int(b, "sealed_bytes", (int64_t) bytes);
        json_write_int(b, "media_ns", media);
}

char *intake_record_build(const verify_ctx *c, const intake_facts *f, int64_t now_us, size_t *ret_len) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        char *text;

        json_builder_begin_object(b);
        str(b, "format", INTAKE_RECORD_FORMAT);
        str(b, "session", f->session);
        str(b, "verdict", verify_verdict_to_string(c->verdict));
        g_autofree char *summary = verify_summary(c);
        str(b, "summary", summary);
        add_session(b, c);
        str(b, "manifest_sha256", c->manifest_sha256);
        str(b, "custody_log_sha256", c->log.read ? c->log.sha256 : NULL);
        str(b, "receipts_sha256", f->receipts_sha256);
        str(b, "registry_sha256", c->registry_sha256);
        json_builder_set_member_name(b, "registry_authenticated");
        json_builder_add_boolean_value(b, c->registry_authenticated);
        str(b, "trust", c->key_source);
        report_json_findings(b, c);
        str(b, "tool", "studio-intake " STUDIO_VERSION);
        str(b, "intake_key_id", f->intake_key_id);
        str(b, "arrived", f->arrived);
        json_write_time(b, "verified", now_us);
        str(b, "tsa_url", f->tsa_url);
        str(b, "timestamp",
            f->tsa_url ? "RFC 3161 token in the .tsr beside this record"
                       : "none: no tsa_url is configured, no token was asked for");
        json_builder_end_object(b);
        g_autofree char *line = json_write_text(b);
        text = g_strconcat(line, "\n", NULL);
        *ret_len = strlen(text);
        return text;
}

void intake_record_clear(intake_record *r) {
        g_free(r->session);
        g_free(r->verdict);
        g_free(r->manifest_sha256);
        g_free(r->device_id);
        g_free(r->intake_key_id);
        memset(r, 0, sizeof(*r));
}

static char *member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                       ? g_strdup(json_node_get_string(n))
                       : NULL;
}

int intake_record_parse(const char *text, size_t len, intake_record *ret, gchar **ret_message) {
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        g_autofree char *why = NULL, *format = NULL;
        intake_record r = {};
        JsonObject *o;

        if (json_load_bounded(p, text, len, INTAKE_RECORD_MAX, &why) < 0) {
                *ret_message = g_strdup_printf("not a record: %s", why);
                return -EBADMSG;
        }
        if (!json_parser_get_root(p) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
                *ret_message = g_strdup("not a record: not one JSON object");
                return -EBADMSG;
        }
        o = json_node_get_object(json_parser_get_root(p));
        format = member(o, "format");
        r.session = member(o, "session");
        r.verdict = member(o, "verdict");
        r.manifest_sha256 = member(o, "manifest_sha256");
        r.device_id = member(o, "device_id");
        r.intake_key_id = member(o, "intake_key_id");
        if (g_strcmp0(format, INTAKE_RECORD_FORMAT) != 0 || !r.session || !r.verdict) {
                intake_record_clear(&r);
                *ret_message = g_strdup("not a record of " INTAKE_RECORD_FORMAT
                                        " (format, session and verdict are required)");
                return -EBADMSG;
        }
        *ret = r;
        return 0;
}

bool intake_verdict_alert(const char *verdict) {
        return g_strcmp0(verdict, "INTACT") != 0 && g_strcmp0(verdict, "TRUNCATED") != 0;
}
