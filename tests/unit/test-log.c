/* appliance/common/log: what reaches stderr for each target and level, one
 * entry per line, and the _errno helpers' return value. stderr is pointed at
 * a temporary file for each case and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int saved_stderr = -1;
static FILE *capture;

static void capture_begin(void) {
        fflush(stderr);
        saved_stderr = dup(STDERR_FILENO);
        assert_true(saved_stderr >= 0);
        capture = tmpfile();
        assert_non_null(capture);
        assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
}

/* What was written since capture_begin (caller frees); stderr restored. */
static char *capture_end(void) {
        char *text;
        long n;

        fflush(stderr);
        assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
        close(saved_stderr);
        n = ftell(capture);
        assert_true(n >= 0);
        rewind(capture);
        text = g_malloc0((size_t) n + 1);
        assert_int_equal(fread(text, 1, (size_t) n, capture), (size_t) n);
        fclose(capture);
        return text;
}

static int setup(void **state) {
        (void) state;
        unsetenv("JOURNAL_STREAM");
        log_set_max_level(LOG_INFO);
        log_set_escape(false);
        log_set_console_fd(-1);
        return 0;
}

static void test_default_level(void **state) {
        (void) state;
        assert_int_equal(log_get_max_level(), LOG_INFO);
}

static void test_console_prefix(void **state) {
        g_autofree char *out = NULL;

        (void) state;
        log_init("studio-test", LOG_TARGET_CONSOLE);
        capture_begin();
        log_error("cannot open %s", "x.conf");
        log_info("room is %s", "free");
        out = capture_end();
        assert_string_equal(out, "studio-test: cannot open x.conf\nstudio-test: room is free\n");
}

static void test_journal_priorities(void **state) {
        g_autofree char *out = NULL;

        (void) state;
        log_init("studio-test", LOG_TARGET_JOURNAL);
        log_set_max_level(LOG_DEBUG);
        capture_begin();
        log_error("e");
        log_warning("w");
        log_notice("n");
        log_info("i");
        log_debug("d");
        out = capture_end();
        assert_string_equal(out, "<3>e\n<4>w\n<5>n\n<6>i\n<7>d\n");
}

static void test_max_level(void **state) {
        g_autofree char *out = NULL;

        (void) state;
        log_init("p", LOG_TARGET_CONSOLE);
        assert_int_equal(log_get_max_level(), LOG_INFO);
        capture_begin();
        log_debug("dropped at the default level");
        log_set_max_level(LOG_WARNING);
        assert_int_equal(log_get_max_level(), LOG_WARNING);
        log_notice("dropped");
        log_info("dropped");
        log_warning("kept");
        log_error("kept too");
        out = capture_end();
        assert_string_equal(out, "p: kept\np: kept too\n");
}

static void test_multi_line(void **state) {
        g_autofree char *out = NULL;
        g_autofree char *jout = NULL;

        (void) state;
        log_init("p", LOG_TARGET_CONSOLE);
        capture_begin();
        log_error("first\nsecond\n\nfourth\n");
        out = capture_end();
        /* An empty line inside stays an entry; the trailing newline does not add one. */
        assert_string_equal(out, "p: first\np: second\np: \np: fourth\n");

        log_init("p", LOG_TARGET_JOURNAL);
        capture_begin();
        log_warning("a\nb");
        jout = capture_end();
        assert_string_equal(jout, "<4>a\n<4>b\n");
}

static void test_errno_returns_r(void **state) {
        g_autofree char *out = NULL;

        (void) state;
        log_init("p", LOG_TARGET_CONSOLE);
        capture_begin();
        assert_int_equal(log_error_errno(-ENOENT, "cannot open %s: %m", "f"), -ENOENT);
        log_set_max_level(LOG_ERR);
        /* Dropped, and still the same return value. */
        assert_int_equal(log_warning_errno(-EIO, "never shown"), -EIO);
        assert_int_equal(log_full_errno(LOG_DEBUG, -EBADMSG, "never shown"), -EBADMSG);
        assert_int_equal(log_full_errno(LOG_ERR, 0, "zero"), 0);
        out = capture_end();
        assert_string_equal(out, "p: cannot open f: No such file or directory\np: zero\n");
}

static void test_errno_preserved(void **state) {
        g_autofree char *out = NULL;

        (void) state;
        log_init("p", LOG_TARGET_CONSOLE);
        capture_begin();
        errno = EPERM;
        log_info("x");
        assert_int_equal(errno, EPERM);
        out = capture_end();
        assert_string_equal(out, "p: x\n");
}

/* JOURNAL_STREAM names stderr's device and inode: journal. Naming another
 * stream (inherited by a child whose stderr went elsewhere): console. */
static void test_auto_target(void **state) {
        g_autofree char *a = NULL, *b = NULL, *c = NULL;
        g_autofree char *env = NULL;
        struct stat st;

        (void) state;
        capture_begin();
        assert_int_equal(fstat(STDERR_FILENO, &st), 0);
        env = g_strdup_printf("%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        setenv("JOURNAL_STREAM", env, 1);
        log_init("p", LOG_TARGET_AUTO);
        log_error("to journal");
        a = capture_end();
        assert_string_equal(a, "<3>to journal\n");

        capture_begin();
        setenv("JOURNAL_STREAM", "1:2", 1);
        log_init("p", LOG_TARGET_AUTO);
        log_error("to console");
        b = capture_end();
        assert_string_equal(b, "p: to console\n");

        capture_begin();
        unsetenv("JOURNAL_STREAM");
        log_init("p", LOG_TARGET_AUTO);
        log_error("unset");
        c = capture_end();
        assert_string_equal(c, "p: unset\n");
}

static void test_level_strings(void **state) {
        (void) state;
        assert_int_equal(log_level_from_string("error"), LOG_ERR);
        assert_int_equal(log_level_from_string("warning"), LOG_WARNING);
        assert_int_equal(log_level_from_string("notice"), LOG_NOTICE);
        assert_int_equal(log_level_from_string("info"), LOG_INFO);
        assert_int_equal(log_level_from_string("debug"), LOG_DEBUG);
        assert_int_equal(log_level_from_string("Info"), -EINVAL);
        assert_int_equal(log_level_from_string("crit"), -EINVAL);
        assert_int_equal(log_level_from_string(""), -EINVAL);
        assert_int_equal(log_level_from_string(NULL), -EINVAL);
        assert_string_equal(log_level_to_string(LOG_WARNING), "warning");
        assert_string_equal(log_level_to_string(LOG_DEBUG), "debug");
        assert_null(log_level_to_string(8));
        assert_null(log_level_to_string(-1));
}

/* A command-line tool's messages quote outside strings: with escaping on,
 * a terminal escape or a newline in one is shown, not acted on, and the
 * message stays one entry with the program's prefix. */
static void test_escape(void **state) {
        g_autofree char *out = NULL, *plain = NULL;

        (void) state;
        log_init("studio-export", LOG_TARGET_CONSOLE);
        log_set_escape(true);
        capture_begin();
        log_error("cannot open %s: %s", "seg\033[31m\nINTACT", "No such file or directory");
        out = capture_end();
        assert_string_equal(out, "studio-export: cannot open seg\\u001b[31m\\u000aINTACT: No such file or "
                                 "directory\n");

        log_set_escape(false);
        capture_begin();
        log_error("a\nb");
        plain = capture_end();
        assert_string_equal(plain, "studio-export: a\nstudio-export: b\n");
}

/* studio-provision: each message also on the console, with the prefix even
 * when stderr goes to the journal; the console fd is left open. */
static void test_console_fd(void **state) {
        g_autofree char *out = NULL, *copy = NULL;
        FILE *console = tmpfile();
        long n;

        (void) state;
        assert_non_null(console);
        log_init("studio-provision", LOG_TARGET_JOURNAL);
        log_set_console_fd(fileno(console));
        capture_begin();
        log_error("no bundle");
        log_notice("drive mounted");
        log_set_console_fd(-1);
        log_error("after");
        out = capture_end();
        assert_string_equal(out, "<3>no bundle\n<5>drive mounted\n<3>after\n");
        n = ftell(console);
        assert_true(n >= 0);
        copy = g_malloc0((size_t) n + 1);
        rewind(console);
        assert_int_equal(fread(copy, 1, (size_t) n, console), (size_t) n);
        assert_string_equal(copy, "studio-provision: no bundle\nstudio-provision: drive mounted\n");
        assert_true(fcntl(fileno(console), F_GETFD) >= 0);
        fclose(console);
}

static gpointer worker(gpointer data) {
        for (int i = 0; i < 200; i++)
                log_info("worker %d line %d", GPOINTER_TO_INT(data), i);
        return NULL;
}

/* Two threads logging at once: every line arrives whole. */
static void test_threads(void **state) {
        g_autofree char *out = NULL;
        g_auto(GStrv) lines = NULL;
        GThread *t1, *t2;

        (void) state;
        log_init("p", LOG_TARGET_CONSOLE);
        capture_begin();
        t1 = g_thread_new("a", worker, GINT_TO_POINTER(1));
        t2 = g_thread_new("b", worker, GINT_TO_POINTER(2));
        g_thread_join(t1);
        g_thread_join(t2);
        out = capture_end();
        lines = g_strsplit(out, "\n", -1);
        assert_int_equal(g_strv_length(lines), 401);
        for (int i = 0; i < 400; i++)
                assert_true(g_regex_match_simple("^p: worker [12] line [0-9]+$", lines[i], 0, 0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_level),
                cmocka_unit_test_setup(test_console_prefix, setup),
                cmocka_unit_test_setup(test_journal_priorities, setup),
                cmocka_unit_test_setup(test_max_level, setup),
                cmocka_unit_test_setup(test_multi_line, setup),
                cmocka_unit_test_setup(test_errno_returns_r, setup),
                cmocka_unit_test_setup(test_errno_preserved, setup),
                cmocka_unit_test_setup(test_auto_target, setup),
                cmocka_unit_test_setup(test_level_strings, setup),
                cmocka_unit_test_setup(test_escape, setup),
                cmocka_unit_test_setup(test_console_fd, setup),
                cmocka_unit_test_setup(test_threads, setup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
