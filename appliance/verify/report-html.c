/* The printable court report (--html FILE): self-contained, no external
 * resources, A4 with one page per 12 segments. Every hash is printed in
 * full at 8 pt on a line of its own (never broken inside), the value
 * stored in the signed manifest above the one computed now. */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "fsutil.h"
#include "report.h"

/* Sizes in pt and mm, so that the page prints as laid out: a hash line
 * (64 characters of 8 pt DejaVu Sans Mono, 108.7 mm) with its two labels
 * fits the hash column, and twelve segments of four hash lines fit one
 * page with the header, the timeline and a short custody log. */
static const char css[] =
        "@page{size:A4;margin:8mm}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
        "body{font:7.5pt/1.1 'DejaVu Sans',Arial,sans-serif;color:#111;margin:0 auto;max-width:194mm}"
        "h1{font-size:11pt;margin:0 0 .8mm}"
        "h2{font-size:8.5pt;margin:1.6mm 0 .6mm;border-bottom:1px solid #999}"
        ".verdict{border:2px solid #111;padding:.6mm 2mm;margin:.6mm 0 1mm;font-size:8pt}"
        ".verdict>b{font-size:12pt;letter-spacing:.5pt;margin-right:2mm}"
        ".verdict .next{margin-top:.6mm}"
        ".v-INTACT{background:#e6f4e6;border-color:#1a7f1a}"
        ".v-TRUNCATED{background:#fff6dd;border-color:#b58100}"
        ".v-TAMPERED,.v-UNTRUSTED-KEY,.v-UNSIGNED,.v-INCOMPLETE{background:#fde8e8;border-color:#b00020}"
        "table{border-collapse:collapse;width:100%}"
        "thead{display:table-header-group}tr{break-inside:avoid}"
        "th,td{border:1px solid #bbb;padding:.25mm 1mm;text-align:left;vertical-align:top}"
        "th{background:#eee;font-weight:bold}"
        ".meta th,.meta td{border:none;padding:.1mm 1mm;background:none}"
        ".meta th{white-space:nowrap;width:20mm}"
        ".meta td.w{overflow-wrap:anywhere}"
        ".h{font-family:'DejaVu Sans Mono',monospace;font-size:8pt;line-height:1;white-space:nowrap}"
        ".h .k,.h .w{display:inline-block;font-family:'DejaVu Sans',Arial,sans-serif;font-size:6.5pt}"
        ".h.bad .k,.h.bad .w,.h.bad .n{font-weight:normal}.h .k{width:11mm}.h .w{width:12.5mm}.h "
        ".n{font-family:'DejaVu Sans',Arial,sans-serif;"
        "font-size:7pt}.h .after{font-family:'DejaVu Sans',Arial,sans-serif;font-size:7pt;margin-left:2mm}"
        ".segs{table-layout:fixed}.segs "
        "td{font-size:7pt;line-height:1.08;white-space:nowrap;overflow:visible}"
        ".segs td.hc{padding-right:0}"
        ".mono{font-family:'DejaVu Sans Mono',monospace;font-size:8pt}"
        ".bad{color:#b00020;font-weight:bold}"
        "svg.timeline{display:block;width:100%;height:auto;margin:1mm 0 0}"
        ".tl td{padding-top:.1mm;padding-bottom:.1mm}.tl td.t{white-space:nowrap}"
        "footer{margin-top:1mm;font-size:6.5pt;color:#444}";

/* HTML-escaped, after escape_text made every control and bidi character
 * visible. */
static void esc(GString *s, const char *raw) {
        g_autofree char *shown = escape_text(raw);

        for (const char *t = shown; t && *t; t++) {
                switch (*t) {
                case '<':
                        g_string_append(s, "&lt;");
                        break;
                case '>':
                        g_string_append(s, "&gt;");
                        break;
                case '&':
                        g_string_append(s, "&amp;");
                        break;
                case '"':
                        g_string_append(s, "&quot;");
                        break;
                default:
                        g_string_append_c(s, *t);
                }
        }
}

static void cell(GString *s, const char *cls, const char *t) {
        g_string_append_printf(s, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
        esc(s, t ? t : "-");
        g_string_append(s, "</td>");
}

static void meta_pair(GString *s, const char *k1, const char *v1, const char *k2, const char *v2) {
        g_string_append_printf(s, "<tr><th>%s</th>", k1);
        cell(s, NULL, v1);
        g_string_append_printf(s, "<th>%s</th>", k2);
        cell(s, NULL, v2);
        g_string_append(s, "</tr>");
}

static void meta_wide(GString *s, const char *k, const char *cls, const char *v) {
        g_string_append_printf(s, "<tr><th>%s</th><td colspan=\"3\" class=\"%s\">", k, cls);
        esc(s, v ? v : "-");
        g_string_append(s, "</td></tr>");
}

/* One hash on a line of its own: kind ("sealed"), which ("stored",
 * "computed") and the value, or a note in words where there is none; then
 * a short note in words after it. */
static void hash_line(GString *s, const char *kind, const char *which, const char *hash, const char *none,
                      bool bad, const char *after) {
        g_string_append_printf(s,
                               "<div class=\"h%s\"><span class=\"k\">%s</span><span class=\"w\">%s</span>",
                               bad ? " bad" : "", kind, which);
        if (hash && *hash)
                esc(s, hash);
        else {
                g_string_append(s, "<span class=\"n\">");
                esc(s, none);
                g_string_append(s, "</span>");
        }
        if (after)
                g_string_append_printf(s, "<span class=\"after\">%s</span>", after);
        g_string_append(s, "</div>");
}

static void hash_pair(GString *s, const char *kind, const char *stored, const char *stored_none,
                      const char *computed, const char *computed_none, const char *after) {
        bool bad = stored && computed && *stored && *computed && strcmp(stored, computed) != 0;

        hash_line(s, kind, "stored", stored, stored_none, bad, NULL);
        hash_line(s, "", "computed", computed, computed_none, bad, after);
}

/* What was done with the segments' content: decrypted with --identity or not. */
static char *content_words(const verify_ctx *c, const report_facts *f) {
        if (f->content_checked)
                return g_strdup_printf("decrypted and checked (--identity): %zu of %zu segments",
                                       f->decrypted, c->n_segs);
        if (c->opt->identity)
                return g_strdup_printf("--identity given; %zu of %zu segments decrypted", f->decrypted,
                                       c->n_segs);
        return g_strdup("not decrypted (no --identity): sealed files checked");
}

/* Ended, and Closed when the session's end came from its close entry. */
static void meta_end(GString *s, const custody_manifest *m, const report_facts *f) {
        if (!f->end_basis) {
                meta_wide(s, "Ended", "w", f->ended ? f->ended : m ? m->ended_utc : NULL);
                return;
        }
        g_autofree char *end = g_strdup_printf("%s (%s)", f->ended ? f->ended : f->end_utc, f->end_basis);
        g_autofree char *closed =
                g_strdup_printf("%s (%s)", f->closed ? f->closed : f->closed_utc, f->closed_what);
        meta_wide(s, "Ended", "w", end);
        meta_wide(s, "Closed", "w", closed);
}

/* The registry, custody log and manifest rows with their SHA-256s. */
static void meta_hashes(GString *s, const verify_ctx *c, const report_facts *f) {
        const custody_manifest *m = c->m;

        if (c->opt->registry) {
                g_string_append(s, "<tr><th>Registry</th><td colspan=\"3\" class=\"w\">");
                esc(s, c->opt->registry);
                hash_line(s, "", "SHA-256", f->registry_sha256, "(cannot be read now)", false, NULL);
                g_string_append(s, "</td></tr>");
        }
        g_autofree char *log = g_strdup_printf("%" G_GUINT64_FORMAT " entries, %" G_GUINT64_FORMAT " bytes",
                                               c->log.entries, c->log.bytes);
        g_string_append(s, "<tr><th>custody.jsonl</th><td colspan=\"3\">");
        hash_pair(s, "SHA-256", m ? m->log_sha256 : NULL, "(no signed manifest)", c->log.sha256,
                  "(not read)", log);
        g_string_append(s, "</td></tr><tr><th>manifest.json</th><td colspan=\"3\">");
        hash_line(s, "SHA-256", "computed", c->manifest_sha256, "(not read)", false, "signed: .minisig");
        g_string_append(s, "</td></tr>");
}

/* Each --media working copy and what its check found. */
static void meta_working_copies(GString *s, const verify_ctx *c) {
        const verify_options *o = c->opt;

        for (size_t i = 0; i < o->n_media; i++) {
                bool ok = false;
                g_autofree char *what = report_media_copy(c, i, &ok);
                g_autofree char *line = g_strdup_printf("%s: %s", o->media[i], what);
                meta_wide(s, i == 0 ? "Working copies" : "", ok ? "w" : "w bad", line);
        }
}

static void add_meta(GString *s, const verify_ctx *c, const report_facts *f) {
        const custody_manifest *m = c->m;
        const verify_options *o = c->opt;
        g_autofree char *dev = m ? g_strdup_printf("%s (key %s)", m->device_id, m->device_key_id) : NULL;
        g_autofree char *total = report_media_time(f->media_ns);
        g_autofree char *media = g_strdup_printf("%zu segment(s), %s in all", c->n_segs, total);
        g_autofree char *content = content_words(c, f);
        g_autofree char *tracks = report_tracks_line(m);
        g_autofree char *key =
                f->public_key ? g_strdup_printf("%s (key id %s)", f->public_key, f->key_id) : NULL;

        g_string_append(s, "<table class=\"meta\">");
        if (o->case_id || o->examiner)
                meta_pair(s, "Case", o->case_id, "Examiner", o->examiner);
        meta_pair(s, "Session", m ? m->session : NULL, "Device", dev);
        meta_pair(s, "Officer", m ? m->officer : NULL, "Room", m ? m->room : NULL);
        if (tracks)
                meta_wide(s, "Audio tracks", "w", tracks);
        meta_wide(s, "Started", "w", f->started ? f->started : m ? m->started_utc : NULL);
        meta_end(s, m, f);
        meta_wide(s, "Time zone", "w", f->zone_line);
        meta_pair(s, "Stopped", m ? report_stop_words(m->stop_reason) : NULL, "Device clock",
                  m ? m->clock_sync : NULL);
        meta_pair(s, "Media", media, "Content", content);
        meta_wide(s, "Trust basis", "w", c->key_source);
        meta_wide(s, "Public key", "mono", key);
        meta_hashes(s, c, f);
        meta_working_copies(s, c);
        g_autofree char *checked = g_strdup_printf("%s by studio-verify " STUDIO_VERSION, f->checked_local);
        meta_wide(s, "Checked", "", checked);
        meta_wide(s, "Folder", "w", f->folder);
        if (f->command)
                meta_wide(s, "Command", "w mono", f->command);
        g_string_append(s, "</table>");
}

/* "12:57:05 CET" (the device's zone, as the picture's overlay shows it) */
static char *local_clock(const report_facts *f, const char *rfc3339) {
        g_autofree char *t = report_device_time(f, rfc3339, false);
        char *paren = t ? strstr(t, " (") : NULL;

        if (paren)
                *paren = '\0';
        return g_strdup(t ? t : "-");
}

static void add_segments(GString *s, const verify_ctx *c, const report_facts *f) {
        g_autofree char *t = c->m ? report_device_time(f, c->m->started_utc, false) : NULL;
        const char *zone = !t || !strstr(t, " (") ? "UTC" : f->device_tz ? "device time" : "examiner's time";

        g_string_append_printf(s,
                               "<table class=\"segs\"><colgroup><col style=\"width:32mm\">"
                               "<col style=\"width:22mm\"><col></colgroup><thead><tr><th>Segment</th>"
                               "<th>Media, %s</th><th>SHA-256: stored in the signed manifest, computed "
                               "now</th></tr></thead><tbody>",
                               zone);
        for (size_t i = 0; i < c->n_segs; i++) {
                const verify_segment *g = &c->segs[i];
                const custody_manifest_segment *ms = g->g;
                bool tampered = report_segment_tampered(f, g);
                g_autofree char *start = report_media_time(ms->media_start_ns);
                g_autofree char *len = report_media_time(ms->duration_ns);
                g_autofree char *ws = local_clock(f, ms->wall_start), *we = local_clock(f, ms->wall_end);

                g_string_append(s, "<tr><td><b>");
                esc(s, ms->name);
                g_string_append_printf(s, "</b><br>%" G_GUINT64_FORMAT " bytes<br><span class=\"%s\">",
                                       ms->sealed_bytes,
                                       tampered || g_strcmp0(g->status, "intact") != 0 ? "bad" : "");
                esc(s, tampered ? "TAMPERED" : g->status ? g->status : "not checked");
                g_string_append(s, "</span>");
                if (g->age_verdict) {
                        g_string_append(s, "<br>age ");
                        esc(s, g->age_verdict);
                }
                /* media start and length; the wall-clock span, as the overlay shows it */
                g_string_append_printf(s, "</td><td>%s<br>+%s<br>", start, len);
                esc(s, ws);
                g_string_append(s, "\u2013<br>");
                esc(s, we);
                g_string_append(s, "</td><td class=\"hc\">");
                hash_pair(s, "sealed", ms->sealed_sha256, "(none)", g->checked ? g->sealed_sha256 : NULL,
                          "(not computed: see the findings)", NULL);
                if (g->age_verdict || c->opt->identity)
                        hash_pair(s, "plaintext", ms->truncated ? NULL : ms->plaintext_sha256,
                                  "(none: the segment was cut short)",
                                  g->age_verdict ? g->plaintext_sha256 : NULL, "(not decrypted)", NULL);
                g_string_append(s, "</td></tr>");
        }
        g_string_append(s, "</tbody></table>");
}

static void add_findings(GString *s, const verify_ctx *c) {
        if (c->findings->len == 0) {
                g_string_append(s, "<h2>Findings: none</h2>");
                return;
        }
        g_string_append(
                s, "<h2>Findings <small>(the verdict is the first of TAMPERED, UNTRUSTED-KEY, UNSIGNED, "
                   "INCOMPLETE, TRUNCATED found)</small></h2><table><thead><tr><th>Kind</th><th>Where</th>"
                   "<th>Finding</th></tr></thead><tbody>");
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *f = c->findings->pdata[i];
                g_autofree char *where = g_strdup_printf("%s%s%s", f->file ? f->file : "",
                                                         f->entry ? " " : "", f->entry ? f->entry : "");
                g_string_append(s, "<tr>");
                cell(s, f->warning ? NULL : "bad",
                     f->warning ? "warning" : verify_verdict_to_string(f->verdict));
                cell(s, NULL, where);
                g_string_append(s, "<td>");
                esc(s, f->text);
                if (f->stored || f->computed)
                        hash_pair(s, "", f->stored, "-", f->computed, "-", NULL);
                g_string_append(s, "</td></tr>");
        }
        g_string_append(s, "</tbody></table>");
}

static void add_svg(GString *s, const verify_ctx *c, const report_facts *f) {
        g_autofree char *svg = report_timeline_svg(c, f);

        g_string_append_printf(s, "%s", svg ? svg : "");
}

static void add_timeline(GString *s, const verify_ctx *c, const report_facts *f) {
        g_autoptr(GPtrArray) rows = verify_timeline(c);

        g_string_append(s, "<h2>Custody log: events (time, event, detail)</h2><table class=\"tl\"><tbody>");
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                bool fault = strcmp(r->event, "fault") == 0 || strcmp(r->event, "recovery") == 0;
                g_autofree char *when = report_device_time(f, r->utc, false), *what = report_event_what(r);
                if (strcmp(r->event, "segment-sealed") == 0)
                        continue; /* the segment table says it, with times */
                g_string_append(s, "<tr>");
                cell(s, "t", when ? when : r->utc);
                cell(s, fault ? "t bad" : "t", what);
                cell(s, NULL, r->detail);
                g_string_append(s, "</tr>");
        }
        if (c->log.timeline_omitted)
                g_string_append_printf(s,
                                       "<tr><td colspan=\"3\">and %" G_GUINT64_FORMAT
                                       " more events, not listed (see custody.jsonl)</td></tr>",
                                       c->log.timeline_omitted);
        g_string_append(s, "</tbody></table>");
}

static void add_verdict(GString *s, const verify_ctx *c, const report_facts *f) {
        g_autofree char *summary = verify_summary(c);
        const char *v = verify_verdict_to_string(c->verdict);

        g_string_append_printf(s, "<div class=\"verdict v-%s\"><b>%s</b>", v, v);
        esc(s, summary);
        g_string_append_printf(s, " <small>(exit %d)</small>", verify_verdict_exit_code(c->verdict));
        if (f->next_step) {
                g_string_append(s, "<div class=\"next\"><b>What to do:</b> ");
                esc(s, f->next_step);
                g_string_append(s, ".<br><b>Affected media:</b> ");
                esc(s, f->affected);
                g_string_append(s, ".</div>");
        }
        g_string_append(s, "</div>");
}

int verify_report_html(const verify_ctx *c, const char *path) {
        g_autoptr(GString) s = g_string_new(NULL);
        report_facts f;
        int r;

        report_facts_init(&f, c);
        g_string_append_printf(s,
                               "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                               "<title>Verification report</title><style>%s</style></head><body>",
                               css);
        g_string_append(s, "<h1>Verification report: recorded interview session</h1>");
        add_verdict(s, c, &f);
        add_meta(s, c, &f);
        add_svg(s, c, &f);
        add_segments(s, c, &f);
        add_findings(s, c);
        add_timeline(s, c, &f);
        g_string_append(s, "</body></html>\n");
        report_facts_done(&f);
        r = fs_write_atomic(path, s->str, s->len, 0644);
        return r;
}
