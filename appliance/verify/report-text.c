/* The human report on stdout; its first word is the verdict. Every string
 * that came from the session is escaped (escape_text), so nothing in it
 * can move the cursor, recolour or reorder what is printed. */
#include "escape.h"
#include "report.h"

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

static void header(const verify_ctx *c, const report_facts *f, GPtrArray *k, FILE *out) {
        const custody_manifest *m = c->m;
        const verify_options *o = c->opt;

        if (f->next_step)
                fprintf(out, "What to do  %s.\nAffected    %s.\n\n", f->next_step, e(k, f->affected));
        if (o->case_id)
                fprintf(out, "Case      %s\n", e(k, o->case_id));
        if (o->examiner)
                fprintf(out, "Examiner  %s\n", e(k, o->examiner));
        fprintf(out, "Session   %s\n", m ? e(k, m->session) : or_dash(NULL));
        if (m) {
                g_autofree char *total = report_media_time(f->media_ns);
                fprintf(out, "Device    %s (key %s)\nOfficer   %s\nRoom      %s\nStarted   %s\n",
                        e(k, m->device_id), e(k, m->device_key_id), e(k, m->officer), e(k, m->room),
                        e(k, f->started ? f->started : m->started_utc));
                if (f->end_basis)
                        fprintf(out, "Ended     %s (%s)\nClosed    %s (%s)\n",
                                e(k, f->ended ? f->ended : f->end_utc), f->end_basis,
                                e(k, f->closed ? f->closed : f->closed_utc), e(k, f->closed_what));
                else
                        fprintf(out, "Ended     %s (%s)\n", e(k, f->ended ? f->ended : m->ended_utc),
                                e(k, report_stop_words(m->stop_reason)));
                if (m->n_tracks) {
                        g_autofree char *tracks = report_tracks_line(m);
                        fprintf(out, "Tracks    %s\n", e(k, tracks));
                }
                fprintf(out, "Zone      %s\nClock     %s\nMedia     %zu segment(s), %s in all\n",
                        e(k, f->zone_line), e(k, m->clock_sync), c->n_segs, total);
        }
        if (f->content_checked)
                fprintf(out, "Content   decrypted and checked (--identity): %zu of %zu segments\n",
                        f->decrypted, c->n_segs);
        else
                fprintf(out, "Content   %s\n",
                        o->identity ? "--identity given, but not every segment could be decrypted"
                                    : "not decrypted (no --identity): the sealed files were checked");
        fprintf(out, "Trust     %s\n", or_dash(e(k, c->key_source)));
        if (f->public_key)
                fprintf(out, "Key       %s (key id %s)\n", f->public_key, f->key_id);
        if (o->registry)
                fprintf(out, "Registry  %s\n          SHA-256 %s\n", e(k, o->registry),
                        or_dash(f->registry_sha256));
        fprintf(out,
                "Log       custody.jsonl, %" G_GUINT64_FORMAT " entries, %" G_GUINT64_FORMAT
                " bytes\n          SHA-256 stored   %s\n          SHA-256 computed %s\n",
                c->log.entries, c->log.bytes, or_dash(m ? m->log_sha256 : NULL), or_dash(c->log.sha256));
        fprintf(out, "Manifest  manifest.json SHA-256 %s\n", or_dash(c->manifest_sha256));
        for (size_t i = 0; i < o->n_media; i++) {
                bool ok = false;
                g_autofree char *what = report_media_copy(c, i, &ok);
                fprintf(out, "%s %s: %s\n", i == 0 ? "Copies   " : "         ", e(k, o->media[i]),
                        e(k, what));
        }
        fprintf(out, "Checked   %s by studio-verify %s\n", f->checked_local, STUDIO_VERSION);
        if (f->folder)
                fprintf(out, "Folder    %s\n", e(k, f->folder));
        if (f->command)
                fprintf(out, "Command   %s\n", e(k, f->command));
}

void verify_report_text(const verify_ctx *c, FILE *out) {
        g_autofree char *summary = verify_summary(c);
        g_autoptr(GPtrArray) rows = verify_timeline(c);
        g_autoptr(GPtrArray) k = g_ptr_array_new_with_free_func(g_free);
        report_facts f;

        report_facts_init(&f, c);
        fprintf(out, "%s: %s\n\n", verify_verdict_to_string(c->verdict), e(k, summary));
        header(c, &f, k, out);
        fprintf(out, "\nSegments\n");
        for (size_t i = 0; i < c->n_segs; i++) {
                const verify_segment *s = &c->segs[i];
                g_autofree char *at = report_media_time(s->g->media_start_ns);
                g_autofree char *len = report_media_time(s->g->duration_ns);
                fprintf(out, "  %-20s %-10s %12" G_GUINT64_FORMAT " bytes  media %s +%s\n", s->g->name,
                        report_segment_tampered(&f, s) ? "TAMPERED" : or_dash(s->status), s->g->sealed_bytes,
                        at, len);
                fprintf(out, "  %-20s sealed    stored   %s\n", "", s->g->sealed_sha256);
                fprintf(out, "  %-20s           computed %s\n", "",
                        s->checked ? s->sealed_sha256 : "(not computed)");
                if (s->age_verdict) {
                        fprintf(out, "  %-20s plaintext stored   %s\n", "",
                                s->g->truncated ? "(none: the segment was cut short)"
                                                : s->g->plaintext_sha256);
                        fprintf(out, "  %-20s           computed %s (age %s)\n", "", s->plaintext_sha256,
                                s->age_verdict);
                }
        }
        fprintf(out, "\nFindings\n");
        if (c->findings->len == 0)
                fprintf(out, "  none\n");
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *x = c->findings->pdata[i];
                fprintf(out, "  %-13s %s%s%s%s%s\n",
                        x->warning ? "warning" : verify_verdict_to_string(x->verdict),
                        x->file ? e(k, x->file) : "", x->entry ? " " : "", x->entry ? e(k, x->entry) : "",
                        x->file ? ": " : "", e(k, x->text));
                if (x->stored || x->computed)
                        fprintf(out, "  %-13s   stored   %s\n  %-13s   computed %s\n", "",
                                or_dash(e(k, x->stored)), "", or_dash(e(k, x->computed)));
        }
        fprintf(out, "\nCustody timeline\n");
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                g_autofree char *when = report_device_time(&f, r->utc, true), *what = report_event_what(r);
                fprintf(out, "  %s  %-23s %s\n", when ? when : e(k, r->utc), e(k, what), e(k, r->detail));
        }
        if (c->log.timeline_omitted)
                fprintf(out, "  and %" G_GUINT64_FORMAT " more events, not listed\n",
                        c->log.timeline_omitted);
        fprintf(out, "\nstudio-verify %s\n", STUDIO_VERSION);
        report_facts_done(&f);
}
