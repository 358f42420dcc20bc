/* manifest.json must say exactly what the custody log implies. */
#include <errno.h>
#include <string.h>

#include "verify.h"

/* A disagreement on the log's own hash, size or length is the log's fault
 * (the manifest is signed), so it names custody.jsonl. */
static void cmp_str(verify_ctx *c, const char *what, const char *stored, const char *implied) {
        bool about_log = g_str_has_prefix(what, "custody_log");

        if (g_strcmp0(stored, implied) == 0)
                return;
        if (about_log)
                verify_add_hash(
                        c, VERIFY_TAMPERED, "custody.jsonl", what, stored, implied,
                        "custody.jsonl is not the custody log the signed manifest describes (%s differs)",
                        what);
        else
                verify_add_hash(c, VERIFY_TAMPERED, "manifest.json", what, stored, implied,
                                "manifest.json and the custody log disagree on %s", what);
}

static void cmp_u64(verify_ctx *c, const char *what, uint64_t stored, uint64_t implied) {
        if (stored != implied) {
                g_autofree char *a = g_strdup_printf("%" G_GUINT64_FORMAT, stored);
                g_autofree char *b = g_strdup_printf("%" G_GUINT64_FORMAT, implied);
                cmp_str(c, what, a, b);
        }
}

static void cmp_segment(verify_ctx *c, const custody_manifest_segment *a,
                        const custody_manifest_segment *b) {
        g_autofree char *w = g_strdup_printf("segment %s", b->name);
        g_autofree char *f1 = g_strdup_printf("%s name", w), *f2 = g_strdup_printf("%s status", w);
        g_autofree char *f3 = g_strdup_printf("%s sealed_sha256", w),
                        *f4 = g_strdup_printf("%s plaintext_sha256", w);
        g_autofree char *f5 = g_strdup_printf("%s sealed_bytes", w),
                        *f6 = g_strdup_printf("%s plaintext_bytes", w);
        g_autofree char *f7 = g_strdup_printf("%s media_start_ns", w),
                        *f8 = g_strdup_printf("%s duration_ns", w);
        g_autofree char *f9 = g_strdup_printf("%s verified_bytes", w);
        g_autofree char *f10 = g_strdup_printf("%s checkpoint_sealed_sha256", w);

        cmp_str(c, f1, a->name, b->name);
        cmp_str(c, f2, a->truncated ? "truncated" : "complete", b->truncated ? "truncated" : "complete");
        cmp_str(c, f3, a->sealed_sha256, b->sealed_sha256);
        cmp_str(c, f4, a->plaintext_sha256, b->plaintext_sha256);
        cmp_u64(c, f5, a->sealed_bytes, b->sealed_bytes);
        cmp_u64(c, f6, a->plaintext_bytes, b->plaintext_bytes);
        cmp_u64(c, f7, (uint64_t) a->media_start_ns, (uint64_t) b->media_start_ns);
        cmp_u64(c, f8, (uint64_t) a->duration_ns, (uint64_t) b->duration_ns);
        cmp_u64(c, f9, a->verified_bytes, b->verified_bytes);
        cmp_str(c, f10, a->checkpoint_sha256, b->checkpoint_sha256);
}

void verify_check_manifest_vs_log(verify_ctx *c) {
        const custody_manifest *im = c->log.implied;

        if (!c->m || !c->log.read)
                return;
        if (!im) {
                if (c->log.implied_error == -E2BIG)
                        verify_add(c, VERIFY_TAMPERED, "custody.jsonl", NULL,
                                   "the custody log holds more segments or events than a manifest can list "
                                   "(%d segments, %d events), so no recorder wrote it",
                                   CUSTODY_SEGMENTS_MAX, CUSTODY_EVENTS_MAX);
                else if (c->log.implied_error == -EKEYREJECTED)
                        verify_add(c, VERIFY_TAMPERED, "manifest.json", "device_public_key",
                                   "the manifest's device_public_key is not a minisign public key");
                else
                        verify_add(c, VERIFY_TAMPERED, "custody.jsonl", NULL,
                                   "the custody log does not describe a closed session");
                return;
        }
        /* the log's own hash first: when it differs, the other fields differ because of it */
        cmp_str(c, "custody_log sha256", c->m->log_sha256, im->log_sha256);
        cmp_u64(c, "custody_log bytes", c->m->log_bytes, im->log_bytes);
        cmp_u64(c, "custody_log entries", c->m->log_entries, im->log_entries);
        cmp_str(c, "custody_log last_line_sha256", c->m->log_last_line_sha256, im->log_last_line_sha256);
        cmp_str(c, "custody_log first_prev", c->m->log_first_prev, im->log_first_prev);
        cmp_str(c, "session", c->m->session, im->session);
        cmp_str(c, "device_id", c->m->device_id, im->device_id);
        cmp_str(c, "officer", c->m->officer, im->officer);
        cmp_str(c, "room", c->m->room, im->room);
        cmp_str(c, "started_utc", c->m->started_utc, im->started_utc);
        cmp_str(c, "ended_utc", c->m->ended_utc, im->ended_utc);
        cmp_u64(c, "number of segments", c->m->n_segments, im->n_segments);
        for (size_t i = 0; i < MIN(c->m->n_segments, im->n_segments); i++)
                cmp_segment(c, &c->m->segments[i], &im->segments[i]);
}
