/* The folder's files: nothing missing, nothing unlisted, each sealed
 * segment's SHA-256 and size, truncated segments against their last
 * checkpoint, and media continuity. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "verify.h"

#define FRAME_TOLERANCE_NS (50 * 1000000LL)

static const char *const fixed_files[] = {
        "manifest.json",     "manifest.json.minisig",     "SHA256SUMS",   "SHA256SUMS.minisig",
        "SHA256SUMS.sealed", "SHA256SUMS.sealed.minisig", "custody.jsonl"};

/* Every name the folder may hold, for the listing check: a hash set, so
 * a folder of any size is checked in linear time. */
static GHashTable *listed_names(const verify_ctx *c) {
        GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);

        for (size_t i = 0; i < G_N_ELEMENTS(fixed_files); i++)
                g_hash_table_add(h, (gpointer) fixed_files[i]);
        for (size_t i = 0; c->m && i < c->m->n_segments; i++)
                g_hash_table_add(h, c->m->segments[i].name);
        return h;
}

static void check_fixed(verify_ctx *c) {
        for (size_t i = 0; i < G_N_ELEMENTS(fixed_files); i++) {
                const char *f = fixed_files[i];
                mode_t mode = 0;
                int r = fs_kindat(c->dirfd, f, &mode);
                if (g_str_has_suffix(f, ".minisig"))
                        continue; /* a missing signature is UNSIGNED: the signature check */
                if (r < 0)
                        verify_add(c, VERIFY_INCOMPLETE, f, NULL, "%s is missing", f);
                else if (!S_ISREG(mode))
                        verify_add(
                                c, VERIFY_INCOMPLETE, f, NULL,
                                "%s is not a regular file (%s), so the session has no usable %s; it was not "
                                "followed or read: copy the session again from the vault",
                                f, fs_kind_name(mode), f);
        }
}

void verify_check_files(verify_ctx *c) {
        g_autoptr(GHashTable) listed = listed_names(c);
        g_auto(GStrv) names = NULL;
        uint64_t unlisted = 0;
        int r;

        check_fixed(c);
        r = fs_list_namesat(c->dirfd, VERIFY_FOLDER_MAX, &names);
        if (r == -E2BIG) {
                verify_add(c, VERIFY_INCOMPLETE, NULL, NULL,
                           "the session folder holds more than %zu files, more than any session has: "
                           "copy the session again from the vault",
                           (size_t) VERIFY_FOLDER_MAX);
                return;
        }
        if (r < 0) {
                verify_add(c, VERIFY_INCOMPLETE, NULL, NULL, "the session folder cannot be listed: %s",
                           g_strerror(-r));
                return;
        }
        for (char **n = names; *n; n++) {
                if (g_hash_table_contains(listed, *n))
                        continue;
                /* without a manifest nothing lists the segments: the missing
                 * manifest is the finding, not each segment */
                if (!c->m && custody_segment_name_valid(*n))
                        continue;
                /* a folder stuffed with files must not bury the report */
                if (++unlisted <= VERIFY_UNLISTED_MAX)
                        verify_add(c, VERIFY_INCOMPLETE, *n, NULL,
                                   "%s is in the folder but not in the manifest", *n);
        }
        if (unlisted > VERIFY_UNLISTED_MAX)
                verify_add(c, VERIFY_INCOMPLETE, NULL, NULL,
                           "%" G_GUINT64_FORMAT " more files are in the folder but not in the manifest (the "
                           "first %d are named above)",
                           unlisted - VERIFY_UNLISTED_MAX, VERIFY_UNLISTED_MAX);
}

/* The size is compared with the signed manifest before a byte is hashed:
 * a sparse file of 200 GB where 2 MB belong is refused at once. */
static bool size_ok(verify_ctx *c, verify_segment *s, const struct stat *st, const char *what) {
        s->size = (uint64_t) st->st_size;
        if (s->size == s->g->sealed_bytes)
                return true;
        verify_add(c, VERIFY_TAMPERED, s->g->name, NULL,
                   "%s is %" G_GUINT64_FORMAT " bytes, %s says %" G_GUINT64_FORMAT " (not hashed)",
                   s->g->name, s->size, what, s->g->sealed_bytes);
        s->status = "TAMPERED";
        return false;
}

static void check_complete(verify_ctx *c, verify_segment *s, int fd, const struct stat *st) {
        uint8_t d[SHA256_LEN];
        int r;

        if (!size_ok(c, s, st, "the manifest"))
                return;
        r = sha256_fd(fd, d, &s->size);
        if (r < 0) {
                verify_add(c, VERIFY_INCOMPLETE, s->g->name, NULL, "cannot read %s: %s", s->g->name,
                           g_strerror(-r));
                s->status = "unreadable";
                return;
        }
        sha256_hex(d, s->sealed_sha256);
        s->checked = true;
        if (strcmp(s->sealed_sha256, s->g->sealed_sha256) != 0 || s->size != s->g->sealed_bytes) {
                verify_add_hash(c, VERIFY_TAMPERED, s->g->name, NULL, s->g->sealed_sha256, s->sealed_sha256,
                                "the SHA-256 of %s differs from the manifest", s->g->name);
                s->status = "TAMPERED";
        } else
                s->status = "intact";
}

/* The checkpoint a truncated segment is intact through, as its ordinal
 * in the session (1 = the first checkpoint); 0 when the segment has none. */
static uint64_t checkpoint_ordinal(const verify_ctx *c, const custody_manifest_segment *g) {
        gpointer n = c->log.cp_ordinal
                             ? g_hash_table_lookup(c->log.cp_ordinal, GSIZE_TO_POINTER(g->checkpoint_seq))
                             : NULL;
        return GPOINTER_TO_SIZE(n);
}

/* Why the open segment was cut, from the signed stop reason. */
static const char *cut_cause(const custody_manifest *m) {
        if (g_strcmp0(m->stop_reason, "disk full") == 0)
                return "when the disk filled";
        if (g_strcmp0(m->stop_reason, "recovered after crash") == 0 ||
            g_str_has_prefix(m->stop_reason, "never started"))
                return "when the device crashed or lost power";
        return "when the recording ended on a fault";
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
        verify_add(c, VERIFY_TRUNCATED, s->g->name, entry, "%s was cut short %s: %s", s->g->name,
                   cut_cause(c->m), c->truncated_summary);
        s->status = "truncated";
}

static void check_truncated(verify_ctx *c, verify_segment *s, int fd, const struct stat *st) {
        uint8_t pre[SHA256_LEN], all[SHA256_LEN];
        char pre_hex[SHA256_HEX_LEN + 1];
        bool pre_ok = false;
        int r;

        if (!size_ok(c, s, st, "the state recorded at recovery"))
                return;
        r = custody_sealed_hash(fd, s->g->verified_bytes, pre, all, &s->size, &pre_ok);
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

/* A signed break followed by a resume, logged after segment a was sealed
 * and before b was, explains a gap in media time between them. */
static bool break_between(const verify_ctx *c, const custody_manifest_segment *a,
                          const custody_manifest_segment *b) {
        return !a->truncated && c->log.break_before && g_hash_table_contains(c->log.break_before, b->name);
}

static void check_continuity(verify_ctx *c) {
        for (size_t i = 1; i < c->m->n_segments; i++) {
                const custody_manifest_segment *a = &c->m->segments[i - 1], *b = &c->m->segments[i];
                int64_t gap = b->media_start_ns - (a->media_start_ns + a->duration_ns);
                if (gap > FRAME_TOLERANCE_NS && !break_between(c, a, b))
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

static void check_segment(verify_ctx *c, verify_segment *s) {
        struct stat st;
        int fd = verify_open(c, s->g->name, &st);

        s->present = fd >= 0;
        if (fd == -ENOENT) {
                verify_add(c, VERIFY_INCOMPLETE, s->g->name, NULL,
                           "%s is listed in the manifest but missing", s->g->name);
                s->status = "missing";
        } else if (fd < 0) {
                verify_add(c, VERIFY_INCOMPLETE, s->g->name, NULL,
                           "%s %s: copy the session again from the vault", s->g->name,
                           verify_unusable_why(fd));
                s->status = "unusable";
        } else if (s->g->truncated)
                check_truncated(c, s, fd, &st);
        else
                check_complete(c, s, fd, &st);
        if (fd >= 0)
                (void) close(fd);
}

void verify_check_segments(verify_ctx *c) {
        if (!c->m)
                return;
        c->segs = g_new0(verify_segment, c->m->n_segments);
        c->n_segs = c->m->n_segments;
        for (size_t i = 0; i < c->n_segs; i++) {
                c->segs[i].g = &c->m->segments[i];
                check_segment(c, &c->segs[i]);
        }
        check_continuity(c);
}
