/* While no session records, the vault gets a small status object every
 * status_interval, so police IT can tell an idle appliance from a silent
 * one: heartbeats/<device id>/<UTC time>-status.json,
 *   {"kind":"status","device_id":"…","time":"2026-12-01T10:40:05Z",
 *    "uploader_version":"0.1.0",
 *    "last_session":{"id":"20261201T093000Z-1a2b3c4d",
 *                    "ended":"…" or null,"confirmed":"…" or null} or null,
 *    "backlog":{"sessions":0,"bytes":0,"oldest":null,"last_transfer":"…"},
 *    "hours_left":41.5 or null}
 * Like a heartbeat it has no receipt and is never a reason to keep or wipe
 * anything. The device id comes from device.id beside the device key (the
 * recorder's public name for the device, never the key). */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"
#include "room-state.h"
#include "uploader.h"
#include "utc-time.h"
#include "util.h"
#include "vault-internal.h"

#define DEVICE_ID_MAX 256

#ifndef STUDIO_VERSION
#define STUDIO_VERSION "unknown"
#endif

int upl_device_id(const char *path, gchar **ret, gchar **ret_message) {
        g_autofree char *data = NULL;
        size_t len = 0;
        int r = path ? fs_read_file(path, DEVICE_ID_MAX, &data, &len) : -ENOENT;

        if (r < 0) {
                *ret_message = g_strdup_printf("cannot read the device id %s: %s", path ? path : "(none)",
                                               g_strerror(-r));
                return r;
        }
        g_autofree gchar *id = g_strstrip(g_strndup(data, len));
        g_autofree gchar *part = g_strdup_printf("heartbeats/%s/x", id);
        if (!*id || strchr(id, '/') || memchr(data, 0, len) || !vault_key_valid(part)) {
                g_autofree char *shown = escape_text(id);
                *ret_message = g_strdup_printf("the device id in %s (\"%s\") cannot name a vault folder",
                                               path, shown);
                return -EBADMSG;
        }
        *ret = g_steal_pointer(&id);
        return 0;
}

/* True while any session folder has no manifest: the recorder is still
 * writing it (its heartbeats speak for the appliance then). ret_last gets
 * the latest session folder's name (names sort by their start time). */
static bool recording(upl_ctx *c, gchar **ret_last) {
        g_auto(GStrv) names = NULL;
        bool open = false;

        if (fs_list_namesat(c->spool_fd, FS_LIST_MAX, &names) < 0)
                return false;
        for (char **n = names; *n; n++) {
                mode_t mode;
                if (!upl_session_name_valid(*n) || fs_kindat(c->spool_fd, *n, &mode) < 0 || !S_ISDIR(mode))
                        continue;
                g_autofree gchar *m = g_strdup_printf("%s/manifest.json", *n);
                if (fstatat(c->spool_fd, m, &(struct stat){0}, AT_SYMLINK_NOFOLLOW) < 0)
                        open = true;
                g_free(*ret_last);
                *ret_last = g_strdup(*n);
        }
        return open;
}

/* The latest session the spool knows: a folder still here, or a receipts
 * file ("<session>.jsonl") kept after its wipe. */
static gchar *last_session(upl_ctx *c, gchar *in_spool) {
        g_autofree gchar *last = in_spool;
        g_auto(GStrv) names = NULL;

        if (fs_list_namesat(c->receipts_fd, FS_LIST_MAX, &names) < 0)
                return g_steal_pointer(&last);
        for (char **n = names; *n; n++) {
                if (!g_str_has_suffix(*n, ".jsonl"))
                        continue;
                g_autofree gchar *s = g_strndup(*n, strlen(*n) - strlen(".jsonl"));
                if (upl_session_name_valid(s) && (!last || strcmp(s, last) > 0)) {
                        g_free(last);
                        last = g_steal_pointer(&s);
                }
        }
        return g_steal_pointer(&last);
}

static void add_time(JsonBuilder *b, const char *name, int64_t us) {
        json_builder_set_member_name(b, name);
        if (us > 0) {
                g_autofree gchar *t = utc_time_format(us);
                json_builder_add_string_value(b, t);
        } else
                json_builder_add_null_value(b);
}

static void add_last_session(upl_ctx *c, JsonBuilder *b, const char *id) {
        json_builder_set_member_name(b, "last_session");
        if (!id) {
                json_builder_add_null_value(b);
                return;
        }
        int64_t ended = 0;
        g_autofree gchar *m = g_strdup_printf("%s/manifest.json", id);
        struct stat st;
        if (fstatat(c->spool_fd, m, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
                ended = (int64_t) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
        g_autoptr(upl_receipts) rc = NULL;
        g_autofree gchar *msg = NULL;
        int64_t confirmed =
                upl_receipts_load(c->receipts_fd, id, vault_id(c->v), &rc, &msg) == 0 ? rc->last_us : 0;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, id);
        add_time(b, "ended", ended); /* null once the local copy is wiped */
        add_time(b, "confirmed", confirmed);
        json_builder_end_object(b);
}

static void add_backlog(JsonBuilder *b, const backlog_doc *d) {
        json_builder_set_member_name(b, "backlog");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "sessions");
        json_builder_add_int_value(b, (gint64) MIN(d->sessions, (uint64_t) G_MAXINT64));
        json_builder_set_member_name(b, "bytes");
        json_builder_add_int_value(b, (gint64) MIN(d->bytes, (uint64_t) G_MAXINT64));
        add_time(b, "oldest", d->oldest_us);
        add_time(b, "last_transfer", d->last_transfer_us);
        json_builder_set_member_name(b, "vault");
        json_builder_add_string_value(b, backlog_vault_to_string(d->vault));
        json_builder_end_object(b);
}

static void add_hours_left(upl_ctx *c, JsonBuilder *b) {
        room_state_doc rs = {0};
        g_autofree gchar *msg = NULL;

        json_builder_set_member_name(b, "hours_left");
        if (c->room_state_file && room_state_read(c->room_state_file, &rs, &msg) == 0 && rs.hours_left >= 0)
                json_builder_add_double_value(b, rs.hours_left);
        else
                json_builder_add_null_value(b);
        room_state_doc_clear(&rs);
}

gchar *upl_status_json(upl_ctx *c, const char *device_id, const char *last, int64_t now_us) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, "status");
        json_builder_set_member_name(b, "device_id");
        json_builder_add_string_value(b, device_id);
        add_time(b, "time", now_us);
        json_builder_set_member_name(b, "uploader_version");
        json_builder_add_string_value(b, STUDIO_VERSION);
        add_last_session(c, b, last);
        add_backlog(b, &c->published);
        add_hours_left(c, b);
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autoptr(JsonGenerator) g = json_generator_new();
        json_generator_set_root(g, root);
        g_autofree gchar *text = json_generator_to_data(g, NULL);
        return g_strconcat(text, "\n", NULL);
}

int upl_status(upl_ctx *c, gchar **ret_message) {
        g_autofree gchar *in_spool = NULL, *device = NULL;
        int r;

        if (recording(c, &in_spool))
                return 0;
        r = upl_device_id(c->device_id_file, &device, ret_message);
        if (r < 0)
                return r;
        g_autofree gchar *last = last_session(c, g_steal_pointer(&in_spool));
        int64_t now = g_get_real_time();
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(now / G_USEC_PER_SEC);
        g_autofree gchar *stamp = g_date_time_format(t, "%Y%m%dT%H%M%SZ");
        g_autofree gchar *key = g_strdup_printf("heartbeats/%s/%s-status.json", device, stamp);
        g_autofree gchar *text = upl_status_json(c, device, last, now);
        r = upl_put_text(c->v, key, text, ret_message);
        return r < 0 ? r : 1;
}
