/* Which device key the verifier trusts: one given with --device-key, or
 * the enrolled key from a studio-keys registry. Without either, the
 * session's own key is used to check integrity but the verdict is at
 * best UNTRUSTED-KEY. */
#include <errno.h>
#include <string.h>

#include "fsutil.h"
#include "verify.h"

#define REGISTRY_MAX (4 * 1024 * 1024)

static bool sig_key_id(const verify_ctx *c, char out[2 * MINISIGN_KEY_ID_LEN + 1]) {
        g_autofree char *path = g_build_filename(c->opt->dir, "manifest.json.minisig", NULL);
        g_autofree char *text = NULL;
        uint8_t id[MINISIGN_KEY_ID_LEN];
        size_t len = 0;

        if (fs_read_file(path, 64 * 1024, &text, &len) < 0 || minisign_sig_key_id(text, len, id) < 0)
                return false;
        minisign_key_id_hex(id, out);
        return true;
}

static const char *member_str(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : NULL;
}

static int registry_lookup(verify_ctx *c, const char *key_id) {
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        g_autofree char *data = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(c->opt->registry, REGISTRY_MAX, &data, &len);
        if (r < 0)
                return r;
        if (!json_parser_load_from_data(p, data, (gssize) len, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
                return -EBADMSG;
        JsonNode *devs = json_object_get_member(json_node_get_object(json_parser_get_root(p)), "devices");
        if (!devs || !JSON_NODE_HOLDS_ARRAY(devs))
                return -EBADMSG;
        JsonArray *a = json_node_get_array(devs);
        for (guint i = 0; key_id && i < json_array_get_length(a); i++) {
                JsonNode *n = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_OBJECT(n))
                        continue;
                JsonObject *d = json_node_get_object(n);
                const char *pk = member_str(d, "public_key"), *id = member_str(d, "device_id");
                const char *revoked = member_str(d, "revoked");
                minisign_public pub;
                char hex[2 * MINISIGN_KEY_ID_LEN + 1];
                if (!pk || minisign_public_parse(pk, &pub) < 0)
                        continue;
                minisign_key_id_hex(pub.key_id, hex);
                if (strcmp(hex, key_id) != 0)
                        continue;
                if (c->m && g_strcmp0(id, c->m->device_id) != 0) {
                        verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                                   "key %s is enrolled for device %s, but the session names device %s", hex,
                                   id ? id : "(none)", c->m->device_id);
                        return 0;
                }
                if (revoked && (!c->m || strcmp(revoked, c->m->started_utc) <= 0))
                        verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                                   "key %s was revoked on %s, before this session started", hex, revoked);
                c->key = pub;
                c->have_key = true;
                c->key_source = g_strdup_printf("enrolled key %s of device %s in registry %s", hex, id ? id : "?",
                                                c->opt->registry);
                return 0;
        }
        verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                   "the session is signed by key %s, which is not enrolled in %s", key_id ? key_id : "(unreadable)",
                   c->opt->registry);
        return 0;
}

static void use_session_key(verify_ctx *c) {
        if (c->m && minisign_public_parse(c->m->device_public_key, &c->key) >= 0) {
                c->have_key = true;
                c->key_source = g_strdup("the session's own key (NOT trusted: give --device-key or --registry)");
        }
}

int verify_load_trust(verify_ctx *c) {
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];
        int r;

        if (c->opt->device_key) {
                r = minisign_public_load(c->opt->device_key, &c->key);
                if (r < 0)
                        return r;
                c->have_key = true;
                minisign_key_id_hex(c->key.key_id, key_id);
                c->key_source = g_strdup_printf("key %s given with --device-key %s", key_id, c->opt->device_key);
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
