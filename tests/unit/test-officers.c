/* Officers file: PIN policy, add/check/remove, strict parsing; the device
 * registry's parser. */
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

#include "json-bounded.h"
#include "registry.h"
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

/* The registry is refused, before json-glib recurses into it, when nested
 * deeper than JSON_DEPTH_MAX; over KEYS_REGISTRY_MAX; or not of its shape. */
static void test_registry_parse(void **state) {
        static const char good[] = "{\"devices\":[{\"key_id\":\"0123456789ABCDEF\",\"x\":[[1]]}]}";
        static const struct {
                const char *text;
                int r;
                const char *why;
        } bad[] = {
                {"{\"devices\":3}", -EBADMSG, "not {\"devices\""},
                {"{\"devices\":[{\"key_id\":5}]}", -EBADMSG, "not {\"devices\""},
                {"[]", -EBADMSG, "not {\"devices\""},
                {"{\"devices\":[", -EBADMSG, "not JSON"},
        };
        JsonNode *root = NULL;
        (void) state;

        assert_int_equal(keys_registry_parse(good, strlen(good), &root, NULL), 0);
        JsonArray *devices = json_object_get_array_member(json_node_get_object(root), "devices");
        assert_non_null(keys_registry_find(devices, "0123456789abcdef"));
        json_node_unref(root);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *why = NULL;
                root = NULL;
                assert_int_equal(keys_registry_parse(bad[i].text, strlen(bad[i].text), &root, &why),
                                 bad[i].r);
                assert_null(root);
                assert_non_null(strstr(why, bad[i].why));
        }
        /* 100,000 levels: without the depth check json-glib overflows the stack */
        static const char *const opens[] = {"[", "{\"devices\":", "{\"devices\":[{\"key_id\":\"1\",\"a\":"};
        for (size_t i = 0; i < G_N_ELEMENTS(opens); i++) {
                GString *deep = g_string_new("{\"devices\":[{\"key_id\":\"1\",\"a\":");
                g_autofree char *why = NULL;
                for (int k = 0; k < 100000; k++)
                        g_string_append(deep, opens[i]);
                assert_int_equal(keys_registry_parse(deep->str, deep->len, &root, &why), -ELOOP);
                assert_string_equal(why, "nested deeper than 64 levels");
                g_string_free(deep, TRUE);
        }
        size_t big_len = KEYS_REGISTRY_MAX + 1;
        g_autofree char *big = g_malloc(big_len), *why = NULL;
        memset(big, ' ', big_len);
        assert_int_equal(keys_registry_parse(big, big_len, &root, &why), -EFBIG);
        assert_non_null(strstr(why, "larger than"));
}

/* Registries of every release parse: the fields of a replacement are
 * optional, and where present (old or new) every field is a string. */
static void test_registry_fields(void **state) {
        static const char *const good[] = {
                /* as the first release wrote it */
                "{\"devices\":[{\"device_id\":\"room3\",\"key_id\":\"0123456789ABCDEF\","
                "\"public_key\":\"RWQ\",\"enrolled\":\"2024-05-01T09:30:00Z\"}]}",
                /* a lost key replaced */
                "{\"devices\":[{\"device_id\":\"room3\",\"key_id\":\"0123456789ABCDEF\","
                "\"revoked\":\"2024-06-01T08:00:00Z\",\"revoked_reason\":\"stolen\"},"
                "{\"device_id\":\"room3\",\"key_id\":\"FEDCBA9876543210\",\"replaces\":"
                "\"0123456789ABCDEF\",\"reason\":\"stolen\",\"previous_key_id\":\"0F0E0D0C0B0A0908\"}]}",
                /* fields of later releases are kept, whatever they hold */
                "{\"devices\":[{\"key_id\":\"0123456789ABCDEF\",\"later\":{\"a\":[1]}}],\"x\":1}",
        };
        static const char *const fields[] = {"device_id", "public_key",     "enrolled", "previous_key_id",
                                             "revoked",   "revoked_reason", "replaces", "reason"};
        (void) state;

        for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
                JsonNode *root = NULL;
                assert_int_equal(keys_registry_parse(good[i], strlen(good[i]), &root, NULL), 0);
                json_node_unref(root);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
                static const char *const values[] = {"5", "null", "[\"x\"]", "{}", "true"};
                for (size_t v = 0; v < G_N_ELEMENTS(values); v++) {
                        g_autofree char *text = g_strdup_printf(
                                "{\"devices\":[{\"key_id\":\"0123456789ABCDEF\",\"%s\":%s}]}", fields[i],
                                values[v]);
                        g_autofree char *why = NULL;
                        JsonNode *root = NULL;
                        if (keys_registry_parse(text, strlen(text), &root, &why) != -EBADMSG)
                                fail_msg("%s was accepted", text);
                        assert_null(root);
                        assert_non_null(strstr(why, "a string for every field"));
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pin_policy),      cmocka_unit_test(test_add_check_remove),
                cmocka_unit_test(test_malformed_files), cmocka_unit_test(test_registry_parse),
                cmocka_unit_test(test_registry_fields),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
