/* SHA256SUMS and SHA256SUMS.sealed must be what the manifest implies, and
 * the custody log's hash in SHA256SUMS.sealed must match the file. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"
#include "verify.h"

static void check_sums(verify_ctx *c, const char *name, bool sealed) {
        g_autofree char *data = NULL, *want = custody_sums_format(c->m, sealed, NULL);
        size_t len = 0;
        int r = fs_read_fileat(c->dirfd, name, CUSTODY_MANIFEST_MAX, &data, &len);

        if (r == -EFBIG) {
                verify_add(c, VERIFY_TAMPERED, name, NULL, "%s is larger than any session's (%d bytes)",
                           name, CUSTODY_MANIFEST_MAX);
                return;
        }
        if (r < 0)
                return; /* missing or not a regular file: reported by the file check */
        if (len == strlen(want) && memcmp(data, want, len) == 0)
                return;
        g_auto(GStrv) got_lines = g_strsplit(data, "\n", 0);
        g_auto(GStrv) want_lines = g_strsplit(want, "\n", 0);
        for (guint i = 0; got_lines[i] || want_lines[i]; i++) {
                if (got_lines[i] && want_lines[i] && strcmp(got_lines[i], want_lines[i]) == 0)
                        continue;
                g_autofree char *e = g_strdup_printf("line %u", i + 1);
                verify_add_hash(c, VERIFY_TAMPERED, name, e, got_lines[i] ? got_lines[i] : "(none)",
                                want_lines[i] ? want_lines[i] : "(none)", "%s does not match the manifest",
                                name);
                return;
        }
}

/* The custody log's SHA-256 as it is now: from the log pass, or hashed
 * here when the pass stopped at a malformed line. */
static bool log_sha256(verify_ctx *c, char out[SHA256_HEX_LEN + 1]) {
        struct stat st;
        uint8_t d[SHA256_LEN];
        int fd;

        if (c->log.read) {
                memcpy(out, c->log.sha256, SHA256_HEX_LEN + 1);
                return true;
        }
        fd = verify_open(c, "custody.jsonl", &st);
        if (fd < 0)
                return false;
        bool ok = (uint64_t) st.st_size <= CUSTODY_LOG_MAX && sha256_fd(fd, d, NULL) >= 0;
        (void) close(fd);
        if (ok)
                sha256_hex(d, out);
        return ok;
}

/* Without a manifest, the signed SHA256SUMS.sealed still names the custody
 * log the session was closed with: a log that differs from it (cut short,
 * or changed) is TAMPERED, not a session that was never closed. */
static void check_log_against_sealed_sums(verify_ctx *c) {
        g_autofree char *data = NULL;
        char now[SHA256_HEX_LEN + 1];
        size_t len = 0;

        if (fs_read_fileat(c->dirfd, "SHA256SUMS.sealed", CUSTODY_MANIFEST_MAX, &data, &len) < 0 ||
            !log_sha256(c, now))
                return;
        g_auto(GStrv) lines = g_strsplit(data, "\n", 0);
        for (char **l = lines; *l; l++) {
                if (strlen(*l) != SHA256_HEX_LEN + 2 + strlen("custody.jsonl") ||
                    strcmp(*l + SHA256_HEX_LEN, "  custody.jsonl") != 0)
                        continue;
                (*l)[SHA256_HEX_LEN] = '\0';
                if (strcmp(*l, now) != 0)
                        verify_add_hash(
                                c, VERIFY_TAMPERED, "custody.jsonl", NULL, *l, now,
                                "custody.jsonl is not the custody log that the signed SHA256SUMS.sealed "
                                "lists: it was cut short or changed after the session was closed");
                return;
        }
}

void verify_check_sums(verify_ctx *c) {
        if (!c->m) {
                check_log_against_sealed_sums(c);
                return;
        }
        check_sums(c, "SHA256SUMS", false);
        check_sums(c, "SHA256SUMS.sealed", true);
}

/* The hash of the last whole entry of a previous session's log, read in
 * one streaming pass from its folder (as hostile as this one). */
static int previous_last_hash(const char *dir, char out[SHA256_HEX_LEN + 1], char **ret_error) {
        _cleanup_close_ int dfd = fs_open_dir(dir), fd = -EBADF;
        const custody_entry *e = NULL;
        custody_log_reader *r = NULL;
        bool any = false;
        int k;

        if (dfd < 0)
                return *ret_error = g_strdup_printf("cannot open the folder: %s", g_strerror(-dfd)), dfd;
        fd = fs_openat_regular(dfd, "custody.jsonl", NULL);
        if (fd < 0)
                return *ret_error = g_strdup_printf("custody.jsonl %s", verify_unusable_why(fd)), fd;
        r = custody_log_reader_new(fd);
        while ((k = custody_log_reader_next(r, &e, ret_error)) > 0)
                if (!e->fragment) {
                        memcpy(out, e->hash, SHA256_HEX_LEN + 1);
                        any = true;
                }
        custody_log_reader_free(r);
        if (k == 0 && !any)
                return *ret_error = g_strdup("it is empty"), -ENODATA;
        return k;
}

/* With --previous: this session's first entry must link to the last
 * entry of the previous one; otherwise a session is missing between them. */
void verify_check_previous(verify_ctx *c) {
        g_autofree char *err = NULL;
        char last[SHA256_HEX_LEN + 1];

        if (!c->opt->previous || c->log.entries == 0)
                return;
        if (previous_last_hash(c->opt->previous, last, &err) < 0) {
                verify_add(c, VERIFY_INCOMPLETE, "custody.jsonl", "line 1",
                           "the previous session's custody log cannot be read: %s", err ? err : "unknown");
                return;
        }
        if (strcmp(c->log.first_prev, last) != 0)
                verify_add_hash(c, VERIFY_INCOMPLETE, "custody.jsonl", "line 1", c->log.first_prev, last,
                                "the session does not follow %s in the device's chain: a session is missing "
                                "between them",
                                c->opt->previous);
}
