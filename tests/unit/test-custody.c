/* Unit tests for the custody module: append/parse round trip, chain
 * linking across sessions, malformed lines, manifest contents, recovery. */
#include "testutil.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "custody.h"
#include "fsutil.h"

typedef struct fixture {
        char *root, *state, *spool;
        minisign_secret *key;
        minisign_public pk;
} fixture;

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);
        f->root = g_dir_make_tmp("test-custody-XXXXXX", NULL);
        f->state = g_build_filename(f->root, "state", NULL);
        f->spool = g_build_filename(f->root, "spool", NULL);
        g_mkdir(f->state, 0755);
        g_mkdir(f->spool, 0755);
        assert_int_equal(minisign_secret_generate(&f->key), 0);
        minisign_secret_public(f->key, &f->pk);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        assert_int_equal(test_rmtree(f->root), 0);
        minisign_secret_free(f->key);
        g_free(f->root), g_free(f->state), g_free(f->spool);
        g_free(f);
        return 0;
}

static char *new_session(fixture *f, const char *id) {
        char *dir = g_build_filename(f->spool, id, NULL);
        g_mkdir(dir, 0755);
        return dir;
}

static void append_start(custody_log *log, const char *id) {
        g_autoptr(JsonObject) o = json_object_new();
        const char *strs[] = {"officer",          "4711", "room",    "A",    "device_id",      "dev-1",
                              "software_version", "0.1",  "profile", "test", "profile_sha256", "00",
                              "clock_sync",       "ntp"};
        json_object_set_string_member(o, "session", id);
        for (size_t i = 0; i < G_N_ELEMENTS(strs); i += 2)
                json_object_set_string_member(o, strs[i], strs[i + 1]);
        json_object_set_array_member(o, "cameras", json_array_new());
        json_object_set_array_member(o, "microphones", json_array_new());
        json_object_set_array_member(o, "recipients", json_array_new());
        assert_int_equal(custody_log_append(log, "session-start", o), 0);
}

static void append_checkpoint(custody_log *log, const char *seg, int64_t bytes, const char *sha,
                              int64_t media) {
        g_autoptr(JsonObject) o = json_object_new();
        json_object_set_string_member(o, "segment", seg);
        json_object_set_int_member(o, "sealed_bytes", bytes);
        json_object_set_string_member(o, "sealed_sha256", sha);
        json_object_set_int_member(o, "media_ns", media);
        assert_int_equal(custody_log_append(log, "checkpoint", o), 0);
}

static void append_sealed(custody_log *log, const char *seg, int64_t start) {
        g_autoptr(JsonObject) o = json_object_new();
        json_object_set_string_member(o, "segment", seg);
        json_object_set_string_member(o, "plaintext_sha256",
                                      "1111111111111111111111111111111111111111111111111111111111111111");
        json_object_set_string_member(o, "sealed_sha256",
                                      "2222222222222222222222222222222222222222222222222222222222222222");
        json_object_set_int_member(o, "plaintext_bytes", 1000);
        json_object_set_int_member(o, "sealed_bytes", 1200);
        json_object_set_int_member(o, "media_start_ns", start);
        json_object_set_int_member(o, "duration_ns", 300000000000);
        json_object_set_string_member(o, "wall_start", "2026-11-28T14:00:00.000000Z");
        json_object_set_string_member(o, "wall_end", "2026-11-28T14:05:00.000000Z");
        assert_int_equal(custody_log_append(log, "segment-sealed", o), 0);
}

static void append_stop(custody_log *log, int64_t segments) {
        g_autoptr(JsonObject) o = json_object_new();
        json_object_set_string_member(o, "reason", "operator");
        json_object_set_int_member(o, "segments", segments);
        assert_int_equal(custody_log_append(log, "stop", o), 0);
}

static custody_parsed_log *parse_dir(const char *dir) {
        g_autofree char *path = g_build_filename(dir, "custody.jsonl", NULL);
        g_autofree char *err = NULL;
        custody_parsed_log *p = NULL;
        int r = custody_log_parse_file(path, &p, &err);
        if (r < 0)
                fail_msg("parse: %s", err);
        return p;
}

static void test_round_trip(void **state) {
        fixture *f = *state;
        g_autofree char *dir = new_session(f, "s1");
        custody_log *log = NULL;

        assert_int_equal(custody_log_create(dir, f->state, f->key, &log), 0);
        assert_int_equal(custody_log_create(dir, f->state, f->key, &log), -EEXIST);
        append_start(log, "s1");
        append_checkpoint(log, "seg-000001.mkv.age", 100,
                          "3333333333333333333333333333333333333333333333333333333333333333", 5);
        g_autoptr(JsonObject) bad = json_object_new();
        json_object_set_int_member(bad, "media_ns", -1);
        assert_int_equal(custody_log_append(log, "mark", bad), -EINVAL); /* schema refuses */
        assert_int_equal(custody_log_append(log, "no-such-event", NULL), -EINVAL);
        char head[SHA256_HEX_LEN + 1];
        memcpy(head, custody_log_head(log), sizeof(head));
        custody_log_free(log);

        custody_parsed_log *p = parse_dir(dir);
        assert_int_equal(p->n_entries, 2);
        assert_int_equal(p->trailing_bytes, 0);
        assert_string_equal(p->entries[0].prev,
                            "0000000000000000000000000000000000000000000000000000000000000000");
        assert_string_equal(p->entries[1].prev, p->entries[0].hash);
        assert_string_equal(p->entries[1].hash, head);
        for (size_t i = 0; i < p->n_entries; i++) {
                g_autofree char *msg = NULL;
                uint8_t sig[MINISIGN_SIG_LEN];
                size_t len = 0;
                assert_int_equal(p->entries[i].seq, i + 1);
                assert_int_equal(custody_line_signed_bytes(p->data + p->entries[i].offset, p->entries[i].len,
                                                           &msg, &len, sig),
                                 0);
                assert_int_equal(minisign_verify_detached(&f->pk, (uint8_t *) msg, len, sig), 0);
                assert_int_equal(msg[len - 1], '}');
        }
        int64_t v = 0;
        assert_true(custody_entry_int(&p->entries[1], "sealed_bytes", &v));
        assert_int_equal(v, 100);
        custody_parsed_log_free(p);
}

static void close_session(fixture *f, const char *dir, const char *id, int segments) {
        custody_log *log = NULL;
        assert_int_equal(custody_log_create(dir, f->state, f->key, &log), 0);
        append_start(log, id);
        for (int i = 1; i <= segments; i++) {
                g_autofree char *seg = g_strdup_printf("seg-%06d.mkv.age", i);
                append_sealed(log, seg, (int64_t) (i - 1) * 300000000000);
        }
        append_stop(log, segments);
        custody_log_free(log);
        assert_int_equal(custody_session_close(dir, f->state, f->key), 0);
}

static void test_chain_two_sessions(void **state) {
        fixture *f = *state;
        g_autofree char *a = new_session(f, "a"), *b = new_session(f, "b");

        close_session(f, a, "a", 1);
        custody_parsed_log *pa = parse_dir(a);
        g_autofree char *head_path = g_build_filename(f->state, "chain-head", NULL);
        g_autofree char *head = NULL;
        size_t len = 0;
        assert_int_equal(fs_read_file(head_path, 100, &head, &len), 0);
        assert_int_equal(len, 65);
        assert_memory_equal(head, pa->entries[pa->n_entries - 1].hash, 64);

        close_session(f, b, "b", 2);
        custody_parsed_log *pb = parse_dir(b);
        assert_string_equal(pb->entries[0].prev, pa->entries[pa->n_entries - 1].hash);
        custody_parsed_log_free(pa);
        custody_parsed_log_free(pb);
}

/* A valid two-line log; each case replaces text in line 2. (noinline: gcc 12
 * otherwise takes the returned heap pointer for one to a local, a false
 * -Wdangling-pointer.) */
__attribute__((noinline)) static char *valid_log(fixture *f, size_t *ret_len) {
        g_autofree char *dir = new_session(f, "m");
        g_autofree char *path = g_build_filename(dir, "custody.jsonl", NULL);
        custody_log *log = NULL;
        char *data = NULL;

        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
                assert_int_equal(custody_log_create(dir, f->state, f->key, &log), 0);
                append_start(log, "m");
                append_checkpoint(log, "seg-000001.mkv.age", 100,
                                  "3333333333333333333333333333333333333333333333333333333333333333", 5);
                custody_log_free(log);
        }
        assert_int_equal(fs_read_file(path, 1 << 20, &data, ret_len), 0);
        return data;
}

static void expect_bad(const char *data, size_t len, const char *want_in_error) {
        custody_parsed_log *p = NULL;
        g_autofree char *err = NULL;
        int r = custody_log_parse(data, len, &p, &err);
        if (r != -EBADMSG)
                fail_msg("accepted: %.*s", (int) MIN(len, 400), data);
        assert_non_null(err);
        if (!strstr(err, want_in_error))
                fail_msg("error \"%s\" lacks \"%s\"", err, want_in_error);
}

static void test_malformed(void **state) {
        fixture *f = *state;
        size_t len = 0;
        g_autofree char *good = valid_log(f, &len);
        const char *l2 = strchr(good, '\n') + 1;
        static const struct {
                const char *from, *to, *err;
        } cases[] = {
                {"{\"seq\":2", "[\"seq\",2", "line 2: not"},         /* not an object */
                {"{\"seq\":2", "{\"seq\":\"2\"", "line 2: \"seq\""}, /* wrong type */
                {"{\"seq\":2", "{\"seq\":-2", "line 2: \"seq\""},
                {"\"utc\":\"20", "\"utc\":\"19",
                 "line 2: not in canonical"}, /* signature-neutral? no: canonical ok, sig differs later */
                {"T", "t", "line 2: \"utc\""},
                {"\"event\":\"checkpoint\"", "\"event\":\"checkpoints\"", "line 2: \"event\""},
                {"\"prev\":\"", "\"prev\":\"x", "line 2: \"prev\""},
                {",\"sig\":\"", ",\"sog\":\"", "line 2:"},
                {"\"sealed_bytes\":100", "\"sealed_bytes\":\"100\"", "line 2: \"sealed_bytes\""},
                {"\"sealed_bytes\":100,", "", "line 2: checkpoint entry lacks \"sealed_bytes\""},
                {"\"media_ns\":5,", "\"media_ns\": 5,", "line 2: not in canonical"},
                {"\"media_ns\":5,", "\"media_ns\":5,\"media_ns\":5,", "line 2: not in canonical"},
                {"{\"seq\":2,", "{\"utc\":\"2026-11-28T14:00:00.000000Z\",\"seq\":2,", "line 2:"},
                {"\"segment\":\"seg-000001.mkv.age\"", "\"segment\":\"../etc/passwd\"",
                 "line 2: \"segment\""},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                GString *s = g_string_new_len(good, l2 - good);
                const char *hit = strstr(l2, cases[i].from);
                assert_non_null(hit);
                g_string_append_len(s, l2, hit - l2);
                g_string_append(s, cases[i].to);
                g_string_append(s, hit + strlen(cases[i].from));
                if (i == 3) { /* a changed value still parses; the verifier's signature check catches it */
                        custody_parsed_log *p = NULL;
                        assert_int_equal(custody_log_parse(s->str, s->len, &p, NULL), 0);
                        custody_parsed_log_free(p);
                } else
                        expect_bad(s->str, s->len, cases[i].err);
                g_string_free(s, TRUE);
        }
        /* a line nested 16,000 levels deep is refused before json-glib recurses into it */
        GString *deep = g_string_new_len(good, l2 - good);
        g_string_append(deep, "{\"seq\":2,\"x\":");
        for (int i = 0; i < 8000; i++)
                g_string_append(deep, "[{\"a\":");
        g_string_append(deep, "\n");
        expect_bad(deep->str, deep->len, "line 2: nested deeper than 64");
        g_string_free(deep, TRUE);
        /* empty line, NUL byte, overlong line, garbage mid-file */
        g_autofree char *empty = g_strdup_printf("%.*s\n%s", (int) (l2 - good), good, l2);
        expect_bad(empty, strlen(empty), "line 2: empty line");
        g_autofree char *nul = g_memdup2(good, len);
        nul[(l2 - good) + 5] = '\0';
        expect_bad(nul, len, "line 2: NUL");
        GString *big = g_string_new_len(good, l2 - good);
        for (int i = 0; i < CUSTODY_LINE_MAX + 10; i++)
                g_string_append_c(big, 'x');
        g_string_append_c(big, '\n');
        expect_bad(big->str, big->len, "line 2: line longer");
        g_string_free(big, TRUE);
        g_autofree char *garbage = g_strdup_printf("%.*sgarbage\n%s", (int) (l2 - good), good, l2);
        expect_bad(garbage, strlen(garbage), "line 2: not JSON");
        /* a partial last line is not an error: recovery reports it */
        custody_parsed_log *p = NULL;
        assert_int_equal(custody_log_parse(good, len - 10, &p, NULL), 0);
        assert_int_equal(p->n_entries, 1);
        assert_int_equal(p->trailing_bytes, strlen(l2) - 10);
        custody_parsed_log_free(p);
}

static custody_manifest *read_manifest(const char *dir) {
        g_autofree char *path = g_build_filename(dir, "manifest.json", NULL);
        g_autofree char *data = NULL, *err = NULL;
        custody_manifest *m = NULL;
        size_t len = 0;

        assert_int_equal(fs_read_file(path, 1 << 20, &data, &len), 0);
        if (custody_manifest_parse(data, len, &m, &err) < 0)
                fail_msg("manifest: %s", err);
        return m;
}

static void test_manifest(void **state) {
        fixture *f = *state;
        g_autofree char *dir = new_session(f, "20261128T140000Z-01020304");
        char key_id[17];

        close_session(f, dir, "20261128T140000Z-01020304", 2);
        custody_manifest *m = read_manifest(dir);
        custody_parsed_log *p = parse_dir(dir);
        minisign_key_id_hex(f->pk.key_id, key_id);
        assert_string_equal(m->session, "20261128T140000Z-01020304");
        assert_string_equal(m->device_id, "dev-1");
        assert_string_equal(m->officer, "4711");
        assert_string_equal(m->device_key_id, key_id);
        assert_string_equal(m->stop_reason, "operator");
        assert_int_equal(m->n_segments, 2);
        assert_string_equal(m->segments[1].name, "seg-000002.mkv.age");
        assert_string_equal(m->segments[1].plaintext_name, "seg-000002.mkv");
        assert_false(m->segments[1].truncated);
        assert_int_equal(m->segments[1].media_start_ns, 300000000000);
        assert_int_equal(m->log_entries, p->n_entries);
        assert_string_equal(m->log_last_line_sha256, p->entries[p->n_entries - 1].hash);
        assert_string_equal(m->started_utc, p->entries[0].utc);
        for (int i = 0; i < 3; i++) {
                static const char *const names[] = {"manifest.json", "SHA256SUMS", "SHA256SUMS.sealed"};
                g_autofree char *path = g_build_filename(dir, names[i], NULL);
                g_autofree char *comment = NULL;
                assert_int_equal(minisign_verify_file(&f->pk, path, &comment), 0);
                assert_non_null(strstr(comment, "session=20261128T140000Z-01020304"));
        }
        g_autofree char *sums_path = g_build_filename(dir, "SHA256SUMS", NULL);
        g_autofree char *sums = NULL;
        size_t len = 0;
        assert_int_equal(fs_read_file(sums_path, 4096, &sums, &len), 0);
        assert_string_equal(
                sums, "1111111111111111111111111111111111111111111111111111111111111111  seg-000001.mkv\n"
                      "1111111111111111111111111111111111111111111111111111111111111111  seg-000002.mkv\n");
        custody_parsed_log_free(p);
        custody_manifest_free(m);
}

/* A crashed session SESSION: one sealed segment, and seg-000002 open with
 * a fake age header, two whole chunks and a torn tail of 100 bytes, signed
 * through its first chunk by a checkpoint. Gives the folder, the open
 * segment's size and its checkpointed length and hash. */
typedef struct crashed {
        char *dir;
        size_t total, cp;
        char hex[SHA256_HEX_LEN + 1];
} crashed;

static void make_crashed(fixture *f, const char *session, crashed *ret) {
        static const char header[] = "age-encryption.org/v1\n-> X25519 abc\ndef\n--- mac\n";
        size_t hlen = sizeof(header) - 1;
        g_autofree char *seg = NULL;
        g_autofree uint8_t *data = NULL;
        uint8_t d[SHA256_LEN];
        custody_log *log = NULL;

        ret->dir = new_session(f, session);
        ret->cp = hlen + 16 + CUSTODY_AGE_CHUNK_SEALED;
        ret->total = hlen + 16 + 2 * CUSTODY_AGE_CHUNK_SEALED + 100;
        seg = g_build_filename(ret->dir, "seg-000002.mkv.age", NULL);
        data = g_malloc(ret->total);
        memcpy(data, header, hlen);
        randombytes_buf(data + hlen, ret->total - hlen);
        assert_int_equal(fs_write_atomic(seg, data, ret->total, 0644), 0);
        sha256_buf(data, ret->cp, d);
        sha256_hex(d, ret->hex);
        assert_int_equal(custody_log_create(ret->dir, f->state, f->key, &log), 0);
        append_start(log, session);
        append_sealed(log, "seg-000001.mkv.age", 0);
        append_checkpoint(log, "seg-000002.mkv.age", (int64_t) ret->cp, ret->hex, 301000000000);
        custody_log_free(log);
}

/* The crashed session's log ends in a partial line. */
static void test_recovery(void **state) {
        fixture *f = *state;
        crashed c;
        g_autofree char *logp = NULL;
        g_autofree char *report = NULL;

        make_crashed(f, "20261128T150000Z-0a0b0c0d", &c);
        g_autofree char *dir = c.dir;
        size_t total = c.total, cp = c.cp;
        const char *hex = c.hex;
        logp = g_build_filename(dir, "custody.jsonl", NULL);
        int fd = open(logp, O_WRONLY | O_APPEND | O_CLOEXEC);
        assert_int_equal(fs_write_all(fd, "{\"seq\":4,\"utc\"", 14), 0);
        close(fd);

        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report), 1);
        assert_non_null(strstr(report, "partial line of 14 bytes"));
        custody_manifest *m = read_manifest(dir);
        assert_int_equal(m->n_segments, 2);
        const custody_manifest_segment *g = &m->segments[1];
        assert_true(g->truncated);
        assert_int_equal(g->sealed_bytes, total);
        assert_int_equal(g->verified_bytes, cp);
        assert_int_equal(g->unverifiable_bytes, total - cp);
        assert_int_equal(g->salvageable_bytes, total - 100);
        assert_int_equal(g->checkpoint_seq, 3);
        assert_string_equal(g->checkpoint_sha256, hex);
        assert_string_equal(m->stop_reason, "recovered after crash");
        custody_parsed_log *p = parse_dir(dir);
        assert_true(p->entries[3].fragment);
        assert_int_equal(p->entries[4].event, CUSTODY_EV_RECOVERY);
        assert_string_equal(p->entries[4].prev, p->entries[2].hash);
        assert_int_equal(p->entries[4].seq, 4);
        custody_parsed_log_free(p);
        custody_manifest_free(m);
        /* nothing left to recover; the log was only appended to */
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, NULL), 0);
}

/* Kept out of line: inlined, it makes gcc -O3 take the returned buffer for
 * a pointer to the local fs_read_file filled (-Wdangling-pointer, a false
 * positive). */
G_GNUC_NO_INLINE static char *read_text(const char *dir, const char *name, size_t *ret_len);

/* Power fails while recovery itself runs, after its recovery entry and
 * before its stop: the next start must finish that recovery, not record
 * the open segment a second time (which would make the session unclosable). */
static void test_recovery_interrupted_recovery(void **state) {
        fixture *f = *state;
        crashed c;
        g_autofree char *head = g_build_filename(f->state, "chain-head", NULL);
        static const char *const closing[] = {"manifest.json",     "manifest.json.minisig",
                                              "SHA256SUMS",        "SHA256SUMS.minisig",
                                              "SHA256SUMS.sealed", "SHA256SUMS.sealed.minisig"};
        g_autofree char *head_before = NULL, *text = NULL, *logp = NULL;
        size_t recoveries = 0;

        make_crashed(f, "20261128T150000Z-0a0b0c0f", &c);
        g_autofree char *dir = c.dir;
        logp = g_build_filename(dir, "custody.jsonl", NULL);
        (void) g_file_get_contents(head, &head_before, NULL, NULL);

        /* A whole recovery, then undo what the power cut would not have let
         * happen: the stop line, the closing files, the chain head's move. */
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, NULL), 1);
        text = read_text(dir, "custody.jsonl", NULL);
        *strrchr(text, '\n') = '\0';
        *(strrchr(text, '\n') + 1) = '\0';
        assert_non_null(strstr(text, "\"event\":\"recovery\""));
        assert_int_equal(fs_write_atomic(logp, text, strlen(text), 0644), 0);
        for (size_t i = 0; i < G_N_ELEMENTS(closing); i++) {
                g_autofree char *p = g_build_filename(dir, closing[i], NULL);
                (void) unlink(p);
        }
        if (head_before)
                assert_int_equal(fs_write_atomic(head, head_before, strlen(head_before), 0644), 0);
        else
                (void) unlink(head);

        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, NULL), 1);
        custody_manifest *m = read_manifest(dir);
        assert_int_equal(m->n_segments, 2);
        assert_true(m->segments[1].truncated);
        custody_parsed_log *p = parse_dir(dir);
        /* the second run signs that it found nothing open, and names the
         * segment in no second entry */
        for (size_t i = 0; i < p->n_entries; i++)
                recoveries +=
                        p->entries[i].event == CUSTODY_EV_RECOVERY &&
                        g_strcmp0(custody_entry_str(&p->entries[i], "segment"), "seg-000002.mkv.age") == 0;
        assert_int_equal(recoveries, 1);
        assert_int_equal(p->entries[p->n_entries - 1].event, CUSTODY_EV_STOP);
        int64_t segments = 0;
        assert_true(custody_entry_int(&p->entries[p->n_entries - 1], "segments", &segments));
        assert_int_equal(segments, 2);
        custody_parsed_log_free(p);
        custody_manifest_free(m);
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, NULL), 0);
}

static char *read_text(const char *dir, const char *name, size_t *ret_len) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char *data = NULL;
        size_t len = 0;

        assert_int_equal(fs_read_file(path, 1 << 20, &data, &len), 0);
        if (ret_len)
                *ret_len = len;
        return data;
}

static void write_text(const char *dir, const char *name, const void *data, size_t len) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        assert_int_equal(fs_write_atomic(path, data, len, 0644), 0);
}

static bool exists(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void chain_head(fixture *f, char out[65]) {
        g_autofree char *t = read_text(f->state, "chain-head", NULL);
        assert_int_equal(strlen(t), 65);
        memcpy(out, t, 64);
        out[64] = '\0';
}

/* A folder recovery must leave exactly as it found it. */
typedef struct snapshot {
        const char *dir, *name;
        char *data;
        size_t len;
} snapshot;

static void assert_unchanged(const snapshot *s) {
        size_t len = 0;
        g_autofree char *now = read_text(s->dir, s->name, &len);
        assert_int_equal(len, s->len);
        assert_memory_equal(now, s->data, len);
        assert_false(exists(s->dir, "manifest.json"));
}

static void crashed_session(fixture *f, const char *dir, const char *id) {
        custody_log *log = NULL;
        assert_int_equal(custody_log_create(dir, f->state, f->key, &log), 0);
        append_start(log, id);
        append_sealed(log, "seg-000001.mkv.age", 0);
        custody_log_free(log);
}

/* Empty, garbage and log-less folders are left untouched and reported; a
 * log with only a partial first line is closed start-less; the crashed
 * session beside them is recovered, and the next session can start. */
static void test_recovery_damaged_folders(void **state) {
        fixture *f = *state;
        g_autofree char *good = new_session(f, "20261128T120000Z-good");
        g_autofree char *empty = new_session(f, "20261128T130000Z-empty");
        g_autofree char *garbage = new_session(f, "20261128T131000Z-garbage");
        g_autofree char *nolog = new_session(f, "20261128T132000Z-nolog");
        g_autofree char *partial = new_session(f, "20261128T133000Z-partial");
        g_autofree char *next = new_session(f, "20261128T140000Z-next");
        static const char junk[] = "not json\n{\"seq\":1}\n\0\0\0\0";
        static const char frag[] = "{\"seq\":1,\"utc\":\"2026-11-28T13:";
        g_autofree char *report = NULL, *report2 = NULL;
        char head[65];

        crashed_session(f, good, "20261128T120000Z-good");
        write_text(empty, "custody.jsonl", "", 0);
        write_text(garbage, "custody.jsonl", junk, sizeof(junk) - 1);
        write_text(nolog, "seg-000001.mkv.age", "age-encryption.org/v1\n", 22);
        write_text(partial, "custody.jsonl", frag, sizeof(frag) - 1);
        snapshot snaps[] = {{empty, "custody.jsonl", NULL, 0},
                            {garbage, "custody.jsonl", NULL, 0},
                            {nolog, "seg-000001.mkv.age", NULL, 0}};
        for (size_t i = 0; i < G_N_ELEMENTS(snaps); i++)
                snaps[i].data = read_text(snaps[i].dir, snaps[i].name, &snaps[i].len);

        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report), 2);
        assert_non_null(strstr(
                report, "20261128T130000Z-empty: NOT RECOVERED, left untouched: its custody log is empty"));
        assert_non_null(strstr(report, "20261128T131000Z-garbage: NOT RECOVERED, left untouched: its "
                                       "custody log is damaged (line 1"));
        assert_non_null(strstr(report, "20261128T132000Z-nolog: NOT RECOVERED, left untouched: it holds "
                                       "segment files but no custody log"));
        assert_non_null(
                strstr(report, "20261128T132000Z-nolog:   seg-000001.mkv.age 22 bytes, sealed SHA-256 "));
        assert_non_null(strstr(report, "20261128T120000Z-good: recovered and closed"));
        assert_non_null(strstr(report, "20261128T133000Z-partial: recovered and closed"));
        for (size_t i = 0; i < G_N_ELEMENTS(snaps); i++)
                assert_unchanged(&snaps[i]);

        /* the fragment stays first; the recovery entry links to the chain
         * head left by the good session and ends the log */
        custody_parsed_log *g = parse_dir(good), *p = parse_dir(partial);
        size_t len = 0;
        g_autofree char *text = read_text(partial, "custody.jsonl", &len);
        assert_memory_equal(text, frag, sizeof(frag) - 1);
        assert_int_equal(p->n_entries, 2);
        assert_true(p->entries[0].fragment);
        assert_int_equal(p->entries[1].event, CUSTODY_EV_RECOVERY);
        assert_int_equal(p->entries[1].seq, 1);
        assert_string_equal(p->entries[1].prev, g->entries[g->n_entries - 1].hash);
        int64_t n = 0;
        assert_true(custody_entry_int(&p->entries[1], "log_partial_bytes", &n));
        assert_int_equal(n, sizeof(frag) - 1);
        assert_non_null(custody_entry_str(&p->entries[1], "log_partial_sha256"));
        custody_manifest *m = read_manifest(partial);
        assert_string_equal(m->session, "20261128T133000Z-partial");
        assert_string_equal(m->started_utc, "");
        assert_non_null(strstr(m->stop_reason, "never started"));
        assert_int_equal(m->n_segments, 0);
        chain_head(f, head);
        assert_string_equal(head, p->entries[1].hash);
        custody_manifest_free(m);
        custody_parsed_log_free(g);

        /* the next session links to the recovered one */
        custody_log *log = NULL;
        assert_int_equal(custody_log_create(next, f->state, f->key, &log), 0);
        append_start(log, "20261128T140000Z-next");
        append_stop(log, 0);
        custody_log_free(log);
        assert_int_equal(custody_session_close(next, f->state, f->key), 0);
        custody_parsed_log *q = parse_dir(next);
        assert_string_equal(q->entries[0].prev, p->entries[1].hash);
        custody_parsed_log_free(q);
        custody_parsed_log_free(p);

        /* a second start: nothing to close, the untouched ones named again */
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report2), 0);
        assert_non_null(strstr(report2, "20261128T130000Z-empty: NOT RECOVERED"));
        assert_null(strstr(report2, "recovered and closed"));
        for (size_t i = 0; i < G_N_ELEMENTS(snaps); i++) {
                assert_unchanged(&snaps[i]);
                g_free(snaps[i].data);
        }
}

/* Each crash point of a close, recreated by deleting what a real close
 * wrote after that point; recovery writes back the same signed files. */
static void test_recovery_interrupted_close(void **state) {
        fixture *f = *state;
        static const char *const files[] = {"SHA256SUMS",
                                            "SHA256SUMS.minisig",
                                            "SHA256SUMS.sealed",
                                            "SHA256SUMS.sealed.minisig",
                                            "manifest.json.minisig",
                                            "manifest.json"};
        g_autofree char *dir = new_session(f, "20261128T120000Z-close");
        g_autofree char *manifest = NULL, *head_path = g_build_filename(f->state, "chain-head", NULL);
        g_autofree char *legacy = NULL, *sig_path = g_build_filename(dir, "manifest.json.minisig", NULL);
        char head[65], first_prev[65];
        size_t mlen = 0;

        close_session(f, dir, "20261128T120000Z-close", 1);
        manifest = read_text(dir, "manifest.json", &mlen);
        chain_head(f, head);
        custody_parsed_log *p = parse_dir(dir);
        memcpy(first_prev, p->entries[0].prev, sizeof(first_prev));
        custody_parsed_log_free(p);
        for (size_t crash = 0; crash < G_N_ELEMENTS(files); crash++) {
                g_autofree char *report = NULL, *again = NULL;
                for (size_t k = crash; k < G_N_ELEMENTS(files); k++) {
                        g_autofree char *path = g_build_filename(dir, files[k], NULL);
                        assert_int_equal(unlink(path), 0);
                }
                /* every crash point also precedes the chain head's move */
                assert_int_equal(fs_write_atomic(head_path, first_prev, 64, 0644), 0);
                assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report), 1);
                assert_non_null(strstr(report, "recovered and closed"));
                for (size_t k = 0; k < G_N_ELEMENTS(files); k++)
                        assert_true(exists(dir, files[k]));
                size_t len = 0;
                g_autofree char *now = read_text(dir, "manifest.json", &len);
                assert_int_equal(len, mlen);
                assert_memory_equal(now, manifest, mlen);
                for (size_t k = 0; k < G_N_ELEMENTS(files); k += 2) {
                        g_autofree char *path =
                                g_build_filename(dir, k == 4 ? "manifest.json" : files[k], NULL);
                        assert_int_equal(minisign_verify_file(&f->pk, path, NULL), 0);
                }
                char now_head[65];
                chain_head(f, now_head);
                assert_string_equal(now_head, head);
                assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &again), 0);
                assert_string_equal(again, "");
        }
        /* earlier releases wrote manifest.json before its signature */
        assert_int_equal(unlink(sig_path), 0);
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &legacy), 1);
        g_autofree char *man_path = g_build_filename(dir, "manifest.json", NULL);
        assert_int_equal(minisign_verify_file(&f->pk, man_path, NULL), 0);
}

/* Crash after manifest.json but before the chain head moved. */
static void test_recovery_chain_head_behind(void **state) {
        fixture *f = *state;
        g_autofree char *a = new_session(f, "20261128T120000Z-a"), *b = new_session(f, "20261128T130000Z-b");
        g_autofree char *report = NULL, *before = NULL;
        g_autofree char *head_path = g_build_filename(f->state, "chain-head", NULL);
        char head_a[65], head_b[65], now[65];

        close_session(f, a, "20261128T120000Z-a", 1);
        chain_head(f, head_a);
        close_session(f, b, "20261128T130000Z-b", 1);
        chain_head(f, head_b);
        assert_int_equal(fs_write_atomic(head_path, head_a, 64, 0644), 0);
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report), 0);
        assert_non_null(
                strstr(report, "20261128T130000Z-b: closed, but the device chain head had not moved"));
        chain_head(f, now);
        assert_string_equal(now, head_b);
        /* a head that is already past a session is never moved back */
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &before), 0);
        assert_string_equal(before, "");
        chain_head(f, now);
        assert_string_equal(now, head_b);
}

/* A closing file that differs from what the log implies is not replaced. */
static void test_recovery_conflicting_file(void **state) {
        fixture *f = *state;
        g_autofree char *dir = new_session(f, "20261128T120000Z-c");
        g_autofree char *report = NULL, *path = g_build_filename(dir, "manifest.json.minisig", NULL);

        close_session(f, dir, "20261128T120000Z-c", 1);
        assert_int_equal(unlink(path), 0);
        write_text(dir, "SHA256SUMS", "other\n", 6);
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report), 0);
        assert_non_null(strstr(report, "NOT RECOVERED, left untouched: SHA256SUMS exists but differs"));
        g_autofree char *t = read_text(dir, "SHA256SUMS", NULL);
        assert_string_equal(t, "other\n");
        assert_false(exists(dir, "manifest.json.minisig"));
}

/* The manifest parser refuses, before json-glib sees the text, a manifest
 * nested deeper than JSON_DEPTH_MAX, one over CUSTODY_MANIFEST_MAX and one
 * with a NUL byte, saying which. */
static void test_manifest_hostile(void **state) {
        (void) state;
        static const struct {
                const char *open;
                int levels;
                const char *err;
        } deep[] = {{"[", 100000, "nested deeper than 64 levels"},
                    {"{\"a\":", 100000, "nested deeper than 64 levels"},
                    {"[", 65, "nested deeper than 64 levels"},
                    {"[", 64, "not JSON"}};

        for (size_t i = 0; i < G_N_ELEMENTS(deep); i++) {
                GString *s = g_string_new(NULL);
                custody_manifest *m = NULL;
                g_autofree char *err = NULL;
                for (int k = 0; k < deep[i].levels; k++)
                        g_string_append(s, deep[i].open);
                assert_int_equal(custody_manifest_parse(s->str, s->len, &m, &err), -EBADMSG);
                assert_null(m);
                if (!strstr(err, deep[i].err))
                        fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, deep[i].err);
                g_string_free(s, TRUE);
        }
        size_t big_len = CUSTODY_MANIFEST_MAX + 1;
        g_autofree char *big = g_malloc(big_len);
        memset(big, ' ', big_len);
        big[0] = '{', big[big_len - 1] = '}';
        g_autofree char *err = NULL, *err2 = NULL;
        custody_manifest *m = NULL;
        assert_int_equal(custody_manifest_parse(big, big_len, &m, &err), -EBADMSG);
        assert_non_null(strstr(err, "larger than 16777216 bytes"));
        assert_int_equal(custody_manifest_parse("{\"a\":\"\0\"}", 8, &m, &err2), -EBADMSG);
        assert_non_null(strstr(err2, "NUL byte"));
}

/* Hostile folders beside a crashed session: a manifest nested 100,000
 * levels deep (json-glib would recurse until the stack overflows) and a
 * log whose first line is nested 8,000 levels deep. Recovery names both,
 * leaves them as they are, and still closes the crashed session. */
static void test_recovery_hostile_nesting(void **state) {
        fixture *f = *state;
        g_autofree char *deepman = new_session(f, "20261128T110000Z-deepmanifest");
        g_autofree char *good = new_session(f, "20261128T120000Z-good");
        g_autofree char *deeplog = new_session(f, "20261128T130000Z-deeplog");
        g_autofree char *report = NULL, *again = NULL;
        GString *man = g_string_new("{\"format\":\"" CUSTODY_MANIFEST_FORMAT "\",\"segments\":");
        GString *line = g_string_new(NULL);

        close_session(f, deepman, "20261128T110000Z-deepmanifest", 1);
        for (int i = 0; i < 100000; i++)
                g_string_append_c(man, '[');
        write_text(deepman, "manifest.json", man->str, man->len);
        crashed_session(f, good, "20261128T120000Z-good");
        for (int i = 0; i < 8000; i++)
                g_string_append(line, "[{\"a\":");
        g_string_append_c(line, '\n');
        assert_true(line->len < CUSTODY_LINE_MAX);
        write_text(deeplog, "custody.jsonl", line->str, line->len);
        snapshot snaps[] = {{deeplog, "custody.jsonl", line->str, line->len}};

        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &report), 1);
        assert_non_null(strstr(report, "20261128T120000Z-good: recovered and closed"));
        assert_non_null(strstr(report, "20261128T110000Z-deepmanifest: NOT CHECKED, left untouched: its "
                                       "manifest.json cannot be read (nested deeper than 64 levels)"));
        assert_non_null(strstr(report, "20261128T130000Z-deeplog: NOT RECOVERED, left untouched: its "
                                       "custody log is damaged (line 1: nested deeper than 64 levels)"));
        size_t len = 0;
        g_autofree char *now = read_text(deepman, "manifest.json", &len);
        assert_int_equal(len, man->len);
        assert_memory_equal(now, man->str, len);
        assert_unchanged(&snaps[0]);
        custody_manifest *m = read_manifest(good);
        assert_string_equal(m->stop_reason, "recovered after crash");
        custody_manifest_free(m);
        /* the next start names them again and closes nothing twice */
        assert_int_equal(custody_recover_spool(f->spool, f->state, f->key, &again), 0);
        assert_non_null(strstr(again, "20261128T110000Z-deepmanifest: NOT CHECKED"));
        assert_non_null(strstr(again, "20261128T130000Z-deeplog: NOT RECOVERED"));
        g_string_free(man, TRUE);
        g_string_free(line, TRUE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chain_two_sessions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_interrupted_recovery, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_damaged_folders, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_interrupted_close, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_chain_head_behind, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_conflicting_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recovery_hostile_nesting, setup, teardown),
                cmocka_unit_test_setup_teardown(test_manifest_hostile, setup, teardown),
        };
        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
