#include "provision.h"

#include <errno.h>

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

gchar *rec_device_id_read(const char *key_path) {
        g_autofree gchar *dir = g_path_get_dirname(key_path);
        g_autofree gchar *path = g_build_filename(dir, "device.id", NULL);
        gchar *id = NULL;

        if (!g_file_get_contents(path, &id, NULL, NULL))
                return g_strdup("unknown (no device.id beside the device key)");
        return g_strstrip(id);
}
