/* appliance/common/config: configuration files are outside input. Every kind
 * of malformed file is refused with a message naming the file and the line
 * (and for a value: the group, the key, the value and the expected form);
 * well-formed values come back typed. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define F "/etc/test.conf"

static config_file *load_ok(const char *text) {
        config_file *c = NULL;
        g_autofree gchar *msg = NULL;
        int r = config_file_load_data(F, text, strlen(text), &c, &msg);

        if (r < 0)
                fail_msg("refused: %s", msg);
        assert_null(msg);
        return c;
}

/* A file that does not load: r and every needle in the message. */
static void expect_load_error(const char *text, size_t len, int r, const char *const *needles) {
        config_file *c = NULL;
        g_autofree gchar *msg = NULL;

        assert_int_equal(config_file_load_data(F, text, len, &c, &msg), r);
        assert_null(c);
        assert_contains(msg, F);
        for (; *needles; needles++)
                assert_contains(msg, *needles);
}
#define LOAD_ERROR(text, r, ...)                                                                            \
        expect_load_error(text, strlen(text), r, (const char *const[]){__VA_ARGS__, NULL})

static void test_syntax_errors(void **state) {
        (void) state;
        LOAD_ERROR("[a]\nx=1\n[b\ny=2\n", -EBADMSG, "line 3", "[b", "group header");
        LOAD_ERROR("# c\n\nx=1\n", -EBADMSG, "line 3", "before any [group]");
        LOAD_ERROR("[a]\nx=1\njust words\n", -EBADMSG, "line 3", "just words", "key = value");
        LOAD_ERROR("[a] trailing\n", -EBADMSG, "line 1", "after the group header");
        LOAD_ERROR("[]\n", -EBADMSG, "line 1", "group header");
        LOAD_ERROR("[a]\n=value\n", -EBADMSG, "line 2", "key name");
        LOAD_ERROR("[a]\nbad key=1\n", -EBADMSG, "line 2", "key name");
        LOAD_ERROR("[a]\nk[=1\n", -EBADMSG, "line 2", "key name");
        /* Control characters are shown escaped, never raw. */
        LOAD_ERROR("[a]\n\x1b[2Jnope\n", -EBADMSG, "line 2", "\\u001b");
}

static void test_duplicates(void **state) {
        (void) state;
        LOAD_ERROR("[a]\nx=1\ny=2\nx=3\n", -EBADMSG, "line 4", "[a] x is given twice", "first on line 2");
        LOAD_ERROR("[a]\nx=1\n[b]\n[a]\nz=1\n", -EBADMSG, "line 4", "group [a] is given twice",
                   "first on line 1");
        LOAD_ERROR("[a]\nx = 1\n  x=2\n", -EBADMSG, "line 3", "x is given twice");
}

static void test_not_utf8(void **state) {
        static const char nul[] = "[a]\nx=1\ny=a\0b\n";

        (void) state;
        LOAD_ERROR("[a]\nx=1\nname=caf\xe9\n", -EBADMSG, "line 3", "not UTF-8");
        expect_load_error(nul, sizeof(nul) - 1, -EBADMSG,
                          (const char *const[]){"line 3", "not UTF-8", NULL});
}

static void test_huge(void **state) {
        g_autofree gchar *big = g_strnfill(CONFIG_FILE_MAX + 1, '#');

        (void) state;
        LOAD_ERROR(big, -EFBIG, "larger than");
}

/* Blank lines, comments, \r\n endings, blanks around '=' and locale keys. */
static void test_index_lines(void **state) {
        g_autoptr(config_file) c = load_ok("# head\r\n\r\n[recorder]\r\n  room = Room A  \r\n"
                                           "# x\n[panel]  \nkey_start=KEY_A\nname[nl]=Kamer\n");
        g_autofree gchar *room = NULL, *msg = NULL;

        (void) state;
        assert_int_equal(config_file_line(c, "recorder", NULL), 3);
        assert_int_equal(config_file_line(c, "recorder", "room"), 4);
        assert_int_equal(config_file_line(c, "panel", NULL), 6);
        assert_int_equal(config_file_line(c, "panel", "key_start"), 7);
        assert_int_equal(config_file_line(c, "panel", "name[nl]"), 8);
        assert_int_equal(config_file_line(c, "panel", "nope"), 0);
        assert_int_equal(config_file_line(c, "nope", NULL), 0);
        assert_true(config_file_has_group(c, "panel"));
        assert_false(config_file_has_group(c, "status"));
        assert_string_equal(config_file_path(c), F);
        assert_non_null(config_file_keyfile(c));
        assert_int_equal(config_get_string(c, "recorder", "room", NULL, &room, &msg), 0);
        assert_string_equal(room, "Room A");
        /* A locale key is refused unless declared. */
        assert_int_equal(config_file_check_keys(c, "panel", (const char *const[]){"key_start", NULL}, &msg),
                         -EBADMSG);
        assert_contains(msg, "line 8: unknown key \"name[nl]\" in [panel]");
}

static void test_unknown(void **state) {
        g_autoptr(config_file) c = load_ok("[recorder]\nroom=A\nchekpoint_interval=2s\n[recordr]\nx=1\n");
        g_autofree gchar *m1 = NULL, *m2 = NULL, *m3 = NULL;
        const char *const keys[] = {"room", "checkpoint_interval", "spool", NULL};

        (void) state;
        config_file_set_help(c, "see docs/configuration.md");
        assert_int_equal(config_file_check_keys(c, "recorder", keys, &m1), -EBADMSG);
        assert_string_equal(m1, F
                            " line 3: unknown key \"chekpoint_interval\" in [recorder] (the keys of "
                            "[recorder] are: room, checkpoint_interval, spool; see docs/configuration.md)");
        assert_int_equal(config_file_check_groups(c, (const char *const[]){"recorder", "panel", NULL}, &m2),
                         -EBADMSG);
        assert_string_equal(m2,
                            F " line 4: unknown group [recordr] (the groups are: [recorder], [panel]; see "
                              "docs/configuration.md)");
        assert_int_equal(
                config_file_check_groups(c, (const char *const[]){"recorder", "recordr", NULL}, &m3), 0);
        assert_null(m3);
        /* A group that is not in the file has no unknown keys. */
        assert_int_equal(config_file_check_keys(c, "status", keys, &m3), 0);
}

/* One malformed value per case: the getter's return, and the message. */
static void test_values_out_of_range(void **state) {
        g_autoptr(config_file) c = load_ok("[g]\n"
                                           "int_word=huge\n"  /* 2 */
                                           "int_big=99999\n"  /* 3 */
                                           "int_neg=-5\n"     /* 4 */
                                           "dur_space=2 s\n"  /* 5 */
                                           "dur_small=10ms\n" /* 6 */
                                           "dur_unit=2 fortnights\n"
                                           "size_big=5GiB\n"  /* 8 */
                                           "size_unit=1 TB\n" /* 9 */
                                           "bool=maybe\n"     /* 10 */
                                           "choice=loud\n"    /* 11 */
                                           "empty=\n"         /* 12 */
                                           "blank=   \n"      /* 13 */
                                           "list=a;;b\n");    /* 14 */
        int64_t i = 7;
        uint64_t u = 7;
        bool b = true;
        int ch = 7;
        gchar *s = NULL;
        gchar **v = NULL;

        (void) state;
#define BAD(call, needle)                                                                                   \
        do {                                                                                                \
                g_autofree gchar *m = NULL;                                                                 \
                assert_int_equal((call), -EINVAL);                                                          \
                assert_contains(m, F " line ");                                                             \
                assert_contains(m, needle);                                                                 \
        } while (0)
        BAD(config_get_int(c, "g", "int_word", 1, 0, 10, &i, &m),
            "line 2: [g] int_word = \"huge\" is not a whole number from 0 to 10");
        BAD(config_get_int(c, "g", "int_big", 1, 160, 7680, &i, &m), "line 3: [g] int_big = \"99999\"");
        BAD(config_get_int(c, "g", "int_neg", 1, 0, 10, &i, &m), "line 4: [g] int_neg = \"-5\"");
        BAD(config_get_duration(c, "g", "dur_space", 1, 100000000ULL, 60000000000ULL, &u, &m),
            "line 5: [g] dur_space = \"2 s\" is not a duration of 100ms to 1min (write e.g. 2s or 1500ms)");
        BAD(config_get_duration(c, "g", "dur_small", 1, 100000000ULL, 60000000000ULL, &u, &m),
            "line 6: [g] dur_small = \"10ms\" is not a duration of 100ms to 1min");
        BAD(config_get_duration(c, "g", "dur_unit", 1, 0, UINT64_MAX, &u, &m), "line 7:");
        BAD(config_get_size(c, "g", "size_big", 1, 65536, 4ULL << 30, &u, &m),
            "line 8: [g] size_big = \"5GiB\" is not a size of 64KiB to 4GiB");
        BAD(config_get_size(c, "g", "size_unit", 1, 0, UINT64_MAX, &u, &m), "line 9:");
        BAD(config_get_bool(c, "g", "bool", false, &b, &m), "line 10: [g] bool = \"maybe\" is not a yes/no");
        BAD(config_get_choice(c, "g", "choice", "en", (const char *const[]){"en", "nl", "de", NULL}, &ch,
                              &m),
            "line 11: [g] choice = \"loud\" is not one of en, nl or de");
        BAD(config_get_string(c, "g", "empty", "x", &s, &m), "line 12: [g] empty = \"\" is empty");
        BAD(config_get_string(c, "g", "blank", "x", &s, &m), "line 13: [g] blank = \"\" is empty");
        BAD(config_get_int(c, "g", "empty", 1, 0, 10, &i, &m), "line 12:");
        BAD(config_get_duration(c, "g", "empty", 1, 0, 10, &u, &m), "line 12:");
        BAD(config_get_path(c, "g", "empty", "/x", &s, &m), "line 12:");
        BAD(config_get_strv(c, "g", "empty", &v, &m), "line 12:");
        BAD(config_get_strv(c, "g", "list", &v, &m), "line 14: [g] list = \"a;;b\" has an empty item");
#undef BAD
        /* Outputs untouched on failure. */
        assert_int_equal(i, 7);
        assert_true(u == 7);
        assert_true(b);
        assert_int_equal(ch, 7);
        assert_null(s);
        assert_null(v);
}

static void test_values_good(void **state) {
        g_autoptr(config_file) c = load_ok("[g]\nint=-3\ndur=1500ms\ndur2=5min\ndur3=20\nsize=512MiB\n"
                                           "yes=true\nno=0\nchoice=nl\nstr= Room  B \n"
                                           "list=age1a; age1b ,age1c;\nabs=/var/spool/studio\nrel=spool/x\n"
                                           "dotted=../up\n");
        g_autofree gchar *msg = NULL, *str = NULL, *abs = NULL, *rel = NULL, *dotted = NULL, *fb = NULL,
                         *fbnull = NULL;
        g_auto(GStrv) list = NULL, none = NULL;
        int64_t i = 0;
        uint64_t u = 0;
        bool b = false;
        int ch = -2;

        (void) state;
        assert_int_equal(config_get_int(c, "g", "int", 0, -10, 10, &i, &msg), 0);
        assert_int_equal(i, -3);
        assert_int_equal(config_get_int(c, "g", "missing", 42, 0, 10, &i, &msg), 0);
        assert_int_equal(i, 42);
        assert_int_equal(config_get_duration(c, "g", "dur", 0, 0, UINT64_MAX, &u, &msg), 0);
        assert_true(u == 1500000000ULL);
        assert_int_equal(config_get_duration(c, "g", "dur2", 0, 0, UINT64_MAX, &u, &msg), 0);
        assert_true(u == 300000000000ULL);
        assert_int_equal(config_get_duration(c, "g", "dur3", 0, 0, UINT64_MAX, &u, &msg), 0);
        assert_true(u == 20000000000ULL);
        assert_int_equal(config_get_duration(c, "nogroup", "dur", 99, 0, 1, &u, &msg), 0);
        assert_true(u == 99);
        assert_int_equal(config_get_size(c, "g", "size", 0, 0, UINT64_MAX, &u, &msg), 0);
        assert_true(u == 512ULL << 20);
        assert_int_equal(config_get_bool(c, "g", "yes", false, &b, &msg), 0);
        assert_true(b);
        assert_int_equal(config_get_bool(c, "g", "no", true, &b, &msg), 0);
        assert_false(b);
        assert_int_equal(config_get_choice(c, "g", "choice", "en", (const char *const[]){"en", "nl", NULL},
                                           &ch, &msg),
                         0);
        assert_int_equal(ch, 1);
        assert_int_equal(config_get_choice(c, "g", "missing", "en", (const char *const[]){"en", "nl", NULL},
                                           &ch, &msg),
                         0);
        assert_int_equal(ch, 0);
        assert_int_equal(config_get_string(c, "g", "str", NULL, &str, &msg), 0);
        assert_string_equal(str, "Room  B");
        assert_int_equal(config_get_strv(c, "g", "list", &list, &msg), 0);
        assert_int_equal(g_strv_length(list), 3);
        assert_string_equal(list[0], "age1a");
        assert_string_equal(list[1], "age1b");
        assert_string_equal(list[2], "age1c");
        assert_int_equal(config_get_strv(c, "g", "missing", &none, &msg), 0);
        assert_null(none);
        /* Relative paths are taken from the file's folder (/etc here). */
        assert_int_equal(config_get_path(c, "g", "abs", NULL, &abs, &msg), 0);
        assert_string_equal(abs, "/var/spool/studio");
        assert_int_equal(config_get_path(c, "g", "rel", NULL, &rel, &msg), 0);
        assert_string_equal(rel, "/etc/spool/x");
        assert_int_equal(config_get_path(c, "g", "dotted", NULL, &dotted, &msg), 0);
        assert_string_equal(dotted, "/up");
        assert_int_equal(config_get_path(c, "g", "missing", "/run/x", &fb, &msg), 0);
        assert_string_equal(fb, "/run/x");
        assert_int_equal(config_get_path(c, "g", "missing", NULL, &fbnull, &msg), 0);
        assert_null(fbnull);
        assert_null(msg);
}

static char dir[] = "/tmp/test-config.XXXXXX";

static void test_load_files(void **state) {
        g_autofree gchar *good = g_build_filename(dir, "good.conf", NULL);
        g_autofree gchar *fifo = g_build_filename(dir, "fifo.conf", NULL);
        g_autofree gchar *huge = g_build_filename(dir, "huge.conf", NULL);
        g_autofree gchar *missing = g_build_filename(dir, "missing.conf", NULL);
        g_autofree gchar *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL, *m5 = NULL, *p = NULL;
        config_file *c = NULL;
        int fd;

        (void) state;
        assert_true(g_file_set_contents(good, "[g]\nspool=spool\n", -1, NULL));
        assert_int_equal(config_file_load(good, &c, &m1), 0);
        assert_int_equal(config_get_path(c, "g", "spool", NULL, &p, &m1), 0);
        assert_true(g_str_has_prefix(p, dir));
        assert_true(g_str_has_suffix(p, "/spool"));
        c = config_file_free(c);

        /* A FIFO in place of the file is refused at once, never waited on. */
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(config_file_load(fifo, &c, &m2), -EINVAL);
        assert_null(c);
        assert_contains(m2, fifo);
        assert_contains(m2, "FIFO");

        /* A huge file is refused before it is read. */
        fd = open(huge, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) CONFIG_FILE_MAX + 1), 0);
        close(fd);
        assert_int_equal(config_file_load(huge, &c, &m3), -EFBIG);
        assert_contains(m3, huge);

        assert_int_equal(config_file_load(missing, &c, &m4), -ENOENT);
        assert_contains(m4, missing);
        assert_int_equal(config_file_load(dir, &c, &m5), -EISDIR);
        assert_contains(m5, "folder");
        (void) g_unlink(good);
        (void) g_unlink(fifo);
        (void) g_unlink(huge);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_syntax_errors),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_not_utf8),
                cmocka_unit_test(test_huge),
                cmocka_unit_test(test_index_lines),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_values_out_of_range),
                cmocka_unit_test(test_values_good),
                cmocka_unit_test(test_load_files),
        };
        int r;

        if (!g_mkdtemp(dir))
                return 1;
        r = cmocka_run_group_tests(tests, NULL, NULL);
        (void) g_rmdir(dir);
        return r;
}
