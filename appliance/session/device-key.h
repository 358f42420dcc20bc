/* What a recorder needs from provisioning (studio-keys): the device key
 * and the device id beside it. Shared by --once and the daemon. */
#pragma once

#include <glib.h>

#include "minisign.h"

/* Loads the device key into locked memory; -errno with a message that
 * names the file and the fix. */
int rec_device_key_load(const char *path, minisign_secret **ret, gchar **ret_message);
/* NAME.id beside NAME.key, else DIR/device.id beside the key, or a
 * sentence saying there is none. */
gchar *rec_device_id_read(const char *key_path);
