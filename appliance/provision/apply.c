/* Writing a verified bundle onto the device. Everything that can be
 * refused (the configuration it yields, the key folder's state) is worked
 * out before the first write; each file is then replaced atomically, and
 * the marker comes last, so an interrupted run is simply run again. */
#include "provision.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "key-files.h"
#include "keygen.h"

#define CONF_MAX (1u << 20)
#define RECORDER_USER "studio-recorder"

/* The recorder's user in the root's own passwd (not the host's, under
 * --root): found, or -ENOENT before the units' sysusers.d has made it. */
static int recorder_user(const provision_paths *p, uid_t *ret_uid, gid_t *ret_gid) {
        FILE *f = fopen(p->passwd, "re");
        struct passwd *pw;
        int r = -ENOENT;

        if (!f)
                return -ENOENT;
        while (r < 0 && (pw = fgetpwent(f)))
                if (strcmp(pw->pw_name, RECORDER_USER) == 0) {
                        *ret_uid = pw->pw_uid;
                        *ret_gid = pw->pw_gid;
                        r = 0;
                }
        fclose(f);
        return r;
}

static int own(const char *path, uid_t uid, gid_t gid, mode_t mode) {
        if (fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 || chmod(path, mode) < 0)
                return -errno;
        return 0;
}

/* The recorder reads its key and the officers; nobody else needs to. */
static int set_owners(const provision_paths *p, gchar **msg) {
        g_autofree gchar *key = g_build_filename(p->keys_dir, "device.key", NULL);
        uid_t uid;
        gid_t gid;
        int r;

        if (recorder_user(p, &uid, &gid) < 0)
                return 0; /* no daemons' users (a test root): root keeps everything */
        r = own(p->keys_dir, uid, gid, 0750);
        if (r >= 0)
                r = own(key, uid, gid, 0600);
        if (r >= 0)
                r = own(p->officers, 0, gid, 0640);
        if (r < 0)
                *msg = g_strdup_printf("cannot give %s's files to the user " RECORDER_USER ": %s",
                                       p->keys_dir, g_strerror(-r));
        return r;
}

/* Keeps a complete device key; refuses a partial one (never overwrites). */
static int device_key(const provision_paths *p, const char *device_id, gchar **msg) {
        g_autofree gchar *key = g_build_filename(p->keys_dir, "device.key", NULL);
        g_autofree gchar *pub = g_build_filename(p->keys_dir, "device.pub", NULL);
        g_autofree gchar *id = g_build_filename(p->keys_dir, "device.id", NULL);
        int n = keys_exists(key) + keys_exists(pub) + keys_exists(id), r;

        if (n == 3)
                return 0;
        if (n > 0) {
                *msg = g_strdup_printf(
                        "%s holds part of a device key (device.key, device.pub and device.id must "
                        "all be there): move the folder away to make a new key",
                        p->keys_dir);
                return -EEXIST;
        }
        r = keys_mkdir_p(p->keys_dir, 0755, 0750);
        if (r >= 0)
                r = keys_device_generate(key, pub, (const char *const[]){id, NULL}, device_id);
        if (r < 0)
                *msg = g_strdup_printf("cannot make the device key in %s: %s", p->keys_dir, g_strerror(-r));
        return r;
}

static int write_file(const char *path, const char *text, mode_t mode, gchar **msg) {
        int r = keys_mkdir_for_file(path);

        if (r >= 0)
                r = fs_write_atomic(path, text, strlen(text), mode);
        if (r < 0)
                *msg = g_strdup_printf("cannot write %s: %s", path, g_strerror(-r));
        return r;
}

static gchar *recipients_text(const keys_bundle *b) {
        g_autofree gchar *list = g_strjoinv("\n", b->recipients);

        return g_strdup_printf("# the vault's recipients, from provisioning bundle serial %lld\n%s\n",
                               (long long) b->serial, list);
}

/* The intake's keys, as a minisign .pub file holds one (and several, one
 * after another, while a key is replaced): [uploader] intake_key. */
static gchar *intake_keys_text(const keys_bundle *b) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (gchar **k = b->intake_keys; k && *k; k++)
                g_string_append_printf(s,
                                       "untrusted comment: intake public key, from provisioning bundle "
                                       "serial %lld\n%s\n",
                                       (long long) b->serial, *k);
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static int read_conf(const provision_paths *p, char **ret_text, size_t *ret_len, gchar **msg) {
        int r = fs_read_file(p->conf, CONF_MAX, ret_text, ret_len);

        if (r == -ENOENT) {
                *ret_text = NULL;
                *ret_len = 0;
                return 0;
        }
        if (r < 0)
                *msg = g_strdup_printf("cannot read %s: %s", p->conf, g_strerror(-r));
        return r;
}

int provision_apply(const provision_paths *p, const provision_bundle *pb, gchar **ret_message) {
        g_autofree char *old = NULL; /* malloc'd: g_free is free */
        g_autofree gchar *conf = NULL, *recipients = recipients_text(pb->b), *device_id = NULL;
        size_t old_len = 0;
        int r;

        /* checked again here: nothing is written for another device */
        r = provision_bundle_device(p, pb->b, &device_id, ret_message);
        if (r >= 0)
                r = read_conf(p, &old, &old_len, ret_message);
        if (r >= 0)
                r = provision_conf_text(p, pb->b, old, old_len, &conf, ret_message);
        if (r >= 0)
                r = device_key(p, device_id, ret_message);
        if (r >= 0)
                r = write_file(p->recipients, recipients, 0644, ret_message);
        if (r >= 0)
                r = write_file(p->officers, pb->b->officers, 0640, ret_message);
        if (r >= 0 && pb->b->intake_keys) {
                g_autofree gchar *intake = intake_keys_text(pb->b);
                r = write_file(p->intake_key, intake, 0644, ret_message);
        }
        if (r >= 0)
                r = write_file(p->conf, conf, 0644, ret_message);
        if (r >= 0)
                r = set_owners(p, ret_message);
        if (r >= 0 && (r = provision_marker_write(p->marker, pb)) < 0)
                *ret_message = g_strdup_printf("cannot write %s: %s", p->marker, g_strerror(-r));
        return r;
}
