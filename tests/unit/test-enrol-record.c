/* keys/keys-enrol-record: the enrolment record read back as the console
 * printed it (studio-keys enrol --record): surrounding text tolerated, the
 * record itself checked strictly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "keys-enrol-record.h"

#define ID "device_id: studio-room9\n"
#define KEYID "key_id: 6DD87114C3057604\n"
#define PK "public_key: RWQEdgXDFHHYbShXSL8kfwGj327mieB7y90WCHe3dN9l6VNOVR01IBmI\n"
#define CREATED "created: 2026-12-07T11:47:27Z\n"
#define VERSION "software_version: 0.1.0\n"
#define CHECK "record_check: ed76ebcaa71ff907\n"
#define RECORD ID KEYID PK CREATED VERSION CHECK

static int parse(const char *text, keys_enrol_fields *f, char **why) {
        return keys_enrol_record_parse(text, strlen(text), f, why);
}

static void test_as_printed(void **state) {
        static const char *const copies[] = {
                RECORD,
                /* off the serial console: a prefix line, a log prefix, CR LF, blanks */
                "[   41.113] studio-provision: enrolment record for police IT:\r\n"
                "  device_id: studio-room9\r\n  key_id: 6DD87114C3057604  \r\n"
                "[   41.114] public_key: RWQEdgXDFHHYbShXSL8kfwGj327mieB7y90WCHe3dN9l6VNOVR01IBmI\r\n"
                "\r\n\tcreated: 2026-12-07T11:47:27Z\r\nsoftware_version: 0.1.0\r\n"
                "record_check: ED76EBCAA71FF907\r\nlogin: \r\n",
                /* printed twice (two boots): the same record */
                RECORD RECORD,
                /* without a software version */
                ID KEYID PK CREATED CHECK,
        };

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(copies); i++) {
                keys_enrol_fields f = {};
                g_autofree char *why = NULL;
                assert_int_equal(parse(copies[i], &f, &why), 0);
                assert_string_equal(f.device_id, "studio-room9");
                assert_string_equal(f.key_id, "6DD87114C3057604");
                assert_string_equal(f.created, "2026-12-07T11:47:27Z");
                keys_enrol_fields_clear(&f);
        }
}

static void test_refused(void **state) {
        static const struct {
                const char *text, *why;
        } cases[] = {
                {"", "has no device_id line"},
                {KEYID PK CREATED CHECK, "has no device_id line"},
                {ID KEYID CREATED VERSION CHECK, "has no public_key line"},
                {ID KEYID PK CREATED VERSION, "has no record_check line"},
                /* one character mis-read in the public key's bytes: its key id still matches */
                {ID KEYID
                 "public_key: RWQEdgXDFHHYbShXSL8kfwGj327mieB7y90WCHe3dN9l6VNOVR01IBml\n" CREATED CHECK,
                 "a character was mis-copied"},
                /* another device's key under this key id */
                {ID KEYID
                 "public_key: RWT+OD+fe9Fe1DSgDkIak5Yw0eNos1wSVKALC0Hs1bSGNbl6vB0aq1KP\n" CREATED CHECK,
                 "a character was mis-copied in one of them"},
                {ID "key_id: 6DD87114C305760\n" PK CREATED CHECK, "is not 16 hex digits"},
                {ID "key_id: 6DD87114C30576O4\n" PK CREATED CHECK, "is not 16 hex digits"},
                {"device_id: Studio Room 9\n" KEYID PK CREATED CHECK, "is not a device id"},
                {ID KEYID "public_key: RWQEdgXDFHHY\n" CREATED CHECK, "is not a minisign public key"},
                {ID KEYID PK "created: yesterday\n" CHECK, "is not an RFC 3339 time"},
                {ID KEYID PK "created: 2026-12-07T11:47:28Z\n" CHECK, "record_check line does not match"},
                {RECORD "device_id: studio-room8\n", "more than one record"},
                {RECORD "previous_key_id: 0123456789ABCDEF\n", "rotated key"},
        };

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                keys_enrol_fields f = {};
                g_autofree char *why = NULL;
                assert_int_equal(parse(cases[i].text, &f, &why), -EBADMSG);
                if (!strstr(why, cases[i].why))
                        fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
                assert_null(f.device_id);
        }
}

static void test_not_text(void **state) {
        static const char text[] = RECORD "\0" RECORD;
        keys_enrol_fields f = {};
        g_autofree char *why = NULL;

        (void) state;
        assert_int_equal(keys_enrol_record_parse(text, sizeof text - 1, &f, &why), -EBADMSG);
        assert_non_null(strstr(why, "not text"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_as_printed),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_not_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
