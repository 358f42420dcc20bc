/* Which device a bundle is for. A bundle names the device ids it is for
 * (bundle-make --device); a device applies only its own:
 *   - a device with an id (keys_dir/device.id, written with its key at
 *     first provisioning or by studio-keys device-init) applies a bundle
 *     only when the bundle names that id;
 *   - a device with no id yet (first boot, no key) applies only a bundle
 *     naming exactly one id, and takes that id as its own.
 * So another room's bundle, whatever its serial, is refused and the
 * device stays exactly as it was. docs/provisioning.md, "Bound to a device". */
#include <errno.h>
#include <string.h>

#include "conf-check.h"
#include "escape.h"
#include "fsutil.h"
#include "provision.h"

/* The device's own id: 0 and *ret_id, -ENOENT when it has none yet. */
static int read_device_id(const provision_paths *p, gchar **ret_id, gchar **ret_message) {
        g_autofree gchar *path = g_build_filename(p->keys_dir, "device.id", NULL);
        g_autofree char *text = NULL;
        size_t len = 0;
        int r = fs_read_file(path, 256, &text, &len);

        if (r == -ENOENT)
                return r;
        if (r >= 0) {
                while (len > 0 && text[len - 1] == '\n')
                        text[--len] = '\0';
                if (memchr(text, '\0', len) || conf_check_device_id(text, NULL) < 0)
                        r = -EBADMSG;
        }
        if (r < 0) {
                *ret_message =
                        g_strdup_printf("%s cannot be read as a device id (%s): police IT must look at "
                                        "the device before it is provisioned again",
                                        path, r == -EBADMSG ? "malformed" : g_strerror(-r));
                return r;
        }
        *ret_id = g_strndup(text, len);
        return 0;
}

int provision_bundle_device(const provision_paths *p, const keys_bundle *b, gchar **ret_id,
                            gchar **ret_message) {
        g_autofree gchar *id = NULL, *listed = NULL, *shown = NULL;
        int r = read_device_id(p, &id, ret_message);

        if (r < 0 && r != -ENOENT)
                return r;
        g_autofree gchar *joined = g_strjoinv(", ", b->devices);
        listed = escape_text(joined);
        if (r == -ENOENT) {
                if (g_strv_length(b->devices) != 1) {
                        *ret_message = g_strdup_printf(
                                "the bundle is for the devices %s, and this device has no id yet: a new "
                                "device applies only a bundle made for it alone (bundle-make --device ID)",
                                listed);
                        return -EPERM;
                }
                *ret_id = g_strdup(b->devices[0]);
                return 0;
        }
        if (!g_strv_contains((const gchar *const *) b->devices, id)) {
                shown = escape_text(id);
                *ret_message = g_strdup_printf("the bundle is for %s, not this device (%s): it is another "
                                               "device's bundle (make one with bundle-make --device %s)",
                                               listed, shown, shown);
                return -EPERM;
        }
        *ret_id = g_steal_pointer(&id);
        return 0;
}
