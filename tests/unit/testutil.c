/* See testutil.h. */
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *test_tmpdir_new(const char *name) {
        const char *base = getenv("TMPDIR");
        char *path = NULL;

        if (!base || !*base)
                base = "/tmp";
        if (asprintf(&path, "%s/%s.XXXXXX", base, name) < 0)
                return NULL;
        if (!mkdtemp(path)) {
                int e = errno;
                free(path);
                errno = e;
                return NULL;
        }
        return path;
}

/* Before descending: a folder the test made read-only must be writable
 * and searchable for its entries to go (root needs no such help). */
static int make_removable(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) ftw;
        if (type == FTW_D || type == FTW_DNR)
                (void) chmod(path, (st->st_mode & 07777) | S_IRWXU);
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st;
        (void) type;
        (void) ftw;
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int test_rmtree(const char *path) {
        if (nftw(path, make_removable, 16, FTW_PHYS) < 0 && errno != ENOENT)
                return -errno;
        if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int test_tmpdir_remove(char *path) {
        int r = path ? test_rmtree(path) : 0;

        free(path);
        return r;
}

void test_assert_contains(const char *text, const char *needle, const char *file, int line) {
        if (text && needle && strstr(text, needle))
                return;
        print_error("'%s' does not contain '%s'\n", text ? text : "(null)", needle ? needle : "(null)");
        _fail(file, line);
}
