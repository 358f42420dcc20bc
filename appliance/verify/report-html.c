/* The printable one-page court report (--html FILE): self-contained, no
 * external resources. */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "fsutil.h"
#include "verify.h"

static const char css[] =
        "@page{size:A4;margin:12mm}"
        "body{font:10pt/1.35 'DejaVu Sans',Arial,sans-serif;color:#111;margin:0 "
        "auto;max-width:190mm;padding:8mm}"
        "h1{font-size:14pt;margin:0 0 1mm}h2{font-size:11pt;margin:4mm 0 1.5mm;border-bottom:1px solid #999}"
        ".verdict{border:2px solid #111;padding:2mm 3mm;margin:2mm 0;font-size:11pt}"
        ".verdict b{font-size:16pt;letter-spacing:.5pt;margin-right:3mm}"
        ".v-INTACT{background:#e6f4e6;border-color:#1a7f1a}.v-TRUNCATED{background:#fff6dd;border-color:#"
        "b58100}"
        ".v-TAMPERED,.v-UNTRUSTED-KEY,.v-UNSIGNED,.v-INCOMPLETE{background:#fde8e8;border-color:#b00020}"
        "table{border-collapse:collapse;width:100%;font-size:8.5pt}"
        "th,td{border:1px solid #bbb;padding:.6mm 1.2mm;text-align:left;vertical-align:top}"
        "th{background:#eee}.meta th{width:24mm;white-space:nowrap;background:none;border:none;padding:.5mm "
        "1.5mm}"
        ".meta td{border:none;padding:.3mm 1.5mm}.meta "
        "td:nth-child(2){white-space:nowrap}.hash{font-family:'DejaVu Sans "
        "Mono',monospace;font-size:7pt;word-break:break-all}"
        ".seghash{font-size:6.5pt}.seghash div{white-space:nowrap}.lines{white-space:pre}"
        ".lbl{display:inline-block;width:11.5mm;font-family:'DejaVu Sans',sans-serif}"
        ".same{font-family:'DejaVu Sans',sans-serif;color:#444}"
        ".bad{color:#b00020;font-weight:bold}.nowrap{white-space:nowrap}footer{margin-top:3mm;font-size:8pt;"
        "color:#444}"
        "@media print{body{padding:0}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

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

/* Two key/value pairs a row, so that the segment table keeps the page. */
static void add_meta(GString *s, const verify_ctx *c) {
        const custody_manifest *m = c->m;
        g_autofree char *dev = m ? g_strdup_printf("%s (key %s)", m->device_id, m->device_key_id) : NULL;

        g_string_append(s, "<table class=\"meta\">");
        meta_pair(s, "Session", m ? m->session : NULL, "Device", dev);
        meta_pair(s, "Officer", m ? m->officer : NULL, "Room", m ? m->room : NULL);
        meta_pair(s, "Started (UTC)", m ? m->started_utc : NULL, "Ended (UTC)", m ? m->ended_utc : NULL);
        meta_pair(s, "Stop reason", m ? m->stop_reason : NULL, "Trusted key", c->key_source);
        g_string_append(s, "</table>");
}

/* One hash kind in a segment's hash cell: once with "(computed: same)"
 * when they agree (so that a long session fits one page), both lines in
 * red when they differ. */
static void hash_pair(GString *s, const char *what, const char *stored, const char *computed) {
        bool same = computed && stored && strcmp(stored, computed) == 0;

        g_string_append_printf(s, "<div class=\"%s\"><span class=\"lbl\">%s</span>", same ? "" : "bad",
                               what);
        esc(s, stored ? stored : "(none: segment cut short)");
        if (same) {
                g_string_append(s, " <span class=\"same\">(computed: same)</span></div>");
                return;
        }
        g_string_append(s, "<br><span class=\"lbl\">computed</span>");
        esc(s, computed ? computed : "(not computed)");
        g_string_append(s, "</div>");
}

/* "14:00:05–" and "14:05:05" on two lines (as tall as the two hash
 * lines beside them), from two RFC 3339 times (UTC) */
static char *wall_span(const char *start, const char *end) {
        size_t ls = start ? strlen(start) : 0, le = end ? strlen(end) : 0;

        if (ls < 19 || le < 19)
                return g_strdup("-");
        return g_strdup_printf("%.8s\u2013\n%.8s", start + 11, end + 11);
}

static void add_segments(GString *s, const verify_ctx *c) {
        g_string_append(s,
                        "<h2>Segments</h2><table><tr><th>Segment, sealed bytes</th><th>Recorded (UTC)</th>"
                        "<th>Result</th><th>SHA-256 stored in the signed manifest / computed now</th></tr>");
        for (size_t i = 0; i < c->n_segs; i++) {
                const verify_segment *g = &c->segs[i];
                g_autofree char *name =
                        g_strdup_printf("%s\n%" G_GUINT64_FORMAT " bytes", g->g->name, g->g->sealed_bytes);
                g_autofree char *result = g->age_verdict
                                                  ? g_strdup_printf("%s; age %s", g->status, g->age_verdict)
                                                  : g_strdup(g->status);
                g_autofree char *when = wall_span(g->g->wall_start, g->g->wall_end);
                g_string_append(s, "<tr>");
                cell(s, "lines", name);
                cell(s, "lines", when);
                cell(s, g_strcmp0(g->status, "intact") == 0 ? NULL : "bad", result);
                g_string_append(s, "<td class=\"hash seghash\">");
                hash_pair(s, "sealed", g->g->sealed_sha256, g->checked ? g->sealed_sha256 : NULL);
                if (g->age_verdict)
                        hash_pair(s, "plaintext", g->g->truncated ? NULL : g->g->plaintext_sha256,
                                  g->plaintext_sha256);
                g_string_append(s, "</td></tr>");
        }
        g_string_append(s, "</table>");
}

static void add_findings(GString *s, const verify_ctx *c) {
        g_string_append(s, "<h2>Findings</h2>");
        if (c->findings->len == 0) {
                g_string_append(s, "<p>None.</p>");
                return;
        }
        g_string_append(s, "<table><tr><th>Kind</th><th>Where</th><th>Finding</th></tr>");
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *f = c->findings->pdata[i];
                g_autofree char *where = g_strdup_printf("%s%s%s", f->file ? f->file : "",
                                                         f->entry ? " " : "", f->entry ? f->entry : "");
                g_string_append(s, "<tr>");
                cell(s, f->warning ? NULL : "bad",
                     f->warning ? "warning" : verify_verdict_to_string(f->verdict));
                cell(s, "nowrap", where);
                g_string_append(s, "<td>");
                esc(s, f->text);
                if (f->stored || f->computed) {
                        g_string_append(s, "<div class=\"hash\">stored&nbsp;&nbsp; ");
                        esc(s, f->stored ? f->stored : "-");
                        g_string_append(s, "<br>computed ");
                        esc(s, f->computed ? f->computed : "-");
                        g_string_append(s, "</div>");
                }
                g_string_append(s, "</td></tr>");
        }
        g_string_append(s, "</table>");
}

static void add_timeline(GString *s, const verify_ctx *c) {
        g_autoptr(GPtrArray) rows = verify_timeline(c);

        g_string_append(
                s, "<h2>Custody timeline</h2><table><tr><th>UTC</th><th>Event</th><th>Detail</th></tr>");
        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                bool fault = strcmp(r->event, "fault") == 0 || strcmp(r->event, "recovery") == 0;
                if (strcmp(r->event, "segment-sealed") == 0)
                        continue; /* the segment table says it, with times */
                g_string_append(s, "<tr>");
                cell(s, NULL, r->utc);
                cell(s, fault ? "bad" : NULL, r->event);
                cell(s, NULL, r->detail);
                g_string_append(s, "</tr>");
        }
        g_string_append(s, "</table>");
}

int verify_report_html(const verify_ctx *c, const char *path) {
        g_autoptr(GString) s = g_string_new(NULL);
        g_autofree char *summary = verify_summary(c);
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *when = g_date_time_format(now, "%Y-%m-%d %H:%M:%S UTC");
        const char *v = verify_verdict_to_string(c->verdict);

        g_string_append_printf(s,
                               "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                               "<title>Verification report</title><style>%s</style></head><body>",
                               css);
        g_string_append(s, "<h1>Verification report: recorded interview session</h1>");
        g_string_append_printf(s, "<div class=\"verdict v-%s\"><b>%s</b>", v, v);
        esc(s, summary);
        g_string_append_printf(s, "<br><small>exit code %d</small></div>",
                               verify_verdict_exit_code(c->verdict));
        add_meta(s, c);
        add_segments(s, c);
        add_findings(s, c);
        add_timeline(s, c);
        g_string_append_printf(s,
                               "<footer>Checked by studio-verify %s on %s. Verdicts in order of precedence: "
                               "TAMPERED, UNTRUSTED-KEY, UNSIGNED, INCOMPLETE, TRUNCATED, INTACT.</footer>"
                               "</body></html>\n",
                               STUDIO_VERSION, when);
        return fs_write_atomic(path, s->str, s->len, 0644);
}
