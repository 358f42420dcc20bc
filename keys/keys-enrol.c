/* studio-keys enrol / revoke: the enrolment record and the device registry
 * police IT keeps (schema in docs/key-ceremony.md). GLib code: g_auto*. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "keys-registry.h"
#include "minisign.h"

typedef struct enrol_record {
        char *device_id;
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];
        char *public_key;
        char created[32];
        char previous_key_id[2 * MINISIGN_KEY_ID_LEN + 1]; /* "" unless rotated */
} enrol_record;

static void enrol_record_clear(enrol_record *e) {
        g_free(e->device_id);
        free(e->public_key);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(enrol_record, enrol_record_clear)

/* After a rotation, the old key must vouch for the new one. */
static int enrol_rotation(const char *dir, enrol_record *e) {
        g_autofree char *old = g_build_filename(dir, "device.pub.old", NULL);
        g_autofree char *pub = g_build_filename(dir, "device.pub", NULL);
        g_autofree char *sig = g_build_filename(dir, "device.pub.new.minisig", NULL);
        g_autofree char *text = NULL, *sig_text = NULL, *comment = NULL, *expect = NULL;
        g_autoptr(GError) error = NULL;
        minisign_public old_pk;
        gsize len, sig_len;
        int r;

        if (!keys_exists(old))
                return KEYS_EXIT_OK;
        if (minisign_public_load(old, &old_pk) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "%s is not a minisign public key", old);
        if (!g_file_get_contents(pub, &text, &len, &error))
                return keys_error(KEYS_EXIT_FAILURE, "cannot read %s: %s", pub, error->message);
        g_clear_error(&error);
        if (!g_file_get_contents(sig, &sig_text, &sig_len, &error))
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the rotation record %s: %s", sig,
                                  error->message);
        r = minisign_verify_buf(&old_pk, (const uint8_t *) text, len, sig_text, sig_len, &comment);
        minisign_key_id_hex(old_pk.key_id, e->previous_key_id);
        expect = g_strdup_printf("rotation from %s to %s", e->previous_key_id, e->key_id);
        if (r < 0 || strcmp(comment, expect) != 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the rotation record %s does not prove that %s (old key) vouches "
                                  "for %s: do not enrol this key, investigate the device",
                                  sig, old, pub);
        return KEYS_EXIT_OK;
}

static int enrol_record_load(const char *dir, enrol_record *e) {
        g_autofree char *pub = g_build_filename(dir, "device.pub", NULL);
        minisign_public pk;
        struct stat st;

        if (keys_device_load(dir, &pk, &e->device_id) < 0)
                return KEYS_EXIT_FAILURE;
        minisign_key_id_hex(pk.key_id, e->key_id);
        e->public_key = minisign_public_to_base64(&pk);
        if (!e->public_key)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        if (stat(pub, &st) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot stat %s: %m", pub);
        keys_time_rfc3339(st.st_mtime, true, e->created);
        return enrol_rotation(dir, e);
}

static JsonNode *enrol_record_json(const enrol_record *e, bool registry) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        char now[32];

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "device_id");
        json_builder_add_string_value(b, e->device_id);
        json_builder_set_member_name(b, "key_id");
        json_builder_add_string_value(b, e->key_id);
        json_builder_set_member_name(b, "public_key");
        json_builder_add_string_value(b, e->public_key);
        json_builder_set_member_name(b, registry ? "enrolled" : "created");
        keys_time_rfc3339(time(NULL), true, now);
        json_builder_add_string_value(b, registry ? now : e->created);
        if (!registry) {
                json_builder_set_member_name(b, "software_version");
                json_builder_add_string_value(b, STUDIO_VERSION);
        }
        if (e->previous_key_id[0]) {
                json_builder_set_member_name(b, "previous_key_id");
                json_builder_add_string_value(b, e->previous_key_id);
        }
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

static void print_json(JsonNode *node) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autofree char *s = NULL;

        json_generator_set_pretty(gen, TRUE);
        json_generator_set_root(gen, node);
        s = json_generator_to_data(gen, NULL);
        printf("%s\n", s);
}

int keys_enrol_print(const char *dir, int json) {
        g_auto(enrol_record) e = {};
        int r = enrol_record_load(dir, &e);

        if (r != KEYS_EXIT_OK)
                return r;
        if (json) {
                g_autoptr(JsonNode) node = enrol_record_json(&e, false);
                print_json(node);
                return KEYS_EXIT_OK;
        }
        printf("device_id: %s\nkey_id: %s\npublic_key: %s\ncreated: %s\nsoftware_version: %s\n", e.device_id,
               e.key_id, e.public_key, e.created, STUDIO_VERSION);
        if (e.previous_key_id[0])
                printf("previous_key_id: %s\n", e.previous_key_id);
        return KEYS_EXIT_OK;
}

static void enrol_help(void) {
        puts("Usage: studio-keys enrol --dir DIR [--json] [--registry FILE]\n"
             "\n"
             "Prints the enrolment record of the device key in DIR (device id, key id,\n"
             "public key, created time, software version; after a rotation also the\n"
             "previous key id, checked against the rotation record). With --registry,\n"
             "police IT adds the key to the device registry FILE (created if missing,\n"
             "rewritten atomically); a key id already there is refused.\n"
             "\n"
             "  --dir DIR        the device key folder (or a copy of its device.pub,\n"
             "                   device.id and rotation files)\n"
             "  --json           print the record as JSON\n"
             "  --registry FILE  append the key to this registry");
}

static int enrol_registry(const char *dir, const char *registry) {
        g_auto(enrol_record) e = {};
        g_autoptr(JsonNode) root = NULL;
        JsonArray *devices;
        int r;

        r = enrol_record_load(dir, &e);
        if (r != KEYS_EXIT_OK)
                return r;
        r = keys_registry_load(registry, &root);
        if (r != KEYS_EXIT_OK)
                return r;
        devices = json_object_get_array_member(json_node_get_object(root), "devices");
        if (keys_registry_find(devices, e.key_id))
                return keys_error(KEYS_EXIT_EXISTS, "key %s is already enrolled in %s", e.key_id, registry);
        json_array_add_element(devices, enrol_record_json(&e, true));
        r = keys_registry_save(registry, root);
        if (r != KEYS_EXIT_OK)
                return r;
        fprintf(stderr, "Device %s key %s enrolled in %s.\n", e.device_id, e.key_id, registry);
        return KEYS_EXIT_OK;
}

int keys_cmd_enrol(int argc, char **argv) {
        static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"registry", required_argument, NULL, 'r'},
                                             {"help", no_argument, NULL, 'h'},
                                             {}};
        const char *dir = NULL, *registry = NULL;
        int c, json = 0;

        while ((c = getopt_long(argc, argv, "d:jr:h", opts, NULL)) >= 0) {
                if (c == 'd')
                        dir = optarg;
                else if (c == 'j')
                        json = 1;
                else if (c == 'r')
                        registry = optarg;
                else if (c == 'h')
                        return enrol_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("enrol", argv);
        }
        if (!dir || optind != argc)
                return keys_usage_error("enrol", "needs --dir DIR");
        if (registry)
                return enrol_registry(dir, registry);
        return keys_enrol_print(dir, json);
}
