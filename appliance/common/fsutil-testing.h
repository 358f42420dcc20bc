/* fs_write_atomic's test-only seam, kept out of fsutil.h so that no
 * production code calls it: the path it takes on a filesystem without
 * O_TMPFILE, so that the tests cover it on any filesystem. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* fs_write_atomic through a named temporary file (mkostemp's way) only. */
int fs_write_atomic_named(const char *path, const void *data, size_t len, mode_t mode);
