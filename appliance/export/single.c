/* Single sealed files given on their own: each is decrypted exactly as
 * stock `age -d` would (the community age test vectors rely on it), into
 * the output folder under the same rules as a session. No custody is
 * checked: a file on its own carries none. */
#include <string.h>
#include <sys/stat.h>

#include "export.h"
#include "fsutil.h"
#include "log.h"

/* Whether what was decrypted is kept: a whole file, or with --salvage
 * the authentic part of a truncated one; the reason logged when not. */
static bool output_kept(const export_options *opt, const char *input, const age_read_result *res) {
        if (res->verdict == AGE_TRUNCATED && opt->salvage && res->plaintext_bytes == 0) {
                /* cut before its first chunk: an empty file would only mislead */
                log_error("%s: truncated: nothing authentic to salvage: %s", input, res->detail);
                return false;
        }
        if (res->verdict == AGE_OK || (res->verdict == AGE_TRUNCATED && opt->salvage))
                return true;
        log_error("%s: %s: %s", input, age_verdict_to_string(res->verdict), res->detail);
        return false;
}

/* The line that says what was written where; returns the exit class. */
static int say_written(const export_out *o, const char *input, const char *name, const age_read_result *res,
                       const char *plain_sha) {
        if (res->verdict == AGE_TRUNCATED) {
                export_print("%s: TRUNCATED: salvaged %" G_GUINT64_FORMAT
                             " authentic bytes (%" G_GUINT64_FORMAT " chunks) to %s/%s; %" G_GUINT64_FORMAT
                             " bytes after them unverifiable",
                             input, res->plaintext_bytes, res->intact_chunks, o->path, name,
                             res->unverifiable_bytes);
                return EXPORT_EXIT_SALVAGED;
        }
        export_print("%s: OK: %" G_GUINT64_FORMAT " bytes to %s/%s (plaintext SHA-256 %s)", input,
                     res->plaintext_bytes, o->path, name, plain_sha);
        return EXPORT_EXIT_WHOLE;
}

/* Decrypts one input; returns the exit class for it. */
static int export_one(const export_options *opt, const export_keys *k, const export_out *o,
                      const char *input) {
        g_autofree char *base = g_path_get_basename(input), *name = NULL;
        g_auto(fd_owned) in = -EBADF;
        export_partial part = EXPORT_PARTIAL_NULL;
        age_read_result res = {0};
        char plain_sha[SHA256_HEX_LEN + 1];
        int r;

        /* the user named this path, so a symlink to it is theirs to give;
         * a FIFO or device in its place is refused without blocking */
        in = fs_open_regular(input, NULL);
        if (in < 0) {
                log_error("%s: cannot open: %s", input,
                          in == -EINVAL ? "not a regular file" : g_strerror(-in));
                return EXPORT_EXIT_FAILED;
        }
        name = export_output_name(base, false);
        if (!fs_name_valid(name)) {
                log_error("%s: cannot name its output (rename the file to NAME.age)", input);
                return EXPORT_EXIT_FAILED;
        }
        if (!export_out_name_free(o, name))
                return EXPORT_EXIT_USAGE;
        r = export_partial_new(o, &part);
        if (r < 0) {
                log_error("%s: cannot write into %s: %s (choose a writable --out folder)", input, o->path,
                          g_strerror(-r));
                return EXPORT_EXIT_USAGE;
        }
        r = export_decrypt_fd(k, in, part.fd, &res, plain_sha);
        if (r < 0) {
                log_error("%s: %s", input, g_strerror(-r));
                export_partial_discard(o, &part);
                return EXPORT_EXIT_FAILED;
        }
        if (!output_kept(opt, input, &res)) {
                export_partial_discard(o, &part);
                return EXPORT_EXIT_FAILED;
        }
        if (res.verdict == AGE_TRUNCATED) {
                g_free(name);
                name = export_output_name(base, true);
        }
        r = export_partial_commit(o, &part, name);
        if (r < 0) {
                if (r == -EEXIST)
                        export_out_say_taken(o, name);
                else
                        log_error("%s: cannot write %s/%s: %s", input, o->path, name, g_strerror(-r));
                export_partial_discard(o, &part);
                return EXPORT_EXIT_USAGE;
        }
        return say_written(o, input, name, &res, plain_sha);
}

int export_files_main(const export_options *opt, const export_keys *k, export_out *o, char **inputs,
                      size_t n) {
        int worst = EXPORT_EXIT_WHOLE;

        log_notice("no custody was checked: a single sealed file, not a session folder "
                   "(give the session folder to verify it before it is decrypted)");
        for (size_t i = 0; i < n; i++)
                worst = export_exit_worst(worst, export_one(opt, k, o, inputs[i]));
        return worst;
}
