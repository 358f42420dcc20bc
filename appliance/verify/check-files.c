/* The folder's files: nothing missing, nothing unlisted, each sealed
 * segment's SHA-256 and size, truncated segments against their last
 * checkpoint, and media continuity. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verify.h"

#define FRAME_TOLERANCE_NS (50 * 1000000LL)

static const char *const fixed_files[] = {
        "manifest.json",     "manifest.json.minisig",     "SHA256SUMS",   "SHA256SUMS.minisig",
        "SHA256SUMS.sealed", "SHA256SUMS.sealed.minisig", "custody.jsonl"};

static const char *file_kind(mode_t m) {
        return S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : "a device";
}

static bool listed(const verify_ctx *c, const char *name) {
        for (size_t i = 0; i < G_N_ELEMENTS(fixed_files); i++)
                if (strcmp(name, fixed_files[i]) == 0)
                        return true;
        for (size_t i = 0; c->m && i < c->m->n_segments; i++)
                if (strcmp(name, c->m->segments[i].name) == 0)
                        return true;
        return false;
}

void verify_check_files(verify_ctx *c) {
        g_autoptr(GDir) d = g_dir_open(c->opt->dir, 0, NULL);
        const char *n;

        for (size_t i = 0; i < G_N_ELEMENTS(fixed_files); i++) {
                const char *f = fixed_files[i];
                g_autofree char *p = g_build_filename(c->opt->dir, f, NULL);
                struct stat st;
                if (g_str_has_suffix(f, ".minisig"))
                        continue; /* a missing signature is UNSIGNED: the signature check */
                if (stat(p, &st) < 0)
                        verify_add(c, VERIFY_INCOMPLETE, f, NULL, "%s is missing", f);
                else if (!S_ISREG(st.st_mode))
                        verify_add(c, VERIFY_INCOMPLETE, f, NULL,
                                   "%s is not a regular file (%s), so the session has "
                                   "no usable %s: copy the session again from the vault",
                                   f, file_kind(st.st_mode), f);
        }
        while (d && (n = g_dir_read_name(d)))
                if (!listed(c, n))
                        verify_add(c, VERIFY_INCOMPLETE, n, NULL,
                                   "%s is in the folder but not in the manifest", n);
}

static void check_complete(verify_ctx *c, verify_segment *s, const char *path) {
        uint8_t d[SHA256_LEN];
        int r = sha256_file(path, d, &s->size);

        if (r < 0) {
                verify_add(c, VERIFY_INCOMPLETE, s->g->name, NULL, "cannot read %s: %s", s->g->name,
                           g_strerror(-r));
                s->status = "unreadable";
                return;
        }
        sha256_hex(d, s->sealed_sha256);
        s->checked = true;
        if (strcmp(s->sealed_sha256, s->g->sealed_sha256) != 0 || s->size != s->g->sealed_bytes) {
                if (s->size == s->g->sealed_bytes)
                        verify_add_hash(c, VERIFY_TAMPERED, s->g->name, NULL, s->g->sealed_sha256,
                                        s->sealed_sha256, "the SHA-256 of %s differs from the manifest",
                                        s->g->name);
                else
                        verify_add_hash(
                                c, VERIFY_TAMPERED, s->g->name, NULL, s->g->sealed_sha256, s->sealed_sha256,
                                "%s is %" G_GUINT64_FORMAT " bytes, the manifest says %" G_GUINT64_FORMAT,
                                s->g->name, s->size, s->g->sealed_bytes);
                s->status = "TAMPERED";
        } else
                s->status = "intact";
}

/* The checkpoint a truncated segment is intact through, as its ordinal
 * in the session (1 = the first checkpoint); 0 when the segment has none. */
static uint64_t checkpoint_ordinal(const verify_ctx *c, const custody_manifest_segment *g) {
        uint64_t n = 0;

        for (size_t i = 0; c->log && i < c->log->n_entries; i++) {
                const custody_entry *e = &c->log->entries[i];
                if (e->fragment || e->event != CUSTODY_EV_CHECKPOINT)
                        continue;
                n++;
                if (e->seq == g->checkpoint_seq)
                        return g_strcmp0(custody_entry_str(e, "segment"), g->name) == 0 ? n : 0;
        }
        return 0;
}

static void truncated_ok(verify_ctx *c, verify_segment *s) {
        uint64_t n = checkpoint_ordinal(c, s->g);
        g_autofree char *t = verify_format_media_ns(s->g->checkpoint_media_ns);
        g_autofree char *entry =
                n ? g_strdup_printf("checkpoint entry seq %" G_GUINT64_FORMAT, s->g->checkpoint_seq) : NULL;

        g_free(c->truncated_summary);
        if (n)
                c->truncated_summary =
                        g_strdup_printf("intact through checkpoint %" G_GUINT64_FORMAT
                                        " at %s; %" G_GUINT64_FORMAT " bytes after it unverifiable",
                                        n, t, s->g->unverifiable_bytes);
        else
                c->truncated_summary =
                        g_strdup_printf("no checkpoint was signed for %s; all %" G_GUINT64_FORMAT
                                        " bytes after the last sealed segment unverifiable",
                                        s->g->name, s->g->sealed_bytes);
        verify_add(c, VERIFY_TRUNCATED, s->g->name, entry, "%s was open when the device crashed: %s",
                   s->g->name, c->truncated_summary);
        s->status = "truncated";
}

static void check_truncated(verify_ctx *c, verify_segment *s, const char *path) {
        uint8_t pre[SHA256_LEN], all[SHA256_LEN];
        char pre_hex[SHA256_HEX_LEN + 1];
        bool pre_ok = false;
        int fd = open(path, O_RDONLY | O_CLOEXEC), r;

        r = fd < 0 ? -errno : custody_sealed_hash(fd, s->g->verified_bytes, pre, all, &s->size, &pre_ok);
        if (fd >= 0)
                (void) close(fd);
        if (r < 0) {
                verify_add(c, VERIFY_INCOMPLETE, s->g->name, NULL, "cannot read %s: %s", s->g->name,
                           g_strerror(-r));
                s->status = "unreadable";
                return;
        }
        s->checked = true;
        sha256_hex(all, s->sealed_sha256);
        sha256_hex(pre, pre_hex);
        if (!pre_ok || strcmp(pre_hex, s->g->checkpoint_sha256) != 0) {
                g_autofree char *e = g_strdup_printf("checkpoint %" G_GUINT64_FORMAT, s->g->checkpoint_seq);
                verify_add_hash(c, VERIFY_TAMPERED, s->g->name, e, s->g->checkpoint_sha256,
                                pre_ok ? pre_hex : "(file too short)",
                                "the first %" G_GUINT64_FORMAT
                                " bytes of %s do not match checkpoint %" G_GUINT64_FORMAT,
                                s->g->verified_bytes, s->g->name, s->g->checkpoint_seq);
                s->status = "TAMPERED";
        } else if (strcmp(s->sealed_sha256, s->g->sealed_sha256) != 0 || s->size != s->g->sealed_bytes) {
                verify_add_hash(c, VERIFY_TAMPERED, s->g->name, NULL, s->g->sealed_sha256, s->sealed_sha256,
                                "%s differs from the state recorded at recovery", s->g->name);
                s->status = "TAMPERED";
        } else
                truncated_ok(c, s);
}

static const custody_entry *sealed_entry(const verify_ctx *c, const char *name) {
        for (size_t i = 0; i < c->log->n_entries; i++) {
                const custody_entry *e = &c->log->entries[i];
                if (!e->fragment && e->event == CUSTODY_EV_SEGMENT_SEALED &&
                    g_strcmp0(custody_entry_str(e, "segment"), name) == 0)
                        return e;
        }
        return NULL;
}

/* A signed break followed by a resume, logged after segment a was sealed
 * and before b was, explains a gap in media time between them. */
static bool break_between(const verify_ctx *c, const char *a, const char *b) {
        const custody_entry *ea = c->log ? sealed_entry(c, a) : NULL, *eb = ea ? sealed_entry(c, b) : NULL;
        bool in_break = false;

        for (const custody_entry *e = ea; e && e < c->log->entries + c->log->n_entries && e != eb; e++) {
                if (e->fragment)
                        continue;
                if (e->event == CUSTODY_EV_BREAK)
                        in_break = true;
                else if (e->event == CUSTODY_EV_RESUME && in_break)
                        return true;
        }
        return false;
}

static void check_continuity(verify_ctx *c) {
        for (size_t i = 1; i < c->m->n_segments; i++) {
                const custody_manifest_segment *a = &c->m->segments[i - 1], *b = &c->m->segments[i];
                int64_t gap = b->media_start_ns - (a->media_start_ns + a->duration_ns);
                if (gap > FRAME_TOLERANCE_NS && !break_between(c, a->name, b->name))
                        verify_add(c, VERIFY_INCOMPLETE, b->name, "media_start_ns",
                                   "%.3f s of media missing between %s and %s", (double) gap / 1e9, a->name,
                                   b->name);
                else if (gap > FRAME_TOLERANCE_NS)
                        verify_warn(c, b->name, "media_start_ns",
                                    "%.3f s of media between %s and %s fall in a "
                                    "signed break",
                                    (double) gap / 1e9, a->name, b->name);
                else if (gap < -FRAME_TOLERANCE_NS)
                        verify_warn(c, b->name, "media_start_ns", "%s overlaps %s by %.3f s of media time",
                                    b->name, a->name, (double) -gap / 1e9);
        }
}

void verify_check_segments(verify_ctx *c) {
        if (!c->m)
                return;
        c->segs = g_new0(verify_segment, c->m->n_segments);
        c->n_segs = c->m->n_segments;
        for (size_t i = 0; i < c->n_segs; i++) {
                verify_segment *s = &c->segs[i];
                g_autofree char *path = g_build_filename(c->opt->dir, c->m->segments[i].name, NULL);
                s->g = &c->m->segments[i];
                s->present = g_file_test(path, G_FILE_TEST_IS_REGULAR);
                if (!s->present) {
                        verify_add(c, VERIFY_INCOMPLETE, s->g->name, NULL,
                                   "%s is listed in the manifest but missing", s->g->name);
                        s->status = "missing";
                } else if (s->g->truncated)
                        check_truncated(c, s, path);
                else
                        check_complete(c, s, path);
        }
        check_continuity(c);
}
