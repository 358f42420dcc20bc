#include "pending-notes.h"

void pending_notes_add(pending_notes *q, const char *what, const char *detail) {
        if (q->n == PENDING_NOTES_MAX) {
                q->dropped++;
                return;
        }
        q->notes[q->n].what = g_strdup(what);
        q->notes[q->n].detail = g_strdup(detail);
        q->n++;
}

void pending_notes_take(pending_notes *q,
                        void (*write)(const char *what, const char *detail, void *userdata),
                        void *userdata) {
        for (guint i = 0; i < q->n; i++)
                write(q->notes[i].what, q->notes[i].detail, userdata);
        if (q->dropped) {
                g_autofree gchar *detail =
                        g_strdup_printf("%u more note(s) came while no session was open, past the %d kept",
                                        q->dropped, PENDING_NOTES_MAX);
                write("notes-dropped", detail, userdata);
        }
        pending_notes_clear(q);
}

void pending_notes_clear(pending_notes *q) {
        for (guint i = 0; i < q->n; i++) {
                g_free(q->notes[i].what);
                g_free(q->notes[i].detail);
        }
        *q = (pending_notes){0};
}
