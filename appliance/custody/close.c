/* Closing a session: manifest.json, SHA256SUMS, SHA256SUMS.sealed, their
 * signatures, and the device's chain head. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"
#include "fsutil.h"

static int write_and_sign(const char *dir, const char *name, const char *data, size_t len,
                          const minisign_secret *key, const char *session, const char *utc) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *comment = g_strdup_printf("session=%s time=%s file=%s", session, utc, name);
        int r;

        r = fs_write_atomic(path, data, len, 0644);
        if (r < 0)
                return r;
        return minisign_sign_file(key, path, comment);
}

int custody_session_close(const char *session_dir, const char *state_dir, const minisign_secret *key) {
        g_autofree char *log_path = NULL, *text = NULL, *err = NULL, *sums = NULL, *sealed = NULL;
        custody_parsed_log *log = NULL;
        custody_manifest *m = NULL;
        char utc[CUSTODY_UTC_LEN + 1];
        size_t len = 0, sums_len = 0, sealed_len = 0;
        int r;

        if (!session_dir || !state_dir || !key)
                return -EINVAL;
        log_path = g_build_filename(session_dir, CUSTODY_LOG_NAME, NULL);
        r = custody_log_parse_file(log_path, &log, &err);
        if (r < 0)
                return r;
        minisign_public pk;
        minisign_secret_public(key, &pk);
        r = custody_manifest_from_log(log, &pk, &text, &len);
        if (r < 0)
                goto out;
        r = custody_manifest_parse(text, len, &m, NULL);
        if (r < 0)
                goto out;
        sums = custody_sums_format(m, false, &sums_len);
        sealed = custody_sums_format(m, true, &sealed_len);
        custody_utc_now(utc);
        r = write_and_sign(session_dir, "SHA256SUMS", sums, sums_len, key, m->session, utc);
        if (r >= 0)
                r = write_and_sign(session_dir, "SHA256SUMS.sealed", sealed, sealed_len, key, m->session, utc);
        /* the manifest last: its presence marks the session closed */
        if (r >= 0)
                r = write_and_sign(session_dir, "manifest.json", text, len, key, m->session, utc);
        if (r >= 0)
                r = fs_fsync_dir(session_dir);
        if (r >= 0)
                r = custody_chain_head_write(state_dir, log->entries[log->n_entries - 1].hash);
out:
        custody_manifest_free(m);
        custody_parsed_log_free(log);
        return r;
}
