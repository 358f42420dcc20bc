/* The human report on stdout; its first word is the verdict. */
#include "verify.h"

static const char *or_dash(const char *s) {
        return s && *s ? s : "-";
}

void verify_report_text(const verify_ctx *c, FILE *out) {
        g_autofree char *summary = verify_summary(c);
        g_autoptr(GPtrArray) rows = verify_timeline(c);
        const custody_manifest *m = c->m;

        fprintf(out, "%s: %s\n\n", verify_verdict_to_string(c->verdict), summary);
        fprintf(out, "Session   %s\n", m ? m->session : or_dash(NULL));
        if (m) {
                fprintf(out,
                        "Device    %s (key %s)\nOfficer   %s\nRoom      %s\nStarted   %s\nEnded     %s "
                        "(%s)\n",
                        m->device_id, m->device_key_id, m->officer, m->room, m->started_utc, m->ended_utc,
                        m->stop_reason);
        }
        fprintf(out, "Trust     %s\n\nSegments\n", or_dash(c->key_source));
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
                        f->file ? f->file : "", f->entry ? " " : "", f->entry ? f->entry : "",
                        f->file ? ": " : "", f->text);
                if (f->stored || f->computed)
                        fprintf(out, "  %-13s   stored   %s\n  %-13s   computed %s\n", "",
                                or_dash(f->stored), "", or_dash(f->computed));
        }
        fprintf(out, "\nCustody timeline\n");
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                fprintf(out, "  %s  %-14s %s\n", r->utc, r->event, r->detail);
        }
        fprintf(out, "\nstudio-verify %s\n", STUDIO_VERSION);
}
