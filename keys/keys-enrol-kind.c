/* studio-keys enrol --kind KIND --pub FILE --name NAME: enrols a key that is
 * not a device's (the intake's, an examiner's) in the registry, marked with
 * its kind so that every check trusts it only for that kind
 * (docs/key-ceremony.md, "Registry schema"). */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "keys-commands.h"
#include "keys-common.h"
#include "keys-registry-sign.h"
#include "keys-registry.h"
#include "log.h"
#include "minisign.h"

#define ENROL_NAME_MAX 100

static bool name_valid(const char *name) {
        size_t len = strlen(name);

        if (len == 0 || len > ENROL_NAME_MAX || !g_utf8_validate(name, (gssize) len, NULL))
                return false;
        for (const char *p = name; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static JsonNode *kind_entry(keys_kind kind, const char *name, const char *key_id, const char *public_key,
                            const char *enrolled) {
        JsonObject *o = json_object_new();
        JsonNode *n = json_node_new(JSON_NODE_OBJECT);

        json_object_set_string_member(o, "kind", keys_kind_to_string(kind));
        json_object_set_string_member(o, "name", name);
        json_object_set_string_member(o, "key_id", key_id);
        json_object_set_string_member(o, "public_key", public_key);
        json_object_set_string_member(o, "enrolled", enrolled);
        json_node_take_object(n, o);
        return n;
}

int keys_enrol_kind(const char *registry, const char *kind_name, const char *pub, const char *name,
                    const char *it_key) {
        g_autoptr(minisign_secret) sk = NULL;
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *b64 = NULL;
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1], now[32];
        keys_kind kind = keys_kind_from_string(kind_name);
        minisign_public pk;
        int r;

        if (kind < 0)
                return keys_usage_error("enrol", "--kind %s is not a kind: give intake or examiner",
                                        kind_name);
        if (kind == KEYS_KIND_DEVICE)
                return keys_usage_error("enrol",
                                        "a device's key is enrolled with --dir DIR (its key folder), "
                                        "not with --kind device");
        if (!pub || !name)
                return keys_usage_error("enrol", "--kind %s needs --pub FILE and --name NAME", kind_name);
        if (!name_valid(name))
                return keys_usage_error("enrol", "--name must be one line of 1 to %d characters",
                                        ENROL_NAME_MAX);
        if (minisign_public_load(pub, &pk) < 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "%s is not a minisign public key: give the .pub file (e.g. intake.pub "
                                  "from 'studio-keys intake-init')",
                                  pub);
        minisign_key_id_hex(pk.key_id, key_id);
        b64 = minisign_public_to_base64(&pk);
        if (!b64)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        if (it_key && (r = keys_it_key_load(it_key, &sk)) != KEYS_EXIT_OK)
                return r;
        r = keys_registry_open(registry, sk, false, &root);
        if (r != KEYS_EXIT_OK)
                return r;
        JsonArray *entries = json_object_get_array_member(json_node_get_object(root), "devices");
        if (keys_registry_find(entries, key_id))
                return keys_error(KEYS_EXIT_EXISTS, "key %s is already enrolled in %s", key_id, registry);
        keys_time_rfc3339(time(NULL), true, now);
        json_array_add_element(entries, kind_entry(kind, name, key_id, b64, now));
        r = keys_registry_commit(registry, root, sk);
        if (r == KEYS_EXIT_OK)
                log_notice("%s key %s (%s) enrolled in %s.", keys_kind_to_string(kind), key_id, name,
                           registry);
        return r;
}
