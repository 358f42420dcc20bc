/* While a session records, the vault gets a small heartbeat object every
 * heartbeat_interval: the session's latest signed checkpoint line, verbatim
 * (its signature still checks), so the vault knows a session exists before
 * it ends. Key: heartbeats/<device id>/<UTC time>-heartbeat.json. A
 * heartbeat is not a session object: it has no receipt and is never a
 * reason to keep or wipe anything. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody.h"
#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "uploader.h"
#include "util.h"
#include "vault-internal.h"

/* The device id and the last checkpoint line of an open session's log. */
static int latest_checkpoint(int dfd, gchar **ret_device, gchar **ret_line) {
        g_auto(fd_owned) fd = fs_openat_regular(dfd, "custody.jsonl", NULL);
        custody_log_reader *rd;
        const custody_entry *e;
        g_autofree gchar *device = NULL, *line = NULL;

        if (fd < 0)
                return fd;
        rd = custody_log_reader_new(fd);
        while (custody_log_reader_next(rd, &e, NULL) > 0) {
                if (e->event == CUSTODY_EV_SESSION_START && custody_entry_str(e, "device_id")) {
                        g_free(device);
                        device = g_strdup(custody_entry_str(e, "device_id"));
                } else if (e->event == CUSTODY_EV_CHECKPOINT) {
                        g_free(line);
                        line = g_strndup(e->line, e->len);
                }
        }
        custody_log_reader_free(rd);
        if (!device || !line)
                return -ENOENT;
        *ret_device = g_steal_pointer(&device);
        *ret_line = g_steal_pointer(&line);
        return 0;
}

int upl_put_text(vault *v, const char *key, const char *text, gchar **ret_message) {
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        size_t len = strlen(text);
        vault_receipt rc = {0};
        _cleanup_close_ int fd = memfd_create("heartbeat", MFD_CLOEXEC);
        int r;

        if (fd < 0)
                return -errno;
        r = fs_write_all(fd, text, len);
        if (r < 0)
                return r;
        sha256_buf(text, len, d);
        sha256_hex(d, hex);
        r = vault_put(v, key, fd, len, hex, NULL, NULL, &rc, ret_message);
        vault_receipt_clear(&rc);
        return r;
}

int upl_heartbeat(upl_ctx *c, const char *session, gchar **ret_message) {
        g_auto(fd_owned) dfd = openat(c->spool_fd, session, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_autofree gchar *device = NULL, *line = NULL;
        mode_t mode;
        int r;

        if (dfd < 0)
                return -errno;
        if (fs_kindat(dfd, "manifest.json", &mode) == 0)
                return 0; /* closed: its files say the rest */
        r = latest_checkpoint(dfd, &device, &line);
        if (r < 0)
                return 0; /* no checkpoint yet */
        g_autofree gchar *part = g_strdup_printf("heartbeats/%s/x", device);
        if (!vault_key_valid(part)) {
                g_autofree char *shown = escape_text(device);
                *ret_message = g_strdup_printf(
                        "%s: device id \"%s\" cannot name a vault folder; no heartbeat", session, shown);
                return -EINVAL;
        }
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree gchar *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
        g_autofree gchar *iso = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
        g_autofree gchar *key = g_strdup_printf("heartbeats/%s/%s-heartbeat.json", device, stamp);
        /* the checkpoint line verbatim: re-serialising it would break its signature */
        g_autofree gchar *text = g_strdup_printf(
                "{\"kind\":\"heartbeat\",\"session\":\"%s\",\"time\":\"%s\",\"checkpoint\":%s}\n", session,
                iso, line);
        r = upl_put_text(c->v, key, text, ret_message);
        return r < 0 ? r : 1;
}
