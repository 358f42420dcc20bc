/* appliance/common's shared primitives: the cleanups in both styles
 * (fdutil.h, sha256.h, sodium-mem.h), fs_read_chunks and the bounded
 * fs_list_namesat. Under ASan a cleanup that did not run is a leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fdutil.h"
#include "fsutil.h"
#include "sha256.h"
#include "sodium-mem.h"
#include "util.h"

static bool fd_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static void test_fd_owned(void **state) {
        int seen, kept;

        (void) state;
        {
                g_auto(fd_owned) fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                assert_true(fd >= 0);
                seen = fd;
                errno = EXDEV;
        }
        assert_int_equal(errno, EXDEV); /* closing kept the caller's errno */
        assert_false(fd_open(seen));
        {
                g_auto(fd_owned) fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                assert_true(fd >= 0);
                kept = TAKE_FD(fd);
                assert_int_equal(fd, -EBADF);
        }
        assert_true(fd_open(kept)); /* handed on: not closed */
        (void) close(kept);
        {
                g_auto(fd_owned) none = -EBADF; /* nothing to close */
                (void) none;
        }
}

static void hash_abc(sha256_ctx *c, char hex[SHA256_HEX_LEN + 1]) {
        uint8_t d[SHA256_LEN];

        sha256_update(c, "abc", 3);
        assert_int_equal(sha256_final(c, d), 0);
        sha256_hex(d, hex);
}

static const char abc_hex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/* Both styles free the context (a leak fails under ASan) and hand it on;
 * one function a style, as the lint wants. */
static void test_sha256_cleanup(void **state) {
        char hex[SHA256_HEX_LEN + 1];
        sha256_ctx *kept;

        (void) state;
        {
                _cleanup_sha256_ sha256_ctx *c = sha256_new();
                assert_non_null(c);
                hash_abc(c, hex);
                assert_string_equal(hex, abc_hex);
                kept = TAKE_PTR(c);
        }
        assert_null(sha256_free(kept));
        {
                _cleanup_sha256_ sha256_ctx *none = NULL; /* NULL is fine */
                (void) none;
        }
}

static void test_sha256_autoptr(void **state) {
        char hex[SHA256_HEX_LEN + 1];
        sha256_ctx *kept;

        (void) state;
        {
                g_autoptr(sha256_ctx) c = sha256_new();
                assert_non_null(c);
                hash_abc(c, hex);
                assert_string_equal(hex, abc_hex);
        }
        {
                g_autoptr(sha256_ctx) c = sha256_new();
                assert_non_null(c);
                hash_abc(c, hex);
                assert_string_equal(hex, abc_hex);
                kept = g_steal_pointer(&c);
        }
        assert_null(sha256_free(kept));
        {
                g_autoptr(sha256_ctx) none = NULL;
                (void) none;
        }
}

/* sodium_free is wrapped at link time (tests/unit/common.cmake): every
 * call is counted, so a cleanup that did not run shows. */
void __real_sodium_free(void *p);
void __wrap_sodium_free(void *p);
static int sodium_frees;
void __wrap_sodium_free(void *p) {
        sodium_frees += p != NULL;
        __real_sodium_free(p);
}

static void test_sodium_cleanup(void **state) {
        void *kept;

        (void) state;
        assert_true(sodium_init() >= 0);
        sodium_frees = 0;
        {
                _cleanup_sodium_free_ char *pin = sodium_malloc(16);
                assert_non_null(pin);
                memcpy(pin, "123456", 7);
        }
        assert_int_equal(sodium_frees, 1);
        {
                _cleanup_sodium_free_ char *pin = sodium_malloc(16);
                kept = TAKE_PTR(pin);
        }
        assert_int_equal(sodium_frees, 1); /* handed on: not freed */
        sodium_free(kept);
        assert_int_equal(sodium_frees, 2);
        {
                _cleanup_sodium_free_ char *none = NULL;
                (void) none;
        }
        assert_int_equal(sodium_frees, 2);
}

static void test_sodium_auto(void **state) {
        void *kept;

        (void) state;
        assert_true(sodium_init() >= 0);
        sodium_frees = 0;
        {
                g_auto(sodium_ptr) key = sodium_malloc(32);
                assert_non_null(key);
                memset(key, 0xa5, 32);
        }
        assert_int_equal(sodium_frees, 1);
        {
                g_auto(sodium_ptr) key = sodium_malloc(32);
                kept = g_steal_pointer(&key);
        }
        assert_int_equal(sodium_frees, 1); /* handed on: not freed */
        sodium_free(kept);
        assert_int_equal(sodium_frees, 2);
        {
                g_auto(sodium_ptr) none = NULL;
                (void) none;
        }
        assert_int_equal(sodium_frees, 2);
}

/* ---- fs_read_chunks ---- */

typedef struct collected {
        GByteArray *bytes;
        unsigned calls, fail_at;
} collected;

static int collect(const uint8_t *buf, size_t len, void *userdata) {
        collected *c = userdata;

        assert_true(len > 0 && len <= FS_CHUNK_SIZE);
        if (++c->calls == c->fail_at)
                return -ENOSPC;
        g_byte_array_append(c->bytes, buf, (guint) len);
        return 0;
}

static int temp_file(size_t len, uint8_t **ret_data) {
        char path[] = "/tmp/test-primitives-XXXXXX";
        int fd = mkostemp(path, O_CLOEXEC);
        uint8_t *data = g_malloc(len ? len : 1);

        assert_true(fd >= 0);
        (void) unlink(path);
        for (size_t i = 0; i < len; i++)
                data[i] = (uint8_t) (i * 7 + i / 251);
        assert_int_equal(fs_write_all(fd, data, len), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        *ret_data = data;
        return fd;
}

static void test_read_chunks_whole(void **state) {
        const size_t len = 2 * FS_CHUNK_SIZE + 12345; /* three chunks, the last short */
        g_autofree uint8_t *data = NULL;
        g_auto(fd_owned) fd = temp_file(len, &data);
        collected c = {.bytes = g_byte_array_new()};
        uint64_t size = 0;

        (void) state;
        assert_int_equal(fs_read_chunks(fd, FS_READ_ALL, collect, &c, &size), 0);
        assert_int_equal(size, len);
        assert_int_equal(c.calls, 3);
        assert_int_equal(c.bytes->len, len);
        assert_memory_equal(c.bytes->data, data, len);
        /* from the current offset: the rest of the file only */
        assert_int_equal(lseek(fd, 100, SEEK_SET), 100);
        g_byte_array_set_size(c.bytes, 0);
        assert_int_equal(fs_read_chunks(fd, FS_READ_ALL, collect, &c, &size), 0);
        assert_int_equal(size, len - 100);
        assert_memory_equal(c.bytes->data, data + 100, len - 100);
        /* by pread: from the offset given, the descriptor's own left alone */
        assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
        g_byte_array_set_size(c.bytes, 0);
        assert_int_equal(fs_pread_chunks(fd, 1000, FS_READ_ALL, collect, &c, &size), 0);
        assert_int_equal(size, len - 1000);
        assert_memory_equal(c.bytes->data, data + 1000, len - 1000);
        assert_int_equal(lseek(fd, 0, SEEK_CUR), 5);
        g_byte_array_unref(c.bytes);
}

/* A socket of datagrams hands one message a read: every read is short,
 * and only the peer's end is the end. */
static void test_read_chunks_short_reads(void **state) {
        static const char *const parts[] = {"a", "bc", "", "defghij", "k"};
        int sv[2];
        collected c = {.bytes = g_byte_array_new()};
        uint64_t size = 0;

        (void) state;
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                if (parts[i][0]) /* an empty datagram would read as the end */
                        assert_int_equal(write(sv[1], parts[i], strlen(parts[i])),
                                         (ssize_t) strlen(parts[i]));
        (void) close(sv[1]);
        assert_int_equal(fs_read_chunks(sv[0], FS_READ_ALL, collect, &c, &size), 0);
        assert_int_equal(c.calls, 4);
        assert_int_equal(size, 11);
        assert_memory_equal(c.bytes->data, "abcdefghijk", 11);
        (void) close(sv[0]);
        g_byte_array_unref(c.bytes);
}

static int late_writer = -1;
static void on_alarm(int sig) {
        (void) sig;
        (void) !write(late_writer, "late", 4);
        (void) close(late_writer);
}

/* A signal during a blocking read (no SA_RESTART) is not an error: the
 * read is made again and finds what the handler wrote. */
static void test_read_chunks_eintr(void **state) {
        struct sigaction sa = {.sa_handler = on_alarm}, old;
        struct itimerval t = {.it_value = {.tv_usec = 20000}};
        collected c = {.bytes = g_byte_array_new()};
        uint64_t size = 0;
        int p[2];

        (void) state;
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        late_writer = p[1];
        assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
        assert_int_equal(setitimer(ITIMER_REAL, &t, NULL), 0);
        assert_int_equal(fs_read_chunks(p[0], FS_READ_ALL, collect, &c, &size), 0);
        assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
        assert_int_equal(size, 4);
        assert_memory_equal(c.bytes->data, "late", 4);
        (void) close(p[0]);
        g_byte_array_unref(c.bytes);
}

static void test_read_chunks_errors(void **state) {
        const size_t len = FS_CHUNK_SIZE * 3;
        g_autofree uint8_t *data = NULL;
        g_auto(fd_owned) fd = temp_file(len, &data);
        g_auto(fd_owned) dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        collected c = {.bytes = g_byte_array_new(), .fail_at = 2};
        uint64_t size = 42;

        (void) state;
        /* the callback's error ends the read and is returned */
        assert_int_equal(fs_read_chunks(fd, FS_READ_ALL, collect, &c, &size), -ENOSPC);
        assert_int_equal(c.calls, 2);
        assert_int_equal(size, 42); /* untouched on failure */
        /* a read error comes back as -errno */
        c.fail_at = 0;
        assert_int_equal(fs_read_chunks(-1, FS_READ_ALL, collect, &c, &size), -EBADF);
        assert_int_equal(fs_read_chunks(dir, FS_READ_ALL, collect, &c, &size), -EISDIR);
        assert_int_equal(fs_pread_chunks(fd, UINT64_MAX, FS_READ_ALL, collect, &c, &size), -EINVAL);
        assert_int_equal(size, 42);
        g_byte_array_unref(c.bytes);
}

/* Past the bound the file is -EFBIG, and no byte beyond it is handed on. */
static void test_read_chunks_bound(void **state) {
        const size_t len = FS_CHUNK_SIZE + 10;
        g_autofree uint8_t *data = NULL;
        g_auto(fd_owned) fd = temp_file(len, &data);
        collected c = {.bytes = g_byte_array_new()};
        uint64_t size = 42;

        (void) state;
        assert_int_equal(fs_pread_chunks(fd, 0, len - 1, collect, &c, &size), -EFBIG);
        assert_int_equal(c.bytes->len, len - 1);
        assert_memory_equal(c.bytes->data, data, len - 1);
        assert_int_equal(size, 42);
        g_byte_array_set_size(c.bytes, 0);
        assert_int_equal(fs_pread_chunks(fd, 0, 5, collect, &c, &size), -EFBIG);
        assert_int_equal(c.bytes->len, 5);
        /* exactly the bound is whole */
        g_byte_array_set_size(c.bytes, 0);
        assert_int_equal(fs_read_chunks(fd, len, collect, &c, &size), 0);
        assert_int_equal(size, len);
        assert_memory_equal(c.bytes->data, data, len);
        /* an empty file with a bound of nothing */
        g_autofree uint8_t *none = NULL;
        g_auto(fd_owned) empty = temp_file(0, &none);
        assert_int_equal(fs_read_chunks(empty, 0, collect, &c, &size), 0);
        assert_int_equal(size, 0);
        g_byte_array_unref(c.bytes);
}

/* ---- fs_list_namesat ---- */

/* fs_read_fd_into: the whole file into the caller's buffer; exactly cap
 * bytes fit, one more is -EFBIG, an empty file is 0 bytes. */
static void test_read_fd_into(void **state) {
        static const size_t sizes[] = {0, 32, 64, 65, 200};
        uint8_t buf[64], *data = NULL;
        size_t len = 99;

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
                size_t n = sizes[i];
                g_auto(fd_owned) fd = temp_file(n, &data);
                int r = fs_read_fd_into(fd, buf, sizeof buf, &len);
                if (n > sizeof buf)
                        assert_int_equal(r, -EFBIG);
                else {
                        assert_int_equal(r, 0);
                        assert_int_equal(len, n);
                        assert_memory_equal(buf, data, n);
                }
                g_free(data);
        }
}

static void test_list_bounded(void **state) {
        static const char *const hostile[] = {"b", "a\nINTACT", "\x1b[2Jc", "\xff\xfe",
                                              "seg-000001.mkv.age"};
        char dir[] = "/tmp/test-primitives-list-XXXXXX";
        g_auto(GStrv) names = NULL;
        char **untouched = (char **) 1;

        (void) state;
        assert_non_null(mkdtemp(dir));
        g_auto(fd_owned) dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                assert_int_equal(fs_write_newat(dfd, hostile[i], "x", 1, 0600), 0);
        assert_int_equal(symlinkat("/etc", dfd, "link"), 0);

        /* every name as the folder holds it, sorted bytewise; the link is named, not followed */
        assert_int_equal(fs_list_namesat(dfd, 6, &names), 0);
        assert_int_equal(g_strv_length(names), 6);
        assert_string_equal(names[0], "\x1b[2Jc");
        assert_string_equal(names[1], "a\nINTACT");
        assert_string_equal(names[2], "b");
        assert_string_equal(names[3], "link");
        assert_string_equal(names[4], "seg-000001.mkv.age");
        assert_string_equal(names[5], "\xff\xfe");
        assert_null(names[6]);

        /* one more name than the bound allows: -E2BIG, nothing returned */
        assert_int_equal(fs_list_namesat(dfd, 5, &untouched), -E2BIG);
        assert_ptr_equal(untouched, (char **) 1);
        assert_int_equal(fs_list_namesat(dfd, 0, &untouched), -E2BIG);

        /* an empty folder is an empty list */
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                assert_int_equal(unlinkat(dfd, hostile[i], 0), 0);
        assert_int_equal(unlinkat(dfd, "link", 0), 0);
        g_strfreev(g_steal_pointer(&names));
        assert_int_equal(fs_list_namesat(dfd, 0, &names), 0);
        assert_null(names[0]);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fd_owned),
                cmocka_unit_test(test_sha256_cleanup),
                cmocka_unit_test(test_sha256_autoptr),
                cmocka_unit_test(test_sodium_cleanup),
                cmocka_unit_test(test_sodium_auto),
                cmocka_unit_test(test_read_chunks_whole),
                cmocka_unit_test(test_read_chunks_short_reads),
                cmocka_unit_test(test_read_chunks_eintr),
                cmocka_unit_test(test_read_chunks_errors),
                cmocka_unit_test(test_read_chunks_bound),
                cmocka_unit_test(test_read_fd_into),
                cmocka_unit_test(test_list_bounded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
