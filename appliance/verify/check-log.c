/* The custody log, in one streaming pass: every entry's signature (on
 * every core), the hash chain, contiguous seq, monotonic time; and what
 * the other checks and the report need of it (the manifest it implies,
 * the timeline, checkpoint ordinals, breaks between segments). Memory is
 * bounded by what the report lists, never by the log's length. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sigcheck.h"
#include "verify.h"

#define LOG "custody.jsonl"

typedef struct log_note {
        unsigned line_no;
        verify_verdict verdict;
        bool warning;
        char *entry, *text, *stored, *computed;
} log_note;

typedef struct prev_entry {
        uint64_t seq;
        int64_t mono_ns;
        char utc[CUSTODY_UTC_LEN + 1];
        custody_event event;
        char hash[SHA256_HEX_LEN + 1];
} prev_entry;

typedef struct log_pass {
        verify_ctx *c;
        GArray *notes; /* log_note, in line order, at most VERIFY_LOG_FINDINGS_MAX */
        uint64_t omitted;
        verify_verdict omitted_verdict;
        bool omitted_only_warnings;
        prev_entry prev;
        bool have_prev, first_is_fragment, saw_entry, start_checked;
        custody_manifest_builder *builder;
        verify_sigcheck *sigs;
        GHashTable *wanted_cp; /* checkpoint seq (as pointer) -> segment name, from the manifest */
        uint64_t checkpoints;
        bool in_break, resumed;
} log_pass;

static void note(log_pass *p, unsigned line_no, verify_verdict v, bool warning, const char *entry,
                 const char *stored, const char *computed, char *text) {
        if (p->notes->len >= VERIFY_LOG_FINDINGS_MAX) {
                p->omitted++;
                p->omitted_verdict = MAX(p->omitted_verdict, v);
                p->omitted_only_warnings &= warning;
                g_free(text);
                return;
        }
        log_note n = {.line_no = line_no,
                      .verdict = v,
                      .warning = warning,
                      .entry = g_strdup(entry),
                      .text = text,
                      .stored = g_strdup(stored),
                      .computed = g_strdup(computed)};
        g_array_append_val(p->notes, n);
}

static char *where_of(unsigned line_no, uint64_t seq, custody_event ev) {
        return g_strdup_printf("line %u (seq %" G_GUINT64_FORMAT ", %s)", line_no, seq,
                               custody_event_to_string(ev));
}

static void check_chain(log_pass *p, const custody_entry *e) {
        const prev_entry *prev = &p->prev;
        g_autofree char *where = where_of(e->line_no, e->seq, e->event);

        if (!p->have_prev)
                return;
        if (strcmp(e->prev, prev->hash) != 0)
                note(p, e->line_no, VERIFY_TAMPERED, false, where, e->prev, prev->hash,
                     g_strdup("\"prev\" is not the hash of the line before it"));
        if (e->seq != prev->seq + 1)
                note(p, e->line_no, VERIFY_TAMPERED, false, where, NULL, NULL,
                     g_strdup_printf("seq %" G_GUINT64_FORMAT " follows seq %" G_GUINT64_FORMAT, e->seq,
                                     prev->seq));
        if (e->mono_ns < prev->mono_ns) {
                if (e->event == CUSTODY_EV_RECOVERY || prev->event == CUSTODY_EV_RECOVERY)
                        note(p, e->line_no, VERIFY_INTACT, true, where, NULL, NULL,
                             g_strdup("monotonic clock restarted (the device rebooted after a crash)"));
                else
                        note(p, e->line_no, VERIFY_TAMPERED, false, where, NULL, NULL,
                             g_strdup("monotonic time runs backwards"));
        }
        if (strcmp(e->utc, prev->utc) < 0)
                note(p, e->line_no, VERIFY_INTACT, true, where, NULL, NULL,
                     g_strdup_printf("wall clock jumped back from %s to %s (clock change, not tampering)",
                                     prev->utc, e->utc));
}

/* A log begins with session-start; or, when the power failed while that
 * first line was written, with the partial line and the recovery entry that
 * declares it (recovery never rewrites a line). A fragment has no event of
 * its own, so it is never taken for the start. */
static void check_start(log_pass *p, const custody_entry *first_whole) {
        if (first_whole && first_whole->event == CUSTODY_EV_SESSION_START && !p->first_is_fragment)
                return;
        if (first_whole && first_whole->event == CUSTODY_EV_RECOVERY && p->first_is_fragment)
                note(p, 1, VERIFY_INCOMPLETE, false, "line 1", NULL, NULL,
                     g_strdup("the session-start entry was cut short by a crash; the recovery entry after "
                              "it closes a session that never began recording"));
        else
                note(p, 1, VERIFY_TAMPERED, false, "line 1", NULL, NULL,
                     g_strdup("the log does not begin with session-start"));
}

/* What the other checks need: checkpoint ordinals the manifest names, and
 * whether a break and resume were logged before each sealed segment. */
static void track(log_pass *p, const custody_entry *e) {
        verify_log *l = &p->c->log;
        const char *seg = custody_entry_str(e, "segment");

        if (e->event == CUSTODY_EV_RECOVERY && !*l->recovery_utc)
                g_strlcpy(l->recovery_utc, e->utc, sizeof(l->recovery_utc));
        else if (!*l->recovery_utc)
                g_strlcpy(l->last_signed_utc, e->utc, sizeof(l->last_signed_utc));
        switch (e->event) {
        case CUSTODY_EV_SESSION_START:
                if (!l->time_zone && verify_time_zone_valid(custody_entry_str(e, "time_zone")))
                        l->time_zone = g_strdup(custody_entry_str(e, "time_zone"));
                break;
        case CUSTODY_EV_CHECKPOINT: {
                const char *want = g_hash_table_lookup(p->wanted_cp, GSIZE_TO_POINTER(e->seq));
                g_strlcpy(l->last_checkpoint_utc, e->utc, sizeof(l->last_checkpoint_utc));
                p->checkpoints++;
                if (want && g_strcmp0(want, seg) == 0)
                        g_hash_table_insert(l->cp_ordinal, GSIZE_TO_POINTER(e->seq),
                                            GSIZE_TO_POINTER(p->checkpoints));
                break;
        }
        case CUSTODY_EV_BREAK:
                p->in_break = true;
                break;
        case CUSTODY_EV_RESUME:
                p->resumed |= p->in_break;
                break;
        case CUSTODY_EV_SEGMENT_SEALED:
                if (p->resumed)
                        g_hash_table_add(l->break_before, g_strdup(seg));
                p->resumed = p->in_break = false;
                break;
        default:
                break;
        }
}

/* A row of the timeline; a mark's sealed note is opened here (--identity),
 * only for the rows kept, so the cost stays bounded. A note that does not
 * open is a warning: the entry's signature already covers its ciphertext,
 * so the verdict stands. */
static void add_row(log_pass *p, const custody_entry *e) {
        verify_log *l = &p->c->log;
        g_autofree char *error = NULL, *shown = NULL;
        bool sealed = false, opened = false;

        if (l->timeline->len >= VERIFY_TIMELINE_MAX) {
                g_autofree char *detail = verify_entry_detail(e, NULL);
                if (detail)
                        l->timeline_omitted++;
                return;
        }
        shown = verify_entry_note(e, (const uint8_t(*)[32]) p->c->sks, p->c->n_sks, &sealed, &opened,
                                  &error);
        char *detail = verify_entry_detail(e, shown);
        if (!detail)
                return;
        if (error) {
                g_autofree char *where = where_of(e->line_no, e->seq, e->event);
                note(p, e->line_no, VERIFY_INTACT, true, where, NULL, NULL,
                     g_strdup_printf("the sealed note of this %s does not open with --identity: %s (the "
                                     "entry's signature covers the note as stored, so the verdict stands)",
                                     custody_event_to_string(e->event), error));
        }
        verify_event_row *r = g_new0(verify_event_row, 1);
        r->utc = g_strdup(e->utc);
        r->event = g_strdup(custody_event_to_string(e->event));
        r->detail = detail;
        r->source = verify_entry_source(e);
        r->seq = e->seq;
        r->note_sealed = sealed;
        r->note_opened = opened;
        r->note = opened || !sealed ? g_steal_pointer(&shown) : NULL;
        g_ptr_array_add(l->timeline, r);
}

static void on_entry(log_pass *p, const custody_entry *e) {
        verify_log *l = &p->c->log;

        if (!p->saw_entry) {
                p->saw_entry = true;
                p->first_is_fragment = e->fragment;
        }
        custody_manifest_builder_add(p->builder, e);
        if (e->fragment) {
                g_autofree char *where = g_strdup_printf("line %u", e->line_no);
                note(p, e->line_no, VERIFY_INTACT, true, where, NULL, NULL,
                     g_strdup_printf("a partial line of %zu bytes left by the crash, declared by the "
                                     "recovery entry that follows",
                                     e->len));
                return;
        }
        if (!p->start_checked) {
                p->start_checked = true;
                check_start(p, e);
                memcpy(l->first_prev, e->prev, sizeof(l->first_prev));
        }
        if (p->sigs)
                verify_sigcheck_add(p->sigs, e);
        check_chain(p, e);
        track(p, e);
        add_row(p, e);
        l->entries++;
        memcpy(l->last_hash, e->hash, sizeof(l->last_hash));
        p->prev = (prev_entry){.seq = e->seq, .mono_ns = e->mono_ns, .event = e->event};
        memcpy(p->prev.utc, e->utc, sizeof(p->prev.utc));
        memcpy(p->prev.hash, e->hash, sizeof(p->prev.hash));
        p->have_prev = true;
}

static void emit(verify_ctx *c, const log_note *n) {
        if (n->warning)
                verify_warn(c, LOG, n->entry, "%s", n->text);
        else if (n->stored || n->computed)
                verify_add_hash(c, n->verdict, LOG, n->entry, n->stored, n->computed, "%s", n->text);
        else
                verify_add(c, n->verdict, LOG, n->entry, "%s", n->text);
}

/* The findings in line order, signature failures among them; the first
 * VERIFY_LOG_FINDINGS_MAX are listed and the rest counted in one. */
static void emit_all(log_pass *p, GArray *bad_sigs) {
        guint i = 0, k = 0, listed = 0;

        while (i < p->notes->len || k < bad_sigs->len) {
                const log_note *n = i < p->notes->len ? &g_array_index(p->notes, log_note, i) : NULL;
                const verify_sig_bad *b =
                        k < bad_sigs->len ? &g_array_index(bad_sigs, verify_sig_bad, k) : NULL;
                bool take_sig = b && (!n || b->line_no <= n->line_no);
                if (listed >= VERIFY_LOG_FINDINGS_MAX) {
                        p->omitted++;
                        p->omitted_verdict =
                                MAX(p->omitted_verdict, take_sig ? VERIFY_TAMPERED : n->verdict);
                        p->omitted_only_warnings &= !take_sig && n->warning;
                } else if (take_sig) {
                        g_autofree char *where = where_of(b->line_no, b->seq, b->event);
                        verify_add(p->c, VERIFY_TAMPERED, LOG, where,
                                   "the entry's signature does not verify");
                } else
                        emit(p->c, n);
                listed++;
                take_sig ? k++ : i++;
        }
        if (p->omitted == 0)
                return;
        if (p->omitted_only_warnings)
                verify_warn(p->c, LOG, NULL,
                            "%" G_GUINT64_FORMAT " further warnings about the log are not listed",
                            p->omitted);
        else
                verify_add(p->c, p->omitted_verdict, LOG, NULL,
                           "%" G_GUINT64_FORMAT
                           " further findings about the log are not listed (the first %d are)",
                           p->omitted, VERIFY_LOG_FINDINGS_MAX);
}

static void note_free(gpointer p) {
        log_note *n = p;
        g_free(n->entry), g_free(n->text), g_free(n->stored), g_free(n->computed);
}

static void pass_init(log_pass *p, verify_ctx *c) {
        verify_log *l = &c->log;

        *p = (log_pass){.c = c, .omitted_only_warnings = true};
        p->notes = g_array_new(FALSE, FALSE, sizeof(log_note));
        g_array_set_clear_func(p->notes, note_free);
        p->builder = custody_manifest_builder_new();
        p->sigs = c->have_key ? verify_sigcheck_new(&c->key) : NULL;
        p->wanted_cp = g_hash_table_new(g_direct_hash, g_direct_equal);
        for (size_t i = 0; c->m && i < c->m->n_segments; i++)
                if (c->m->segments[i].truncated)
                        g_hash_table_insert(p->wanted_cp, GSIZE_TO_POINTER(c->m->segments[i].checkpoint_seq),
                                            c->m->segments[i].name);
        l->timeline = g_ptr_array_new_with_free_func(verify_event_row_free);
        l->break_before = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        l->cp_ordinal = g_hash_table_new(g_direct_hash, g_direct_equal);
}

static void pass_done(log_pass *p) {
        g_array_unref(p->notes);
        custody_manifest_builder_free(p->builder);
        g_hash_table_unref(p->wanted_cp);
}

/* The manifest the log implies, for the manifest check. */
static void imply_manifest(log_pass *p, custody_log_reader *r) {
        verify_log *l = &p->c->log;
        g_autofree char *text = NULL;
        char sha[SHA256_HEX_LEN + 1];
        minisign_public pk;
        size_t len = 0, trailing = 0;

        if (!p->c->m)
                return;
        if (minisign_public_parse(p->c->m->device_public_key, &pk) < 0) {
                l->implied_error = -EKEYREJECTED;
                return;
        }
        custody_log_reader_sha256(r, sha);
        (void) custody_log_reader_trailing(r, &trailing);
        l->implied_error = custody_manifest_builder_finish(p->builder, &pk, custody_log_reader_bytes(r), sha,
                                                           trailing, &text, &len);
        if (l->implied_error >= 0)
                l->implied = g_steal_pointer(&text);
}

static void check_end(log_pass *p, custody_log_reader *r) {
        size_t trailing = 0;

        (void) custody_log_reader_trailing(r, &trailing);
        if (trailing > 0)
                verify_add(p->c, VERIFY_TAMPERED, LOG, "end",
                           "the log ends in %zu bytes that are not a whole line", trailing);
        else if (p->have_prev && p->prev.event != CUSTODY_EV_STOP)
                verify_add(p->c, VERIFY_INCOMPLETE, LOG, "end", "the log does not end with a stop entry");
}

void verify_check_log(verify_ctx *c) {
        g_autofree char *err = NULL;
        const custody_entry *e = NULL;
        custody_log_reader *r = NULL;
        GArray *bad = NULL;
        log_pass p;
        int fd = verify_open(c, LOG, NULL), k;

        if (fd < 0)
                return; /* missing or not a regular file: reported by the file check */
        pass_init(&p, c);
        r = custody_log_reader_new(fd);
        while ((k = custody_log_reader_next(r, &e, &err)) > 0)
                on_entry(&p, e);
        bad = p.sigs ? verify_sigcheck_finish(p.sigs) : g_array_new(FALSE, FALSE, sizeof(verify_sig_bad));
        if (bad->len > 0 && bad->len == c->log.entries && !c->key_from_session) {
                /* a session that names no key, checked under one only the
                 * examiner gave: not one entry is that key's */
                verify_add(c, VERIFY_UNTRUSTED_KEY, LOG, NULL,
                           "no entry of the custody log verifies under the given key: it was signed by "
                           "another key");
                g_array_set_size(bad, 0);
        }
        if (k < 0) {
                /* what was found before the bad line still counts */
                emit_all(&p, bad);
                if (k == -EBADMSG || k == -EFBIG)
                        verify_add(c, VERIFY_TAMPERED, LOG, NULL, "the custody log is malformed: %s",
                                   err ? err : g_strerror(-k));
                else
                        verify_add(c, VERIFY_INCOMPLETE, LOG, NULL, "the custody log cannot be read: %s",
                                   g_strerror(-k));
        } else {
                c->log.read = true;
                c->log.bytes = custody_log_reader_bytes(r);
                custody_log_reader_sha256(r, c->log.sha256);
                if (!p.start_checked)
                        check_start(&p, NULL);
                emit_all(&p, bad);
                check_end(&p, r);
                imply_manifest(&p, r);
        }
        if (c->log.timeline_omitted > 0) {
                verify_event_row *row = g_new0(verify_event_row, 1);
                row->utc = g_strdup("");
                row->event = g_strdup("…");
                row->detail =
                        g_strdup_printf("%" G_GUINT64_FORMAT " more events are not listed here (see %s)",
                                        c->log.timeline_omitted, LOG);
                g_ptr_array_add(c->log.timeline, row);
        }
        g_array_unref(bad);
        custody_log_reader_free(r);
        pass_done(&p);
        (void) close(fd);
}
