/* The human report on stdout; its first word is the verdict. Every string
 * that came from the session is escaped (escape_text), so nothing in it
 * can move the cursor, recolour or reorder what is printed. */
#include "escape.h"
#include "verify.h"

static const char *or_dash(const char *s) {
        return s && *s ? s : "-";
}

/* The escaped form of s ("" for NULL), kept alive in keep until the report
 * is written. */
static const char *e(GPtrArray *keep, const char *s) {
        char *x = escape_text(s ? s : "");
        g_ptr_array_add(keep, x);
        return x;
}

void verify_report_text(const verify_ctx *c, FILE *out) {
        g_autofree char *summary = verify_summary(c);
        g_autoptr(GPtrArray) rows = verify_timeline(c);
        g_autoptr(GPtrArray) k = g_ptr_array_new_with_free_func(g_free);
        const custody_manifest *m = c->m;

        fprintf(out, "%s: %s\n\n", verify_verdict_to_string(c->verdict), e(k, summary));
        fprintf(out, "Session   %s\n", m ? e(k, m->session) : or_dash(NULL));
        if (m) {
                fprintf(out,
                        "Device    %s (key %s)\nOfficer   %s\nRoom      %s\nStarted   %s\nEnded     %s "
                        "(%s)\n",
                        e(k, m->device_id), e(k, m->device_key_id), e(k, m->officer), e(k, m->room),
                        e(k, m->started_utc), e(k, m->ended_utc), e(k, m->stop_reason));
        }
        fprintf(out, "Trust     %s\n\nSegments\n", or_dash(e(k, c->key_source)));
        for (size_t i = 0; i < c->n_segs; i++) {
                const verify_segment *s = &c->segs[i];
                fprintf(out, "  %-20s %-10s %12" G_GUINT64_FORMAT " bytes  sealed %s\n", s->g->name,
                        or_dash(s->status), s->g->sealed_bytes, s->g->sealed_sha256);
                if (s->checked && g_strcmp0(s->sealed_sha256, s->g->sealed_sha256) != 0)
                        fprintf(out, "  %-20s %-10s %12" G_GUINT64_FORMAT " bytes  computed %s\n", "", "",
                                s->size, s->sealed_sha256);
                if (s->age_verdict)
                        fprintf(out, "  %-20s age %-6s plaintext %s\n", "", s->age_verdict,
                                s->plaintext_sha256);
        }
        fprintf(out, "\nFindings\n");
        if (c->findings->len == 0)
                fprintf(out, "  none\n");
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *f = c->findings->pdata[i];
                fprintf(out, "  %-13s %s%s%s%s%s\n",
                        f->warning ? "warning" : verify_verdict_to_string(f->verdict),
                        f->file ? e(k, f->file) : "", f->entry ? " " : "", f->entry ? e(k, f->entry) : "",
                        f->file ? ": " : "", e(k, f->text));
                if (f->stored || f->computed)
                        fprintf(out, "  %-13s   stored   %s\n  %-13s   computed %s\n", "",
                                or_dash(e(k, f->stored)), "", or_dash(e(k, f->computed)));
        }
        fprintf(out, "\nCustody timeline\n");
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                fprintf(out, "  %s  %-14s %s\n", e(k, r->utc), r->event, e(k, r->detail));
        }
        fprintf(out, "\nstudio-verify %s\n", STUDIO_VERSION);
}
