/* The provisioning bundle police IT makes (`studio-keys bundle-make`) and
 * first boot applies (`studio-provision`): provision.json, signed by police
 * IT's minisign key in provision.json.minisig (stock `minisign -Vm
 * provision.json -p police-it.pub` verifies it). docs/provisioning.md
 * describes every field. It carries no secret: the device key is made on
 * the device, and S3 credentials come separately as a systemd credential.
 *
 * This file owns the format: its name, limits and field list. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define KEYS_BUNDLE_NAME "provision.json"
#define KEYS_BUNDLE_SIG_NAME "provision.json.minisig"
#define KEYS_BUNDLE_FORMAT "studio-provision/1"
/* 10,000 officers take about 1.1 MiB; anything bigger is not a bundle. */
#define KEYS_BUNDLE_MAX (4u << 20)
#define KEYS_BUNDLE_SIG_MAX 4096
/* Bundles nest two levels; a deeper text is refused before it is parsed. */
#define KEYS_BUNDLE_DEPTH_MAX 4
#define KEYS_BUNDLE_SERIAL_MAX ((int64_t) 1 << 53) /* exact in every JSON reader */
#define KEYS_BUNDLE_STRING_MAX 512
#define KEYS_BUNDLE_RETENTION_MAX 36500 /* days: a hundred years */
#define KEYS_BUNDLE_DEVICES_MAX 1000    /* device ids one bundle may name */
#define KEYS_BUNDLE_INTAKE_KEYS_MAX 16  /* the intake's public keys (a key rotation needs two) */

typedef struct keys_bundle {
        int64_t serial;     /* 1..KEYS_BUNDLE_SERIAL_MAX; a device applies only a higher one */
        gchar *created;     /* RFC 3339 UTC, informative */
        gchar **recipients; /* age1…, 1..AGE_RECIPIENT_MAX, NULL-terminated */
        gchar *officers;    /* the officers file's text, as officer-add writes it */
        size_t officers_count;
        gchar *vault;       /* dir:/absolute/path or s3://bucket[/prefix] */
        gchar *endpoint;    /* s3: http(s)://host[:port]; NULL: absent */
        gchar *region;      /* NULL: absent */
        int retention_days; /* 0: absent */
        /* the police side's intake keys ("RWQ…" minisign public keys,
         * NULL-terminated; NULL: absent) and [uploader] wipe_after ("receipts"
         * or "verified"; NULL: absent, the default); "verified" needs a key */
        gchar **intake_keys;
        gchar *wipe_after;
        gchar *room;    /* NULL: the profile's room */
        gchar *profile; /* NULL: the configuration's */
        /* the devices it is for (1..KEYS_BUNDLE_DEVICES_MAX ids, distinct,
         * NULL-terminated): a device applies only a bundle naming its id, and
         * a device with no id yet only one naming a single id, which it takes */
        gchar **devices;
} keys_bundle;

keys_bundle *keys_bundle_free(keys_bundle *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(keys_bundle, keys_bundle_free)

/* Parses provision.json's bytes strictly: at most KEYS_BUNDLE_MAX (-EFBIG),
 * no NUL, nested at most KEYS_BUNDLE_DEPTH_MAX (-ELOOP), then (-EBADMSG) an
 * object with exactly the documented members, each of its type and syntax
 * (recipients as age parses them, officers as the recorder parses them, the
 * vault address, endpoint, region, room and device ids by the rules
 * studio.conf is held to: appliance/contract/conf-check.h). *ret_message (optional,
 * g_free) names the field and what is wrong; outside text in it is escaped. */
int keys_bundle_parse(const char *data, size_t len, keys_bundle **ret, gchar **ret_message);

/* The same checks on single values, for bundle-make's options. */
int keys_bundle_check_vault(const char *vault, gchar **ret_message);
int keys_bundle_check_endpoint(const char *endpoint, gchar **ret_message);
