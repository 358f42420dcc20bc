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
#include "keys-enrol-record.h"
#include "keys-registry.h"
#include "keys-registry-sign.h"
#include "log.h"
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
        g_autofree char *why = NULL;
        minisign_public pk;
        struct stat st;

        if (keys_device_load(dir, &pk, &e->device_id, &why) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "%s", why);
        minisign_key_id_hex(pk.key_id, e->key_id);
        e->public_key = minisign_public_to_base64(&pk);
        if (!e->public_key)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        if (stat(pub, &st) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot stat %s: %m", pub);
        keys_time_rfc3339(st.st_mtime, true, e->created);
        return enrol_rotation(dir, e);
}

/* The record as the console printed it, copied into FILE (--record). */
static int enrol_record_from_file(const char *path, enrol_record *e) {
        g_autofree char *data = NULL, *why = NULL;
        keys_enrol_fields f = {};
        size_t len;
        int r;

        r = fs_read_file(path, KEYS_RECORD_FILE_MAX, &data, &len);
        if (r == -EFBIG)
                return keys_error(
                        KEYS_EXIT_FAILURE,
                        "%s is larger than %u KiB: it is not an enrolment record (copy only the lines "
                        "the console printed)",
                        path, KEYS_RECORD_FILE_MAX >> 10);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the enrolment record %s: %s", path,
                                  strerror(-r));
        if (keys_enrol_record_parse(data, len, &f, &why) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "%s: %s; nothing was enrolled", path, why);
        e->device_id = g_strdup(f.device_id);
        memcpy(e->key_id, f.key_id, sizeof e->key_id);
        e->public_key = minisign_public_to_base64(&f.public_key);
        g_strlcpy(e->created, f.created, sizeof e->created);
        keys_enrol_fields_clear(&f);
        if (!e->public_key)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        return KEYS_EXIT_OK;
}

/* The record printed (enrolled NULL), or the registry entry enrolled then. */
static JsonNode *enrol_record_json(const enrol_record *e, const char *enrolled) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        bool registry = enrolled != NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "device_id");
        json_builder_add_string_value(b, e->device_id);
        json_builder_set_member_name(b, "key_id");
        json_builder_add_string_value(b, e->key_id);
        json_builder_set_member_name(b, "public_key");
        json_builder_add_string_value(b, e->public_key);
        json_builder_set_member_name(b, registry ? "enrolled" : "created");
        json_builder_add_string_value(b, registry ? enrolled : e->created);
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

int keys_enrol_fprint(FILE *out, const char *dir) {
        g_auto(enrol_record) e = {};
        char check[17];
        int r = enrol_record_load(dir, &e);

        if (r != KEYS_EXIT_OK)
                return r;
        fprintf(out, "device_id: %s\nkey_id: %s\npublic_key: %s\ncreated: %s\nsoftware_version: %s\n",
                e.device_id, e.key_id, e.public_key, e.created, STUDIO_VERSION);
        if (e.previous_key_id[0])
                fprintf(out, "previous_key_id: %s\n", e.previous_key_id);
        keys_enrol_record_check(e.device_id, e.key_id, e.public_key, e.created, check);
        fprintf(out, "record_check: %s\n", check);
        return KEYS_EXIT_OK;
}

int keys_enrol_print(const char *dir, int json) {
        g_auto(enrol_record) e = {};
        int r;

        if (!json)
                return keys_enrol_fprint(stdout, dir);
        r = enrol_record_load(dir, &e);
        if (r != KEYS_EXIT_OK)
                return r;
        g_autoptr(JsonNode) node = enrol_record_json(&e, NULL);
        print_json(node);
        return KEYS_EXIT_OK;
}

static void enrol_help(void) {
        puts("Usage: studio-keys enrol --dir DIR [--json]\n"
             "       studio-keys enrol --dir DIR --registry FILE [--it-key KEY]\n"
             "       studio-keys enrol --dir DIR --registry FILE --replace --reason TEXT --it-key KEY\n"
             "       studio-keys enrol --record FILE --registry FILE [--it-key KEY]\n"
             "       studio-keys enrol --kind KIND --pub FILE --name NAME --registry FILE [--it-key KEY]\n"
             "\n"
             "Prints the enrolment record of the device key in DIR (device id, key id,\n"
             "public key, created time, software version; after a rotation also the\n"
             "previous key id, checked against the rotation record). With --registry,\n"
             "police IT adds the key to the device registry FILE (created if missing,\n"
             "rewritten atomically); a key id already there is refused (exit 3).\n"
             "A new key for a device id already enrolled needs the rotation record its\n"
             "current key signed (DIR/device.pub.old and DIR/device.pub.new.minisig, from\n"
             "'studio-keys device-rotate'); without it the key is refused (exit 3).\n"
             "When the old key is lost or stolen, --replace re-keys the device anyway,\n"
             "in a registry police IT signed: the old key is revoked now with the reason,\n"
             "the new entry names the key it replaces and the reason.\n"
             "Changing FILE removes its signature FILE.minisig unless --it-key signs it\n"
             "again (see 'studio-keys registry-sign --help').\n"
             "\n"
             "  --dir DIR        the device key folder (or a copy of its device.pub,\n"
             "                   device.id and rotation files)\n"
             "  --record FILE    the enrolment record as the device's console printed it,\n"
             "                   copied into FILE (other text around it is ignored; the\n"
             "                   record is checked: its key id must match its public key)\n"
             "  --json           print the record as JSON\n"
             "  --registry FILE  append the key to this registry\n"
             "  --it-key KEY     police IT's minisign secret key: FILE's current signature\n"
             "                   must verify under it, and FILE is signed again after\n"
             "  --replace        the device's current key is lost or stolen: revoke it and\n"
             "                   enrol this one in its place (needs --reason and --it-key)\n"
             "  --reason TEXT    why, one line (kept in the registry)\n"
             "  --kind KIND      enrol a key that is not a device's: intake (the intake's\n"
             "                   record key) or examiner; checks trust it only for its kind\n"
             "  --pub FILE       that key's minisign public key (with --kind)\n"
             "  --name NAME      who holds it, one line (with --kind)\n"
             "  --help           this text");
}

#define ENROL_REASON_MAX 500

static bool reason_valid(const char *reason) {
        size_t len = strlen(reason);

        if (len == 0 || len > ENROL_REASON_MAX || !g_utf8_validate(reason, (gssize) len, NULL))
                return false;
        for (const char *p = reason; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* The device's current key: its last entry (the registry only grows). */
static JsonObject *device_current(JsonArray *devices, const char *device_id) {
        JsonObject *found = NULL;

        for (guint i = 0; i < json_array_get_length(devices); i++) {
                JsonObject *d = json_array_get_object_element(devices, i);
                if (g_strcmp0(json_object_get_string_member_with_default(d, "device_id", NULL), device_id) ==
                    0)
                        found = d;
        }
        return found;
}

static const char *entry_key_id(JsonObject *d) {
        return json_object_get_string_member_with_default(d, "key_id", "?");
}

/* A device already enrolled takes a new key only from its current key. */
static int enrol_check_rotation(const char *dir, const char *registry, const enrol_record *e,
                                JsonObject *current) {
        const char *cur = entry_key_id(current);

        if (!e->previous_key_id[0]) {
                g_autofree char *old = g_build_filename(dir, "device.pub.old", NULL);
                return keys_error(KEYS_EXIT_EXISTS,
                                  "device %s is already enrolled in %s with key %s: a new key for it needs "
                                  "the rotation record signed by that key, and %s is missing (copy "
                                  "device.pub, device.pub.old and device.pub.new.minisig from the device "
                                  "after 'studio-keys device-rotate'). If the old key is lost or stolen: "
                                  "'studio-keys enrol --replace --reason TEXT --it-key police-it.key'",
                                  e->device_id, registry, cur, old);
        }
        if (g_ascii_strcasecmp(e->previous_key_id, cur) != 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the rotation record in %s is from key %s, but the current key of device "
                                  "%s in %s is %s: do not enrol this key, investigate the device",
                                  dir, e->previous_key_id, e->device_id, registry, cur);
        if (json_object_has_member(current, "revoked"))
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the old key %s of device %s is revoked in %s (since %s): a rotation it "
                                  "signed proves nothing. Re-key the device with --replace --reason TEXT "
                                  "--it-key police-it.key",
                                  cur, e->device_id, registry,
                                  json_object_get_string_member_with_default(current, "revoked", "?"));
        return KEYS_EXIT_OK;
}

/* Revokes the replaced key now, or keeps an earlier revocation: a later
 * time would trust more of what a thief signed. */
static void enrol_revoke_replaced(JsonObject *old, const char *now, const char *reason) {
        const char *was = json_object_get_string_member_with_default(old, "revoked", NULL);
        g_autoptr(GDateTime) t = was ? g_date_time_new_from_iso8601(was, NULL) : NULL;
        g_autoptr(GDateTime) n = g_date_time_new_from_iso8601(now, NULL);

        if (!t || g_date_time_compare(t, n) > 0)
                json_object_set_string_member(old, "revoked", now);
        if (!json_object_has_member(old, "revoked_reason"))
                json_object_set_string_member(old, "revoked_reason", reason);
}

static void enrol_warn_other_keys(JsonArray *devices, const char *device_id, JsonObject *old,
                                  const char *new_key_id) {
        for (guint i = 0; i < json_array_get_length(devices); i++) {
                JsonObject *d = json_array_get_object_element(devices, i);
                if (d == old || json_object_has_member(d, "revoked") ||
                    g_ascii_strcasecmp(entry_key_id(d), new_key_id) == 0 ||
                    g_strcmp0(json_object_get_string_member_with_default(d, "device_id", NULL), device_id) !=
                            0)
                        continue;
                log_warning("Note: older key %s of device %s is still trusted: if its secret key was on the "
                            "device too, revoke it ('studio-keys revoke --key-id %s').",
                            entry_key_id(d), device_id, entry_key_id(d));
        }
}

typedef struct enrol_options {
        const char *dir, *record, *registry, *it_key, *reason, *kind, *pub, *name;
        bool json, replace;
} enrol_options;

static int enrol_registry(const enrol_options *o) {
        g_auto(enrol_record) e = {};
        g_autoptr(minisign_secret) sk = NULL;
        g_autoptr(JsonNode) root = NULL, entry = NULL;
        JsonArray *devices;
        JsonObject *current;
        char now[32];
        int r;

        r = o->record ? enrol_record_from_file(o->record, &e) : enrol_record_load(o->dir, &e);
        if (r != KEYS_EXIT_OK)
                return r;
        if (o->it_key && (r = keys_it_key_load(o->it_key, &sk)) != KEYS_EXIT_OK)
                return r;
        /* --replace trusts nothing but a registry police IT signed */
        r = keys_registry_open(o->registry, sk, o->replace, &root);
        if (r != KEYS_EXIT_OK)
                return r;
        devices = json_object_get_array_member(json_node_get_object(root), "devices");
        if (keys_registry_find(devices, e.key_id))
                return keys_error(KEYS_EXIT_EXISTS, "key %s is already enrolled in %s", e.key_id,
                                  o->registry);
        current = device_current(devices, e.device_id);
        if (o->replace && !current)
                return keys_error(KEYS_EXIT_NOT_FOUND,
                                  "device %s is not enrolled in %s: there is nothing to replace (enrol it "
                                  "without --replace)",
                                  e.device_id, o->registry);
        if (!o->replace && current &&
            (r = enrol_check_rotation(o->dir, o->registry, &e, current)) != KEYS_EXIT_OK)
                return r;
        keys_time_rfc3339(time(NULL), true, now);
        entry = enrol_record_json(&e, now);
        if (o->replace) {
                json_object_set_string_member(json_node_get_object(entry), "replaces",
                                              entry_key_id(current));
                json_object_set_string_member(json_node_get_object(entry), "reason", o->reason);
                enrol_revoke_replaced(current, now, o->reason);
        }
        json_array_add_element(devices, g_steal_pointer(&entry));
        r = keys_registry_commit(o->registry, root, sk);
        if (r != KEYS_EXIT_OK)
                return r;
        if (o->replace) {
                log_notice("Device %s key %s revoked from %s (%s); key %s enrolled in its place in %s.",
                           e.device_id, entry_key_id(current),
                           json_object_get_string_member_with_default(current, "revoked", now), o->reason,
                           e.key_id, o->registry);
                enrol_warn_other_keys(devices, e.device_id, current, e.key_id);
        } else
                log_notice("Device %s key %s enrolled in %s.", e.device_id, e.key_id, o->registry);
        return KEYS_EXIT_OK;
}

static int enrol_options_check(const enrol_options *o) {
        if (!o->dir == !o->record)
                return keys_usage_error("enrol", "needs --dir DIR (the device's key folder, or a copy) or "
                                                 "--record FILE (the record the console printed), not both");
        if (o->record && !o->registry)
                return keys_usage_error("enrol",
                                        "--record FILE enrols into a registry: give --registry FILE");
        if (o->record && o->replace)
                return keys_usage_error("enrol", "--replace needs the device's folder: give --dir DIR");
        if (!o->registry && (o->it_key || o->replace || o->reason))
                return keys_usage_error("enrol", "--it-key, --replace and --reason need --registry FILE");
        if (o->registry && o->json)
                return keys_usage_error("enrol", "--json prints the record: give it without --registry");
        if (o->reason && !o->replace)
                return keys_usage_error("enrol", "--reason goes with --replace");
        if (o->replace && (!o->reason || !o->it_key))
                return keys_usage_error("enrol",
                                        "--replace needs --reason TEXT (why the old key is given up) and "
                                        "--it-key KEY (police IT's key: it checks the registry's signature "
                                        "and signs it again)");
        if (o->reason && !reason_valid(o->reason))
                return keys_usage_error("enrol", "--reason must be one line of 1 to %d characters",
                                        ENROL_REASON_MAX);
        return KEYS_EXIT_OK;
}

int keys_cmd_enrol(int argc, char **argv) {
        static const struct option opts[] = {
                {"dir", required_argument, NULL, 'd'},      {"json", no_argument, NULL, 'j'},
                {"registry", required_argument, NULL, 'r'}, {"it-key", required_argument, NULL, 'K'},
                {"replace", no_argument, NULL, 'R'},        {"reason", required_argument, NULL, 'w'},
                {"record", required_argument, NULL, 'f'},   {"kind", required_argument, NULL, 'k'},
                {"pub", required_argument, NULL, 'p'},      {"name", required_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},           {}};
        enrol_options o = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "d:jr:h", opts, NULL)) >= 0) {
                if (c == 'd')
                        o.dir = optarg;
                else if (c == 'f')
                        o.record = optarg;
                else if (c == 'j')
                        o.json = true;
                else if (c == 'r')
                        o.registry = optarg;
                else if (c == 'K')
                        o.it_key = optarg;
                else if (c == 'R')
                        o.replace = true;
                else if (c == 'w')
                        o.reason = optarg;
                else if (c == 'k')
                        o.kind = optarg;
                else if (c == 'p')
                        o.pub = optarg;
                else if (c == 'n')
                        o.name = optarg;
                else if (c == 'h')
                        return enrol_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("enrol", argv);
        }
        if (optind != argc)
                return keys_usage_error("enrol", "'%s' is not an option", argv[optind]);
        if (o.kind || o.pub || o.name) {
                if (!o.kind || !o.registry || o.dir || o.record || o.json || o.replace || o.reason)
                        return keys_usage_error("enrol",
                                                "--pub and --name go with --kind KIND and --registry "
                                                "FILE (and --it-key KEY), without --dir");
                return keys_enrol_kind(o.registry, o.kind, o.pub, o.name, o.it_key);
        }
        r = enrol_options_check(&o);
        if (r != KEYS_EXIT_OK)
                return r;
        if (o.registry)
                return enrol_registry(&o);
        return keys_enrol_print(o.dir, o.json);
}
