/* Which files of a session folder are decrypted, and decrypting them. The
 * segments are the ones the manifest lists (verified, unless --no-verify),
 * never whatever a readdir finds; each is opened relative to the folder's
 * descriptor, without following a link, and only if it is a regular file. */
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "log.h"
#include "session.h"

int export_plan_from_manifest(export_session *s, const custody_manifest *m) {
        s->items = g_new0(export_item, m->n_segments ? m->n_segments : 1);
        s->n_items = 0;
        for (size_t i = 0; i < m->n_segments; i++) {
                const custody_manifest_segment *g = &m->segments[i];
                export_item *it = &s->items[s->n_items++];

                *it = (export_item){.name = g_strdup(g->name),
                                    .output = export_output_name(g->name, false),
                                    .from_manifest = true,
                                    .truncated = g->truncated,
                                    .want_sha = g->truncated ? NULL : g->plaintext_sha256,
                                    .sealed_bytes = g->sealed_bytes,
                                    .part = EXPORT_PARTIAL_NULL};
                /* the manifest parser checks both names; they are file names in
                 * --out too, so check again where they are used */
                if (!custody_segment_name_valid(g->name) || g_strcmp0(it->output, g->plaintext_name) != 0) {
                        log_error("the manifest names a segment %s (%s) that is not "
                                  "seg-NNNNNN.mkv.age: fetch the vault copy of the session again",
                                  g->name, g->plaintext_name);
                        return -EBADMSG;
                }
                for (size_t j = 0; j + 1 < s->n_items; j++)
                        if (strcmp(s->items[j].name, g->name) == 0) {
                                log_error("the manifest lists %s twice: fetch the vault copy "
                                          "of the session again",
                                          g->name);
                                return -EBADMSG;
                        }
        }
        return 0;
}

/* --no-verify without a readable manifest: the seg-NNNNNN.mkv.age names in
 * the folder (anything else is ignored); each is still opened only if it
 * is a regular file. */
int export_plan_from_folder(export_session *s) {
        g_auto(GStrv) names = NULL;
        int r = fs_list_namesat(s->fd, EXPORT_FOLDER_MAX, &names);
        guint n;

        if (r < 0)
                return r;
        n = g_strv_length(names);
        s->items = g_new0(export_item, n ? n : 1);
        s->n_items = 0;
        for (guint i = 0; i < n; i++)
                if (custody_segment_name_valid(names[i]))
                        s->items[s->n_items++] = (export_item){.name = g_strdup(names[i]),
                                                               .output = export_output_name(names[i], false),
                                                               .part = EXPORT_PARTIAL_NULL};
        return 0;
}

void export_plan_free(export_session *s) {
        for (size_t i = 0; i < s->n_items; i++) {
                export_partial_discard(s->o, &s->items[i].part);
                g_free(s->items[i].name);
                g_free(s->items[i].output);
                g_free(s->items[i].problem);
        }
        g_free(s->items);
        s->items = NULL;
        s->n_items = 0;
}

static bool fail(export_item *it, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static bool fail(export_item *it, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        g_free(it->problem);
        it->problem = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return false;
}

static bool open_segment(export_session *s, export_item *it, int *ret_fd) {
        struct stat st;
        mode_t mode = 0;
        int fd = fs_openat_regular(s->fd, it->name, &st);

        if (fd == -ENOENT)
                return fail(it, "missing from the session folder");
        if (fd == -ELOOP || fd == -EINVAL || fd == -EISDIR)
                return fail(it, "is %s, not a regular file: only the session's own regular files are read",
                            fs_kindat(s->fd, it->name, &mode) >= 0 ? fs_kind_name(mode) : "not a file");
        if (fd < 0)
                return fail(it, "cannot be opened: %s", g_strerror(-fd));
        if (it->from_manifest && (uint64_t) st.st_size != it->sealed_bytes) {
                (void) close(fd);
                return fail(it,
                            "is %" G_GUINT64_FORMAT " bytes, the manifest says %" G_GUINT64_FORMAT
                            ": it changed since the manifest was written (or checked)",
                            (uint64_t) st.st_size, it->sealed_bytes);
        }
        *ret_fd = fd;
        return true;
}

/* What the age verdict means for this item, given the manifest and --salvage. */
static bool judge(export_session *s, export_item *it) {
        const age_read_result *res = &it->res;

        if (res->verdict == AGE_OK) {
                if (it->truncated)
                        return fail(it, "decrypts whole, but the manifest says it was cut short");
                if (it->want_sha && strcmp(it->sha, it->want_sha) != 0)
                        return fail(it, "its plaintext SHA-256 %s differs from the manifest's %s", it->sha,
                                    it->want_sha);
                it->whole = true;
                return true;
        }
        if (res->verdict != AGE_TRUNCATED)
                return fail(it, "%s: %s", age_verdict_to_string(res->verdict), res->detail);
        if (it->from_manifest && !it->truncated)
                return fail(it, "is cut short (%s), but the manifest says it is complete", res->detail);
        if (!s->opt->salvage)
                return fail(it, "truncated: %s (run with --salvage to keep its authentic prefix)",
                            res->detail);
        if (res->plaintext_bytes == 0)
                return fail(it, "truncated: nothing authentic to salvage: %s", res->detail);
        g_free(it->output);
        it->output = export_output_name(it->name, true);
        it->salvaged = true;
        return true;
}

static bool decrypt_item(export_session *s, export_item *it) {
        g_auto(fd_owned) in = -EBADF;
        int fd = -EBADF, r;

        if (!open_segment(s, it, &fd))
                return false;
        in = fd;
        r = export_partial_new(s->o, &it->part);
        if (r < 0) {
                s->exit_code = EXPORT_EXIT_USAGE;
                return fail(it, "cannot write into %s: %s (choose a writable --out folder)", s->o->path,
                            g_strerror(-r));
        }
        r = export_decrypt_fd(s->k, in, it->part.fd, &it->res, it->sha);
        if (r < 0)
                return fail(it, "cannot decrypt: %s", g_strerror(-r));
        return judge(s, it);
}

bool export_plan_decrypt(export_session *s) {
        for (size_t i = 0; i < s->n_items; i++) {
                export_item *it = &s->items[i];

                if (decrypt_item(s, it))
                        continue;
                log_error("%s: %s", it->name, it->problem);
                /* nothing of the session will be kept: the rest need not be decrypted */
                for (size_t j = i + 1; j < s->n_items; j++)
                        fail(&s->items[j], "not decrypted: %s failed", it->name);
                return false;
        }
        return true;
}
