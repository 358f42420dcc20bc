/* Key-file helpers shared by studio-keys, studioctl init and
 * studio-provision: folders and paths, time stamps, PIN entry and the device
 * key folder's files. They print nothing but the PIN prompt. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "minisign.h"

bool keys_exists(const char *path);
/* mkdir -p: creates the missing parents of path with parent_mode (0755:
 * others must still reach a key folder below them) and path itself with
 * mode; 0 or -errno. */
int keys_mkdir_p(const char *path, mode_t parent_mode, mode_t mode);
/* Creates the missing folders above the file path (mode 0755). */
int keys_mkdir_for_file(const char *path);
/* dir + "/" + name (caller frees); NULL on OOM. */
char *keys_path(const char *dir, const char *name);

/* RFC 3339 time: UTC with "Z" (utc) or local time with its offset. */
void keys_time_rfc3339(time_t t, bool utc, char out[32]);

/* Reads a PIN: from the terminal without echo, asked twice, or one line from
 * stdin when it is not a terminal. Result in sodium_malloc'd memory (free
 * with sodium_free). Returns 0, -EBADMSG when the entries differ, -EIO. */
int keys_read_pin(const char *prompt, char **ret_pin);
/* The same, asked once on a terminal (to check a PIN, not to set one). */
int keys_read_pin_once(const char *prompt, char **ret_pin);

/* Loads DIR/device.pub and DIR/device.id: 0, or -errno with *ret_message
 * (g_free) naming the file and what to run. */
int keys_device_load(const char *dir, minisign_public *ret_pk, char **ret_device_id, char **ret_message);
bool keys_device_id_valid(const char *id);
