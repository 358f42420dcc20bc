/* libFuzzer: bad input never yields INTACT. A real signed session (the
 * fixture, made by make-session) is copied to /dev/shm once; each input
 * replaces ONE of its files (the first byte chooses custody.jsonl or
 * manifest.json) and the verifier's real checks run over the folder. Any
 * input that differs from the original file must not be INTACT, and one
 * nested deeper than JSON_DEPTH_MAX (the manifest, or a line of the log)
 * must be refused: neither INTACT nor TRUNCATED. json-glib recurses per
 * level, so such a text must never reach it; a crash on a deep seed is a
 * bug, not an artefact of the harness. */
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-bounded.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const targets[] = {"custody.jsonl", "manifest.json"};
static char *dir;
static GBytes *originals[G_N_ELEMENTS(targets)];

static void copy_fixture(void) {
        g_autofree char *src = g_build_filename(FUZZ_FIXTURE_DIR, "session", NULL);
        g_autoptr(GDir) d = g_dir_open(src, 0, NULL);
        const char *n;

        dir = g_strdup("/dev/shm/fuzz-verify-session.XXXXXX");
        if (!d || !g_mkdtemp(dir))
                abort();
        while ((n = g_dir_read_name(d))) {
                g_autofree char *from = g_build_filename(src, n, NULL), *to = g_build_filename(dir, n, NULL);
                g_autofree char *text = NULL;
                gsize len = 0;
                if (!g_file_get_contents(from, &text, &len, NULL) ||
                    !g_file_set_contents(to, text, (gssize) len, NULL))
                        abort();
                for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
                        if (strcmp(n, targets[i]) == 0)
                                originals[i] = g_bytes_new(text, len);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(targets); i++)
                if (!originals[i])
                        abort();
}

static verify_verdict verify_dir(int *ret) {
        verify_options o = {.dir = dir, .device_key = FUZZ_FIXTURE_DIR "/dev.pub"};
        verify_ctx c;

        verify_ctx_init(&c, &o);
        *ret = verify_run(&c);
        verify_verdict v = c.verdict;
        verify_ctx_done(&c);
        return v;
}

/* The manifest as a whole, the log line by line (a line is one text). */
static bool too_deep(size_t which, const char *buf, size_t len) {
        if (which == 1)
                return json_depth_check(buf, len, JSON_DEPTH_MAX) < 0;
        for (const char *p = buf, *end = buf + len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                if (json_depth_check(p, n, JSON_DEPTH_MAX) < 0)
                        return true;
                p += n + 1;
        }
        return false;
}

static void put(size_t which, const void *buf, size_t len) {
        g_autofree char *path = g_build_filename(dir, targets[which], NULL);
        if (!g_file_set_contents(path, buf, (gssize) len, NULL))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int r;

        if (!dir) {
                if (sodium_init() < 0)
                        abort();
                copy_fixture();
                if (verify_dir(&r) != VERIFY_INTACT || r < 0)
                        abort(); /* the fixture itself must verify */
        }
        if (size < 1)
                return 0;
        size_t which = data[0] % G_N_ELEMENTS(targets);
        gsize olen = 0;
        const void *orig = g_bytes_get_data(originals[which], &olen);
        bool same = olen == size - 1 && memcmp(orig, data + 1, olen) == 0;

        put(which, data + 1, size - 1);
        verify_verdict v = verify_dir(&r);
        put(which, orig, olen);
        if (r >= 0 && v == VERIFY_INTACT && !same)
                abort(); /* an altered file verified INTACT */
        if (too_deep(which, (const char *) data + 1, size - 1) &&
            (r < 0 || v == VERIFY_INTACT || v == VERIFY_TRUNCATED))
                abort(); /* a text nested too deep was not refused */
        return 0;
}
