/* What studioctl takes from studio.conf: the control socket's path. */
#pragma once

#include <glib.h>

/* path NULL: STUDIO_CONF_DEFAULT_PATH. *ret_socket (caller g_frees) is
 * absolute. 0 or -errno with *ret_message. */
int ctl_conf_socket(const char *path, gchar **ret_socket, gchar **ret_message);
