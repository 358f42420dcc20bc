/* The rules for values a provisioning bundle and studio.conf share, written
 * once: studio-conf.c checks the file with them, the bundle parser
 * (keys/keys-bundle-parse.c) checks a bundle with them before anything is
 * applied, and studio-keys bundle-make before it signs. Each returns 0, or
 * -EINVAL and *ret_why (optional, g_free): the rest of a sentence that
 * begins with the value, saying what is wrong and what to write. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONF_ROOM_MAX 64 /* characters: it is burned into the picture */
#define CONF_DEVICE_ID_MAX 64

/* The S3 endpoint: https://host[:port], or http:// only to a loopback
 * address written as one (127.x.y.z, [::1]): never a name, which DNS could
 * point anywhere. No userinfo, path, query or fragment. */
int conf_check_endpoint(const char *v, char **ret_why);
/* The room name: len bytes of UTF-8 (a NUL among them is refused, never
 * cut at), 1 to CONF_ROOM_MAX characters, no control, bidirectional or
 * invisible character (escape.h), no backslash. */
int conf_check_room(const char *v, size_t len, char **ret_why);
/* A device id: 1 to CONF_DEVICE_ID_MAX of a-z, 0-9, '.', '_', '-', starting
 * with a letter or digit: a safe file and object name, never "." or "..". */
int conf_check_device_id(const char *v, char **ret_why);
/* The S3 region: 1 to 32 of a-z, 0-9, '-'. */
int conf_check_region(const char *v, char **ret_why);
/* s3://bucket[/prefix]: a bucket of 3 to 63 of a-z, 0-9, '-', '.', a prefix
 * of plain path names (no "." or "..", no empty part). */
int conf_check_s3_vault(const char *v, char **ret_why);
