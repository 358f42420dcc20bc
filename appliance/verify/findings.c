/* Verdicts, exit codes and the list of findings. */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "fsutil.h"

#include "verify.h"

static const char *const verdict_names[_VERIFY_VERDICT_MAX] = {
        [VERIFY_INTACT] = "INTACT",
        [VERIFY_TRUNCATED] = "TRUNCATED",
        [VERIFY_INCOMPLETE] = "INCOMPLETE",
        [VERIFY_UNSIGNED] = "UNSIGNED",
        [VERIFY_UNTRUSTED_KEY] = "UNTRUSTED-KEY",
        [VERIFY_TAMPERED] = "TAMPERED",
};

/* Stable: documented in --help and docs/verifying.md. */
static const int exit_codes[_VERIFY_VERDICT_MAX] = {
        [VERIFY_INTACT] = 0,     [VERIFY_TRUNCATED] = 2, [VERIFY_TAMPERED] = 3,
        [VERIFY_INCOMPLETE] = 4, [VERIFY_UNSIGNED] = 5,  [VERIFY_UNTRUSTED_KEY] = 6,
};

const char *verify_verdict_to_string(verify_verdict v) {
        return v < _VERIFY_VERDICT_MAX ? verdict_names[v] : "ERROR";
}

int verify_verdict_exit_code(verify_verdict v) {
        return v < _VERIFY_VERDICT_MAX ? exit_codes[v] : VERIFY_EXIT_ERROR;
}

static void finding_free(gpointer p) {
        verify_finding *f = p;
        g_free(f->file), g_free(f->entry), g_free(f->text), g_free(f->stored), g_free(f->computed);
        g_free(f);
}

void verify_ctx_init(verify_ctx *c, const verify_options *opt) {
        memset(c, 0, sizeof(*c));
        c->opt = opt;
        c->dirfd = -EBADF;
        c->findings = g_ptr_array_new_with_free_func(finding_free);
}

void verify_ctx_done(verify_ctx *c) {
        g_ptr_array_unref(c->findings);
        custody_manifest_free(c->m);
        g_free(c->log.implied);
        g_free(c->log.time_zone);
        if (c->log.timeline)
                g_ptr_array_unref(c->log.timeline);
        if (c->log.break_before)
                g_hash_table_unref(c->log.break_before);
        if (c->log.cp_ordinal)
                g_hash_table_unref(c->log.cp_ordinal);
        if (c->dirfd >= 0)
                (void) close(c->dirfd);
        g_free(c->segs);
        g_free(c->key_source);
        g_free(c->start_public_key);
        g_free(c->start_utc);
        g_free(c->manifest_text);
        g_free(c->truncated_summary);
        g_strfreev(c->recipients);
        g_free(c->error);
        if (c->sks)
                sodium_free(c->sks);
}

static verify_finding *add(verify_ctx *c, verify_verdict v, const char *file, const char *entry,
                           const char *fmt, va_list ap) {
        verify_finding *f = g_new0(verify_finding, 1);
        f->verdict = v;
        f->file = g_strdup(file);
        f->entry = g_strdup(entry);
        f->text = g_strdup_vprintf(fmt, ap);
        g_ptr_array_add(c->findings, f);
        if (v > c->verdict)
                c->verdict = v;
        return f;
}

void verify_add(verify_ctx *c, verify_verdict v, const char *file, const char *entry, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        add(c, v, file, entry, fmt, ap);
        va_end(ap);
}

void verify_add_hash(verify_ctx *c, verify_verdict v, const char *file, const char *entry,
                     const char *stored, const char *computed, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        verify_finding *f = add(c, v, file, entry, fmt, ap);
        va_end(ap);
        f->stored = g_strdup(stored);
        f->computed = g_strdup(computed);
}

void verify_warn(verify_ctx *c, const char *file, const char *entry, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        verify_finding *f = add(c, VERIFY_INTACT, file, entry, fmt, ap);
        va_end(ap);
        f->warning = true;
}

int verify_fail(verify_ctx *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        g_free(c->error);
        c->error = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return -EINVAL;
}

bool verify_session_file(const verify_ctx *c, const char *name) {
        mode_t mode = 0;
        return fs_kindat(c->dirfd, name, &mode) == 0 && S_ISREG(mode);
}

int verify_open(const verify_ctx *c, const char *name, struct stat *ret_st) {
        return fs_openat_regular(c->dirfd, name, ret_st);
}

const char *verify_unusable_why(int error) {
        switch (error) {
        case -ELOOP:
                return "is a symbolic link; it is not followed";
        case -EISDIR:
                return "is a folder, not a file";
        case -EINVAL:
                return "is not a regular file (a FIFO, socket or device); it is not read";
        case -ENOENT:
                return "is missing";
        default:
                return "cannot be read";
        }
}

const verify_finding *verify_first_of_verdict(const verify_ctx *c) {
        for (guint i = 0; i < c->findings->len; i++) {
                const verify_finding *f = c->findings->pdata[i];
                if (f->verdict == c->verdict && !f->warning)
                        return f;
        }
        return NULL;
}

/* HH:MM:SS.mmm: a checkpoint at 41:17.9 is not "intact through 41:17". */
char *verify_format_media_ns(int64_t ns) {
        int64_t ms = ns / 1000000, s = ms / 1000;
        return g_strdup_printf("%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT
                               ".%03" G_GINT64_FORMAT,
                               s / 3600, s / 60 % 60, s % 60, ms % 1000);
}
