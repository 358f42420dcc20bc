/* The --out folder: opened once, and every file in it created under a new
 * name (O_CREAT|O_EXCL|O_NOFOLLOW) and moved to its final name without
 * replacing anything, so a planted symlink or an existing file is refused
 * by name, never followed or overwritten. What we write is mode 0600: a
 * working copy of an interview is as private as the recording. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "export.h"
#include "fsutil.h"
#include "log.h"

#define EXPORT_FILE_MODE 0600

int export_exit_worst(int a, int b) {
        static const int rank[] = {
                [EXPORT_EXIT_WHOLE] = 0,
                [EXPORT_EXIT_SALVAGED] = 1,
                [EXPORT_EXIT_FAILED] = 2,
                [EXPORT_EXIT_USAGE] = 3,
        };
        return rank[a] >= rank[b] ? a : b;
}

int export_out_open(const char *path, export_out *ret) {
        int fd;

        if (g_mkdir_with_parents(path, 0700) < 0) {
                int r = -errno;
                log_error("cannot create the output folder %s: %s", path, g_strerror(-r));
                return r;
        }
        fd = fs_open_dir(path);
        if (fd < 0) {
                log_error("cannot open the output folder %s: %s", path, g_strerror(-fd));
                return fd;
        }
        *ret = (export_out){.path = path, .fd = fd};
        return 0;
}

void export_out_close(export_out *o) {
        fd_close_owned(o->fd);
        o->fd = -EBADF;
}

void export_out_say_taken(const export_out *o, const char *name) {
        log_error("%s/%s already exists (or is a link): choose an empty --out folder", o->path, name);
}

bool export_out_name_free(const export_out *o, const char *name) {
        mode_t mode;
        int r = fs_kindat(o->fd, name, &mode);

        if (r == -ENOENT)
                return true;
        if (r < 0)
                log_error("cannot use %s/%s: %s: choose an empty --out folder", o->path, name,
                          g_strerror(-r));
        else
                export_out_say_taken(o, name);
        return false;
}

int export_out_write(const export_out *o, const char *name, const void *data, size_t len) {
        int r = fs_write_newat(o->fd, name, data, len, EXPORT_FILE_MODE);

        if (r == -EEXIST)
                export_out_say_taken(o, name);
        else if (r < 0)
                log_error("cannot write %s/%s: %s", o->path, name, g_strerror(-r));
        return r;
}

int export_partial_new(const export_out *o, export_partial *ret) {
        uint64_t rnd;
        int fd;

        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -EIO;
        (void) snprintf(ret->name, sizeof(ret->name), ".partial-%016" PRIx64, rnd);
        fd = fs_createat(o->fd, ret->name, EXPORT_FILE_MODE);
        if (fd < 0) {
                ret->name[0] = '\0';
                ret->fd = -EBADF;
                return fd;
        }
        /* the umask must neither widen nor narrow it */
        if (fchmod(fd, EXPORT_FILE_MODE) < 0) {
                int r = -errno;
                (void) close(fd);
                (void) unlinkat(o->fd, ret->name, 0);
                ret->name[0] = '\0';
                ret->fd = -EBADF;
                return r;
        }
        ret->fd = fd;
        return 0;
}

int export_partial_commit(const export_out *o, export_partial *p, const char *name) {
        int r = 0;

        if (!fs_name_valid(name))
                return -EINVAL;
        if (fsync(p->fd) < 0)
                return -errno;
        /* RENAME_NOREPLACE is atomic; where the file system lacks it,
         * linkat (which never replaces either) and then unlinkat */
        if (renameat2(o->fd, p->name, o->fd, name, RENAME_NOREPLACE) < 0) {
                if (errno != EINVAL && errno != ENOSYS)
                        return -errno;
                if (linkat(o->fd, p->name, o->fd, name, 0) < 0)
                        return -errno;
                (void) unlinkat(o->fd, p->name, 0);
        }
        p->name[0] = '\0';
        fd_close_owned(p->fd);
        p->fd = -EBADF;
        if (fsync(o->fd) < 0)
                r = -errno;
        return r;
}

void export_partial_discard(const export_out *o, export_partial *p) {
        fd_close_owned(p->fd);
        p->fd = -EBADF;
        if (p->name[0])
                (void) unlinkat(o->fd, p->name, 0);
        p->name[0] = '\0';
}
