/* Closing a session: manifest.json, SHA256SUMS, SHA256SUMS.sealed, their
 * signatures, and the device's chain head.
 *
 * The same code finishes a close that a crash interrupted
 * (custody_session_complete): then every file is written only when it is
 * missing (atomically, so a file is either whole or absent), and one that
 * exists must hold exactly the bytes the log implies. Order: SHA256SUMS(.minisig),
 * SHA256SUMS.sealed(.minisig), manifest.json.minisig, manifest.json (whose presence marks the session
 * closed), then the chain head. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"
#include "fsutil.h"

static void set_error(char **ret_error, const char *fmt, const char *name) {
        if (ret_error && !*ret_error)
                *ret_error = g_strdup_printf(fmt, name);
}

/* An existing file must be exactly data; a missing one is written. */
static int put_file(const char *path, const char *name, const char *data, size_t len, bool only_missing,
                    char **ret_error) {
        g_autofree char *old = NULL;
        size_t old_len = 0;
        int r = only_missing ? fs_read_file(path, CUSTODY_MANIFEST_MAX, &old, &old_len) : -ENOENT;

        if (r == -ENOENT)
                return fs_write_atomic(path, data, len, CUSTODY_FILE_MODE);
        if (r < 0)
                return r;
        if (old_len != len || memcmp(old, data, len) != 0) {
                set_error(ret_error,
                          "%s exists but differs from what the custody log implies; left as it is", name);
                return -EEXIST;
        }
        return 0;
}

/* An existing signature must verify over data; a missing one is made. */
static int put_sig(const char *path, const char *name, const char *data, size_t len,
                   const minisign_secret *key, const char *comment, bool only_missing, char **ret_error) {
        g_autofree char *sig = NULL;
        size_t sig_len = 0;
        minisign_public pk;
        int r = only_missing ? fs_read_file(path, 64 * 1024, &sig, &sig_len) : -ENOENT;

        if (r == -ENOENT) {
                r = minisign_sign_buf(key, (const uint8_t *) data, len, comment, &sig);
                return r < 0 ? r : fs_write_atomic(path, sig, strlen(sig), CUSTODY_FILE_MODE);
        }
        if (r < 0)
                return r;
        minisign_secret_public(key, &pk);
        if (minisign_verify_buf(&pk, (const uint8_t *) data, len, sig, sig_len, NULL) < 0) {
                set_error(ret_error,
                          "%s.minisig exists but does not sign what the custody log implies; left as it is",
                          name);
                return -EEXIST;
        }
        return 0;
}

typedef struct close_ctx {
        const char *dir, *session, *utc;
        const minisign_secret *key;
        bool only_missing;
        char **ret_error;
} close_ctx;

static int put_signed(const close_ctx *c, const char *name, const char *data, size_t len) {
        g_autofree char *path = g_build_filename(c->dir, name, NULL);
        g_autofree char *sig_path = g_strdup_printf("%s.minisig", path);
        g_autofree char *comment = g_strdup_printf("session=%s time=%s file=%s", c->session, c->utc, name);
        int r;

        /* the signature first: a file that exists is always signed */
        r = put_sig(sig_path, name, data, len, c->key, comment, c->only_missing, c->ret_error);
        if (r >= 0)
                r = put_file(path, name, data, len, c->only_missing, c->ret_error);
        return r;
}

int custody_chain_advance(const char *state_dir, const char *first_prev, const char *last_hash,
                          bool *ret_advanced) {
        char head[SHA256_HEX_LEN + 1];
        int r = custody_chain_head_read(state_dir, head);

        if (ret_advanced)
                *ret_advanced = false;
        if (r < 0 || strcmp(head, first_prev) != 0)
                return r; /* the head is already past this session */
        r = custody_chain_head_write(state_dir, last_hash);
        if (r >= 0 && ret_advanced)
                *ret_advanced = true;
        return r;
}

static int write_closing_files(const char *dir, const custody_parsed_log *log, const minisign_secret *key,
                               bool only_missing, char **ret_error) {
        g_autofree char *text = NULL, *sums = NULL, *sealed = NULL;
        custody_manifest *m = NULL;
        char utc[CUSTODY_UTC_LEN + 1];
        size_t len = 0, sums_len = 0, sealed_len = 0;
        minisign_public pk;
        int r;

        minisign_secret_public(key, &pk);
        r = custody_manifest_from_log(log, &pk, &text, &len);
        if (r >= 0)
                r = custody_manifest_parse(text, len, &m, NULL);
        if (r < 0) {
                set_error(ret_error, "%s does not describe a finished session", CUSTODY_LOG_NAME);
                return r;
        }
        sums = custody_sums_format(m, false, &sums_len);
        sealed = custody_sums_format(m, true, &sealed_len);
        custody_utc_now(utc);
        close_ctx c = {.dir = dir,
                       .session = m->session,
                       .utc = utc,
                       .key = key,
                       .only_missing = only_missing,
                       .ret_error = ret_error};
        r = put_signed(&c, "SHA256SUMS", sums, sums_len);
        if (r >= 0)
                r = put_signed(&c, "SHA256SUMS.sealed", sealed, sealed_len);
        if (r >= 0)
                r = put_signed(&c, "manifest.json", text, len);
        custody_manifest_free(m);
        return r;
}

static int session_close(const char *session_dir, const char *state_dir, const minisign_secret *key,
                         bool only_missing, char **ret_error) {
        g_autofree char *log_path = NULL, *err = NULL;
        custody_parsed_log *log = NULL;
        int r;

        if (!session_dir || !state_dir || !key)
                return -EINVAL;
        log_path = g_build_filename(session_dir, CUSTODY_LOG_NAME, NULL);
        r = custody_log_parse_file(log_path, &log, &err);
        if (r < 0) {
                if (ret_error && !*ret_error)
                        *ret_error = g_steal_pointer(&err);
                return r;
        }
        r = write_closing_files(session_dir, log, key, only_missing, ret_error);
        if (r >= 0)
                r = fs_fsync_dir(session_dir);
        if (r >= 0)
                r = custody_chain_advance(state_dir, custody_log_first_whole(log)->prev,
                                          log->entries[log->n_entries - 1].hash, NULL);
        custody_parsed_log_free(log);
        return r;
}

int custody_session_complete(const char *session_dir, const char *state_dir, const minisign_secret *key,
                             char **ret_error) {
        return session_close(session_dir, state_dir, key, true, ret_error);
}

int custody_session_close(const char *session_dir, const char *state_dir, const minisign_secret *key) {
        return session_close(session_dir, state_dir, key, false, NULL);
}
