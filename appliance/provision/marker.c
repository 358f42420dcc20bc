/* /var/lib/studio/provisioned: which bundle the device applied last, so
 * that first boot is a no-op afterwards and only a higher serial updates
 * it. Key: value lines, written atomically after everything else. */
#include "provision.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "key-files.h"

#define MARKER_MAX 4096

int provision_marker_read(const char *path, int64_t *ret_serial, gchar **ret_message) {
        g_autofree char *text = NULL; /* malloc'd: g_free is free */
        g_auto(GStrv) lines = NULL;
        size_t len = 0;
        int r = fs_read_file(path, MARKER_MAX, &text, &len);

        if (r == -ENOENT) {
                *ret_serial = 0;
                return 0;
        }
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot read %s: %s", path, g_strerror(-r));
                return r;
        }
        lines = g_strsplit(text, "\n", -1);
        for (gchar **l = lines; *l; l++) {
                guint64 serial;
                if (!g_str_has_prefix(*l, "serial: "))
                        continue;
                if (!g_ascii_string_to_unsigned(*l + 8, 10, 1, (guint64) KEYS_BUNDLE_SERIAL_MAX, &serial,
                                                NULL))
                        break;
                *ret_serial = (int64_t) serial;
                return 0;
        }
        *ret_message = g_strdup_printf("%s names no bundle serial: remove it only if the device is to be "
                                       "provisioned again from scratch",
                                       path);
        return -EBADMSG;
}

int provision_marker_write(const char *path, const provision_bundle *pb) {
        g_autofree gchar *text = NULL;
        char now[32];
        int r;

        keys_time_rfc3339(time(NULL), true, now);
        text = g_strdup_printf("# written by studio-provision: the bundle this device applied last\n"
                               "serial: %lld\nbundle_sha256: %s\ncreated: %s\nprovisioned: %s\n",
                               (long long) pb->b->serial, pb->sha256, pb->b->created, now);
        r = keys_mkdir_for_file(path);
        if (r < 0)
                return r;
        return fs_write_atomic(path, text, strlen(text), 0644);
}
