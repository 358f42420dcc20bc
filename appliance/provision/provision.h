/* First-boot provisioning (studio-provision, docs/provisioning.md): find
 * the signed bundle police IT made with `studio-keys bundle-make`, verify
 * it against the police IT key built into the image, then make the device
 * key and write the recipients, officers and settings into /etc/studio/.
 *
 * Nothing is written before the bundle has verified and every value in it,
 * and the configuration it yields, has been checked: a refused bundle
 * leaves the device exactly as it was. Functions return 0 or -errno and,
 * where they can fail for a reason a user must read, set *ret_message
 * (g_free) to a sentence naming the file and the fix. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "bundle.h"

/* Every place studio-provision reads or writes, under one root ("" on a
 * device; a scratch folder in tests). */
typedef struct provision_paths {
        gchar *root;
        gchar *bundle_dir;     /* /etc/studio/provision */
        gchar *drive;          /* /dev/disk/by-label/STUDIO-PROV */
        gchar *mount_parent;   /* /run: the drive is mounted in a private folder below */
        gchar *it_key;         /* /usr/share/studio/police-it.pub */
        gchar *conf;           /* /etc/studio/studio.conf */
        gchar *recipients;     /* /etc/studio/recipients */
        gchar *officers;       /* /etc/studio/officers */
        gchar *intake_key;     /* /etc/studio/intake.pub: the bundle's intake keys */
        gchar *keys_dir;       /* /var/lib/studio/keys */
        gchar *marker;         /* /var/lib/studio/provisioned */
        gchar *console;        /* /dev/console */
        gchar *passwd, *group; /* /etc/passwd, /etc/group: the daemons' users */
} provision_paths;

provision_paths *provision_paths_new(const char *root);
provision_paths *provision_paths_free(provision_paths *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(provision_paths, provision_paths_free)

/* A bundle that verified: its parsed fields, and the SHA-256 (hex) of
 * provision.json for the marker. */
typedef struct provision_bundle {
        keys_bundle *b;
        gchar *sha256;
        gchar *where; /* the folder it was read from, for messages */
} provision_bundle;

provision_bundle *provision_bundle_free(provision_bundle *pb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(provision_bundle, provision_bundle_free)

/* Reads DIR/provision.json and DIR/provision.json.minisig (regular files,
 * never through a symlink, bounded), verifies the signature with the
 * minisign public key file it_key, then parses the bundle. -ENOENT when DIR
 * holds no provision.json; -ENOKEY when it has no provision.json.minisig;
 * -EKEYREJECTED/-EBADE for a wrong signature,
 * -EBADMSG for a malformed bundle, -EFBIG for an oversized one. */
int provision_bundle_load(const char *dir, const char *it_key, provision_bundle **ret, gchar **ret_message);

/* The drive labelled STUDIO-PROV, mounted read-only, nosuid, nodev, noexec
 * in a fresh private folder. provision_drive_mount returns -ENOENT when
 * there is no such drive; *ret_dir is the mounted folder. */
int provision_drive_mount(const provision_paths *p, gchar **ret_dir, gchar **ret_message);
/* Unmounts and removes the folder (a failure is reported, not fatal). */
int provision_drive_unmount(const char *dir, gchar **ret_message);

/* The serial of the bundle applied last: 0 when the device was never
 * provisioned (no marker), -EBADMSG for a marker that is not ours. */
int provision_marker_read(const char *path, int64_t *ret_serial, gchar **ret_message);
int provision_marker_write(const char *path, const provision_bundle *pb);

/* studio.conf as it will be after provisioning: the existing file's text
 * (NULL: none) with [recorder] recipients_file, officers, device_key, room
 * and profile and [uploader] vault, endpoint, region and retention_days set
 * from the bundle, every other line kept, and the whole checked as the
 * daemons will load it. */
int provision_conf_text(const provision_paths *p, const keys_bundle *b, const char *old_text, size_t old_len,
                        gchar **ret_text, gchar **ret_message);

/* The device id the bundle is applied as (binding.c): the device's own when
 * it has one (the bundle must name it), else the single id a first bundle
 * names. -EPERM with *ret_message for another device's bundle. */
int provision_bundle_device(const provision_paths *p, const keys_bundle *b, gchar **ret_id,
                            gchar **ret_message);

/* Writes it all: the device key when absent (keys_device_generate, the
 * code of studio-keys device-init), the recipients and officers files and
 * studio.conf atomically, ownership for the daemons' users when they exist,
 * and last the marker. */
int provision_apply(const provision_paths *p, const provision_bundle *pb, gchar **ret_message);
