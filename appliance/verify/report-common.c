/* What every report says: the summary sentence, the custody timeline in
 * words, and the facts a forensic report carries (report.h). */
#include <string.h>

#include "report.h"

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
        g_free(r->utc), g_free(r->event), g_free(r->detail), g_free(r->note), g_free(r->source);
        g_free(r);
}

char *report_media_time(int64_t ns) {
        int64_t ms = (ns < 0 ? 0 : ns) / 1000000, s = ms / 1000;

        return g_strdup_printf("%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT
                               ".%03" G_GINT64_FORMAT,
                               s / 3600, s / 60 % 60, s % 60, ms % 1000);
}

/* "HH:MM:SS.mmm" as report_media_time writes it, at the start of t. */
static bool parse_media_time(const char *t, int64_t *ret) {
        int64_t part[4] = {0};
        static const char seps[] = "::.";

        for (int i = 0; i < 4; i++) {
                int digits = 0;
                for (; *t >= '0' && *t <= '9' && digits < 9; t++, digits++)
                        part[i] = part[i] * 10 + (*t - '0');
                if (digits == 0 || (i < 3 && *t++ != seps[i]))
                        return false;
        }
        *ret = ((part[0] * 3600 + part[1] * 60 + part[2]) * 1000 + part[3]) * 1000000;
        return true;
}

const char *report_event_words(const char *event) {
        static const struct {
                const char *event, *words;
        } words[] = {
                {"session-start", "session start"},
                {"checkpoint", "checkpoint"},
                {"segment-sealed", "segment sealed"},
                {"mark", "mark"},
                {"break", "break"},
                {"resume", "resume"},
                {"fault", "fault"},
                {"recovery", "recovery after a crash"},
                {"stop", "stop"},
        };

        for (size_t i = 0; event && i < G_N_ELEMENTS(words); i++)
                if (strcmp(event, words[i].event) == 0)
                        return words[i].words;
        return event;
}

const char *report_stop_words(const char *reason) {
        if (g_strcmp0(reason, "operator") == 0 || g_strcmp0(reason, "signal") == 0)
                return "stopped by the operator";
        if (g_strcmp0(reason, "stopped") == 0)
                return "stopped normally";
        if (g_strcmp0(reason, "fault") == 0)
                return "stopped by a fault";
        if (g_strcmp0(reason, "recovered after crash") == 0)
                return "closed after a crash, at the next start";
        if (g_strcmp0(reason, "could not start") == 0)
                return "the recording could not start";
        return reason;
}

/* A fault's code ("pipeline-error") in words; for a pipeline error its
 * detail tells a lost device from a full disk. */
static const char *fault_words(const char *what, const char *detail) {
        detail = detail ? detail : "";
        if (g_strcmp0(what, "pipeline-error") == 0) {
                if (g_str_has_prefix(detail, "the disk is full"))
                        return "disk full";
                if (strstr(detail, "capture device") && strstr(detail, "camera"))
                        return "camera lost";
                if (strstr(detail, "capture device") && (strstr(detail, "mic") || strstr(detail, "audio")))
                        return "microphone lost";
                if (strstr(detail, "capture device"))
                        return "camera or microphone lost";
                return "recording error";
        }
        static const struct {
                const char *what, *words;
        } words[] = {
                {"pipeline", "the recording could not start"},
                {"segment-aborted", "a segment could not be finished"},
                {"behind-real-time", "the recording fell behind real time"},
                {"eos-timeout", "the end of the recording was not confirmed in time"},
                {"spool-recovery", "an interrupted earlier session was closed"},
        };
        for (size_t i = 0; what && i < G_N_ELEMENTS(words); i++)
                if (strcmp(what, words[i].what) == 0)
                        return words[i].words;
        return what ? what : "fault";
}

/* The panel keys reach the --once recorder as signals; their names are
 * internal, not notes a court needs. */
static bool internal_note(const char *note) {
        return note && (strcmp(note, "SIGUSR1") == 0 || strcmp(note, "SIGUSR2") == 0);
}

char *verify_entry_source(const custody_entry *e) {
        const char *source = custody_entry_str(e, "source"), *note = custody_entry_str(e, "note");

        if (e->event != CUSTODY_EV_MARK && e->event != CUSTODY_EV_BREAK && e->event != CUSTODY_EV_RESUME)
                return NULL;
        if (source && *source)
                return g_strdup(source);
        return internal_note(note) ? g_strdup("signal") : NULL;
}

char *report_event_what(const verify_event_row *r) {
        static const struct {
                const char *source, *words;
        } sources[] = {
                {"panel", "panel key"},
                {"studioctl", "studioctl"},
                {"signal", "signal to studio-recorder --once"},
        };
        const char *ev = report_event_words(r->event);

        if (strcmp(r->event, "mark") != 0 && strcmp(r->event, "break") != 0 &&
            strcmp(r->event, "resume") != 0)
                return g_strdup(ev);
        if (!r->source)
                return g_strdup_printf("%s (source not recorded)", ev);
        for (size_t i = 0; i < G_N_ELEMENTS(sources); i++)
                if (strcmp(r->source, sources[i].source) == 0)
                        return g_strdup_printf("%s (%s)", ev, sources[i].words);
        return g_strdup_printf("%s (source: %s)", ev, r->source);
}

char *verify_entry_note(const custody_entry *e, const uint8_t (*sks)[32], size_t n_sks, bool *ret_sealed,
                        bool *ret_opened, char **ret_error) {
        const char *plain = custody_entry_str(e, "note"), *sealed = custody_entry_str(e, "note_age");
        g_autofree char *msg = NULL;
        char *opened = NULL;

        *ret_sealed = *ret_opened = false;
        if (e->event != CUSTODY_EV_MARK && e->event != CUSTODY_EV_BREAK && e->event != CUSTODY_EV_RESUME)
                return NULL;
        if (!sealed)
                return plain && *plain && !internal_note(plain) ? g_strdup(plain) : NULL;
        /* never the armored text itself: it is no note a reader can use */
        *ret_sealed = true;
        if (!sks || n_sks == 0)
                return g_strdup(VERIFY_NOTE_SEALED);
        if (custody_note_open(sealed, sks, n_sks, &opened, &msg) < 0) {
                if (ret_error)
                        *ret_error = g_steal_pointer(&msg);
                return g_strdup(VERIFY_NOTE_UNOPENED);
        }
        *ret_opened = true;
        return opened;
}

char *verify_entry_detail(const custody_entry *e, const char *note) {
        int64_t media = 0;
        const char *seg = custody_entry_str(e, "segment");

        switch (e->event) {
        case CUSTODY_EV_SESSION_START:
                return g_strdup_printf("officer %s, room %s", custody_entry_str(e, "officer"),
                                       custody_entry_str(e, "room"));
        case CUSTODY_EV_SEGMENT_SEALED:
                return g_strdup_printf("%s sealed", seg);
        case CUSTODY_EV_MARK:
        case CUSTODY_EV_BREAK:
        case CUSTODY_EV_RESUME: {
                (void) custody_entry_int(e, "media_ns", &media);
                g_autofree char *t = report_media_time(media);
                return g_strdup_printf("at %s media time%s%s", t, note ? ": " : "", note ? note : "");
        }
        case CUSTODY_EV_FAULT: {
                const char *detail = custody_entry_str(e, "detail");
                return g_strdup_printf("%s \u2014 %s", fault_words(custody_entry_str(e, "what"), detail),
                                       detail && *detail ? detail : "no detail given");
        }
        case CUSTODY_EV_RECOVERY:
                return g_strdup_printf("the device restarted and closed the session%s%s",
                                       seg ? "; open segment " : "", seg ? seg : "");
        case CUSTODY_EV_STOP:
                return g_strdup(report_stop_words(custody_entry_str(e, "reason")));
        default:
                return NULL;
        }
}

GPtrArray *verify_timeline(const verify_ctx *c) {
        if (c->log.timeline)
                return g_ptr_array_ref(c->log.timeline);
        return g_ptr_array_new_with_free_func(verify_event_row_free);
}

/* ---- facts ---------------------------------------------------------- */

static bool shell_safe(const char *a) {
        if (!*a)
                return false;
        for (; *a; a++)
                if (!g_ascii_isalnum(*a) && !strchr("_./=:@%+,-", *a))
                        return false;
        return true;
}

static char *command_line(const verify_options *o) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (int i = 0; o->argv && i < o->argc && o->argv[i]; i++) {
                g_autofree char *q =
                        shell_safe(o->argv[i]) ? g_strdup(o->argv[i]) : g_shell_quote(o->argv[i]);
                g_string_append_printf(s, "%s%s", i ? " " : "", q);
        }
        return o->argv ? g_string_free(g_steal_pointer(&s), FALSE) : NULL;
}

bool report_segment_tampered(const report_facts *f, const verify_segment *s) {
        return g_strcmp0(s->status, "TAMPERED") == 0 || g_hash_table_contains(f->tampered, s->g->name);
}

static int64_t segment_end(const custody_manifest_segment *g) {
        int64_t end = g->media_start_ns + g->duration_ns;
        return g->truncated && g->checkpoint_media_ns > end ? g->checkpoint_media_ns : end;
}

static void append_stretch(GString *s, GArray *a, const char *what, const custody_manifest_segment *g) {
        report_stretch st = {g->name, g->media_start_ns, segment_end(g)};
        g_autofree char *from = report_media_time(st.start_ns), *to = report_media_time(st.end_ns);

        g_array_append_val(a, st);
        g_string_append_printf(s, "%s%s (media %s\u2013%s)", s->len ? "; " : "", what, from, to);
}

/* TAMPERED: which media it concerns, and what to do. */
static void tampered_facts(report_facts *f, const verify_ctx *c) {
        g_autoptr(GString) s = g_string_new(NULL);
        const verify_finding *other = NULL;
        bool copies_only = true;

        for (size_t i = 0; i < c->n_segs; i++)
                if (report_segment_tampered(f, &c->segs[i]))
                        append_stretch(s, f->stretches, c->segs[i].g->name, c->segs[i].g);
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *x = c->findings->pdata[i];
                const custody_manifest_segment *g =
                        x->file ? g_hash_table_lookup(f->by_name, x->file) : NULL;
                bool copy = g_strcmp0(x->entry, "--media") == 0;
                if (x->warning || x->verdict != VERIFY_TAMPERED)
                        continue;
                copies_only &= copy;
                if (copy && g && g_strcmp0(x->file, g->plaintext_name) == 0) {
                        g_autofree char *what = g_strdup_printf("working copy %s", g->plaintext_name);
                        append_stretch(s, f->stretches, what, g);
                } else if (!copy && !g && !other)
                        other = x;
        }
        if (other)
                g_string_append_printf(
                        s,
                        "%s%s fails under the device's key, so no stretch of this copy of the "
                        "session can be relied on",
                        s->len ? "; and " : "", other->file ? other->file : "the session");
        if (s->len == 0)
                g_string_append(s, "see the findings");
        f->affected = g_string_free(g_steal_pointer(&s), FALSE);
        f->next_step = copies_only ? "make the working copy again from the vault copy (studio-export) and "
                                     "check that copy"
                                   : "fetch the session again from the vault and verify that copy";
}

static int64_t usec_of(const char *rfc3339) {
        g_autoptr(GDateTime) t = report_parse_utc(rfc3339);
        return t ? g_date_time_to_unix(t) * G_USEC_PER_SEC + g_date_time_get_microsecond(t) : 0;
}

static void lookups(report_facts *f, const verify_ctx *c) {
        f->tampered = g_hash_table_new(g_str_hash, g_str_equal);
        f->by_name = g_hash_table_new(g_str_hash, g_str_equal);
        f->walls = g_array_new(FALSE, TRUE, sizeof(int64_t));
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *x = c->findings->pdata[i];
                if (!x->warning && x->verdict == VERIFY_TAMPERED && x->file &&
                    g_strcmp0(x->entry, "--media") != 0)
                        g_hash_table_add(f->tampered, x->file);
        }
        for (size_t i = 0; c->m && i < c->m->n_segments; i++) {
                custody_manifest_segment *g = &c->m->segments[i];
                int64_t span[2] = {usec_of(g->wall_start), usec_of(g->wall_end)};
                g_hash_table_insert(f->by_name, g->name, g);
                g_hash_table_insert(f->by_name, g->plaintext_name, g);
                g_array_append_vals(f->walls, span, 2);
        }
}

void report_facts_init(report_facts *f, const verify_ctx *c) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        const verify_options *o = c->opt;
        uint8_t d[SHA256_LEN];

        *f = (report_facts){0};
        f->stretches = g_array_new(FALSE, FALSE, sizeof(report_stretch));
        lookups(f, c);
        report_zones_init(f, c);
        f->checked_utc = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
        f->checked_local = report_local_datetime(now, true);
        /* studio-export checks the folder through /proc/self/fd: no name to show */
        if (o->dir && !g_str_has_prefix(o->dir, "/proc/self/fd/"))
                f->folder = g_canonicalize_filename(o->dir, NULL);
        f->command = command_line(o);
        if (c->have_key) {
                f->public_key = minisign_public_to_base64(&c->key);
                minisign_key_id_hex(c->key.key_id, f->key_id);
        }
        if (o->registry && sha256_file(o->registry, d, NULL) >= 0)
                sha256_hex(d, f->registry_sha256);
        if (c->m) {
                report_end_init(f, c);
                f->started = report_times(f, c->m->started_utc);
                f->ended = report_times(f, f->end_utc);
                f->closed = f->closed_utc ? report_times(f, f->closed_utc) : NULL;
                for (size_t i = 0; i < c->m->n_segments; i++)
                        f->media_ns += c->m->segments[i].duration_ns;
        }
        for (size_t i = 0; i < c->n_segs; i++)
                f->decrypted += c->segs[i].age_verdict != NULL;
        f->content_checked = o->identity && c->n_segs > 0 && f->decrypted == c->n_segs;
        if (c->verdict == VERIFY_TAMPERED)
                tampered_facts(f, c);
}

void report_facts_done(report_facts *f) {
        g_free(f->checked_utc), g_free(f->checked_local), g_free(f->folder), g_free(f->command);
        g_free(f->public_key), g_free(f->started), g_free(f->ended), g_free(f->affected);
        g_free(f->closed);
        report_zones_done(f);
        g_array_unref(f->stretches), g_array_unref(f->walls);
        g_hash_table_unref(f->tampered), g_hash_table_unref(f->by_name);
}

/* ---- events in media time ------------------------------------------- */

/* A UTC time placed in media time by the segments' wall-clock spans. */
static bool media_of_utc(const report_facts *f, const verify_ctx *c, const char *utc, int64_t *ret) {
        const custody_manifest *m = c->m;
        int64_t t = usec_of(utc);

        if (t == 0 || !m || m->n_segments == 0)
                return false;
        for (size_t i = 0; i < m->n_segments; i++) {
                const custody_manifest_segment *g = &m->segments[i];
                int64_t ws = g_array_index(f->walls, int64_t, 2 * i),
                        we = g_array_index(f->walls, int64_t, 2 * i + 1);
                if (ws == 0 || we == 0)
                        continue;
                if (t < ws) {
                        *ret = g->media_start_ns;
                        return true;
                }
                if (t <= we) {
                        *ret = g->media_start_ns + MIN((t - ws) * 1000, g->duration_ns);
                        return true;
                }
        }
        *ret = segment_end(&m->segments[m->n_segments - 1]);
        return true;
}

bool report_event_media_ns(const report_facts *f, const verify_ctx *c, const verify_event_row *r,
                           int64_t *ret) {
        const char *ev = r->event;

        if (strcmp(ev, "mark") == 0 || strcmp(ev, "break") == 0 || strcmp(ev, "resume") == 0)
                return r->detail && g_str_has_prefix(r->detail, "at ") &&
                       parse_media_time(r->detail + 3, ret);
        if (strcmp(ev, "recovery") == 0 && c->m) {
                /* the crash: where the open segment stops being verifiable */
                for (size_t i = c->m->n_segments; i-- > 0;)
                        if (c->m->segments[i].truncated) {
                                *ret = c->m->segments[i].checkpoint_media_ns;
                                return true;
                        }
        }
        if (strcmp(ev, "fault") == 0 || strcmp(ev, "recovery") == 0)
                return media_of_utc(f, c, r->utc, ret);
        return false;
}

/* ---- working copies ------------------------------------------------- */

char *report_media_copy(const verify_ctx *c, size_t i, bool *ret_ok) {
        const char *path = c->opt->media[i];
        g_autofree char *base = g_path_get_basename(path);
        const custody_manifest_segment *g = NULL;

        *ret_ok = false;
        for (guint k = 0; k < c->findings->len; k++) {
                const verify_finding *f = c->findings->pdata[k];
                if (g_strcmp0(f->entry, "--media") == 0 && g_strcmp0(f->file, base) == 0)
                        return g_strdup_printf("NOT the same: %s", f->text);
        }
        for (size_t k = 0; c->m && k < c->m->n_segments; k++)
                if (g_strcmp0(c->m->segments[k].plaintext_name, base) == 0)
                        g = &c->m->segments[k];
        if (g && g->truncated)
                return g_strdup_printf(
                        "not checked: %s was cut short by a crash and has no signed plaintext "
                        "hash",
                        g->plaintext_name);
        *ret_ok = true;
        if (g)
                return g_strdup_printf("checked: the same SHA-256 as %s in the signed manifest",
                                       g->plaintext_name);
        return g_strdup("checked: the same SHA-256 as a segment in the signed manifest");
}

char *report_tracks_line(const custody_manifest *m) {
        g_autoptr(GString) s = NULL;

        if (!m || m->n_tracks == 0)
                return NULL;
        s = g_string_new(NULL);
        for (size_t i = 0; i < m->n_tracks; i++) {
                const custody_manifest_track *t = &m->tracks[i];
                g_string_append_printf(s, "%s%s (%s", i ? ", " : "", t->role, t->label);
                if (t->channel)
                        g_string_append_printf(s, ", channel %" G_GUINT64_FORMAT, t->channel);
                if (t->language)
                        g_string_append_printf(s, ", %s", t->language);
                g_string_append_c(s, ')');
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}
