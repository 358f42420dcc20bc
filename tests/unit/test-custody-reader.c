/* Unit tests for the streaming custody log reader: read from a file in
 * bounded windows it yields exactly what the whole-log parse yields (lines
 * across window boundaries, a declared crash fragment, a partial last
 * line), hashes every byte, and refuses a line that never ends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "custody-internal.h"
#include "custody.h"

#define N_CHECKPOINTS 6000 /* about 2.5 MB: the reader's 1 MiB window moves several times */

static void add_line(GString *log, const minisign_secret *key, uint64_t seq, const char *event,
                     JsonObject *o, char prev[SHA256_HEX_LEN + 1]) {
        g_autofree char *line = NULL;
        size_t len = 0;

        assert_int_equal(custody_entry_build(key, seq, "2026-11-28T14:00:00.000000Z", (int64_t) seq, event,
                                             o, prev, &line, &len),
                         0);
        custody_line_hash(line, len - 1, prev);
        g_string_append_len(log, line, (gssize) len);
}

/* A mark, checkpoints, a torn line declared by the recovery entry after
 * it, and a partial last line (the reader checks structure, not the order
 * of events). */
static GString *big_log(const minisign_secret *key) {
        GString *log = g_string_new(NULL);
        char prev[SHA256_HEX_LEN + 1] = CUSTODY_ZERO_HASH;
        uint64_t seq = 1;
        g_autoptr(JsonObject) mark = json_object_new();

        json_object_set_int_member(mark, "media_ns", 0);
        add_line(log, key, seq++, "mark", mark, prev);
        for (int i = 0; i < N_CHECKPOINTS; i++) {
                g_autoptr(JsonObject) o = json_object_new();
                json_object_set_string_member(o, "segment", "seg-000001.mkv.age");
                json_object_set_int_member(o, "sealed_bytes", i * 65552);
                json_object_set_string_member(o, "sealed_sha256", CUSTODY_ZERO_HASH);
                json_object_set_int_member(o, "media_ns", i * 1000000LL);
                add_line(log, key, seq++, "checkpoint", o, prev);
        }
        g_string_append(log, "{\"seq\":6002,\"utc\":\"2026-11-28T14:00"); /* torn by a power cut */
        size_t torn = strlen("{\"seq\":6002,\"utc\":\"2026-11-28T14:00");
        g_autoptr(JsonObject) rec = json_object_new();
        json_object_set_int_member(rec, "log_partial_bytes", (int64_t) torn);
        g_string_append_c(log, '\n');
        add_line(log, key, seq++, "recovery", rec, prev);
        g_string_append(log, "{\"seq\":6003,\"ut"); /* a partial last line */
        return log;
}

static void test_reader_matches_parse(void **state) {
        minisign_secret *key = NULL;
        custody_parsed_log *whole = NULL;
        const custody_entry *e = NULL;
        char path[] = "/tmp/test-custody-reader.XXXXXX", sha[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
        uint8_t d[SHA256_LEN];
        size_t i = 0, trailing = 0;
        int fd, k;

        (void) state;
        assert_int_equal(minisign_secret_generate(&key), 0);
        g_autoptr(GString) log = big_log(key);
        assert_int_equal(custody_log_parse(log->str, log->len, &whole, NULL), 0);
        assert_int_equal(whole->n_entries, N_CHECKPOINTS + 3);
        assert_true(whole->entries[N_CHECKPOINTS + 1].fragment);

        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, log->str, log->len), (ssize_t) log->len);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        custody_log_reader *r = custody_log_reader_new(fd);
        while ((k = custody_log_reader_next(r, &e, NULL)) > 0) {
                const custody_entry *w = &whole->entries[i++];
                assert_int_equal(e->line_no, w->line_no);
                assert_int_equal(e->fragment, w->fragment);
                assert_int_equal(e->offset, w->offset);
                assert_int_equal(e->len, w->len);
                if (!e->fragment) {
                        assert_string_equal(e->hash, w->hash);
                        assert_memory_equal(e->line, log->str + w->offset, e->len);
                }
        }
        assert_int_equal(k, 0);
        assert_int_equal(i, whole->n_entries);
        assert_int_equal(custody_log_reader_bytes(r), log->len);
        assert_non_null(custody_log_reader_trailing(r, &trailing));
        assert_int_equal(trailing, whole->trailing_bytes);
        assert_int_equal(trailing, strlen("{\"seq\":6003,\"ut"));
        custody_log_reader_sha256(r, sha);
        sha256_buf(log->str, log->len, d);
        sha256_hex(d, want);
        assert_string_equal(sha, want);
        custody_log_reader_free(r);
        custody_parsed_log_free(whole);
        minisign_secret_free(key);
        (void) close(fd);
        (void) unlink(path);
}

/* Bytes with no newline for longer than any line may be: refused once the
 * window holds more than CUSTODY_LINE_MAX of them, not buffered forever. */
static void test_reader_endless_line(void **state) {
        char path[] = "/tmp/test-custody-reader.XXXXXX";
        g_autofree char *junk = g_malloc(3 * CUSTODY_LINE_MAX);
        g_autofree char *err = NULL;
        const custody_entry *e = NULL;
        int fd = mkstemp(path);

        (void) state;
        memset(junk, 'x', 3 * CUSTODY_LINE_MAX);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, junk, 3 * CUSTODY_LINE_MAX), 3 * CUSTODY_LINE_MAX);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        custody_log_reader *r = custody_log_reader_new(fd);
        assert_int_equal(custody_log_reader_next(r, &e, &err), -EBADMSG);
        assert_non_null(strstr(err, "line 1: line longer than 65536 bytes"));
        custody_log_reader_free(r);
        (void) close(fd);
        (void) unlink(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reader_matches_parse),
                cmocka_unit_test(test_reader_endless_line),
        };
        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
