/* The second drive police IT brings: a filesystem labelled STUDIO-PROV,
 * mounted read-only, nosuid, nodev and noexec in a fresh private folder
 * (so nothing on it can run, act as a device or be written), read, then
 * unmounted. mount(8) finds the filesystem's type, as udisks would. */
#include "provision.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "key-files.h"

int provision_drive_mount(const provision_paths *p, gchar **ret_dir, gchar **ret_message) {
        g_autofree gchar *dir = g_build_filename(p->mount_parent, "studio-provision.XXXXXX", NULL);
        g_autofree gchar *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        struct stat st;
        int status = 0, r;

        if (stat(p->drive, &st) < 0)
                return errno == ENOENT ? -ENOENT : -errno;
        if (!S_ISBLK(st.st_mode)) {
                *ret_message = g_strdup_printf("%s is not a drive (a block device): not mounted", p->drive);
                return -ENOTBLK;
        }
        r = keys_mkdir_p(p->mount_parent, 0755, 0755);
        if (r < 0 || !g_mkdtemp_full(dir, 0700)) {
                *ret_message = g_strdup_printf("cannot make a folder in %s to mount %s: %s", p->mount_parent,
                                               p->drive, g_strerror(r < 0 ? -r : errno));
                return r < 0 ? r : -errno;
        }
        const char *argv[] = {"mount", "-o", "ro,nosuid,nodev,noexec", p->drive, dir, NULL};
        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                          &error) ||
            !g_spawn_check_wait_status(status, NULL)) {
                *ret_message = g_strdup_printf("cannot mount %s read-only: %s", p->drive,
                                               error ? error->message : g_strstrip(err));
                (void) rmdir(dir);
                return -EIO;
        }
        *ret_dir = g_steal_pointer(&dir);
        return 0;
}

int provision_drive_unmount(const char *dir, gchar **ret_message) {
        if (umount2(dir, 0) < 0 || rmdir(dir) < 0) {
                int r = -errno;
                *ret_message = g_strdup_printf("cannot unmount %s: %s (remove the drive only after "
                                               "'umount %s')",
                                               dir, g_strerror(-r), dir);
                return r;
        }
        return 0;
}
