/* File helpers: whole writes, durable syncs and atomic replacement, so that no
 * file we write is ever seen half-written. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* write() until all of buf is written; -errno (e.g. -ENOSPC) otherwise. */
int fs_write_all(int fd, const void *buf, size_t len);

/* fsync the directory that holds path (so a create or rename is durable). */
int fs_fsync_parent(const char *path);
int fs_fsync_dir(const char *dir);

/* Replaces path with data so that it is never seen half-written: writes a
 * unique temporary file in path's folder (unnamed with O_TMPFILE where the
 * filesystem has it, else a fresh hidden name created with O_EXCL), sets
 * exactly mode (e.g. 0644) whatever the umask, fsyncs it, renames it over
 * path and fsyncs the folder. Concurrent writers each publish a whole file;
 * nothing already in the folder is followed or reused, and a failure
 * leaves no temporary file behind. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Reads a whole file of at most max bytes into a NUL-terminated buffer.
 * -EFBIG when larger: outside input never gets unbounded memory. Only
 * regular files are read: -EISDIR for a directory, -EINVAL for a FIFO,
 * socket or device (opened non-blocking, so a FIFO never hangs us). */
int fs_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len);
/* Opens a regular file for reading without ever blocking on a FIFO or a
 * device put in its place: -EISDIR for a folder, -EINVAL for anything else
 * that is not a regular file. Returns the fd (O_CLOEXEC); ret_st optional. */
int fs_open_regular(const char *path, struct stat *ret_st);

/* ---- files of a folder that came from elsewhere (a session folder, an
 * output folder) ------------------------------------------------------------
 * A name is one path component: not empty, not "." or "..", no '/'. Files
 * are opened relative to the folder's descriptor and never through a
 * symbolic link, so nothing outside the folder is ever read or written. */

/* true when name is a single path component. */
bool fs_name_valid(const char *name);
/* Opens the folder itself (which may be given through a symlink). */
int fs_open_dir(const char *path);
/* Opens dirfd/name for reading like fs_open_regular, without following a
 * symlink: -ELOOP for a symlink, -EISDIR for a folder, -EINVAL for a FIFO,
 * socket or device or an invalid name, -ENOENT when absent. */
int fs_openat_regular(int dirfd, const char *name, struct stat *ret_st);
/* fs_read_file relative to a folder (same rules as fs_openat_regular). */
int fs_read_fileat(int dirfd, const char *name, size_t max, char **ret_data, size_t *ret_len);
/* Reads an already opened regular file of at most max bytes (from offset 0). */
int fs_read_fd(int fd, size_t max, char **ret_data, size_t *ret_len);
/* Reads fd from where it stands to its end into the caller's buf (locked
 * memory for a secret, say): 0 and *ret_len, -EFBIG when more than cap
 * bytes are there, or -errno. */
int fs_read_fd_into(int fd, void *buf, size_t cap, size_t *ret_len);

/* ---- reading a file of any size in order (hashing, copying) ------------ */

#define FS_CHUNK_SIZE ((size_t) 1 << 20) /* the one buffer's size, whatever the file's */
#define FS_READ_ALL UINT64_MAX           /* no bound: the caller checked the size */
/* Called with each chunk in file order; a negative return ends the read
 * and is what fs_read_chunks returns. */
typedef int (*fs_chunk_fn)(const uint8_t *buf, size_t len, void *userdata);
/* Reads fd from its current offset to its end through one buffer of
 * FS_CHUNK_SIZE bytes, handing every chunk to fn. A read interrupted by a
 * signal is retried, a short read is not an end (only a read of nothing
 * is). At most max bytes are handed on: a file that holds more is -EFBIG
 * (fn has then seen exactly the first max bytes). 0 with *ret_size
 * (optional) the bytes handed on, or -errno; *ret_size untouched then. */
int fs_read_chunks(int fd, uint64_t max, fs_chunk_fn fn, void *userdata, uint64_t *ret_size);
/* The same from offset by pread, leaving fd's own offset alone. */
int fs_pread_chunks(int fd, uint64_t offset, uint64_t max, fs_chunk_fn fn, void *userdata,
                    uint64_t *ret_size);
/* What a file that is not a regular file is, for messages: "a symbolic
 * link", "a folder", "a FIFO", "a socket", "a device". */
const char *fs_kind_name(mode_t mode);
/* The kind of dirfd/name without following a link (lstat-like): 0 and
 * *ret_mode, or -errno. */
int fs_kindat(int dirfd, const char *name, mode_t *ret_mode);
/* The names in the folder dirfd (without "." and ".."), sorted bytewise,
 * NULL-terminated (free with g_strfreev); nothing in it is opened or
 * followed, and a name is returned as the folder holds it (escape it
 * before showing it). At most max names: -E2BIG for a folder that holds
 * more, so a folder stuffed with files never gets unbounded memory.
 * Reads through a duplicate of dirfd, from the folder's start, leaving
 * dirfd as it was. 0 or -errno; *ret_names untouched on failure. */
int fs_list_namesat(int dirfd, size_t max, char ***ret_names);
/* Room for every entry a folder of ours holds, where no tighter bound
 * is known (a spool, a session, the vault's receipts). */
#define FS_LIST_MAX ((size_t) 1000000)
/* Creates dirfd/name for writing: O_CREAT|O_EXCL|O_NOFOLLOW, so an existing
 * file or a planted symlink is refused (-EEXIST), never followed. */
int fs_createat(int dirfd, const char *name, mode_t mode);
/* Writes data to a unique temporary file in dirfd, fsyncs it and links it
 * as name, refusing to replace anything (-EEXIST); fsyncs the folder. */
int fs_write_newat(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
