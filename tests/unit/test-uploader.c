/* appliance/uploader: the receipts file (round trip; every malformed line
 * refused and counted, never fatal; a crash's partial line; a link or FIFO
 * in its place), session names, and upl_wipe_session, the one function
 * that deletes: each of its checks keeps the local copy on its own. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "uploader.h"
#include "util.h"

#define SESSION "20261128T141500Z-1a2b3c4d"
/* What the uploader reads of a manifest: the segments it names. */
#define MANIFEST "{\"segments\":[{\"name\":\"seg-000001.mkv.age\"}]}"
#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct fixture {
        gchar *tmp, *spool, *session_dir, *receipts;
        int spool_fd, receipts_fd;
        vault *v;
} fixture;

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);
        studio_uploader_conf conf = {0};
        g_autofree gchar *msg = NULL;

        f->tmp = g_dir_make_tmp("test-uploader-XXXXXX", NULL);
        f->spool = g_build_filename(f->tmp, "spool", NULL);
        f->session_dir = g_build_filename(f->spool, SESSION, NULL);
        f->receipts = g_build_filename(f->spool, UPL_RECEIPTS_DIR, NULL);
        assert_int_equal(g_mkdir_with_parents(f->session_dir, 0755), 0);
        assert_int_equal(g_mkdir(f->receipts, 0755), 0);
        f->spool_fd = open(f->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        f->receipts_fd = open(f->receipts, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        conf.vault = g_strdup_printf("dir:%s/vault", f->tmp);
        assert_int_equal(vault_open(&conf, &f->v, &msg), 0);
        g_free(conf.vault);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        vault_free(f->v);
        (void) close(f->spool_fd);
        (void) close(f->receipts_fd);
        (void) test_rmtree(f->tmp);
        g_free(f->tmp);
        g_free(f->spool);
        g_free(f->session_dir);
        g_free(f->receipts);
        g_free(f);
        return 0;
}

static void write_receipts(fixture *f, const char *text) {
        g_autofree gchar *p = g_build_filename(f->receipts, SESSION ".jsonl", NULL);
        assert_true(g_file_set_contents(p, text, -1, NULL));
}

static upl_receipts *load(fixture *f) {
        upl_receipts *r = NULL;
        g_autofree gchar *msg = NULL;

        assert_int_equal(upl_receipts_load(f->receipts_fd, SESSION, vault_id(f->v), &r, &msg), 0);
        return r;
}

static void test_session_names(void **state) {
        (void) state;
        assert_true(upl_session_name_valid(SESSION));
        static const char *const bad[] = {
                "",
                "receipts",
                "20261128T141500Z-1a2b3c4",
                "20261128T141500Z-1a2b3c4dd",
                "20261128T141500Z-1A2B3C4D",
                "20261128t141500Z-1a2b3c4d",
                "../1128T141500Z-1a2b3c4d",
                "20261128T141500Z_1a2b3c4d",
                "2026112xT141500Z-1a2b3c4d",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_false(upl_session_name_valid(bad[i]));
        assert_true(upl_session_file_name("seg-000001.mkv.age"));
        assert_true(upl_session_file_name("manifest.json"));
        assert_false(upl_session_file_name("notes.txt"));
        assert_false(upl_session_file_name(".tmp-1"));
}

static void test_round_trip(void **state) {
        fixture *f = *state;
        g_autoptr(upl_receipts) r = load(f);
        g_autofree gchar *msg = NULL;
        vault_receipt rc = {.key = (char *) SESSION "/seg-000001.mkv.age",
                            .size = 7,
                            .retention_mode = (char *) "read-only",
                            .confirmed_us = INT64_C(1796121120) * G_USEC_PER_SEC,
                            .vault = (char *) vault_id(f->v)};

        assert_int_equal(g_hash_table_size(r->by_key), 0); /* no file: no receipts */
        memcpy(rc.sha256, ZEROS, sizeof(rc.sha256));
        assert_int_equal(upl_receipts_append(f->receipts_fd, SESSION, r, &rc, &msg), 0);
        assert_non_null(upl_receipts_match(r, rc.key, 7, ZEROS));
        assert_null(upl_receipts_match(r, rc.key, 8, ZEROS));
        g_autofree gchar *line = upl_receipt_line(&rc);
        g_autofree gchar *want =
                g_strdup_printf("{\"key\":\"" SESSION "/seg-000001.mkv.age\",\"size\":7,\"sha256\":\"" ZEROS
                                "\",\"etag\":null,\"version_id\":null,\"retention_mode\":\"read-only\","
                                "\"retain_until\":null,\"time\":\"2026-12-01T10:32:00Z\",\"vault\":\"%s\"}",
                                vault_id(f->v));
        assert_string_equal(line, want); /* every receipt names the vault that confirmed it */
        g_autoptr(upl_receipts) again = load(f);
        assert_int_equal(again->refused, 0);
        const upl_receipt *u = upl_receipts_match(again, rc.key, 7, ZEROS);
        assert_non_null(u);
        assert_int_equal(u->time_us, rc.confirmed_us);
        assert_int_equal(again->last_us, rc.confirmed_us);
}

static void test_malformed_lines(void **state) {
        fixture *f = *state;
        g_autofree gchar *good =
                g_strdup_printf("{\"key\":\"" SESSION "/custody.jsonl\",\"size\":3,\"sha256\":\"" ZEROS
                                "\",\"time\":\"2026-12-01T10:32:00Z\",\"vault\":\"%s\"}\n",
                                vault_id(f->v));
        g_autofree gchar *deep = g_strnfill(100000, '[');
        g_autofree gchar *longline = g_strnfill(UPL_RECEIPT_LINE_MAX + 10, ' ');
        g_autofree gchar *text = g_strconcat(
                good, "not json\n", "[1,2]\n", "\n", deep, "\n", longline, "\n",
                "{\"size\":3,\"sha256\":\"" ZEROS "\",\"time\":\"2026-12-01T10:32:00Z\"}\n",
                "{\"key\":\"20261128T141500Z-ffffffff/x\",\"size\":3,\"sha256\":\"" ZEROS
                "\",\"time\":\"2026-12-01T10:32:00Z\"}\n",
                "{\"key\":\"" SESSION "/../x\",\"size\":3,\"sha256\":\"" ZEROS
                "\",\"time\":\"2026-12-01T10:32:00Z\"}\n",
                "{\"key\":\"" SESSION "/a\",\"size\":-1,\"sha256\":\"" ZEROS
                "\",\"time\":\"2026-12-01T10:32:00Z\"}\n",
                "{\"key\":\"" SESSION "/a\",\"size\":\"3\",\"sha256\":\"" ZEROS
                "\",\"time\":\"2026-12-01T10:32:00Z\"}\n",
                "{\"key\":\"" SESSION "/a\",\"size\":3,\"sha256\":\"" ZEROS
                "0\",\"time\":\"2026-12-01T10:32:00Z\"}\n",
                "{\"key\":\"" SESSION "/a\",\"size\":3,\"sha256\":\"ABCDEF" ZEROS "\"}\n",
                "{\"key\":\"" SESSION "/a\",\"size\":3,\"sha256\":\"" ZEROS "\",\"time\":\"yesterday\"}\n",
                "{\"key\":\"" SESSION "/a\",\"size\":3,\"sha256\":\"" ZEROS "\"}\n",
                "{\"key\":\"" SESSION "/cut", NULL);
        write_receipts(f, text);
        g_autoptr(upl_receipts) r = load(f);
        assert_int_equal(g_hash_table_size(r->by_key), 1);
        assert_non_null(upl_receipts_match(r, SESSION "/custody.jsonl", 3, ZEROS));
        assert_int_equal(r->refused, 15);
        assert_string_equal(r->first_refused, "line 2: not JSON");

        /* an append after the partial line starts on a line of its own */
        g_autofree gchar *msg = NULL;
        vault_receipt rc = {.key = (char *) SESSION "/seg-000001.mkv.age",
                            .size = 1,
                            .confirmed_us = 1000000,
                            .vault = (char *) vault_id(f->v)};
        memcpy(rc.sha256, ZEROS, sizeof(rc.sha256));
        assert_int_equal(upl_receipts_append(f->receipts_fd, SESSION, r, &rc, &msg), 0);
        g_autoptr(upl_receipts) again = load(f);
        assert_non_null(upl_receipts_match(again, rc.key, 1, ZEROS));
        assert_int_equal(again->refused, 15); /* the cut line is still refused, no longer last */
}

static void test_not_a_file(void **state) {
        fixture *f = *state;
        g_autofree gchar *p = g_build_filename(f->receipts, SESSION ".jsonl", NULL);
        g_autofree gchar *target = g_build_filename(f->tmp, "elsewhere", NULL);
        g_autofree gchar *content = NULL;
        upl_receipts *r = NULL;
        gchar *msg = NULL;

        assert_true(g_file_set_contents(target, "", 0, NULL));
        assert_int_equal(symlink(target, p), 0);
        assert_int_equal(upl_receipts_load(f->receipts_fd, SESSION, vault_id(f->v), &r, &msg), -ELOOP);
        assert_non_null(msg);
        g_free(msg);
        g_autoptr(upl_receipts) empty = NULL;
        assert_int_equal(g_unlink(p), 0);
        empty = load(f);
        assert_int_equal(symlink(target, p), 0);
        vault_receipt rc = {.key = (char *) SESSION "/x", .size = 1};
        memcpy(rc.sha256, ZEROS, sizeof(rc.sha256));
        assert_int_equal(upl_receipts_append(f->receipts_fd, SESSION, empty, &rc, &msg), -ELOOP);
        g_free(msg);
        assert_true(g_file_get_contents(target, &content, NULL, NULL));
        assert_string_equal(content, ""); /* never written through the link */

        /* a FIFO in its place: refused at once, never a hang */
        assert_int_equal(g_unlink(p), 0);
        assert_int_equal(mkfifo(p, 0600), 0);
        assert_int_equal(upl_receipts_load(f->receipts_fd, SESSION, vault_id(f->v), &r, &msg), -EINVAL);
        g_free(msg);
        assert_int_equal(upl_receipts_append(f->receipts_fd, SESSION, empty, &rc, &msg), -EINVAL);
        g_free(msg);
}

/* ---- upl_wipe_session ---- */

static const char *const files[] = {"seg-000001.mkv.age", "custody.jsonl", "manifest.json"};

static void session_file(fixture *f, const char *name, const char *data) {
        g_autofree gchar *p = g_build_filename(f->session_dir, name, NULL);
        assert_true(g_file_set_contents(p, data, -1, NULL));
}

/* Receipts for every file (as the vault confirms them) and the receipts
 * file itself in the vault. */
static void confirm_all(fixture *f, bool receipts_to_vault) {
        g_autoptr(upl_receipts) r = load(f);
        g_auto(fd_owned) dfd = open(f->session_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                g_autofree gchar *key = g_strdup_printf(SESSION "/%s", files[i]);
                g_autofree gchar *msg = NULL;
                uint8_t d[SHA256_LEN];
                char hex[SHA256_HEX_LEN + 1];
                uint64_t size;
                vault_receipt rc = {0};
                g_auto(fd_owned) fd = openat(dfd, files[i], O_RDONLY | O_CLOEXEC);
                assert_int_equal(sha256_fd(fd, d, &size), 0);
                sha256_hex(d, hex);
                assert_int_equal(vault_put(f->v, key, fd, size, hex, NULL, NULL, &rc, &msg), 0);
                assert_int_equal(upl_receipts_append(f->receipts_fd, SESSION, r, &rc, &msg), 0);
                vault_receipt_clear(&rc);
        }
        if (!receipts_to_vault)
                return;
        g_autofree gchar *msg = NULL;
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        uint64_t size;
        vault_receipt rc = {0};
        g_auto(fd_owned) fd = openat(f->receipts_fd, SESSION ".jsonl", O_RDONLY | O_CLOEXEC);
        assert_int_equal(sha256_fd(fd, d, &size), 0);
        sha256_hex(d, hex);
        assert_int_equal(
                vault_put(f->v, UPL_RECEIPTS_DIR "/" SESSION ".jsonl", fd, size, hex, NULL, NULL, &rc, &msg),
                0);
        vault_receipt_clear(&rc);
}

static void make_session(fixture *f, bool closed) {
        session_file(f, "seg-000001.mkv.age", "sealed");
        session_file(f, "custody.jsonl", "log\n");
        if (closed)
                session_file(f, "manifest.json", MANIFEST);
}

static void assert_kept(fixture *f, uint64_t retention_ns, const char *why) {
        g_autofree gchar *msg = NULL;

        assert_int_equal(
                upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, SESSION, retention_ns, NULL, &msg), 0);
        if (!strstr(msg, why))
                fail_msg("kept for \"%s\", expected \"%s\"", msg, why);
        assert_true(g_file_test(f->session_dir, G_FILE_TEST_IS_DIR));
}

static void test_wipe(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;

        make_session(f, true);
        confirm_all(f, true);
        assert_kept(f, UINT64_C(3600) * 1000000000, "local_retention");
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, SESSION, 0, NULL, &msg), 1);
        assert_false(g_file_test(f->session_dir, G_FILE_TEST_EXISTS));
        g_autofree gchar *r = g_build_filename(f->receipts, SESSION ".jsonl", NULL);
        assert_true(g_file_test(r, G_FILE_TEST_IS_REGULAR)); /* the record stays */
}

/* A wipe cut short (a power cut) leaves a closed session whose remaining
 * files all have receipts: the next wipe finishes it. */
static void test_wipe_resumed(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *seg = g_build_filename(f->session_dir, "seg-000001.mkv.age", NULL);

        make_session(f, true);
        confirm_all(f, true);
        assert_int_equal(g_unlink(seg), 0);
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, SESSION, 0, NULL, &msg), 1);
        assert_false(g_file_test(f->session_dir, G_FILE_TEST_EXISTS));
}

static void test_wipe_open_session(void **state) {
        fixture *f = *state;

        make_session(f, false);
        session_file(f, "manifest.json", MANIFEST);
        confirm_all(f, true);
        g_autofree gchar *m = g_build_filename(f->session_dir, "manifest.json", NULL);
        assert_int_equal(g_unlink(m), 0);
        assert_kept(f, 0, "not closed");
}

static void test_wipe_no_receipt(void **state) {
        fixture *f = *state;

        make_session(f, true);
        confirm_all(f, true);
        session_file(f, "SHA256SUMS", "new"); /* no receipt for it */
        assert_kept(f, 0, "no receipt");
}

static void test_wipe_changed_file(void **state) {
        fixture *f = *state;

        make_session(f, true);
        confirm_all(f, true);
        session_file(f, "seg-000001.mkv.age", "SEALED"); /* same size, other bytes */
        assert_kept(f, 0, "no receipt that matches");
}

static void test_wipe_receipts_not_vaulted(void **state) {
        fixture *f = *state;

        make_session(f, true);
        confirm_all(f, false);
        assert_kept(f, 0, "receipts file is not in the vault");
}

static void test_wipe_stranger(void **state) {
        fixture *f = *state;
        g_autofree gchar *link = g_build_filename(f->session_dir, "seg-000009.mkv.age", NULL);

        make_session(f, true);
        confirm_all(f, true);
        assert_int_equal(symlink("/etc/passwd", link), 0);
        assert_kept(f, 0, "a stranger is never wiped");
        assert_int_equal(g_unlink(link), 0);
        session_file(f, "notes.txt", "x");
        assert_kept(f, 0, "a stranger is never wiped");
}

/* Confirms name (in the session folder) with the vault and appends its receipt. */
static void confirm_one(fixture *f, const char *name) {
        g_autoptr(upl_receipts) r = load(f);
        g_autofree gchar *key = g_strdup_printf(SESSION "/%s", name);
        g_autofree gchar *path = g_build_filename(f->session_dir, name, NULL);
        g_autofree gchar *msg = NULL;
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        uint64_t size;
        vault_receipt rc = {0};
        g_auto(fd_owned) fd = open(path, O_RDONLY | O_CLOEXEC);

        assert_int_equal(sha256_fd(fd, d, &size), 0);
        sha256_hex(d, hex);
        assert_int_equal(vault_put(f->v, key, fd, size, hex, NULL, NULL, &rc, &msg), 0);
        assert_string_equal(rc.vault, vault_id(f->v));
        assert_int_equal(upl_receipts_append(f->receipts_fd, SESSION, r, &rc, &msg), 0);
        vault_receipt_clear(&rc);
}

/* A segment the manifest does not list (made in the folder after the
 * session closed, even with a receipt the vault confirms) is a stranger:
 * the session is kept, and so is the stranger. */
static void test_wipe_segment_not_in_manifest(void **state) {
        fixture *f = *state;
        g_autofree gchar *extra = g_build_filename(f->session_dir, "seg-000099.mkv.age", NULL);

        make_session(f, true);
        session_file(f, "seg-000099.mkv.age", "planted");
        confirm_one(f, "seg-000099.mkv.age");
        confirm_all(f, true);
        assert_kept(f, 0, "a stranger is never wiped");
        assert_true(g_file_test(extra, G_FILE_TEST_IS_REGULAR));

        /* never sent as part of the session either */
        g_autoptr(upl_session) s = NULL;
        g_autofree gchar *msg = NULL;
        assert_int_equal(upl_session_scan(f->spool_fd, SESSION, &s, &msg), 0);
        assert_true(s->closed);
        for (guint i = 0; i < s->ready->len; i++)
                assert_string_not_equal(((upl_file *) s->ready->pdata[i])->name, "seg-000099.mkv.age");
        assert_int_equal(s->ignored->len, 1);
        assert_int_equal(s->strangers, 1);
        assert_non_null(strstr(s->ignored->pdata[0], "manifest does not list"));
}

/* A file, or a whole session folder, of another owner than the spool's
 * (the recorder's) was not made by the recorder: never sent, never wiped. */
static void test_wipe_other_owner(void **state) {
        fixture *f = *state;
        g_autofree gchar *seg = g_build_filename(f->session_dir, "seg-000001.mkv.age", NULL);
        g_autoptr(upl_session) s = NULL;
        g_autofree gchar *msg = NULL;

        if (geteuid() != 0)
                skip(); /* chown needs root; CI runs as root */
        make_session(f, true);
        confirm_all(f, true);
        assert_int_equal(chown(seg, 65534, (gid_t) -1), 0);
        assert_kept(f, 0, "a stranger is never wiped");
        assert_int_equal(upl_session_scan(f->spool_fd, SESSION, &s, &msg), 0);
        assert_int_equal(s->ready->len, 2); /* the log and the manifest, not the segment */
        assert_non_null(strstr(s->ignored->pdata[0], "not made by the recorder"));
        assert_int_equal(s->strangers, 1);
        g_clear_pointer(&s, upl_session_free);

        assert_int_equal(chown(seg, 0, (gid_t) -1), 0);
        assert_int_equal(chown(f->session_dir, 65534, (gid_t) -1), 0);
        assert_kept(f, 0, "not made by the recorder");
        assert_int_equal(upl_session_scan(f->spool_fd, SESSION, &s, &msg), -EPERM);
        assert_non_null(strstr(msg, "not made by the recorder"));
}

/* Receipts written by hand (anyone with the spool's group can), naming
 * this very vault, for files the vault does not hold: the wipe asks the
 * vault and keeps the session; the keys go back to be sent again. */
static void test_wipe_forged_receipts(void **state) {
        fixture *f = *state;
        g_autoptr(GPtrArray) unconfirmed = g_ptr_array_new_with_free_func(g_free);
        g_autofree gchar *msg = NULL;
        GString *text = g_string_new(NULL);

        make_session(f, true);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                g_autofree gchar *p = g_build_filename(f->session_dir, files[i], NULL);
                g_autofree gchar *data = NULL;
                gsize len;
                assert_true(g_file_get_contents(p, &data, &len, NULL));
                g_autofree gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *) data, len);
                g_string_append_printf(
                        text,
                        "{\"key\":\"" SESSION "/%s\",\"size\":%" G_GSIZE_FORMAT
                        ",\"sha256\":\"%s\",\"time\":\"2026-01-01T00:00:00Z\",\"vault\":\"%s\"}\n",
                        files[i], len, sum, vault_id(f->v));
        }
        write_receipts(f, text->str);
        g_string_free(text, TRUE);
        /* the receipts file in the vault as here (the uploader sends it once all match) */
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        uint64_t size;
        vault_receipt rc = {0};
        g_auto(fd_owned) fd = openat(f->receipts_fd, SESSION ".jsonl", O_RDONLY | O_CLOEXEC);
        assert_int_equal(sha256_fd(fd, d, &size), 0);
        sha256_hex(d, hex);
        assert_int_equal(
                vault_put(f->v, UPL_RECEIPTS_DIR "/" SESSION ".jsonl", fd, size, hex, NULL, NULL, &rc, &msg),
                0);
        vault_receipt_clear(&rc);

        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, SESSION, 0, unconfirmed, &msg),
                         0);
        assert_non_null(strstr(msg, "the vault does not confirm"));
        assert_true(g_file_test(f->session_dir, G_FILE_TEST_IS_DIR));
        assert_int_equal(unconfirmed->len, ELEMENTSOF(files)); /* all of them go again */
}

/* A vault copy that changed, or vanished, since its receipt: kept. */
static void test_wipe_vault_lost_a_file(void **state) {
        fixture *f = *state;
        g_autoptr(GPtrArray) unconfirmed = g_ptr_array_new_with_free_func(g_free);
        g_autofree gchar *msg = NULL;
        g_autofree gchar *vseg = g_build_filename(f->tmp, "vault", SESSION, "seg-000001.mkv.age", NULL);

        make_session(f, true);
        confirm_all(f, true);
        assert_int_equal(chmod(vseg, 0644), 0);
        assert_true(g_file_set_contents(vseg, "SEALED", -1, NULL)); /* same size, other bytes */
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, SESSION, 0, unconfirmed, &msg),
                         0);
        assert_non_null(strstr(msg, "the vault does not confirm"));
        assert_int_equal(unconfirmed->len, 1);
        assert_string_equal(unconfirmed->pdata[0], SESSION "/seg-000001.mkv.age");
        assert_int_equal(g_unlink(vseg), 0);
        g_clear_pointer(&msg, g_free);
        assert_kept(f, 0, "the vault does not confirm");
}

/* Receipts of another vault (the configuration changed while a session
 * recorded), or of none (written before receipts named their vault),
 * prove nothing about this one. */
static void test_receipts_of_another_vault(void **state) {
        fixture *f = *state;
        g_autofree gchar *text =
                g_strdup_printf("{\"key\":\"" SESSION "/seg-000001.mkv.age\",\"size\":6,\"sha256\":\"" ZEROS
                                "\",\"time\":\"2026-12-01T10:32:00Z\",\"vault\":\"dir:/srv/old-vault\"}\n"
                                "{\"key\":\"" SESSION "/custody.jsonl\",\"size\":4,\"sha256\":\"" ZEROS
                                "\",\"time\":\"2026-12-01T10:32:00Z\"}\n");

        write_receipts(f, text);
        g_autoptr(upl_receipts) r = load(f);
        assert_int_equal(g_hash_table_size(r->by_key), 0);
        assert_int_equal(r->elsewhere, 2);
        assert_int_equal(r->refused, 0);
        assert_int_equal(r->last_us, 0);

        /* a session confirmed by another vault is not wiped on this one's behalf */
        make_session(f, true);
        confirm_all(f, true);
        studio_uploader_conf conf = {0};
        vault *other = NULL;
        g_autofree gchar *msg = NULL;
        conf.vault = g_strdup_printf("dir:%s/new-vault", f->tmp);
        assert_int_equal(vault_open(&conf, &other, &msg), 0);
        g_free(conf.vault);
        g_clear_pointer(&msg, g_free);
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, other, SESSION, 0, NULL, &msg), 0);
        assert_non_null(strstr(msg, "no receipt that matches"));
        assert_true(g_file_test(f->session_dir, G_FILE_TEST_IS_DIR));
        vault_free(other);
}

/* kill -9 between the manifest's unlink and the rmdir: the empty folder
 * is removed by the next run once the vault confirms the manifest; an
 * empty folder without that proof (a session just begun) stays. */
static void test_wipe_empty_folder(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;

        assert_kept(f, 0, "not closed"); /* empty, no receipt */
        make_session(f, true);
        confirm_all(f, true);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                g_autofree gchar *p = g_build_filename(f->session_dir, files[i], NULL);
                assert_int_equal(g_unlink(p), 0);
        }
        g_autofree gchar *vm = g_build_filename(f->tmp, "vault", SESSION, "manifest.json", NULL);
        g_autofree gchar *hidden = g_build_filename(f->tmp, "vault", SESSION, "moved", NULL);
        assert_int_equal(rename(vm, hidden), 0);
        assert_kept(f, 0, "does not confirm the session's manifest");
        assert_int_equal(rename(hidden, vm), 0);
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, SESSION, 0, NULL, &msg), 1);
        assert_non_null(strstr(msg, "cut short is finished"));
        assert_false(g_file_test(f->session_dir, G_FILE_TEST_EXISTS));
}

/* "Last transfer" after a restart, with every session wiped: from the
 * receipts of this vault. */
static void test_last_transfer(void **state) {
        fixture *f = *state;

        assert_int_equal(upl_receipts_last_transfer(f->receipts_fd, vault_id(f->v)), 0);
        make_session(f, true);
        confirm_all(f, true);
        g_autoptr(upl_receipts) r = load(f);
        assert_true(r->last_us > 0);
        assert_int_equal(upl_receipts_last_transfer(f->receipts_fd, vault_id(f->v)), r->last_us);
        assert_int_equal(upl_receipts_last_transfer(f->receipts_fd, "dir:/elsewhere"), 0);
}

/* A new uploader process (a restart, --once beside the daemon) keeps what
 * the last one published until its own first pass has tried: the room's
 * "vault refuses" warning must not flicker off while a PUT is in flight. */
#define WHEN (INT64_C(1795000000) * G_USEC_PER_SEC)
static void test_last_error_carried(void **state) {
        fixture *f = *state;
        studio_uploader_conf conf = {0};
        backlog_doc before = {.sessions = 1,
                              .bytes = 10,
                              .vault = BACKLOG_VAULT_REACHABLE,
                              .last_error = BACKLOG_ERROR_NOT_LOCKING,
                              .last_error_us = WHEN,
                              .updated_us = WHEN};
        backlog_doc after = {0};
        g_autofree gchar *msg = NULL;
        upl_ctx c;

        conf.spool = f->spool;
        conf.backlog_file = g_build_filename(f->tmp, "backlog.json", NULL);
        assert_int_equal(backlog_publish(conf.backlog_file, &before), 0);
        assert_int_equal(upl_ctx_init(&c, &conf, f->v, &msg), 0);
        upl_backlog_publish(&c, &c.published); /* what the progress callback does mid-PUT */
        assert_int_equal(backlog_read(conf.backlog_file, &after, &msg), 0);
        assert_int_equal(after.last_error, BACKLOG_ERROR_NOT_LOCKING);
        assert_int_equal(after.last_error_us, WHEN);
        assert_int_equal(after.sessions, 1);
        upl_ctx_done(&c);

        /* a garbled file is a first start, never a failure */
        assert_true(g_file_set_contents(conf.backlog_file, "{", -1, NULL));
        assert_int_equal(upl_ctx_init(&c, &conf, f->v, &msg), 0);
        assert_int_equal(c.last_error, BACKLOG_ERROR_NONE);
        upl_ctx_done(&c);
        g_free(conf.backlog_file);
}

static void test_wipe_not_a_session(void **state) {
        fixture *f = *state;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *elsewhere = g_build_filename(f->tmp, "elsewhere", NULL);
        g_autofree gchar *link = g_build_filename(f->spool, "20261128T141500Z-ffffffff", NULL);

        assert_int_equal(g_mkdir(elsewhere, 0755), 0);
        assert_int_equal(symlink(elsewhere, link), 0);
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, "20261128T141500Z-ffffffff", 0,
                                          NULL, &msg),
                         0);
        assert_true(g_file_test(elsewhere, G_FILE_TEST_IS_DIR));
        g_clear_pointer(&msg, g_free);
        assert_int_equal(upl_wipe_session(f->spool_fd, f->receipts_fd, f->v, "../spool", 0, NULL, &msg), 0);
}

/* The backlog's word for each failure the vault backends return (vault.h). */
static void test_error_category(void **state) {
        (void) state;
        assert_int_equal(upl_error_category(0), BACKLOG_ERROR_NONE);
        assert_int_equal(upl_error_category(-EAGAIN), BACKLOG_ERROR_UNREACHABLE);
        assert_int_equal(upl_error_category(-ECONNREFUSED), BACKLOG_ERROR_UNREACHABLE);
        assert_int_equal(upl_error_category(-ETIMEDOUT), BACKLOG_ERROR_UNREACHABLE);
        assert_int_equal(upl_error_category(-EROFS), BACKLOG_ERROR_UNREACHABLE);
        assert_int_equal(upl_error_category(-EACCES), BACKLOG_ERROR_CREDENTIALS);
        assert_int_equal(upl_error_category(-ENOLCK), BACKLOG_ERROR_NOT_LOCKING);
        assert_int_equal(upl_error_category(-EBADMSG), BACKLOG_ERROR_CONFLICT);
        assert_int_equal(upl_error_category(-EIO), BACKLOG_ERROR_OTHER);
        assert_int_equal(upl_error_category(-ENOENT), BACKLOG_ERROR_OTHER);
        assert_string_equal(backlog_error_to_string(upl_error_category(-ENOLCK)),
                            "vault does not enforce retention");
        assert_string_equal(backlog_error_to_string(upl_error_category(-EAGAIN)), "vault unreachable");
        assert_string_equal(backlog_error_to_string(upl_error_category(-EACCES)), "credentials refused");
}

/* device.id is read by the status object from outside the uploader's own
 * files: only one vault folder name, trimmed, is accepted. */
static void test_device_id(void **state) {
        static const struct {
                const char *text;
                int want;
                const char *id;
        } cases[] = {
                {"studio-vm-1a2b3c4d\n", 0, "studio-vm-1a2b3c4d"},
                {"  shelter-7 \n", 0, "shelter-7"},
                {"", -EBADMSG, NULL},
                {"\n\n", -EBADMSG, NULL},
                {"../escape\n", -EBADMSG, NULL},
                {"a/b", -EBADMSG, NULL},
                {".hidden", -EBADMSG, NULL},
                {"..", -EBADMSG, NULL},
                {"bad\033[31mred", -EBADMSG, NULL},
                {"back\\slash", -EBADMSG, NULL},
        };
        g_autofree gchar *dir = g_dir_make_tmp("test-device-id-XXXXXX", NULL);
        g_autofree gchar *path = g_build_filename(dir, "device.id", NULL);
        (void) state;

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree gchar *id = NULL, *msg = NULL;
                assert_true(g_file_set_contents(path, cases[i].text, -1, NULL));
                assert_int_equal(upl_device_id(path, &id, &msg), cases[i].want);
                if (cases[i].id)
                        assert_string_equal(id, cases[i].id);
                else {
                        assert_null(id);
                        assert_non_null(strstr(msg, "cannot name a vault folder"));
                        assert_null(strchr(msg, '\033')); /* escaped when shown */
                }
        }
        /* a NUL inside, and a file past the bound */
        assert_true(g_file_set_contents(path, "ab\0cd", 5, NULL));
        g_autofree gchar *id = NULL, *msg = NULL;
        assert_int_equal(upl_device_id(path, &id, &msg), -EBADMSG);
        g_clear_pointer(&msg, g_free);
        g_autofree gchar *big = g_strnfill(4096, 'x');
        assert_true(g_file_set_contents(path, big, -1, NULL));
        assert_true(upl_device_id(path, &id, &msg) < 0);
        assert_null(id);
        g_clear_pointer(&msg, g_free);
        /* missing: an error naming the file */
        (void) g_unlink(path);
        assert_int_equal(upl_device_id(path, &id, &msg), -ENOENT);
        assert_non_null(strstr(msg, path));
        (void) g_rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_session_names),
                cmocka_unit_test(test_error_category),
                cmocka_unit_test(test_device_id),
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_malformed_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_resumed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_open_session, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_no_receipt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_changed_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_receipts_not_vaulted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_stranger, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_not_a_session, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_segment_not_in_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_other_owner, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_forged_receipts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_vault_lost_a_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_receipts_of_another_vault, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wipe_empty_folder, setup, teardown),
                cmocka_unit_test_setup_teardown(test_last_transfer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_last_error_carried, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
