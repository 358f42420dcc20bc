#include "ctl-conf.h"

#include "studio-conf.h"

/* The whole configuration is loaded and checked, as the daemons do, so a
 * typo is reported by studioctl too; only the socket is used. */
int ctl_conf_socket(const char *path, gchar **ret_socket, gchar **ret_message) {
        g_autoptr(studio_conf) conf = NULL;
        int r = studio_conf_load(path, &conf, ret_message);

        if (r < 0)
                return r;
        *ret_socket = g_strdup(conf->recorder.socket);
        return 0;
}
