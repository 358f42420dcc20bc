/* studio.conf's key table (studio-conf-table.c), shared by the table and
 * the loader (studio-conf.c) only: every key is declared once there, with
 * its group, name, type, range and default, and the field of studio_conf
 * it fills. Not for other modules: they read studio_conf (studio-conf.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "studio-conf.h"

typedef enum conf_type {
        CONF_STRING,       /* free text (gchar *) */
        CONF_PATH,         /* gchar *, absolute */
        CONF_SECRET_PATH,  /* a path, or credential:NAME (a systemd credential) */
        CONF_NAME_OR_PATH, /* a name as written, or (with a '/') a path made absolute */
        CONF_PROFILE,      /* a built-in profile name or a path */
        CONF_ROOM,         /* the room name burned into the picture */
        CONF_GROUP_NAME,   /* a Unix group */
        CONF_USER_NAME,    /* a Unix user */
        CONF_PHONE,        /* a telephone number as staff dial it */
        CONF_KEY_NAME,     /* an evdev key name */
        CONF_LED_NAME,     /* one LED in leds_dir */
        CONF_VAULT,        /* dir:PATH or s3://… */
        CONF_ADDRESS,      /* an IP address */
        CONF_VIDEO_SINK,   /* one display sink element with its properties */
        CONF_AUDIO_SINK,   /* one audio sink element with its properties */
        CONF_ENDPOINT,     /* https://host[:port] (conf-check.h) */
        CONF_REGION,       /* an S3 region name */
        CONF_NETWORKS,     /* gchar **: addresses and CIDR networks */
        CONF_HOSTNAMES,    /* gchar **: DNS names (or IP addresses) */
        CONF_STRV,         /* gchar ** */
        CONF_DURATION,     /* uint64_t ns */
        CONF_SIZE,         /* uint64_t bytes */
        CONF_INT,          /* int */
        CONF_LOG_LEVEL,    /* int LOG_* */
        CONF_LANGUAGE,     /* gchar *: en or nl */
        CONF_WIPE_AFTER,   /* gchar *: receipts or verified */
        CONF_BOOL,         /* bool */
} conf_type;

typedef struct conf_key {
        const char *group;
        const char *key;
        conf_type type;
        size_t offset;
        const char *def; /* strings (NULL: none); lists separated by ';' */
        uint64_t def_n;  /* durations, sizes */
        int64_t def_i;   /* ints, bools */
        uint64_t min, max;
        int64_t imin, imax;
} conf_key;

extern const conf_key conf_keys[];
extern const size_t conf_keys_n;
/* NULL-terminated: the groups, and the choices of CONF_LANGUAGE,
 * CONF_LOG_LEVEL and CONF_WIPE_AFTER keys. */
extern const char *const conf_groups[];
extern const char *const conf_languages[];
extern const char *const conf_log_levels[];
extern const char *const conf_wipe_afters[];

/* The field of c that key k fills, as a type *. */
#define FIELD(c, k, type) ((type *) ((char *) (c) + (k)->offset))

static inline bool conf_type_is_strv(conf_type t) {
        return t == CONF_STRV || t == CONF_NETWORKS || t == CONF_HOSTNAMES;
}
static inline bool conf_type_is_string(conf_type t) {
        return t <= CONF_REGION || t == CONF_LANGUAGE || t == CONF_WIPE_AFTER;
}

/* The key group/key, which the table must hold (a caller's own constant). */
const conf_key *conf_key_find(const char *group, const char *key);
