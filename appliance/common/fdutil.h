/* A file descriptor closed at the end of its scope, for GLib code: the
 * counterpart of util.h's _cleanup_close_, so that a function that frees
 * with g_autofree/g_autoptr holds its descriptors in the same style.
 *
 *         g_auto(fd_owned) fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
 *         ...
 *         return TAKE_FD(fd);   (util.h: hands it on, leaves -EBADF)
 */
#pragma once

#include <errno.h>
#include <glib.h>
#include <unistd.h>

typedef int fd_owned;

/* Closes fd when it is a descriptor (>= 0), keeping errno for the caller. */
static inline void fd_close_owned(fd_owned fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
}
G_DEFINE_AUTO_CLEANUP_FREE_FUNC(fd_owned, fd_close_owned, -EBADF)
