/* Officers file: PIN policy, add/check/remove, strict parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "officers.h"

static const char good_hash[] =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

static void test_pin_policy(void **state) {
        static const char *weak[] = {"",      "1234",  "0000",  "11111",  "12345",    "54321",
                                     "67890", "09876", "1234a", " 12345", "98765432", "99999999"};
        static const char *ok[] = {"13579", "24680", "90210", "271828", "11112"};
        const char *why;

        for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
                why = NULL;
                assert_int_equal(officers_pin_check(weak[i], &why), -EINVAL);
                assert_non_null(why);
        }
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
                assert_int_equal(officers_pin_check(ok[i], NULL), 0);
        assert_true(officers_number_valid("1"));
        assert_true(officers_number_valid("123456789012"));
        assert_false(officers_number_valid("1234567890123"));
        assert_false(officers_number_valid(""));
        assert_false(officers_number_valid("12a"));
}

static void test_add_check_remove(void **state) {
        char path[] = "/tmp/test-officers-XXXXXX";
        int fd = mkstemp(path);
        officers *o = officers_new(), *o2 = NULL;
        struct stat st;

        assert_true(fd >= 0);
        assert_int_equal(officers_add(o, "4711", "13579"), 0);
        assert_int_equal(officers_add(o, "4711", "24680"), -EEXIST);
        assert_int_equal(officers_add(o, "42", "12345"), -EINVAL);
        assert_int_equal(officers_add(o, "x42", "13579"), -EINVAL);
        assert_int_equal(officers_save(o, path), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        assert_int_equal(officers_load(path, &o2, NULL), 0);
        assert_int_equal(officers_count(o2), 1);
        assert_string_equal(officers_number(o2, 0), "4711");
        assert_int_equal(officers_check_pin(o2, "4711", "13579"), 0);
        assert_int_equal(officers_check_pin(o2, "4711", "13578"), -EACCES);
        assert_int_equal(officers_check_pin(o2, "4712", "13579"), -ENOENT);
        assert_int_equal(officers_remove(o2, "4712"), -ENOENT);
        assert_int_equal(officers_remove(o2, "4711"), 0);
        assert_int_equal(officers_check_pin(o2, "4711", "13579"), -ENOENT);
        assert_int_equal(officers_count(o2), 0);
        officers_free(o);
        officers_free(o2);
        unlink(path);
        close(fd);
}

static void test_malformed_files(void **state) {
        static const struct {
                const char *text;
                unsigned line;
        } bad[] = {
                {"4711\n", 1},
                {"4711:\n", 1},
                {":$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG\n", 1},
                {"# ok\n1234567890123:$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub\n", 2},
                {"12:$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub\n", 1},
                {"12:$argon2id$v=19$m=65536 t=2\n", 1},
                {"12 :$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$Rdes\n", 1},
        };
        char text[512];
        officers *o = NULL;
        unsigned line;

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                line = 0;
                assert_int_equal(officers_parse(bad[i].text, strlen(bad[i].text), &o, &line), -EBADMSG);
                assert_int_equal(line, bad[i].line);
        }
        /* Duplicates and NUL bytes are refused; comments and blank lines are not. */
        snprintf(text, sizeof text, "1:%s\n\n# c\n1:%s\n", good_hash, good_hash);
        assert_int_equal(officers_parse(text, strlen(text), &o, &line), -EBADMSG);
        assert_int_equal(line, 4);
        snprintf(text, sizeof text, "1:%s\n", good_hash);
        assert_int_equal(officers_parse(text, strlen(text) + 1, &o, &line), -EBADMSG);
        snprintf(text, sizeof text, "# header\n\n1:%s\n2:%s", good_hash, good_hash);
        assert_int_equal(officers_parse(text, strlen(text), &o, &line), 0);
        assert_int_equal(officers_count(o), 2);
        assert_int_equal(
                officers_check_pin(o, "1",
                                   "99999999999999999999999999999999999999999999999999999999999999999"),
                -EACCES);
        officers_free(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pin_policy),
                cmocka_unit_test(test_add_check_remove),
                cmocka_unit_test(test_malformed_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
