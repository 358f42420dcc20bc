#include "ctl-conf.h"

#include <errno.h>

#include "studio-conf.h"

#define CTL_SOCKET_DEFAULT "/run/studio/recorder.sock"

/* TEMPORARY until studio-conf.c lands: reads only [recorder] socket and
 * checks nothing else in the file. Replace the body with studio_conf_load()
 * and a copy of conf->recorder.socket. */
int ctl_conf_socket(const char *path, gchar **ret_socket, gchar **ret_message) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        g_autofree gchar *value = NULL, *dir = NULL;

        if (!path)
                path = STUDIO_CONF_DEFAULT_PATH;
        if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error)) {
                if (g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
                        *ret_message = g_strdup_printf("%s does not exist: give --config FILE, or make one "
                                                       "with 'studioctl init'",
                                                       path);
                        return -ENOENT;
                }
                *ret_message = g_strdup_printf("cannot read %s: %s", path, error->message);
                return -EBADMSG;
        }
        value = g_key_file_get_string(kf, "recorder", "socket", NULL);
        if (!value || !*value) {
                *ret_socket = g_strdup(CTL_SOCKET_DEFAULT);
                return 0;
        }
        if (g_path_is_absolute(value)) {
                *ret_socket = g_steal_pointer(&value);
                return 0;
        }
        dir = g_path_get_dirname(path);
        if (!g_path_is_absolute(dir)) {
                gchar *abs = g_canonicalize_filename(dir, NULL);
                g_free(dir);
                dir = abs;
        }
        *ret_socket = g_canonicalize_filename(value, dir);
        return 0;
}
