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

int test_sink_append(void *userdata, const uint8_t *buf, size_t len) {
        test_sink *s = userdata;

        if (len > SIZE_MAX / 2 - s->len)
                return -ENOMEM;
        if (s->len + len > s->cap) {
                size_t cap = (s->len + len) * 2;
                uint8_t *p = realloc(s->data, cap);
                if (!p)
                        return -ENOMEM;
                s->data = p;
                s->cap = cap;
        }
        if (len > 0)
                memcpy(s->data + s->len, buf, len);
        s->len += len;
        return 0;
}

void test_sink_done(test_sink *s) {
        free(s->data);
        *s = (test_sink){0};
}

void test_assert_contains(const char *text, const char *needle, const char *file, int line) {
        if (text && needle && strstr(text, needle))
                return;
        print_error("'%s' does not contain '%s'\n", text ? text : "(null)", needle ? needle : "(null)");
        _fail(file, line);
}
