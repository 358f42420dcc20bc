/* The session's continuity at a glance: an inline SVG along media time
 * with each segment as a bar (intact green, tampered red, unverifiable
 * hatched), the gaps between them, and the marks, breaks and faults of the
 * custody log as ticks. Only shapes and numbers the verifier wrote: no
 * string from the session, no media, no external resource. */
#include <string.h>

#include "report.h"

#define W 1000.0
#define X0 8.0
#define X1 992.0
#define BAR_Y 12.0
#define BAR_H 20.0
#define GAP_NS 50000000 /* media missing between segments: what the check calls a gap */

typedef struct axis {
        int64_t t0, t1;
} axis;

static double x_of(const axis *a, int64_t ns) {
        double span = (double) (a->t1 - a->t0);
        double x = X0 + (X1 - X0) * (double) (ns - a->t0) / (span > 0 ? span : 1.0);
        return CLAMP(x, X0, X1);
}

static const char defs[] =
        "<defs>"
        "<pattern id=\"unv\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
        "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fde8e8\"/>"
        "<rect width=\"3\" height=\"6\" fill=\"#b00020\"/></pattern>"
        "<pattern id=\"gap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
        "patternTransform=\"rotate(-45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
        "<rect width=\"1.5\" height=\"6\" fill=\"#888\"/></pattern>"
        "</defs>";

static void rect(GString *s, double x0, double x1, double y, double h, const char *fill) {
        g_string_append_printf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                               x0, y, MAX(x1 - x0, 1.0), h, fill);
}

static void text(GString *s, double x, double y, const char *anchor, const char *fill, const char *t) {
        g_string_append_printf(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">%s</text>", x,
                               y, anchor, fill, t);
}

/* The unverifiable bytes of a cut segment have no signed media time: the
 * bar shows them at the segment's own bitrate (at least a sliver). */
static int64_t unverifiable_ns(const custody_manifest_segment *g, int64_t span) {
        int64_t min = span / 50 > 0 ? span / 50 : 1, est = 0;
        if (g->verified_bytes > 0 && g->duration_ns > 0)
                est = (int64_t) ((double) g->duration_ns * (double) g->unverifiable_bytes /
                                 (double) g->verified_bytes);
        return CLAMP(est, min, MAX(span / 6, min));
}

static void add_segments(GString *s, const verify_ctx *c, const report_facts *f, const axis *a) {
        const custody_manifest *m = c->m;

        for (size_t i = 0; i < m->n_segments && i < c->n_segs; i++) {
                const custody_manifest_segment *g = &m->segments[i];
                const verify_segment *v = &c->segs[i];
                int64_t end = g->media_start_ns + g->duration_ns;
                double xs = x_of(a, g->media_start_ns), xe = x_of(a, end);
                bool tampered = report_segment_tampered(f, v);

                if (i > 0) {
                        const custody_manifest_segment *p = &m->segments[i - 1];
                        int64_t pend = p->media_start_ns + p->duration_ns;
                        if (!p->truncated && g->media_start_ns - pend > GAP_NS)
                                rect(s, x_of(a, pend), xs, BAR_Y, BAR_H, "url(#gap)");
                }
                if (tampered)
                        rect(s, xs, xe, BAR_Y, BAR_H, "#b00020");
                else if (g->truncated) {
                        int64_t unv = unverifiable_ns(g, a->t1 - a->t0);
                        xe = x_of(a, g->checkpoint_media_ns);
                        if (g->checkpoint_media_ns > g->media_start_ns)
                                rect(s, xs, xe, BAR_Y, BAR_H, "#2e8b3a");
                        rect(s, xe, x_of(a, g->checkpoint_media_ns + unv), BAR_Y, BAR_H, "url(#unv)");
                } else if (g_strcmp0(v->status, "intact") == 0)
                        rect(s, xs, xe, BAR_Y, BAR_H, "#2e8b3a");
                else /* missing, unusable, unreadable: nothing proves this stretch */
                        rect(s, xs, xe, BAR_Y, BAR_H, "url(#unv)");
                /* the boundary between two segments */
                if (i > 0)
                        g_string_append_printf(s,
                                               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                               "stroke=\"#fff\" stroke-width=\"1.2\"/>",
                                               xs, BAR_Y, xs, BAR_Y + BAR_H);
                if (xe - xs >= 16 && m->n_segments <= 99) {
                        g_autofree char *n = g_strdup_printf("%zu", i + 1);
                        text(s, (xs + xe) / 2, BAR_Y + 14, "middle", "#fff", n);
                }
        }
}

/* Marks as blue ticks, faults and the crash as red, a break..resume as a
 * grey band over the bar. */
static void add_events(GString *s, const verify_ctx *c, const report_facts *f, const axis *a) {
        g_autoptr(GPtrArray) rows = verify_timeline(c);
        double break_x = -1;
        int64_t ns = 0;

        for (guint i = 0; i < rows->len; i++) {
                const verify_event_row *r = rows->pdata[i];
                if (!report_event_media_ns(f, c, r, &ns))
                        continue;
                double x = x_of(a, ns);
                if (strcmp(r->event, "mark") == 0)
                        g_string_append_printf(s,
                                               "<path d=\"M%.1f %.1fl-5 -9h10z\" fill=\"#1f4fbf\"/>"
                                               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                               "stroke=\"#1f4fbf\" stroke-width=\"1.5\"/>",
                                               x, BAR_Y - 1, x, BAR_Y, x, BAR_Y + BAR_H);
                else if (strcmp(r->event, "break") == 0)
                        break_x = x;
                else if (strcmp(r->event, "resume") == 0 && break_x >= 0) {
                        rect(s, break_x, MAX(x, break_x + 2), BAR_Y - 8, 6, "#777");
                        break_x = -1;
                } else if (strcmp(r->event, "fault") == 0 || strcmp(r->event, "recovery") == 0)
                        g_string_append_printf(s,
                                               "<path d=\"M%.1f %.1fl-6 -11h12z\" fill=\"#b00020\"/>"
                                               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                               "stroke=\"#b00020\" stroke-width=\"2\"/>",
                                               x, BAR_Y - 1, x, BAR_Y - 2, x, BAR_Y + BAR_H + 3);
        }
        if (break_x >= 0) /* a break never resumed runs to the end */
                rect(s, break_x, X1, BAR_Y - 8, 6, "#777");
}

/* Start and end of media time under the bar, the legend between them. */
static void add_axis(GString *s, const axis *a, int64_t end) {
        g_autofree char *from = report_media_time(a->t0), *to = report_media_time(end);
        double y = BAR_Y + BAR_H + 14;

        text(s, X0, y, "start", "#222", from);
        text(s, x_of(a, end), y, x_of(a, end) > X1 - 60 ? "end" : "start", "#222", to);
}

static void legend_item(GString *s, double *x, const char *fill, const char *label, bool tick) {
        double y = BAR_Y + BAR_H + 14;

        if (tick)
                g_string_append_printf(s, "<path d=\"M%.1f %.1fl-5 -9h10z\" fill=\"%s\"/>", *x + 5, y, fill);
        else
                rect(s, *x, *x + 16, y - 9, 10, fill);
        text(s, *x + 20, y, "start", "#222", label);
        *x += 20 + 6.8 * (double) strlen(label) + 16;
}

char *report_timeline_svg(const verify_ctx *c, const report_facts *f) {
        const custody_manifest *m = c->m;
        g_autoptr(GString) s = g_string_new(NULL);
        axis a = {0};
        int64_t end = 0, extra = 0;
        double lx = 150;

        if (!m || m->n_segments == 0)
                return NULL;
        a.t0 = m->segments[0].media_start_ns;
        for (size_t i = 0; i < m->n_segments; i++) {
                const custody_manifest_segment *g = &m->segments[i];
                a.t0 = MIN(a.t0, g->media_start_ns);
                end = MAX(end, g->media_start_ns + g->duration_ns);
                if (g->truncated)
                        end = MAX(end, g->checkpoint_media_ns);
        }
        for (size_t i = 0; i < m->n_segments; i++)
                if (m->segments[i].truncated)
                        extra = MAX(extra, unverifiable_ns(&m->segments[i], end - a.t0));
        a.t1 = MAX(end + extra, a.t0 + 1);

        g_string_append_printf(s,
                               "<svg class=\"timeline\" viewBox=\"0 0 %.0f "
                               "50\" role=\"img\" aria-label=\"media timeline\" font-family=\"DejaVu Sans, "
                               "Arial, sans-serif\" font-size=\"13\">%s",
                               W, defs);
        rect(s, X0, X1, BAR_Y, BAR_H, "#f2f2f2");
        add_segments(s, c, f, &a);
        add_events(s, c, f, &a);
        add_axis(s, &a, end);
        legend_item(s, &lx, "#2e8b3a", "intact", false);
        legend_item(s, &lx, "url(#unv)", "unverifiable", false);
        legend_item(s, &lx, "#b00020", "tampered", false);
        legend_item(s, &lx, "url(#gap)", "no media", false);
        legend_item(s, &lx, "#777", "break", false);
        legend_item(s, &lx, "#1f4fbf", "mark", true);
        legend_item(s, &lx, "#b00020", "fault or crash", true);
        g_string_append(s, "</svg>");
        return g_string_free(g_steal_pointer(&s), FALSE);
}
