/* File helpers: whole writes, durable syncs and atomic replacement, so that no
 * file we write is ever seen half-written. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* write() until all of buf is written; -errno (e.g. -ENOSPC) otherwise. */
int fs_write_all(int fd, const void *buf, size_t len);

/* fsync the directory that holds path (so a create or rename is durable). */
int fs_fsync_parent(const char *path);
int fs_fsync_dir(const char *dir);

/* Writes data to path.tmp, fsyncs it, renames it over path and fsyncs the
 * folder. mode is the file mode (e.g. 0644). */
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
