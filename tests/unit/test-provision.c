/* studio-provision's library: the studio.conf it writes (other keys and
 * comments kept, the bundle's vault settings exactly, a credential kept, a
 * broken or refused file named), the marker's parser, and the paths under
 * a root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "provision.h"

#define RECIPIENT "age1fsk0wwvpt8lh3x60nvezccf6kylm47j2jc70penarfvce8wn3y7s6z0d2h"

static keys_bundle *bundle(const char *endpoint) {
        keys_bundle *b = g_new0(keys_bundle, 1);

        b->serial = 4;
        b->created = g_strdup("2026-12-01T19:10:54Z");
        b->recipients = g_strsplit(RECIPIENT, ";", -1);
        b->officers = g_strdup(
                "40417:$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG\n");
        b->officers_count = 1;
        b->vault = g_strdup("s3://evidence/room3");
        b->endpoint = g_strdup(endpoint);
        b->room = g_strdup("Room 3");
        b->devices = g_strsplit("studio-room3", ";", -1);
        return b;
}

static void value_is(GKeyFile *kf, const char *group, const char *key, const char *want) {
        g_autofree gchar *v = g_key_file_get_value(kf, group, key, NULL);

        assert_non_null(v);
        assert_string_equal(v, want);
}

static void test_conf_keeps_the_rest(void **state) {
        static const char old[] = "# the image's configuration\n"
                                  "[recorder]\n# a comment kept\nprofile=test\nrecipients=" RECIPIENT "\n"
                                  "[status]\nport=9000\n"
                                  "[uploader]\nvault=dir:/old\nendpoint=https://old.example\nregion=eu-1\n";
        g_autoptr(provision_paths) p = provision_paths_new("/tmp/prov-root");
        g_autoptr(keys_bundle) b = bundle(NULL);
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autofree gchar *text = NULL, *msg = NULL;

        assert_int_equal(provision_conf_text(p, b, old, strlen(old), &text, &msg), 0);
        assert_non_null(strstr(text, "# a comment kept"));
        assert_non_null(strstr(text, "# the image's configuration"));
        assert_true(g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, NULL));
        value_is(kf, "recorder", "profile", "test");
        value_is(kf, "status", "port", "9000");
        assert_false(g_key_file_has_key(kf, "recorder", "recipients", NULL));
        value_is(kf, "recorder", "recipients_file", "/tmp/prov-root/etc/studio/recipients");
        value_is(kf, "recorder", "device_key", "/tmp/prov-root/var/lib/studio/keys/device.key");
        value_is(kf, "recorder", "room", "Room 3");
        value_is(kf, "uploader", "vault", "s3://evidence/room3");
        /* what the bundle leaves out goes back to its default */
        assert_false(g_key_file_has_key(kf, "uploader", "endpoint", NULL));
        assert_false(g_key_file_has_key(kf, "uploader", "region", NULL));
}

static void test_conf_from_nothing_and_credentials(void **state) {
        static const char cred[] = "[recorder]\ndevice_key=credential:keys_device.key\n";
        g_autoptr(provision_paths) p = provision_paths_new("/");
        g_autoptr(keys_bundle) b = bundle("https://vault.example:7480");
        g_autofree gchar *text = NULL, *text2 = NULL, *msg = NULL;

        assert_string_equal(p->conf, "/etc/studio/studio.conf");
        assert_int_equal(provision_conf_text(p, b, NULL, 0, &text, &msg), 0);
        assert_non_null(strstr(text, "device_key=/var/lib/studio/keys/device.key"));
        assert_non_null(strstr(text, "endpoint=https://vault.example:7480"));
        assert_int_equal(provision_conf_text(p, b, cred, strlen(cred), &text2, &msg), 0);
        assert_non_null(strstr(text2, "device_key=credential:keys_device.key"));
        assert_null(strstr(text2, "device_key=/"));
}

static void test_conf_refusals(void **state) {
        static const char broken[] = "[recorder\nprofile=test\n";
        static const char unknown[] = "[recorder]\nprofil=test\n";
        static const char bad[] = "[status]\nport=http\n";
        g_autoptr(provision_paths) p = provision_paths_new("/tmp/prov-root");
        g_autoptr(keys_bundle) b = bundle(NULL);
        gchar *text = NULL, *msg = NULL;

        assert_int_equal(provision_conf_text(p, b, broken, strlen(broken), &text, &msg), -EBADMSG);
        assert_non_null(strstr(msg, "/tmp/prov-root/etc/studio/studio.conf"));
        g_clear_pointer(&msg, g_free);
        assert_true(provision_conf_text(p, b, unknown, strlen(unknown), &text, &msg) < 0);
        assert_non_null(strstr(msg, "would be refused"));
        assert_non_null(strstr(msg, "profil"));
        g_clear_pointer(&msg, g_free);
        assert_true(provision_conf_text(p, b, bad, strlen(bad), &text, &msg) < 0);
        assert_non_null(strstr(msg, "port"));
        g_clear_pointer(&msg, g_free);
        assert_null(text);
}

static void marker_is(const char *dir, const char *text, int want_r, int64_t want_serial) {
        g_autofree gchar *path = g_build_filename(dir, "provisioned", NULL);
        g_autofree gchar *msg = NULL;
        int64_t serial = -1;

        assert_true(g_file_set_contents(path, text, -1, NULL));
        assert_int_equal(provision_marker_read(path, &serial, &msg), want_r);
        if (want_r == 0)
                assert_int_equal(serial, want_serial);
        else
                assert_non_null(msg);
}

static void test_marker(void **state) {
        g_autofree gchar *dir = g_dir_make_tmp("test-provision.XXXXXX", NULL);
        g_autofree gchar *path = g_build_filename(dir, "provisioned", NULL);
        g_autofree gchar *big = g_strnfill(8192, '#');
        g_autofree gchar *msg = NULL;
        int64_t serial = -1;

        assert_int_equal(provision_marker_read(path, &serial, &msg), 0);
        assert_int_equal(serial, 0); /* never provisioned */
        marker_is(dir, "# x\nserial: 5\nbundle_sha256: ab\n", 0, 5);
        marker_is(dir, "serial: 9007199254740992\n", 0, (int64_t) 1 << 53);
        marker_is(dir, "serial: 0\n", -EBADMSG, 0);
        marker_is(dir, "serial: -3\n", -EBADMSG, 0);
        marker_is(dir, "serial: 9007199254740993\n", -EBADMSG, 0);
        marker_is(dir, "serial: 5x\n", -EBADMSG, 0);
        marker_is(dir, "serial:5\n", -EBADMSG, 0);
        marker_is(dir, "", -EBADMSG, 0);
        marker_is(dir, big, -EFBIG, 0);
        assert_int_equal(g_unlink(path), 0);
        assert_int_equal(g_rmdir(dir), 0);
}

/* A bundle is bound to devices: a device with an id applies only a bundle
 * naming it; a device with no id yet only one naming a single id. */
static void test_bound_to_device(void **state) {
        g_autofree gchar *root = g_dir_make_tmp("test-provision.XXXXXX", NULL);
        g_autoptr(provision_paths) p = provision_paths_new(root);
        g_autoptr(keys_bundle) b = bundle(NULL);
        g_autofree gchar *id_path = g_build_filename(p->keys_dir, "device.id", NULL);
        gchar *id = NULL, *msg = NULL;

        (void) state;
        /* a new device takes the single id the bundle names */
        assert_int_equal(provision_bundle_device(p, b, &id, &msg), 0);
        assert_string_equal(id, "studio-room3");
        g_clear_pointer(&id, g_free);
        /* a bundle for several devices is not for a device with no id */
        g_strfreev(b->devices);
        b->devices = g_strsplit("studio-room3;studio-room4", ";", -1);
        assert_int_equal(provision_bundle_device(p, b, &id, &msg), -EPERM);
        assert_non_null(strstr(msg, "has no id yet"));
        g_clear_pointer(&msg, g_free);
        /* a device with its id: only a bundle that names it */
        assert_int_equal(g_mkdir_with_parents(p->keys_dir, 0755), 0);
        assert_true(g_file_set_contents(id_path, "studio-room4\n", -1, NULL));
        assert_int_equal(provision_bundle_device(p, b, &id, &msg), 0);
        assert_string_equal(id, "studio-room4");
        g_clear_pointer(&id, g_free);
        g_strfreev(b->devices);
        b->devices = g_strsplit("studio-room7", ";", -1);
        assert_int_equal(provision_bundle_device(p, b, &id, &msg), -EPERM);
        assert_non_null(strstr(msg, "the bundle is for studio-room7, not this device (studio-room4)"));
        g_clear_pointer(&msg, g_free);
        /* a device id file that is not one: refused, never matched */
        assert_true(g_file_set_contents(id_path, "..\n", -1, NULL));
        assert_int_equal(provision_bundle_device(p, b, &id, &msg), -EBADMSG);
        g_clear_pointer(&msg, g_free);
        assert_null(id);
        (void) g_unlink(id_path);
        (void) g_rmdir(p->keys_dir);
        g_autofree gchar *lib = g_build_filename(root, "var/lib/studio", NULL),
                         *var_lib = g_build_filename(root, "var/lib", NULL),
                         *var = g_build_filename(root, "var", NULL);
        (void) g_rmdir(lib);
        (void) g_rmdir(var_lib);
        (void) g_rmdir(var);
        (void) g_rmdir(root);
}

static void test_paths(void **state) {
        g_autoptr(provision_paths) dev = provision_paths_new(NULL);
        g_autoptr(provision_paths) rel = provision_paths_new("rel/root/");
        g_autofree gchar *cwd = g_get_current_dir();
        g_autofree gchar *want = g_build_filename(cwd, "rel/root/etc/studio/officers", NULL);

        assert_string_equal(dev->it_key, "/usr/share/studio/police-it.pub");
        assert_string_equal(dev->drive, "/dev/disk/by-label/STUDIO-PROV");
        assert_string_equal(dev->marker, "/var/lib/studio/provisioned");
        assert_string_equal(rel->officers, want);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_conf_keeps_the_rest),
                cmocka_unit_test(test_conf_from_nothing_and_credentials),
                cmocka_unit_test(test_conf_refusals),
                cmocka_unit_test(test_marker),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_bound_to_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
