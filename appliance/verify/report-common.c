/* What every report says: the summary sentence and the custody timeline. */
#include <string.h>

#include "verify.h"

/* The first finding that decided the verdict, led by the file and entry it
 * is about, so that the first line alone tells the court where to look. */
char *verify_summary(const verify_ctx *c) {
        const verify_finding *f = verify_first_of_verdict(c);

        if (c->verdict == VERIFY_TRUNCATED && c->truncated_summary)
                return g_strdup(c->truncated_summary);
        if (c->verdict != VERIFY_INTACT && f && f->file && (f->entry || !g_str_has_prefix(f->text, f->file)))
                return g_strdup_printf("%s%s%s: %s", f->file, f->entry ? " " : "", f->entry ? f->entry : "",
                                       f->text);
        if (c->verdict != VERIFY_INTACT && f)
                return g_strdup(f->text);
        return g_strdup_printf("session %s: %zu segment(s), the custody log and every signature check out",
                               c->m ? c->m->session : "?", c->n_segs);
}

void verify_event_row_free(gpointer p) {
        verify_event_row *r = p;
        g_free(r->utc), g_free(r->event), g_free(r->detail);
        g_free(r);
}

char *verify_entry_detail(const custody_entry *e) {
        int64_t media = 0;
        const char *note = custody_entry_str(e, "note");

        switch (e->event) {
        case CUSTODY_EV_SESSION_START:
                return g_strdup_printf("officer %s, room %s", custody_entry_str(e, "officer"),
                                       custody_entry_str(e, "room"));
        case CUSTODY_EV_SEGMENT_SEALED:
                return g_strdup_printf("%s sealed", custody_entry_str(e, "segment"));
        case CUSTODY_EV_MARK:
        case CUSTODY_EV_BREAK:
        case CUSTODY_EV_RESUME: {
                (void) custody_entry_int(e, "media_ns", &media);
                g_autofree char *t = verify_format_media_ns(media);
                return g_strdup_printf("at %s%s%s", t, note ? ": " : "", note ? note : "");
        }
        case CUSTODY_EV_FAULT:
                return g_strdup_printf("%s: %s", custody_entry_str(e, "what"),
                                       custody_entry_str(e, "detail"));
        case CUSTODY_EV_RECOVERY:
                return g_strdup_printf(
                        "after a crash%s%s", custody_entry_str(e, "segment") ? "; open segment " : "",
                        custody_entry_str(e, "segment") ? custody_entry_str(e, "segment") : "");
        case CUSTODY_EV_STOP:
                return g_strdup(custody_entry_str(e, "reason"));
        default:
                return NULL;
        }
}

GPtrArray *verify_timeline(const verify_ctx *c) {
        if (c->log.timeline)
                return g_ptr_array_ref(c->log.timeline);
        return g_ptr_array_new_with_free_func(verify_event_row_free);
}
