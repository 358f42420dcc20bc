/* The directory vault: a local or mounted folder. A file is written to a
 * fresh hidden name beside its final one, fsynced, made read-only, renamed
 * without replacing anything, its folder fsynced, then re-read: only a
 * re-read whose SHA-256 matches is a receipt. Folders are walked one name at
 * a time with O_NOFOLLOW from the root's descriptor, so nothing outside the
 * root is ever read or written, even through a link planted in the vault. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "sha256.h"
#include "util.h"
#include "vault-internal.h"

typedef struct vault_dir {
        gchar *root;
        int rootfd;
} vault_dir;

static void vault_dir_free(void *impl) {
        vault_dir *d = impl;

        if (!d)
                return;
        if (d->rootfd >= 0)
                (void) close(d->rootfd);
        g_free(d->root);
        g_free(d);
}

/* Opens (creating when asked) each folder of key but the last part; returns
 * its fd and points *ret_leaf at the last part. A symlink is -ELOOP. */
static int open_parent(vault_dir *d, const char *key, bool create, const char **ret_leaf) {
        const char *slash = strrchr(key, '/');
        g_auto(fd_owned) fd = fcntl(d->rootfd, F_DUPFD_CLOEXEC, 3);

        if (fd < 0)
                return -errno;
        if (slash) {
                g_autofree gchar *dirs = g_strndup(key, slash - key);
                g_auto(GStrv) parts = g_strsplit(dirs, "/", -1);
                for (char **p = parts; *p; p++) {
                        if (create) {
                                if (mkdirat(fd, *p, 0755) == 0) {
                                        if (fsync(fd) < 0)
                                                return -errno;
                                } else if (errno != EEXIST)
                                        return -errno; /* a full or read-only vault says so here */
                        }
                        int next = openat(fd, *p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0)
                                return errno == ENOTDIR ? -ELOOP : -errno;
                        (void) close(fd);
                        fd = next;
                }
        }
        *ret_leaf = slash ? slash + 1 : key;
        return TAKE_FD(fd);
}

static int hash_at(int dirfd, const char *leaf, uint64_t *ret_size, char ret_hex[SHA256_HEX_LEN + 1],
                   mode_t *ret_mode) {
        struct stat st;
        uint8_t digest[SHA256_LEN];
        _cleanup_close_ int fd = fs_openat_regular(dirfd, leaf, &st);
        int r;

        if (fd < 0)
                return fd;
        r = sha256_fd(fd, digest, ret_size);
        if (r < 0)
                return r;
        sha256_hex(digest, ret_hex);
        if (ret_mode)
                *ret_mode = st.st_mode;
        return 0;
}

static void fill_receipt(vault_receipt *ret, const char *key, uint64_t size, const char *hex) {
        memset(ret, 0, sizeof(*ret));
        ret->key = g_strdup(key);
        ret->size = size;
        memcpy(ret->sha256, hex, SHA256_HEX_LEN + 1);
        ret->retention_mode = g_strdup("read-only");
        ret->confirmed_us = g_get_real_time();
}

static int dir_error(vault_dir *d, const char *key, int r, const char *what, gchar **ret_message) {
        g_autofree char *shown = escape_text(key);
        g_autofree char *root = escape_text(d->root);

        if (r == -ELOOP)
                *ret_message = g_strdup_printf(
                        "vault dir:%s: a folder on the way to \"%s\" is a symbolic link or not a folder; "
                        "the vault never follows links: remove it",
                        root, shown);
        else
                *ret_message = g_strdup_printf("vault dir:%s: %s \"%s\" failed: %s", root, what, shown,
                                               g_strerror(-r));
        return r;
}

static int vault_dir_head(vault *v, const char *key, vault_receipt *ret, gchar **ret_message) {
        vault_dir *d = v->impl;
        const char *leaf;
        char hex[SHA256_HEX_LEN + 1];
        uint64_t size;
        _cleanup_close_ int dirfd = open_parent(d, key, false, &leaf);
        int r;

        if (dirfd == -ENOENT)
                return -ENOENT;
        if (dirfd < 0)
                return dir_error(d, key, dirfd, "opening the folder of", ret_message);
        r = hash_at(dirfd, leaf, &size, hex, NULL);
        if (r == -ENOENT)
                return -ENOENT;
        if (r < 0)
                return dir_error(d, key, r, "reading", ret_message);
        fill_receipt(ret, key, size, hex);
        return 0;
}

typedef struct copying {
        sha256_ctx *h;
        int dst;
        uint64_t off, size;
        vault_progress_fn progress;
        void *userdata;
} copying;

static int copy_chunk(const uint8_t *buf, size_t len, void *userdata) {
        copying *c = userdata;
        int r;

        sha256_update(c->h, buf, len);
        r = fs_write_all(c->dst, buf, len);
        if (r < 0)
                return r;
        c->off += len;
        if (c->progress)
                c->progress(c->off, c->size, c->userdata);
        return 0;
}

/* Copies size bytes of src (from offset 0, by pread: the caller's file and
 * offset are left alone) into dst through one bounded buffer, hashing as it
 * goes; -EBADMSG when the source is shorter or longer (it changed since it
 * was hashed) or does not hash to want. */
static int copy_hashed(int src, int dst, uint64_t size, const char *want, vault_progress_fn progress,
                       void *userdata) {
        g_autoptr(sha256_ctx) h = sha256_new();
        copying c = {.h = h, .dst = dst, .size = size, .progress = progress, .userdata = userdata};
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        uint64_t got = 0;
        int r;

        if (!h)
                return -ENOMEM;
        r = fs_pread_chunks(src, 0, size, copy_chunk, &c, &got);
        if (r == -EFBIG || (r == 0 && got != size))
                return -EBADMSG;
        if (r == 0)
                r = sha256_final(h, digest);
        if (r < 0)
                return r;
        sha256_hex(digest, hex);
        return strcmp(hex, want) == 0 ? 0 : -EBADMSG;
}

/* Removes the temporary files a killed writer left in dirfd: a live
 * writer holds a lock on its own (write_new), so only the dead ones go. */
static void sweep_stale(int dirfd) {
        g_auto(GStrv) names = NULL;

        if (fs_list_namesat(dirfd, FS_LIST_MAX, &names) < 0)
                return;
        for (char **n = names; *n; n++) {
                if (!g_str_has_prefix(*n, ".tmp-"))
                        continue;
                g_auto(fd_owned) t = openat(dirfd, *n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                if (t >= 0 && flock(t, LOCK_EX | LOCK_NB) == 0)
                        (void) unlinkat(dirfd, *n, 0);
        }
}

/* Links tmp as leaf without ever replacing what is there (-EEXIST). */
static int publish(int dirfd, const char *tmp, const char *leaf) {
        if (renameat2(dirfd, tmp, dirfd, leaf, RENAME_NOREPLACE) == 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        if (linkat(dirfd, tmp, dirfd, leaf, 0) < 0) /* filesystems without RENAME_NOREPLACE */
                return -errno;
        (void) unlinkat(dirfd, tmp, 0);
        return 0;
}

static int write_new(int dirfd, const char *leaf, int src, uint64_t size, const char *sha256_hex,
                     vault_progress_fn progress, void *userdata) {
        char tmp[64];
        uint64_t rnd;
        int r;

        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -EIO;
        (void) snprintf(tmp, sizeof(tmp), ".tmp-%016" PRIx64, rnd);
        _cleanup_close_ int fd = fs_createat(dirfd, tmp, 0600);
        if (fd < 0)
                return fd;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) /* ours while we live: sweep_stale leaves it alone */
                return -errno;
        r = copy_hashed(src, fd, size, sha256_hex, progress, userdata);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        /* read-only before it has its name: the final name is never writable */
        if (r == 0 && fchmod(fd, 0444) < 0)
                r = -errno;
        if (r == 0)
                r = publish(dirfd, tmp, leaf);
        if (r < 0) {
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return fsync(dirfd) < 0 ? -errno : 0;
}

/* What is under leaf, against what we would store: 0 the same (confirmed),
 * -ENOENT nothing, -EBADMSG something else. */
static int compare_existing(int dirfd, const char *leaf, uint64_t size, const char *sha256_hex) {
        char hex[SHA256_HEX_LEN + 1];
        uint64_t have;
        mode_t mode = 0;
        int r = hash_at(dirfd, leaf, &have, hex, &mode);

        if (r == -ELOOP || r == -EISDIR || r == -EINVAL)
                return -EBADMSG; /* a link, folder or device sits there: never ours */
        if (r < 0)
                return r;
        if (have != size || strcmp(hex, sha256_hex) != 0)
                return -EBADMSG;
        /* An earlier run stopped before making it read-only; the copy is
         * whole either way, so a failure here changes nothing. */
        if ((mode & 0222) && fchmodat(dirfd, leaf, 0444, 0) < 0) {
        }
        return 0;
}

static int vault_dir_put(vault *v, const char *key, int fd, uint64_t size, const char *sha256_hex,
                         const char *content_md5_b64, vault_progress_fn progress, void *userdata,
                         vault_receipt *ret, gchar **ret_message) {
        vault_dir *d = v->impl;
        const char *leaf;
        g_auto(fd_owned) dirfd = open_parent(d, key, true, &leaf);
        int r;

        (void) content_md5_b64; /* the copy is re-read and its SHA-256 compared instead */
        if (dirfd < 0)
                return dir_error(d, key, dirfd, "making the folder of", ret_message);
        r = compare_existing(dirfd, leaf, size, sha256_hex);
        if (r == -ENOENT) {
                sweep_stale(dirfd);
                r = write_new(dirfd, leaf, fd, size, sha256_hex, progress, userdata);
                if (r == -EEXIST) /* another writer got there first: judge what it left */
                        r = compare_existing(dirfd, leaf, size, sha256_hex);
                else if (r == -EBADMSG)
                        return dir_error(d, key, -EIO,
                                         "copying the local file (it no longer matches its SHA-256) to",
                                         ret_message);
                else if (r == 0)
                        r = compare_existing(dirfd, leaf, size, sha256_hex); /* the re-read */
        }
        if (r == -EBADMSG) {
                g_autofree char *shown = escape_text(key);
                g_autofree char *root = escape_text(d->root);
                *ret_message = g_strdup_printf(
                        "vault dir:%s already holds a different \"%s\"; it is never overwritten: "
                        "find out where it came from",
                        root, shown);
                return r;
        }
        if (r < 0)
                return dir_error(d, key, r, "storing", ret_message);
        fill_receipt(ret, key, size, sha256_hex);
        return 0;
}

/* The proof before a wipe: the file read again, now, and hashed. */
static int vault_dir_confirm(vault *v, const vault_receipt *want, gchar **ret_message) {
        vault_dir *d = v->impl;
        vault_receipt have = {0};
        g_autofree char *shown = escape_text(want->key);
        g_autofree char *root = escape_text(d->root);
        int r = vault_dir_head(v, want->key, &have, ret_message);

        if (r == -ENOENT) {
                *ret_message = g_strdup_printf("vault dir:%s does not hold \"%s\"", root, shown);
                return r;
        }
        if (r < 0)
                return r == -EISDIR || r == -ELOOP || r == -EINVAL ? -EBADMSG : r;
        bool same = have.size == want->size && strcmp(have.sha256, want->sha256) == 0;
        vault_receipt_clear(&have);
        if (!same) {
                *ret_message = g_strdup_printf("vault dir:%s holds another \"%s\" than its receipt says "
                                               "(size or SHA-256 differ)",
                                               root, shown);
                return -EBADMSG;
        }
        return 0;
}

static const vault_ops vault_dir_ops = {
        .put = vault_dir_put,
        .head = vault_dir_head,
        .confirm = vault_dir_confirm,
        .free = vault_dir_free,
};

int vault_dir_open(const char *root, vault **ret, gchar **ret_message) {
        g_autofree char *shown = escape_text(root ? root : "");

        if (!root || root[0] != '/') {
                *ret_message = g_strdup_printf("[uploader] vault dir:%s is not an absolute path", shown);
                return -EINVAL;
        }
        if (g_mkdir_with_parents(root, 0755) < 0) {
                int r = -errno;
                *ret_message = g_strdup_printf("cannot make the vault folder %s: %s", shown, g_strerror(-r));
                return r;
        }
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                *ret_message = g_strdup_printf("cannot open the vault folder %s: %s", shown, g_strerror(-r));
                return r;
        }
        vault_dir *d = g_new0(vault_dir, 1);
        d->root = g_strdup(root);
        d->rootfd = fd;
        *ret = vault_new(&vault_dir_ops, d, g_strdup_printf("dir:%s", root));
        return 0;
}
