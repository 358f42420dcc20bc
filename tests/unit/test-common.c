/* appliance/common: bounded parsing, hex, SHA-256 and file helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil-testing.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "sha256.h"
#include "util.h"

static void test_parse_u64(void **state) {
        uint64_t v = 0;

        assert_int_equal(util_parse_u64("0", 0, 10, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(util_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(util_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
        assert_int_equal(util_parse_u64("11", 0, 10, &v), -ERANGE);
        assert_int_equal(util_parse_u64("", 0, 10, &v), -EINVAL);
        assert_int_equal(util_parse_u64(NULL, 0, 10, &v), -EINVAL);
        assert_int_equal(util_parse_u64("-1", 0, 10, &v), -EINVAL);
        assert_int_equal(util_parse_u64(" 1", 0, 10, &v), -EINVAL);
        assert_int_equal(util_parse_u64("1x", 0, 10, &v), -EINVAL);
}

static void test_parse_duration(void **state) {
        static const struct {
                const char *in;
                uint64_t ns;
                int r;
        } cases[] = {
                {"20s", 20000000000ULL, 0},
                {"20", 20000000000ULL, 0},
                {"1500ms", 1500000000ULL, 0},
                {"5min", 300000000000ULL, 0},
                {"5m", 300000000000ULL, 0},
                {"1h", 3600000000000ULL, 0},
                {"", 0, -EINVAL},
                {"s", 0, -EINVAL},
                {"-5s", 0, -EINVAL},
                {"5x", 0, -EINVAL},
                {"5 s", 0, -EINVAL},
                {"1.5s", 0, -EINVAL},
                {"99999999999999999999s", 0, -ERANGE},
                {"9999999999999h", 0, -ERANGE},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t ns = 0;
                int r = util_parse_duration_ns(cases[i].in, &ns);
                assert_int_equal(r, cases[i].r);
                if (r == 0)
                        assert_true(ns == cases[i].ns);
        }
}

static void test_format_hms(void **state) {
        static const struct {
                uint64_t ns;
                const char *want;
        } cases[] = {
                {0, "0:00:00"},
                {8900000000ULL, "0:00:08"},
                {59999999999ULL, "0:00:59"},
                {60000000000ULL, "0:01:00"},
                {3599000000000ULL, "0:59:59"},
                {3600000000000ULL, "1:00:00"},
                {(100ULL * 3600 + 61) * 1000000000ULL, "100:01:01"},
                {UINT64_MAX, "5124095:34:33"},
        };
        char out[UTIL_HMS_MAX];

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                util_format_hms(cases[i].ns, out);
                assert_string_equal(out, cases[i].want);
        }
}

static void test_parse_size(void **state) {
        uint64_t v = 0;

        assert_int_equal(util_parse_size("1GiB", &v), 0);
        assert_true(v == 1ULL << 30);
        assert_int_equal(util_parse_size("600KiB", &v), 0);
        assert_true(v == 600ULL * 1024);
        assert_int_equal(util_parse_size("100MB", &v), 0);
        assert_true(v == 100000000ULL);
        assert_int_equal(util_parse_size("12", &v), 0);
        assert_true(v == 12);
        assert_int_equal(util_parse_size("1TiB", &v), -EINVAL);
        assert_int_equal(util_parse_size("GiB", &v), -EINVAL);
        assert_int_equal(util_parse_size("99999999999999999999G", &v), -ERANGE);
}

static void test_hex(void **state) {
        const uint8_t in[] = {0x00, 0x7f, 0x80, 0xff};
        char out[9];
        uint8_t back[4];

        util_hex(in, sizeof(in), out);
        assert_string_equal(out, "007f80ff");
        assert_int_equal(util_unhex("007F80ff", back, 4), 0);
        assert_memory_equal(in, back, 4);
        assert_int_equal(util_unhex("007f80f", back, 4), -EINVAL);
        assert_int_equal(util_unhex("007f80fg", back, 4), -EINVAL);
        assert_int_equal(util_unhex(NULL, back, 4), -EINVAL);
}

static void test_sha256(void **state) {
        /* FIPS 180-2 "abc" */
        uint8_t d[SHA256_LEN], peek[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        sha256_ctx *c = sha256_new();

        sha256_update(c, "ab", 2);
        assert_int_equal(sha256_peek(c, peek), 0);
        sha256_update(c, "c", 1);
        assert_int_equal(sha256_final(c, d), 0);
        sha256_free(c);
        sha256_hex(d, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        sha256_buf("ab", 2, d);
        assert_memory_equal(d, peek, SHA256_LEN); /* peek did not end the running hash */
}

static void test_files(void **state) {
        char dir[] = "/tmp/test-common.XXXXXX";
        char path[64], *data = NULL;
        uint8_t d[SHA256_LEN];
        uint64_t size = 0;
        size_t len = 0;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/f", dir);
        assert_int_equal(fs_write_atomic(path, "abc", 3, 0640), 0);
        assert_int_equal(fs_read_file(path, 3, &data, &len), 0);
        assert_int_equal(len, 3);
        assert_string_equal(data, "abc");
        free(data);
        assert_int_equal(fs_read_file(path, 2, &data, &len), -EFBIG); /* bounded */
        assert_int_equal(fs_read_file(dir, 100, &data, &len), -EISDIR);
        assert_int_equal(sha256_file(path, d, &size), 0);
        assert_int_equal(size, 3);
        assert_int_equal(sha256_file("/nonexistent/x", d, &size), -ENOENT);
        assert_int_equal(fs_write_atomic("/nonexistent/dir/f", "x", 1, 0600), -ENOENT);
        (void) unlink(path);
        (void) rmdir(dir);
}

/* ---- fs_write_atomic: both ways it writes (O_TMPFILE, and the named
 * temporary file of filesystems without it) ---------------------------- */

typedef int (*write_atomic_fn)(const char *path, const void *data, size_t len, mode_t mode);
static const write_atomic_fn write_atomic_ways[] = {fs_write_atomic, fs_write_atomic_named};

/* The names in dir, sorted and space-separated ("" when empty). */
static char *dir_names(const char *dir) {
        struct dirent **list = NULL;
        char *out = calloc(1, 4096);
        int n = scandir(dir, &list, NULL, alphasort);

        assert_non_null(out);
        assert_true(n >= 0);
        for (int i = 0; i < n; i++) {
                if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
                        if (*out)
                                strncat(out, " ", 4095 - strlen(out));
                        strncat(out, list[i]->d_name, 4095 - strlen(out));
                }
                free(list[i]);
        }
        free(list);
        return out;
}

static void assert_dir_holds(const char *dir, const char *names) {
        char *got = dir_names(dir);
        assert_string_equal(got, names);
        free(got);
}

static void assert_file_is(const char *path, const char *text, mode_t mode) {
        char *data = NULL;
        struct stat st;

        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, mode);
        assert_int_equal(fs_read_file(path, 4096, &data, NULL), 0);
        assert_string_equal(data, text);
        free(data);
}

/* The file gets exactly the mode asked for, however wide or narrow the
 * umask; a second write replaces the mode of the first. */
static void test_write_atomic_mode(void **state) {
        char dir[] = "/tmp/test-common-mode.XXXXXX", p[64];
        mode_t old = umask(0);

        (void) state;
        assert_non_null(mkdtemp(dir));
        snprintf(p, sizeof(p), "%s/f", dir);
        for (size_t w = 0; w < 2; w++) {
                (void) umask(0077);
                assert_int_equal(write_atomic_ways[w](p, "wide", 4, 0644), 0);
                assert_file_is(p, "wide", 0644);
                (void) umask(0);
                assert_int_equal(write_atomic_ways[w](p, "narrow", 6, 0600), 0);
                assert_file_is(p, "narrow", 0600);
                (void) umask(0022);
                assert_int_equal(write_atomic_ways[w](p, "group", 5, 0660), 0);
                assert_file_is(p, "group", 0660);
        }
        assert_dir_holds(dir, "f");
        (void) umask(old);
        (void) unlink(p);
        (void) rmdir(dir);
}

/* An attacker who can write to the folder plants PATH.tmp (the old fixed
 * temporary name) as a link to a file of theirs' choosing: the write
 * neither follows nor removes it, and the target is untouched. */
static void test_write_atomic_planted_link(void **state) {
        char dir[] = "/tmp/test-common-plant.XXXXXX", outside[] = "/tmp/test-common-victim.XXXXXX";
        char p[64], tmp[80], victim[80], back[80];

        (void) state;
        assert_non_null(mkdtemp(dir));
        assert_non_null(mkdtemp(outside));
        snprintf(victim, sizeof(victim), "%s/victim", outside);
        assert_int_equal(fs_write_atomic(victim, "untouched", 9, 0600), 0);
        snprintf(p, sizeof(p), "%s/f", dir);
        snprintf(tmp, sizeof(tmp), "%s.tmp", p);
        assert_int_equal(symlink(victim, tmp), 0);
        for (size_t w = 0; w < 2; w++) {
                assert_int_equal(write_atomic_ways[w](p, "mine", 4, 0644), 0);
                assert_file_is(p, "mine", 0644);
                assert_file_is(victim, "untouched", 0600);
                assert_int_equal(readlink(tmp, back, sizeof(back) - 1), (ssize_t) strlen(victim));
        }
        assert_dir_holds(dir, "f f.tmp");
        (void) unlink(tmp);
        (void) unlink(p);
        (void) unlink(victim);
        (void) rmdir(dir);
        (void) rmdir(outside);
}

#define RACE_ROUNDS 200
#define RACE_LEN 65536

/* Two writers replace the same file over and over while a reader watches:
 * every read sees one writer's whole file, never a mix or a cut, and no
 * temporary file is left. */
static void test_write_atomic_concurrent(void **state) {
        char dir[] = "/tmp/test-common-race.XXXXXX", p[64];
        pid_t pids[2];

        (void) state;
        assert_non_null(mkdtemp(dir));
        snprintf(p, sizeof(p), "%s/f", dir);
        for (size_t w = 0; w < 2; w++) {
                assert_int_equal(write_atomic_ways[w](p, "", 0, 0644), 0);
                for (int k = 0; k < 2; k++) {
                        pids[k] = fork();
                        assert_true(pids[k] >= 0);
                        if (pids[k] == 0) {
                                char *buf = malloc(RACE_LEN);
                                int bad = !buf;
                                if (buf)
                                        memset(buf, k ? 'b' : 'a', RACE_LEN);
                                for (int i = 0; i < RACE_ROUNDS && !bad; i++)
                                        bad = write_atomic_ways[w](p, buf, RACE_LEN, 0644) != 0;
                                free(buf);
                                _exit(bad);
                        }
                }
                for (int i = 0; i < RACE_ROUNDS; i++) {
                        char *data = NULL;
                        size_t len = 0;
                        assert_int_equal(fs_read_file(p, RACE_LEN, &data, &len), 0);
                        if (len > 0) {
                                assert_int_equal(len, RACE_LEN);
                                for (size_t j = 1; j < len; j++)
                                        if (data[j] != data[0])
                                                fail_msg("a read saw two writers' bytes at %zu", j);
                        }
                        free(data);
                }
                for (int k = 0; k < 2; k++) {
                        int status = 0;
                        assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
                        assert_true(WIFEXITED(status));
                        assert_int_equal(WEXITSTATUS(status), 0);
                }
                assert_dir_holds(dir, "f");
        }
        (void) unlink(p);
        (void) rmdir(dir);
}

/* A write that fails after its temporary file exists (the rename over a
 * folder) leaves nothing behind; a bad path fails before anything exists. */
static void test_write_atomic_failure(void **state) {
        char dir[] = "/tmp/test-common-fail.XXXXXX", p[64], inner[80];

        (void) state;
        assert_non_null(mkdtemp(dir));
        snprintf(p, sizeof(p), "%s/f", dir);
        snprintf(inner, sizeof(inner), "%s/keep", p);
        assert_int_equal(mkdir(p, 0700), 0);
        assert_int_equal(fs_write_atomic(inner, "x", 1, 0600), 0);
        for (size_t w = 0; w < 2; w++) {
                assert_int_equal(write_atomic_ways[w](p, "x", 1, 0600), -EISDIR);
                assert_dir_holds(dir, "f");
                assert_dir_holds(p, "keep");
                assert_int_equal(write_atomic_ways[w]("/nonexistent/dir/f", "x", 1, 0600), -ENOENT);
                assert_int_equal(write_atomic_ways[w]("/", "x", 1, 0600), -EINVAL);
        }
        (void) unlink(inner);
        (void) rmdir(p);
        (void) rmdir(dir);
}

/* Outside input may put a FIFO or a folder where a file belongs: every
 * reader refuses it at once instead of blocking forever. */
static void test_not_regular_files(void **state) {
        char dir[] = "/tmp/test-common-fifo.XXXXXX";
        char fifo[64];
        uint8_t d[SHA256_LEN];
        char *data = NULL;
        uint64_t size = 0;

        (void) state;
        assert_non_null(mkdtemp(dir));
        snprintf(fifo, sizeof(fifo), "%s/manifest.json", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(fs_read_file(fifo, 1024, &data, NULL), -EINVAL);
        assert_int_equal(sha256_file(fifo, d, &size), -EINVAL);
        assert_int_equal(fs_open_regular(fifo, NULL), -EINVAL);
        assert_int_equal(fs_open_regular(dir, NULL), -EISDIR);
        assert_int_equal(sha256_file(dir, d, &size), -EISDIR);
        assert_int_equal(fs_open_regular("/dev/null", NULL), -EINVAL);
        (void) unlink(fifo);
        (void) rmdir(dir);
}

/* A folder from elsewhere: files are opened relative to it, never through a
 * link, and outputs never replace or follow anything already there. */
static void test_folder_relative(void **state) {
        char dir[] = "/tmp/test-common-at.XXXXXX", outside[] = "/tmp/test-common-out.XXXXXX";
        char p[128], secret[160], *data = NULL;
        _cleanup_close_ int dfd = -EBADF;
        struct stat st;
        mode_t mode = 0;
        size_t len = 0;

        (void) state;
        assert_non_null(mkdtemp(dir));
        assert_non_null(mkdtemp(outside));
        snprintf(secret, sizeof(secret), "%s/secret", outside);
        assert_int_equal(fs_write_atomic(secret, "top secret", 10, 0600), 0);
        snprintf(p, sizeof(p), "%s/f", dir);
        assert_int_equal(fs_write_atomic(p, "abc", 3, 0600), 0);
        snprintf(p, sizeof(p), "%s/link", dir);
        assert_int_equal(symlink(secret, p), 0);
        snprintf(p, sizeof(p), "%s/loop", dir);
        assert_int_equal(symlink("loop", p), 0);
        snprintf(p, sizeof(p), "%s/fifo", dir);
        assert_int_equal(mkfifo(p, 0600), 0);
        dfd = fs_open_dir(dir);
        assert_true(dfd >= 0);

        assert_int_equal(fs_read_fileat(dfd, "f", 10, &data, &len), 0);
        assert_string_equal(data, "abc");
        free(data);
        assert_int_equal(fs_openat_regular(dfd, "link", &st), -ELOOP);
        assert_int_equal(fs_openat_regular(dfd, "loop", &st), -ELOOP);
        assert_int_equal(fs_openat_regular(dfd, "fifo", &st), -EINVAL);
        assert_int_equal(fs_openat_regular(dfd, "..", &st), -EINVAL);
        assert_int_equal(fs_openat_regular(dfd, "../x", &st), -EINVAL);
        assert_int_equal(fs_openat_regular(dfd, "", &st), -EINVAL);
        assert_int_equal(fs_openat_regular(dfd, "absent", &st), -ENOENT);
        assert_int_equal(fs_kindat(dfd, "link", &mode), 0);
        assert_string_equal(fs_kind_name(mode), "a symbolic link");
        assert_int_equal(fs_kindat(dfd, "fifo", &mode), 0);
        assert_string_equal(fs_kind_name(mode), "a FIFO");

        /* outputs: a planted symlink or an existing file is refused, not followed */
        assert_int_equal(fs_createat(dfd, "link", 0600), -EEXIST);
        assert_int_equal(fs_write_newat(dfd, "link", "plain", 5, 0600), -EEXIST);
        assert_int_equal(fs_write_newat(dfd, "f", "plain", 5, 0600), -EEXIST);
        assert_int_equal(fs_write_newat(dfd, "../escape", "plain", 5, 0600), -EINVAL);
        assert_int_equal(fs_read_file(secret, 100, &data, &len), 0);
        assert_string_equal(data, "top secret");
        free(data);
        assert_int_equal(fs_write_newat(dfd, "new", "plain", 5, 0600), 0);
        assert_int_equal(fstatat(dfd, "new", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(fs_read_fileat(dfd, "new", 10, &data, &len), 0);
        assert_string_equal(data, "plain");
        free(data);

        /* the listing names everything, follows nothing, and is sorted */
        {
                char **listed = NULL;
                int file_fd;
                assert_int_equal(fs_list_namesat(dfd, FS_LIST_MAX, &listed), 0);
                assert_int_equal(g_strv_length(listed), 5);
                assert_string_equal(listed[0], "f");
                assert_string_equal(listed[1], "fifo");
                assert_string_equal(listed[2], "link");
                assert_string_equal(listed[3], "loop");
                assert_string_equal(listed[4], "new");
                g_strfreev(listed);
                /* the same descriptor listed again names everything again */
                assert_int_equal(fs_list_namesat(dfd, FS_LIST_MAX, &listed), 0);
                assert_int_equal(g_strv_length(listed), 5);
                g_strfreev(listed);
                file_fd = openat(dfd, "f", O_RDONLY);
                assert_true(file_fd >= 0);
                listed = NULL;
                assert_int_equal(fs_list_namesat(file_fd, FS_LIST_MAX, &listed), -ENOTDIR);
                assert_null(listed);
                (void) close(file_fd);
        }

        const char *names[] = {"f", "link", "loop", "fifo", "new"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                (void) unlinkat(dfd, names[i], 0);
        (void) rmdir(dir);
        (void) unlink(secret);
        (void) rmdir(outside);
}

/* Nesting is counted on the raw bytes before json-glib (which recurses per
 * level) sees the text; brackets inside strings do not count. */
static void test_json_bounded(void **state) {
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        g_autofree char *deep = g_malloc(200001), *msg = NULL;

        (void) state;
        memset(deep, '[', 100000);
        memset(deep + 100000, ']', 100000);
        deep[200000] = '\0';
        assert_int_equal(json_depth_check(deep, 200000, JSON_DEPTH_MAX), -ELOOP);
        assert_int_equal(json_load_bounded(p, deep, 200000, 1 << 20, &msg), -ELOOP);
        assert_non_null(strstr(msg, "nested deeper than 64"));
        g_clear_pointer(&msg, g_free);
        assert_int_equal(json_load_bounded(p, deep, 200000, 1000, &msg), -EFBIG);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(json_depth_check("{\"a\":[[1]]}", 11, 3), 0);
        assert_int_equal(json_depth_check("{\"a\":[[1]]}", 11, 2), -ELOOP);
        assert_int_equal(json_depth_check("{\"a\":\"[[[[\\\"[[\"}", 16, 1), 0);
        assert_int_equal(json_load_bounded(p, "{\"a\":\"[[[[\"}", 12, 100, NULL), 0);
        assert_int_equal(json_load_bounded(p, "{\"a\":", 5, 100, &msg), -EBADMSG);
        assert_non_null(strstr(msg, "not JSON"));
        g_clear_pointer(&msg, g_free);
        assert_int_equal(json_load_bounded(p, "{}\0{}", 5, 100, NULL), -EBADMSG);
        /* a NUL written as \u0000 in any string is refused, not cut short */
        static const char *const nul[] = {
                "{\"note\":\"a\\u0000b\"}",
                "{\"a\\u0000\":1}",
                "[\"x\",\"\\u0000\"]",
                "{\"room\":\"R\\u0000x\"}",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(nul); i++) {
                assert_int_equal(json_nul_escape_check(nul[i], strlen(nul[i])), -EBADMSG);
                assert_int_equal(json_load_bounded(p, nul[i], strlen(nul[i]), 100, &msg), -EBADMSG);
                assert_non_null(strstr(msg, "\\u0000"));
                g_clear_pointer(&msg, g_free);
        }
        /* an escaped backslash before u0000 is text, and other escapes pass */
        static const char *const fine[] = {"{\"a\":\"\\\\u0000\"}", "{\"a\":\"\\u0001\\u00000\"}",
                                           "{\"a\":\"u0000\"}"};
        assert_int_equal(json_load_bounded(p, fine[0], strlen(fine[0]), 100, NULL), 0);
        assert_int_equal(json_nul_escape_check(fine[1], strlen(fine[1])), -EBADMSG);
        assert_int_equal(json_load_bounded(p, fine[2], strlen(fine[2]), 100, NULL), 0);
}

/* What came from outside is shown, never obeyed: escape codes and bidi
 * overrides become visible \u escapes, other bytes stay. */
static void test_escape(void **state) {
        g_autofree char *a = escape_text("4711\x1b[2K\x1b[1GINTACT");
        g_autofree char *b = escape_text("room \xe2\x80\xae"
                                         "cba\xc2\x85"
                                         "x\x7f"
                                         "\\");
        g_autofree char *c = escape_text("caf\xc3\xa9 \xff\xfe");
        g_autofree char *d = escape_json_text("{\n  \"a\" : \"x\xe2\x80\xaey\xc2\x9b\"\n}");

        (void) state;
        assert_string_equal(a, "4711\\u001b[2K\\u001b[1GINTACT");
        assert_string_equal(b, "room \\u202ecba\\u0085x\\u007f\\\\");
        assert_string_equal(c, "caf\xc3\xa9 \\xff\\xfe"); /* é stays; invalid bytes shown */
        assert_string_equal(d, "{\n  \"a\" : \"x\\u202ey\\u009b\"\n}");
        assert_null(escape_text(NULL));
        assert_true(escape_code_point_unsafe(0x2066));
        assert_false(escape_code_point_unsafe('A'));
        /* what draws nothing is shown too: word joiner, soft hyphen, tags */
        static const uint32_t invisible[] = {0x2060,  0x2061,  0x2064,  0x00ad,  0x034f, 0xfe0f, 0x3164,
                                             0xe0000, 0xe0041, 0xe007f, 0xe0100, 0x180e, 0xfff9};
        for (size_t i = 0; i < G_N_ELEMENTS(invisible); i++)
                assert_true(escape_code_point_unsafe(invisible[i]));
        static const uint32_t visible[] = {0xe9, 0x2013, 0x20ac, 0x1f600, 0xe0080, 0xfffd, 0x0600};
        for (size_t i = 0; i < G_N_ELEMENTS(visible); i++)
                assert_false(escape_code_point_unsafe(visible[i]));
        g_autofree char *e = escape_text("a\xe2\x81\xa0"
                                         "b\xc2\xad"
                                         "c\xf3\xa0\x81\x81");
        assert_string_equal(e, "a\\u2060b\\u00adc\\U000e0041");
        /* JSON has no \U: a tag is a surrogate pair, which decodes back to it */
        g_autofree char *f = escape_json_text("{\"a\":\"\xf3\xa0\x81\x81\xe2\x81\xa0\"}");
        assert_string_equal(f, "{\"a\":\"\\udb40\\udc41\\u2060\"}");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_u64),
                cmocka_unit_test(test_parse_duration),
                cmocka_unit_test(test_parse_size),
                cmocka_unit_test(test_format_hms),
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_sha256),
                cmocka_unit_test(test_files),
                cmocka_unit_test(test_write_atomic_mode),
                cmocka_unit_test(test_write_atomic_planted_link),
                cmocka_unit_test(test_write_atomic_concurrent),
                cmocka_unit_test(test_write_atomic_failure),
                cmocka_unit_test(test_not_regular_files),
                cmocka_unit_test(test_folder_relative),
                cmocka_unit_test(test_json_bounded),
                cmocka_unit_test(test_escape),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
