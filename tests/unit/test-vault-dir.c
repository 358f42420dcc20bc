/* appliance/uploader/vault-dir.c: the directory vault. A put is confirmed
 * by a re-read, lands read-only and never replaces anything; a key that
 * could leave the root and a link planted in the vault are refused; the
 * copy's memory is bounded; a full disk leaves no object and no receipt. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "sha256.h"
#include "util.h"
#include "vault-internal.h"

typedef struct fixture {
        gchar *tmp;  /* the test's folder */
        gchar *root; /* tmp/vault */
        gchar *src;  /* tmp/src: the local file */
        vault *v;
} fixture;

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);
        g_autofree gchar *msg = NULL;
        studio_uploader_conf conf = {0};

        f->tmp = g_dir_make_tmp("test-vault-dir-XXXXXX", NULL);
        f->root = g_build_filename(f->tmp, "vault", NULL);
        f->src = g_build_filename(f->tmp, "src", NULL);
        conf.vault = g_strdup_printf("dir:%s", f->root);
        assert_int_equal(vault_open(&conf, &f->v, &msg), 0);
        assert_string_equal(vault_describe(f->v), conf.vault);
        g_free(conf.vault);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        vault_free(f->v);
        /* some tests leave read-only folders: test_rmtree makes them writable first */
        assert_int_equal(test_rmtree(f->tmp), 0);
        g_free(f->tmp);
        g_free(f->root);
        g_free(f->src);
        g_free(f);
        return 0;
}

/* Writes data to f->src and opens it; ret_hex gets its SHA-256. */
static int local_file(fixture *f, const char *data, char ret_hex[SHA256_HEX_LEN + 1]) {
        uint8_t d[SHA256_LEN];

        (void) g_unlink(f->src);
        assert_true(g_file_set_contents(f->src, data, -1, NULL));
        sha256_buf(data, strlen(data), d);
        sha256_hex(d, ret_hex);
        int fd = open(f->src, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static int put_text(fixture *f, const char *key, const char *data, vault_receipt *ret, gchar **ret_message) {
        char hex[SHA256_HEX_LEN + 1];
        _cleanup_close_ int fd = local_file(f, data, hex);

        return vault_put(f->v, key, fd, strlen(data), hex, NULL, NULL, ret, ret_message);
}

static gchar *vault_path(fixture *f, const char *key) {
        return g_build_filename(f->root, key, NULL);
}

static void test_put_head(void **state) {
        fixture *f = *state;
        vault_receipt r = {0}, h = {0};
        g_autofree gchar *msg = NULL, *content = NULL;
        char hex[SHA256_HEX_LEN + 1];
        struct stat st;

        assert_int_equal(put_text(f, "S1/seg-000001.mkv.age", "sealed bytes", &r, &msg), 0);
        (void) close(local_file(f, "sealed bytes", hex));
        assert_string_equal(r.key, "S1/seg-000001.mkv.age");
        assert_int_equal(r.size, 12);
        assert_string_equal(r.sha256, hex);
        assert_string_equal(r.retention_mode, "read-only");
        assert_null(r.etag);
        assert_true(r.confirmed_us > 0);

        g_autofree gchar *path = vault_path(f, "S1/seg-000001.mkv.age");
        assert_true(g_file_get_contents(path, &content, NULL, NULL));
        assert_string_equal(content, "sealed bytes");
        assert_int_equal(lstat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0444);

        assert_int_equal(vault_head(f->v, "S1/seg-000001.mkv.age", &h, &msg), 0);
        assert_int_equal(h.size, 12);
        assert_string_equal(h.sha256, hex);
        assert_int_equal(vault_head(f->v, "S1/absent", &h, &msg), -ENOENT);
        assert_int_equal(vault_head(f->v, "S2/absent", &h, &msg), -ENOENT);

        /* no temporary file is left beside it */
        g_autofree gchar *dir = vault_path(f, "S1");
        GDir *d = g_dir_open(dir, 0, NULL);
        int n = 0;
        for (const char *name; (name = g_dir_read_name(d));)
                n++;
        g_dir_close(d);
        assert_int_equal(n, 1);
        vault_receipt_clear(&r);
        vault_receipt_clear(&h);
}

static void test_idempotent(void **state) {
        fixture *f = *state;
        vault_receipt r = {0};
        g_autofree gchar *msg = NULL;
        struct stat a, b;
        g_autofree gchar *path = vault_path(f, "S1/custody.jsonl");

        assert_int_equal(put_text(f, "S1/custody.jsonl", "log", &r, &msg), 0);
        vault_receipt_clear(&r);
        assert_int_equal(stat(path, &a), 0);
        assert_int_equal(put_text(f, "S1/custody.jsonl", "log", &r, &msg), 0);
        assert_int_equal(stat(path, &b), 0);
        assert_int_equal(a.st_ino, b.st_ino); /* confirmed, not written again */
        assert_int_equal(r.size, 3);
        vault_receipt_clear(&r);

        /* a copy an earlier run left writable is confirmed and made read-only */
        assert_int_equal(chmod(path, 0644), 0);
        assert_int_equal(put_text(f, "S1/custody.jsonl", "log", &r, &msg), 0);
        assert_int_equal(stat(path, &b), 0);
        assert_int_equal(b.st_mode & 07777, 0444);
        vault_receipt_clear(&r);
}

static void test_conflict(void **state) {
        fixture *f = *state;
        vault_receipt r = {0};
        g_autofree gchar *msg = NULL, *content = NULL;
        g_autofree gchar *path = vault_path(f, "S1/manifest.json");

        assert_int_equal(put_text(f, "S1/manifest.json", "first", &r, &msg), 0);
        vault_receipt_clear(&r);
        assert_int_equal(put_text(f, "S1/manifest.json", "other", &r, &msg), -EBADMSG);
        assert_non_null(strstr(msg, "never overwritten"));
        assert_true(g_file_get_contents(path, &content, NULL, NULL));
        assert_string_equal(content, "first");
        g_clear_pointer(&msg, g_free);
        /* same content but another size claimed */
        char hex[SHA256_HEX_LEN + 1];
        g_auto(fd_owned) fd = local_file(f, "first", hex);
        assert_int_equal(vault_put(f->v, "S1/manifest.json", fd, 4, hex, NULL, NULL, &r, &msg), -EBADMSG);
        g_clear_pointer(&msg, g_free);

        /* a local file that does not hash to what the caller says: nothing stored */
        uint8_t d[SHA256_LEN];
        sha256_buf("zzz", 3, d);
        sha256_hex(d, hex);
        assert_int_equal(vault_put(f->v, "S1/other", fd, 5, hex, NULL, NULL, &r, &msg), -EIO);
        g_autofree gchar *other = vault_path(f, "S1/other");
        assert_false(g_file_test(other, G_FILE_TEST_EXISTS));
}

static void test_hostile_keys(void **state) {
        fixture *f = *state;
        static const char *const bad[] = {
                "",  "/etc/passwd", "../x",      "S1/../../x", "S1//x",   "S1/",   "S1/./x",
                ".", "..",          "S1/.tmp-1", ".hidden",    "S1/a\nb", "S1\\x", "S1/\x1b[31m",
        };
        vault_receipt r = {0};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                g_autofree gchar *msg = NULL;
                assert_int_equal(put_text(f, bad[i], "x", &r, &msg), -EINVAL);
                assert_non_null(msg);
                assert_null(strchr(msg, '\n'));
                assert_null(strchr(msg, '\x1b'));
                g_clear_pointer(&msg, g_free);
                assert_int_equal(vault_head(f->v, bad[i], &r, &msg), -EINVAL);
        }
        g_autofree gchar *longkey = g_strnfill(VAULT_KEY_MAX + 1, 'a');
        g_autofree gchar *msg = NULL;
        assert_int_equal(put_text(f, longkey, "x", &r, &msg), -EINVAL);
        g_clear_pointer(&msg, g_free);
        /* a bad hash is refused too */
        g_auto(fd_owned) fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_int_equal(vault_put(f->v, "S1/x", fd, 0, "ABC", NULL, NULL, &r, &msg), -EINVAL);
        /* nothing escaped the root */
        g_autofree gchar *escaped = g_build_filename(f->tmp, "x", NULL);
        assert_false(g_file_test(escaped, G_FILE_TEST_EXISTS));
}

static void test_symlinks(void **state) {
        fixture *f = *state;
        vault_receipt r = {0};
        g_autofree gchar *msg = NULL;
        g_autofree gchar *outside = g_build_filename(f->tmp, "outside", NULL);
        g_autofree gchar *link = vault_path(f, "S9");
        g_autofree gchar *leaflink = vault_path(f, "S1/seg");
        g_autofree gchar *target = g_build_filename(outside, "seg", NULL);

        assert_int_equal(g_mkdir(outside, 0755), 0);
        assert_int_equal(symlink(outside, link), 0);
        assert_int_equal(put_text(f, "S9/seg", "x", &r, &msg), -ELOOP);
        assert_non_null(strstr(msg, "symbolic link"));
        assert_false(g_file_test(target, G_FILE_TEST_EXISTS));
        g_clear_pointer(&msg, g_free);
        assert_int_equal(vault_head(f->v, "S9/seg", &r, &msg), -ELOOP);
        g_clear_pointer(&msg, g_free);

        /* a link in place of the object itself is never written through */
        g_autofree gchar *s1 = vault_path(f, "S1");
        assert_int_equal(g_mkdir(s1, 0755), 0);
        assert_int_equal(symlink(target, leaflink), 0);
        assert_int_equal(put_text(f, "S1/seg", "x", &r, &msg), -EBADMSG);
        assert_false(g_file_test(target, G_FILE_TEST_EXISTS));
        g_clear_pointer(&msg, g_free);
        /* a folder in place of a folder is fine; a file there is refused */
        g_autofree gchar *file = vault_path(f, "F");
        assert_true(g_file_set_contents(file, "", 0, NULL));
        assert_int_equal(put_text(f, "F/seg", "x", &r, &msg), -ELOOP);
}

static long maxrss_kib(void) {
        struct rusage ru;

        assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
        return ru.ru_maxrss;
}

static void test_large_bounded(void **state) {
        fixture *f = *state;
        const uint64_t size = UINT64_C(64) << 20;
        vault_receipt r = {0};
        g_autofree gchar *msg = NULL;
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        uint64_t got;

        g_auto(fd_owned) fd = open(f->src, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) size), 0); /* sparse */
        assert_int_equal(pwrite(fd, "end", 3, (off_t) size - 3), 3);
        assert_int_equal(sha256_fd(fd, d, &got), 0);
        assert_int_equal(got, size);
        sha256_hex(d, hex);
        long before = maxrss_kib();
        assert_int_equal(vault_put(f->v, "S1/seg-000001.mkv.age", fd, size, hex, NULL, NULL, &r, &msg), 0);
        long grew = maxrss_kib() - before;
        print_message("64 MiB put: peak RSS grew by %ld KiB\n", grew);
        assert_true(grew < 16 * 1024);
        assert_int_equal(r.size, size);
        assert_string_equal(r.sha256, hex);
        vault_receipt_clear(&r);
}

static void count_progress(uint64_t sent, uint64_t total, void *userdata) {
        uint64_t *last = userdata;

        assert_true(sent > *last && sent <= total);
        *last = sent;
}

static void test_progress(void **state) {
        fixture *f = *state;
        g_autofree gchar *data = g_strnfill(3 * 1024 * 1024 + 5, 'p');
        char hex[SHA256_HEX_LEN + 1];
        vault_receipt r = {0};
        g_autofree gchar *msg = NULL;
        uint64_t last = 0;
        g_auto(fd_owned) fd = local_file(f, data, hex);

        assert_int_equal(vault_put(f->v, "S1/p", fd, strlen(data), hex, count_progress, &last, &r, &msg), 0);
        assert_int_equal(last, strlen(data));
        vault_receipt_clear(&r);
}

static void test_disk_full(void **state) {
        fixture *f = *state;
        g_autofree gchar *small = g_build_filename(f->tmp, "small", NULL);
        g_autofree gchar *msg = NULL;
        studio_uploader_conf conf = {0};
        vault *v = NULL;
        vault_receipt r = {0};

        assert_int_equal(g_mkdir(small, 0755), 0);
        if (mount("tmpfs", small, "tmpfs", 0, "size=1m") < 0) {
                print_message("cannot mount a small tmpfs (%s): skipped\n", g_strerror(errno));
                skip();
        }
        g_autofree gchar *data = g_strnfill(2 * 1024 * 1024, 'x');
        char hex[SHA256_HEX_LEN + 1];
        g_auto(fd_owned) fd = local_file(f, data, hex);
        conf.vault = g_strdup_printf("dir:%s/vault", small);
        int r0 = vault_open(&conf, &v, &msg);
        int r1 = r0 == 0 ? vault_put(v, "S1/big", fd, strlen(data), hex, NULL, NULL, &r, &msg) : r0;
        g_autofree gchar *dir = g_build_filename(small, "vault", "S1", NULL);
        GDir *d = g_dir_open(dir, 0, NULL);
        int n = 0;
        for (const char *name; d && (name = g_dir_read_name(d));)
                n++;
        if (d)
                g_dir_close(d);
        vault_free(v);
        (void) umount(small);
        g_free(conf.vault);
        assert_int_equal(r0, 0);
        assert_int_equal(r1, -ENOSPC);
        assert_non_null(strstr(msg, "No space"));
        assert_int_equal(n, 0); /* neither the object nor its temporary file */
}

/* Both digests from one read, against known answers ("abc" and the empty
 * file, as sha256sum and `openssl md5 -binary | base64` give them), and for
 * a file longer than one read chunk (against one-shot hashes of its bytes). */
static void test_digests(void **state) {
        fixture *f = *state;
        char hex[SHA256_HEX_LEN + 1], md5[VAULT_MD5_B64_LEN + 1];
        uint64_t size = 0;

        char dummy[SHA256_HEX_LEN + 1];
        g_auto(fd_owned) fd = local_file(f, "abc", dummy);
        assert_int_equal(vault_digests_fd(fd, hex, md5, &size), 0);
        assert_int_equal(size, 3);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_string_equal(md5, "kAFQmDzST7DWlj99KOF/cg==");

        g_auto(fd_owned) empty = local_file(f, "", dummy);
        assert_int_equal(vault_digests_fd(empty, hex, md5, NULL), 0);
        assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_string_equal(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");

        gsize n = (3u << 20) + 17;
        g_autofree gchar *big = g_malloc(n + 1);
        for (gsize i = 0; i < n; i++)
                big[i] = (gchar) ('a' + i % 23);
        big[n] = 0;
        g_auto(fd_owned) bfd = local_file(f, big, dummy);
        assert_int_equal(vault_digests_fd(bfd, hex, md5, &size), 0);
        assert_int_equal(size, n);
        assert_string_equal(hex, dummy);
        g_autofree gchar *want = g_compute_checksum_for_data(G_CHECKSUM_MD5, (const guchar *) big, n);
        guint8 raw[16];
        for (int i = 0; i < 16; i++)
                raw[i] = (guint8) g_ascii_xdigit_value(want[2 * i]) << 4 |
                         (guint8) g_ascii_xdigit_value(want[2 * i + 1]);
        g_autofree gchar *want_b64 = g_base64_encode(raw, 16);
        assert_string_equal(md5, want_b64);

        /* an unreadable descriptor is an error, never a digest */
        assert_true(vault_digests_fd(-1, hex, md5, NULL) < 0);
}

/* A Content-MD5 that is not 16 bytes of base64 is refused before the vault
 * is touched; a well-formed one is accepted (the directory vault compares
 * SHA-256 instead). */
static void test_put_md5_malformed(void **state) {
        fixture *f = *state;
        static const char *const bad[] = {"",
                                          "kAFQmDzST7DWlj99KOF/cg=",
                                          "kAFQmDzST7DWlj99KOF/cg===",
                                          "kAFQmDzST7DWlj99KOF/cgAA",
                                          "kAFQmDzST7DWlj99KOF-cg==",
                                          "kAFQmDzST7DWlj99KOF\ncg=",
                                          "kAFQmDzST7DWlj99KOF/c\x01=="};
        char hex[SHA256_HEX_LEN + 1];
        vault_receipt r = {0};

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree gchar *msg = NULL;
                g_auto(fd_owned) fd = local_file(f, "abc", hex);
                assert_int_equal(vault_put_md5(f->v, "S1/m", fd, 3, hex, bad[i], NULL, NULL, &r, &msg),
                                 -EINVAL);
                assert_non_null(strstr(msg, "Content-MD5"));
        }
        g_autofree gchar *p = vault_path(f, "S1/m");
        assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
        g_autofree gchar *msg = NULL;
        g_auto(fd_owned) fd = local_file(f, "abc", hex);
        assert_int_equal(
                vault_put_md5(f->v, "S1/m", fd, 3, hex, "kAFQmDzST7DWlj99KOF/cg==", NULL, NULL, &r, &msg),
                0);
        assert_string_equal(r.sha256, hex);
        vault_receipt_clear(&r);
}

static void test_open_schemes(void **state) {
        static const char *const bad[] = {"",        "dir:",   "dir:relative/path",
                                          "ftp://x", "DIR:/x", "/srv/vault"};
        studio_uploader_conf conf = {0};
        vault *v = NULL;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                g_autofree gchar *msg = NULL;
                conf.vault = (char *) bad[i];
                assert_int_equal(vault_open(&conf, &v, &msg), -EINVAL);
                assert_non_null(msg);
        }
        conf.vault = NULL;
        g_autofree gchar *msg = NULL;
        assert_int_equal(vault_open(&conf, &v, &msg), -EINVAL);
        assert_null(v);
}

/* vault_confirm, the proof before a wipe: the file read again now. A
 * receipt names the vault that gave it (vault_id). */
static void test_confirm(void **state) {
        fixture *f = *state;
        vault_receipt r = {0};
        g_autofree gchar *msg = NULL;
        g_autofree gchar *path = vault_path(f, "S1/seg-000001.mkv.age");

        assert_int_equal(put_text(f, "S1/seg-000001.mkv.age", "sealed bytes", &r, &msg), 0);
        assert_string_equal(r.vault, vault_id(f->v));
        assert_int_equal(vault_confirm(f->v, &r, &msg), 0);

        /* other bytes of the same size under the key */
        assert_int_equal(chmod(path, 0644), 0);
        assert_true(g_file_set_contents(path, "SEALED BYTES", -1, NULL));
        assert_int_equal(vault_confirm(f->v, &r, &msg), -EBADMSG);
        assert_non_null(strstr(msg, "S1/seg-000001.mkv.age"));
        g_clear_pointer(&msg, g_free);
        /* gone */
        assert_int_equal(g_unlink(path), 0);
        assert_int_equal(vault_confirm(f->v, &r, &msg), -ENOENT);
        g_clear_pointer(&msg, g_free);
        /* a receipt of a key that cannot be one, or with no hash */
        vault_receipt bad = {.key = (gchar *) "../x", .size = 1};
        assert_int_equal(vault_confirm(f->v, &bad, &msg), -EINVAL);
        g_clear_pointer(&msg, g_free);
        bad.key = (gchar *) "S1/x";
        assert_int_equal(vault_confirm(f->v, &bad, &msg), -EBADMSG);
        vault_receipt_clear(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_open_schemes),
                cmocka_unit_test_setup_teardown(test_put_head, setup, teardown),
                cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostile_keys, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_digests, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_md5_malformed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_confirm, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
