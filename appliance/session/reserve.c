#include "reserve.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util.h"

struct rec_reserve {
        char *path;
        int fd;
        uint64_t size;
};

static int allocate(int fd, uint64_t size) {
        /* posix_fallocate writes blocks itself where the filesystem cannot
         * allocate them, so the room is really taken either way */
        int r = size > 0 ? posix_fallocate(fd, 0, (off_t) size) : 0;

        if (r == 0 && fdatasync(fd) < 0)
                r = errno;
        return -r;
}

static uint64_t base_bytes(uint64_t base) {
        const char *env = getenv("STUDIO_CLOSE_RESERVE");
        uint64_t v = 0;

        if (env && util_parse_size(env, &v) >= 0)
                return v;
        return base;
}

int rec_reserve_take(const char *spool_dir, uint64_t base, rec_reserve **ret) {
        g_autofree char *path = g_build_filename(spool_dir, REC_RESERVE_NAME, NULL);
        uint64_t size = base_bytes(base);
        rec_reserve *rv;
        int fd, r;

        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        r = allocate(fd, size);
        if (r < 0) {
                (void) close(fd);
                (void) unlink(path);
                return r;
        }
        rv = g_new0(rec_reserve, 1);
        rv->path = g_steal_pointer(&path);
        rv->fd = fd;
        rv->size = size;
        *ret = rv;
        return 0;
}

int rec_reserve_grow(rec_reserve *r, uint64_t bytes) {
        int k;

        if (!r || bytes == 0)
                return 0;
        k = allocate(r->fd, r->size + bytes);
        if (k < 0)
                return k;
        r->size += bytes;
        return 0;
}

rec_reserve *rec_reserve_release(rec_reserve *r) {
        if (!r)
                return NULL;
        /* the blocks are freed when the last descriptor closes */
        (void) unlink(r->path);
        (void) close(r->fd);
        g_free(r->path);
        g_free(r);
        return NULL;
}

int rec_reserve_drop_stale(const char *spool_dir) {
        g_autofree char *path = g_build_filename(spool_dir, REC_RESERVE_NAME, NULL);

        if (unlink(path) < 0)
                return errno == ENOENT ? 0 : -errno;
        return 1;
}

uint64_t rec_reserve_free_bytes(const char *path) {
        struct statvfs st;

        if (statvfs(path, &st) < 0)
                return 0;
        return (uint64_t) st.f_bavail * st.f_frsize;
}
