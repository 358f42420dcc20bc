#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil-testing.h"
#include "util.h"

#define FS_TMP_NAME_MAX 256

int fs_write_all(int fd, const void *buf, size_t len) {
        const uint8_t *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int fs_fsync_dir(const char *dir) {
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

int fs_fsync_parent(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        return fs_fsync_dir(dirname(copy));
}

/* A fresh hidden name beside the target: unguessable, so that nothing can
 * be planted there in advance, and refused by O_EXCL or linkat if it were. */
static int tmp_name(const char *base, char ret[FS_TMP_NAME_MAX]) {
        uint64_t rnd;

        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -EIO;
        (void) snprintf(ret, FS_TMP_NAME_MAX, ".%.200s.%016" PRIx64, base, rnd);
        return 0;
}

/* The whole content, exactly mode (whatever the umask), on disk. */
static int tmp_fill(int fd, const void *data, size_t len, mode_t mode) {
        int r = fs_write_all(fd, data, len);

        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        return r;
}

/* Renames the filled temporary tmp over base, or removes it. */
static int tmp_publish(int dirfd, const char *tmp, const char *base) {
        if (renameat(dirfd, tmp, dirfd, base) < 0) {
                int r = -errno;
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
}

/* Gives the unnamed file fd a fresh name in dirfd: through /proc (any
 * user), else AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH). -EOPNOTSUPP when
 * neither works here. */
static int tmp_link(int fd, int dirfd, const char *base, char ret[FS_TMP_NAME_MAX]) {
        char proc[64];

        (void) snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        for (int attempt = 0; attempt < 16; attempt++) {
                int r = tmp_name(base, ret);
                if (r < 0)
                        return r;
                if (linkat(AT_FDCWD, proc, dirfd, ret, AT_SYMLINK_FOLLOW) == 0)
                        return 0;
                if (errno == EEXIST)
                        continue;
                if (errno != ENOENT)
                        return -errno;
                if (linkat(fd, "", dirfd, ret, AT_EMPTY_PATH) == 0)
                        return 0;
                if (errno == EEXIST)
                        continue;
                return errno == ENOENT || errno == EPERM ? -EOPNOTSUPP : -errno;
        }
        return -EEXIST;
}

/* O_TMPFILE: the file has no name until it is whole, so a failure or a
 * crash before the link leaves nothing behind. -EOPNOTSUPP when the
 * filesystem (or kernel) has no O_TMPFILE. */
static int write_unnamed(int dirfd, const char *base, const void *data, size_t len, mode_t mode) {
        _cleanup_close_ int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        char tmp[FS_TMP_NAME_MAX];
        int r;

        if (fd < 0)
                return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ? -EOPNOTSUPP : -errno;
        r = tmp_fill(fd, data, len, mode);
        if (r == 0)
                r = tmp_link(fd, dirfd, base, tmp);
        if (r < 0)
                return r;
        return tmp_publish(dirfd, tmp, base);
}

/* mkostemp's way, relative to the folder: a fresh name, created with
 * O_EXCL|O_NOFOLLOW, so a file or link planted there is never used. */
static int write_named(int dirfd, const char *base, const void *data, size_t len, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        char tmp[FS_TMP_NAME_MAX];
        int r;

        for (int attempt = 0; fd < 0; attempt++) {
                r = tmp_name(base, tmp);
                if (r < 0)
                        return r;
                fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && (errno != EEXIST || attempt >= 16))
                        return -errno;
        }
        r = tmp_fill(fd, data, len, mode);
        if (r < 0) {
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return tmp_publish(dirfd, tmp, base);
}

/* The folder and last component of path, for the *at calls. */
static int open_parent(const char *path, char **ret_base) {
        _cleanup_free_ char *d = strdup(path), *b = strdup(path);
        _cleanup_free_ char *base = NULL;
        int fd;

        if (!d || !b)
                return -ENOMEM;
        base = strdup(basename(b));
        if (!base)
                return -ENOMEM;
        if (!fs_name_valid(base))
                return -EINVAL;
        fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_base = TAKE_PTR(base);
        return fd;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, bool unnamed) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dirfd = open_parent(path, &base);
        int r = -EOPNOTSUPP;

        if (dirfd < 0)
                return dirfd;
        if (unnamed)
                r = write_unnamed(dirfd, base, data, len, mode);
        if (r == -EOPNOTSUPP)
                r = write_named(dirfd, base, data, len, mode);
        if (r < 0)
                return r;
        return fsync(dirfd) < 0 ? -errno : 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode) {
        return write_atomic(path, data, len, mode, true);
}

int fs_write_atomic_named(const char *path, const void *data, size_t len, mode_t mode) {
        return write_atomic(path, data, len, mode, false);
}

static int check_regular(int fd, struct stat *ret_st) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL; /* FIFO, socket or device: no size, may never end */
        if (ret_st)
                *ret_st = st;
        return 0;
}

/* O_NONBLOCK: a FIFO in place of a file must not block us before fstat can
 * refuse it; it does not change reads of regular files. */
static int open_regular_at(int dirfd, const char *path, int extra_flags, struct stat *ret_st) {
        _cleanup_close_ int fd =
                openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | extra_flags);
        int r;

        if (fd < 0)
                return errno == ENXIO ? -EINVAL : -errno; /* a socket cannot be opened at all */
        r = check_regular(fd, ret_st);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

int fs_open_regular(const char *path, struct stat *ret_st) {
        return open_regular_at(AT_FDCWD, path, 0, ret_st);
}

/* One read (a pread at `at` when positioned), retried when a signal
 * interrupts it: the bytes read, 0 at the end, or -errno. */
static ssize_t read_some(int fd, bool positioned, uint64_t at, void *buf, size_t len) {
        ssize_t n;

        do
                n = positioned ? pread(fd, buf, len, (off_t) at) : read(fd, buf, len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

int fs_read_fd_into(int fd, void *buf, size_t cap, size_t *ret_len) {
        size_t len = 0;
        char extra;

        for (;;) {
                /* once buf is full, one byte more says the file is larger */
                ssize_t n = len < cap ? read_some(fd, false, 0, (char *) buf + len, cap - len)
                                      : read_some(fd, false, 0, &extra, 1);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                if (len == cap)
                        return -EFBIG;
                len += (size_t) n;
        }
        *ret_len = len;
        return 0;
}

int fs_read_fd(int fd, size_t max, char **ret_data, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0, cap;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        /* One byte beyond max (to notice a file larger than allowed, even one
         * that grew after fstat) plus the terminating NUL. */
        cap = (size_t) st.st_size + 2;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len == cap - 1) {
                        if (len > max)
                                return -EFBIG;
                        size_t ncap = cap - 1 > max / 2 ? max + 2 : cap * 2;
                        char *n = realloc(buf, ncap);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        cap = ncap;
                }
                ssize_t k = pread(fd, buf + len, cap - 1 - len, (off_t) len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        if (len > max)
                return -EFBIG;
        buf[len] = '\0';
        *ret_data = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int fs_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len) {
        _cleanup_close_ int fd = fs_open_regular(path, NULL);

        if (fd < 0)
                return fd;
        return fs_read_fd(fd, max, ret_data, ret_len);
}

bool fs_name_valid(const char *name) {
        return name && *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

int fs_open_dir(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int fs_openat_regular(int dirfd, const char *name, struct stat *ret_st) {
        if (!fs_name_valid(name))
                return -EINVAL;
        /* O_NOFOLLOW: a symlink fails with ELOOP instead of being followed
         * out of the folder */
        return open_regular_at(dirfd, name, O_NOFOLLOW, ret_st);
}

int fs_read_fileat(int dirfd, const char *name, size_t max, char **ret_data, size_t *ret_len) {
        _cleanup_close_ int fd = fs_openat_regular(dirfd, name, NULL);

        if (fd < 0)
                return fd;
        return fs_read_fd(fd, max, ret_data, ret_len);
}

const char *fs_kind_name(mode_t m) {
        return S_ISLNK(m)    ? "a symbolic link"
               : S_ISDIR(m)  ? "a folder"
               : S_ISFIFO(m) ? "a FIFO"
               : S_ISSOCK(m) ? "a socket"
               : S_ISREG(m)  ? "a regular file"
                             : "a device";
}

int fs_kindat(int dirfd, const char *name, mode_t *ret_mode) {
        struct stat st;

        if (!fs_name_valid(name))
                return -EINVAL;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        *ret_mode = st.st_mode;
        return 0;
}

int fs_createat(int dirfd, const char *name, mode_t mode) {
        int fd;

        if (!fs_name_valid(name))
                return -EINVAL;
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
        return fd < 0 ? -errno : fd;
}

int fs_write_newat(int dirfd, const char *name, const void *data, size_t len, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        char tmp[64];
        uint64_t rnd;
        int r;

        if (!fs_name_valid(name))
                return -EINVAL;
        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -EIO;
        (void) snprintf(tmp, sizeof(tmp), ".tmp-%016" PRIx64, rnd);
        fd = fs_createat(dirfd, tmp, mode);
        if (fd < 0)
                return fd;
        r = fs_write_all(fd, data, len);
        if (r == 0 && fchmod(fd, mode) < 0) /* the umask must not widen or narrow it */
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        /* linkat never replaces: an existing file or planted symlink is -EEXIST */
        if (r == 0 && linkat(dirfd, tmp, dirfd, name, 0) < 0)
                r = -errno;
        (void) unlinkat(dirfd, tmp, 0);
        if (r < 0)
                return r;
        return fsync(dirfd) < 0 ? -errno : 0;
}

static int read_chunks(int fd, bool positioned, uint64_t offset, uint64_t max, fs_chunk_fn fn,
                       void *userdata, uint64_t *ret_size) {
        _cleanup_free_ uint8_t *buf = malloc(FS_CHUNK_SIZE);
        uint64_t total = 0;

        if (!buf)
                return -ENOMEM;
        (void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        for (;;) {
                /* past max, one byte more is asked for only to tell the end
                 * of the file from a file that goes on */
                size_t want = max - total < FS_CHUNK_SIZE ? (size_t) (max - total) + 1 : FS_CHUNK_SIZE;
                ssize_t n = read_some(fd, positioned, offset + total, buf, want);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                bool beyond = (uint64_t) n > max - total;
                size_t keep = beyond ? (size_t) (max - total) : (size_t) n;
                int r = keep > 0 ? fn(buf, keep, userdata) : 0;
                if (r < 0)
                        return r;
                if (beyond)
                        return -EFBIG;
                total += keep;
        }
        if (ret_size)
                *ret_size = total;
        return 0;
}

int fs_read_chunks(int fd, uint64_t max, fs_chunk_fn fn, void *userdata, uint64_t *ret_size) {
        return read_chunks(fd, false, 0, max, fn, userdata, ret_size);
}

int fs_pread_chunks(int fd, uint64_t offset, uint64_t max, fs_chunk_fn fn, void *userdata,
                    uint64_t *ret_size) {
        if (offset > INT64_MAX)
                return -EINVAL;
        return read_chunks(fd, true, offset, max, fn, userdata, ret_size);
}

static gint compare_names(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int fs_list_namesat(int dirfd, size_t max, char ***ret_names) {
        int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        g_autoptr(GPtrArray) names = NULL;
        int r = 0;

        if (!d) {
                r = -errno;
                if (fd >= 0)
                        (void) close(fd);
                return r;
        }
        /* the duplicate shares the offset a listing before this one left at the end */
        rewinddir(d);
        names = g_ptr_array_new_with_free_func(g_free);
        errno = 0;
        for (struct dirent *de; (de = readdir(d)); errno = 0) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (names->len >= max) {
                        r = -E2BIG;
                        break;
                }
                g_ptr_array_add(names, g_strdup(de->d_name));
        }
        if (r == 0 && errno != 0)
                r = -errno;
        (void) closedir(d);
        if (r < 0)
                return r;
        g_ptr_array_sort(names, compare_names);
        g_ptr_array_set_free_func(names, NULL);
        g_ptr_array_add(names, NULL);
        *ret_names = (char **) g_ptr_array_free(g_steal_pointer(&names), FALSE);
        return 0;
}
