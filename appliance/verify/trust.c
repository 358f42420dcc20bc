/* Which device key the verifier trusts: one given with --device-key, or
 * the enrolled key from a studio-keys registry. Without either, the
 * session's own key is used to check integrity but the verdict is at
 * best UNTRUSTED-KEY. */
#include <errno.h>
#include <string.h>

#include "fsutil.h"
#include "json-bounded.h"
#include "verify.h"

#define REGISTRY_MAX (4 * 1024 * 1024)

/* The key that signed the manifest; without a readable signature, the key
 * the manifest names, so that a deleted signature is UNSIGNED whichever
 * way the key is trusted. */
static bool sig_key_id(const verify_ctx *c, char out[2 * MINISIGN_KEY_ID_LEN + 1]) {
        g_autofree char *text = NULL;
        uint8_t id[MINISIGN_KEY_ID_LEN];
        minisign_public pk;
        size_t len = 0;

        if (fs_read_fileat(c->dirfd, "manifest.json.minisig", 64 * 1024, &text, &len) >= 0 &&
            minisign_sig_key_id(text, len, id) >= 0) {
                minisign_key_id_hex(id, out);
                return true;
        }
        if (c->m && minisign_public_parse(c->m->device_public_key, &pk) >= 0) {
                minisign_key_id_hex(pk.key_id, out);
                return true;
        }
        return false;
}

static const char *member_str(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                       ? json_node_get_string(n)
                       : NULL;
}

static int registry_read(verify_ctx *c, JsonParser *p, JsonArray **ret) {
        const char *path = c->opt->registry;
        g_autofree char *data = NULL;
        size_t len = 0;
        int r = fs_read_file(path, REGISTRY_MAX, &data, &len);

        if (r == -EFBIG)
                return verify_fail(c, "--registry %s is larger than a registry may be (%d bytes)", path,
                                   REGISTRY_MAX);
        if (r == -EINVAL)
                return verify_fail(c,
                                   "--registry %s is not a regular file: give the registry.json written by "
                                   "studio-keys",
                                   path);
        if (r < 0)
                return verify_fail(
                        c,
                        "--registry %s cannot be read (%s): give the registry.json written by studio-keys",
                        path, g_strerror(-r));
        g_autofree char *why = NULL;
        if (json_load_bounded(p, data, len, REGISTRY_MAX, &why) < 0)
                return verify_fail(
                        c,
                        "--registry %s is not a studio-keys registry (%s): give the registry.json "
                        "written by studio-keys",
                        path, why);
        JsonNode *root = json_parser_get_root(p);
        JsonNode *devs = root && JSON_NODE_HOLDS_OBJECT(root)
                                 ? json_object_get_member(json_node_get_object(root), "devices")
                                 : NULL;
        if (!devs || !JSON_NODE_HOLDS_ARRAY(devs))
                return verify_fail(
                        c,
                        "--registry %s is not a studio-keys registry (expected a JSON object with a "
                        "\"devices\" array): give the registry.json written by studio-keys",
                        path);
        *ret = json_node_get_array(devs);
        return 0;
}

/* docs/key-ceremony.md: public_key is authoritative, and an entry whose
 * key_id disagrees with it is refused (the registry was edited). */
static int registry_entry(verify_ctx *c, JsonArray *a, guint i, minisign_public *ret_pub, char ret_hex[]) {
        JsonNode *n = json_array_get_element(a, i);
        JsonObject *d = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        const char *pk = d ? member_str(d, "public_key") : NULL, *kid = d ? member_str(d, "key_id") : NULL;

        if (!pk || minisign_public_parse(pk, ret_pub) < 0)
                return verify_fail(
                        c,
                        "--registry %s device entry %u has no valid public_key: re-export the registry "
                        "with studio-keys",
                        c->opt->registry, i + 1);
        minisign_key_id_hex(ret_pub->key_id, ret_hex);
        if (!kid || g_ascii_strcasecmp(kid, ret_hex) != 0)
                return verify_fail(
                        c,
                        "--registry %s device entry %u (device %s): key_id %s disagrees with its "
                        "public_key (key id %s): the registry was altered; re-export it with studio-keys",
                        c->opt->registry, i + 1,
                        member_str(d, "device_id") ? member_str(d, "device_id") : "?", kid ? kid : "(none)",
                        ret_hex);
        return 0;
}

static void trust_entry(verify_ctx *c, JsonObject *d, const minisign_public *pub, const char *hex) {
        const char *id = member_str(d, "device_id"), *revoked = member_str(d, "revoked");

        if (c->m && g_strcmp0(id, c->m->device_id) != 0) {
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "key %s is enrolled for device %s, but the session names device %s", hex,
                           id ? id : "(none)", c->m->device_id);
                return;
        }
        /* A session that states no start (its start entry lost to a crash)
         * cannot show it began before the revocation. */
        if (revoked && (!c->m || !*c->m->started_utc || strcmp(revoked, c->m->started_utc) <= 0))
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "key %s was revoked on %s, before this session started%s", hex, revoked,
                           c->m && !*c->m->started_utc ? " (the session states no start time)" : "");
        c->key = *pub;
        c->have_key = true;
        c->key_source = g_strdup_printf("enrolled key %s of device %s in registry %s", hex, id ? id : "?",
                                        c->opt->registry);
}

static int registry_lookup(verify_ctx *c, const char *key_id) {
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        JsonArray *a = NULL;
        JsonObject *found = NULL;
        minisign_public pub, found_pub;
        char hex[2 * MINISIGN_KEY_ID_LEN + 1], found_hex[2 * MINISIGN_KEY_ID_LEN + 1];
        int r = registry_read(c, p, &a);

        for (guint i = 0; r >= 0 && i < json_array_get_length(a); i++) {
                r = registry_entry(c, a, i, &pub, hex);
                if (r >= 0 && !found && key_id && strcmp(hex, key_id) == 0) {
                        found = json_node_get_object(json_array_get_element(a, i));
                        found_pub = pub;
                        memcpy(found_hex, hex, sizeof(hex));
                }
        }
        if (r < 0)
                return r;
        if (found)
                trust_entry(c, found, &found_pub, found_hex);
        else
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "the session is signed by key %s, which is not enrolled in %s",
                           key_id ? key_id : "(unreadable)", c->opt->registry);
        return 0;
}

static void use_session_key(verify_ctx *c) {
        if (c->m && minisign_public_parse(c->m->device_public_key, &c->key) >= 0) {
                c->have_key = true;
                c->key_source =
                        g_strdup("the session's own key (NOT trusted: give --device-key or --registry)");
        }
}

int verify_load_trust(verify_ctx *c) {
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];
        int r;

        if (c->opt->device_key) {
                r = minisign_public_load(c->opt->device_key, &c->key);
                if (r < 0 && !g_file_test(c->opt->device_key, G_FILE_TEST_IS_REGULAR))
                        return verify_fail(
                                c,
                                "--device-key %s is missing or not a regular file: give the device's "
                                "minisign public key (device.pub, from the enrolment registry)",
                                c->opt->device_key);
                if (r < 0)
                        return verify_fail(c,
                                           "--device-key %s is not a minisign public key: give the device's "
                                           "device.pub, from the enrolment registry",
                                           c->opt->device_key);
                c->have_key = true;
                minisign_key_id_hex(c->key.key_id, key_id);
                c->key_source =
                        g_strdup_printf("key %s given with --device-key %s", key_id, c->opt->device_key);
                return 0;
        }
        if (c->opt->registry) {
                r = registry_lookup(c, sig_key_id(c, key_id) ? key_id : NULL);
                if (r < 0)
                        return r;
                if (!c->have_key)
                        use_session_key(c);
                return 0;
        }
        verify_add(c, VERIFY_UNTRUSTED_KEY, NULL, NULL,
                   "no trusted device key was given (--device-key or --registry); signatures were checked "
                   "only against the key the session names itself");
        use_session_key(c);
        return 0;
}
