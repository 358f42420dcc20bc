#include "device-key.h"

#include <errno.h>
#include <string.h>

int rec_device_key_load(const char *path, minisign_secret **ret, gchar **ret_message) {
        int r = minisign_secret_load(path, ret);

        if (r == -ENOENT)
                *ret_message = g_strdup_printf("there is no device key at %s: provision the device with "
                                               "studio-keys device-init (see docs/key-ceremony.md)",
                                               path);
        else if (r < 0)
                *ret_message = g_strdup_printf("cannot load the device key %s: %s (it must be a minisign "
                                               "secret key readable by the recorder's user, as studio-keys "
                                               "device-init writes it)",
                                               path, g_strerror(-r));
        return r;
}

/* NAME.id for NAME.key first: systemd's LoadCredential= of the keys folder
 * names its files keys_device.key and keys_device.id (docs/systemd.md). */
gchar *rec_device_id_read(const char *key_path) {
        g_autofree gchar *dir = g_path_get_dirname(key_path);
        g_autofree gchar *path = g_build_filename(dir, "device.id", NULL);
        g_autofree gchar *sibling = NULL;
        gchar *id = NULL;

        if (g_str_has_suffix(key_path, ".key")) {
                g_autofree gchar *stem = g_strndup(key_path, strlen(key_path) - strlen(".key"));
                sibling = g_strconcat(stem, ".id", NULL);
        }
        if ((sibling && g_file_get_contents(sibling, &id, NULL, NULL)) ||
            g_file_get_contents(path, &id, NULL, NULL))
                return g_strstrip(id);
        return g_strdup("unknown (no device.id beside the device key)");
}
