/* Which key the session says signed it, and whether that key is trusted:
 * C2PA's Valid, then Trusted. Every check runs under the key the session
 * claims (its session-start entry names it since studio-session/2; before
 * that, its manifest does). Only then is the key compared with what the
 * examiner trusts: one given with --device-key, or one enrolled in a
 * studio-keys registry as a device's key (never an intake's or an
 * examiner's) and not revoked when the session started. A
 * session that holds together under a key nobody trusts is UNTRUSTED-KEY,
 * whichever way the key was given; never TAMPERED. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "registry.h"
#include "verify.h"

static void key_hex(const minisign_public *pk, char out[2 * MINISIGN_KEY_ID_LEN + 1]) {
        minisign_key_id_hex(pk->key_id, out);
}

static bool same_key(const minisign_public *a, const minisign_public *b) {
        return memcmp(a, b, sizeof(*a)) == 0;
}

/* The key id the manifest's signature names, for a session that names no
 * key of its own (studio-session/1 without its manifest). */
static bool sig_key_id(const verify_ctx *c, char out[2 * MINISIGN_KEY_ID_LEN + 1]) {
        g_autofree char *text = NULL;
        uint8_t id[MINISIGN_KEY_ID_LEN];
        size_t len = 0;

        if (fs_read_fileat(c->dirfd, "manifest.json.minisig", 64 * 1024, &text, &len) < 0 ||
            minisign_sig_key_id(text, len, id) < 0)
                return false;
        minisign_key_id_hex(id, out);
        return true;
}

/* The claimed key: session-start's device_public_key, else the manifest's. */
static void load_claimed_key(verify_ctx *c) {
        const char *b64 = c->start_public_key ? c->start_public_key : c->m ? c->m->device_public_key : NULL;

        if (b64 && minisign_public_parse(b64, &c->key) >= 0) {
                c->have_key = true;
                c->key_from_session = true;
        }
}

static int load_device_key(verify_ctx *c, minisign_public *ret) {
        const char *path = c->opt->device_key;
        int r = minisign_public_load(path, ret);

        if (r < 0 && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
                return verify_fail(c,
                                   "--device-key %s is missing or not a regular file: give the device's "
                                   "minisign public key (device.pub, from the enrolment registry)",
                                   path);
        if (r < 0)
                return verify_fail(
                        c,
                        "--device-key %s is not a minisign public key: give the device's device.pub, "
                        "from the enrolment registry",
                        path);
        return 0;
}

static void untrusted(verify_ctx *c, const char *fmt, const char *a, const char *b) {
        verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL, fmt, a, b);
}

static int trust_device_key(verify_ctx *c) {
        char given[2 * MINISIGN_KEY_ID_LEN + 1], claimed[2 * MINISIGN_KEY_ID_LEN + 1];
        minisign_public pk;
        int r = load_device_key(c, &pk);

        if (r < 0)
                return r;
        key_hex(&pk, given);
        if (!c->have_key) {
                /* the session names no key: check it under the one given */
                c->key = pk;
                c->have_key = true;
        }
        key_hex(&c->key, claimed);
        if (!same_key(&pk, &c->key)) {
                untrusted(c,
                          "the session is signed by key %s, not by the key given with --device-key (%s); if "
                          "the device's key was rotated, check with the registry, which holds both keys",
                          claimed, given);
                c->key_source =
                        g_strdup_printf("key %s named by the session (NOT trusted: --device-key %s is "
                                        "key %s)",
                                        claimed, c->opt->device_key, given);
                return 0;
        }
        c->trusted = true;
        c->key_source = g_strdup_printf("key %s given with --device-key %s", given, c->opt->device_key);
        return 0;
}

/* docs/key-ceremony.md: public_key is authoritative, and an entry whose
 * key_id disagrees with it is refused (the registry was edited). */
static int registry_entry(verify_ctx *c, JsonArray *a, guint i, minisign_public *ret_pub, char ret_hex[]) {
        JsonNode *n = json_array_get_element(a, i);
        JsonObject *d = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        const char *pk = d ? json_object_get_string_member_with_default(d, "public_key", NULL) : NULL;
        const char *kid = d ? json_object_get_string_member_with_default(d, "key_id", NULL) : NULL;
        const char *dev = d ? json_object_get_string_member_with_default(d, "device_id", "?") : "?";

        if (!pk || minisign_public_parse(pk, ret_pub) < 0)
                return verify_fail(c,
                                   "--registry %s device entry %u has no valid public_key: re-export the "
                                   "registry with studio-keys",
                                   c->opt->registry, i + 1);
        key_hex(ret_pub, ret_hex);
        if (!kid || g_ascii_strcasecmp(kid, ret_hex) != 0)
                return verify_fail(c,
                                   "--registry %s device entry %u (device %s): key_id %s disagrees with its "
                                   "public_key (key id %s): the registry was altered; re-export it with "
                                   "studio-keys",
                                   c->opt->registry, i + 1, dev, kid ? kid : "(none)", ret_hex);
        return 0;
}

static void trust_entry(verify_ctx *c, JsonObject *d, const minisign_public *pub, const char *hex) {
        const char *id = json_object_get_string_member_with_default(d, "device_id", NULL);
        const char *revoked = json_object_get_string_member_with_default(d, "revoked", NULL);
        const char *started = c->m ? c->m->started_utc : c->start_utc;

        if (!c->have_key) {
                c->key = *pub;
                c->have_key = true;
        }
        if (c->m && g_strcmp0(id, c->m->device_id) != 0) {
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "key %s is enrolled for device %s, but the session names device %s", hex,
                           id ? id : "(none)", c->m->device_id);
                return;
        }
        /* A session that states no start (its start entry lost to a crash)
         * cannot show it began before the revocation. */
        if (revoked && (!started || !*started || strcmp(revoked, started) <= 0)) {
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "key %s was revoked on %s, before this session started%s", hex, revoked,
                           !started || !*started ? " (the session states no start time)" : "");
                return;
        }
        c->trusted = true;
}

/* With --registry-key: the registry must carry police IT's signature
 * (FILE.minisig, as stock minisign writes and checks it). */
static int check_registry_signature(verify_ctx *c, const char *data, size_t len) {
        g_autofree char *sig_path = g_strdup_printf("%s.minisig", c->opt->registry), *sig = NULL;
        minisign_public it;
        size_t sig_len = 0;
        int r;

        if (!c->opt->registry_key)
                return 0;
        if (minisign_public_load(c->opt->registry_key, &it) < 0)
                return verify_fail(c,
                                   "--registry-key %s is not a minisign public key: give police IT's public "
                                   "key (police-it.pub)",
                                   c->opt->registry_key);
        r = fs_read_file(sig_path, 64 * 1024, &sig, &sig_len);
        if (r < 0)
                return verify_fail(
                        c,
                        "--registry %s has no readable signature %s (%s): get the registry and its "
                        ".minisig from police IT",
                        c->opt->registry, sig_path, g_strerror(-r));
        r = minisign_verify_buf(&it, (const uint8_t *) data, len, sig, sig_len, NULL);
        if (r < 0)
                return verify_fail(
                        c,
                        "--registry %s is not signed by the police IT key %s (%s): the registry was "
                        "altered or the key is wrong; get both again from police IT",
                        c->opt->registry, c->opt->registry_key,
                        r == -EKEYREJECTED ? "signed by another key" : "bad signature");
        c->registry_authenticated = true;
        return 0;
}

static int registry_read(verify_ctx *c, JsonNode **ret_root) {
        const char *path = c->opt->registry;
        g_autofree char *data = NULL, *why = NULL;
        size_t len = 0;
        int r = fs_read_file(path, KEYS_REGISTRY_MAX, &data, &len);

        if (r == -EINVAL || r == -EISDIR)
                return verify_fail(c,
                                   "--registry %s is not a regular file: give the registry.json written by "
                                   "studio-keys",
                                   path);
        if (r < 0)
                return verify_fail(c,
                                   "--registry %s cannot be read (%s): give the registry.json written by "
                                   "studio-keys",
                                   path, g_strerror(-r));
        r = keys_registry_parse(data, len, ret_root, &why);
        if (r < 0)
                return verify_fail(
                        c,
                        "--registry %s is not a studio-keys registry (%s): give the registry.json "
                        "written by studio-keys",
                        path, why);
        uint8_t d[SHA256_LEN];
        sha256_buf(data, len, d);
        sha256_hex(d, c->registry_sha256);
        return check_registry_signature(c, data, len);
}

static int trust_registry(verify_ctx *c) {
        g_autoptr(JsonNode) root = NULL;
        char want[2 * MINISIGN_KEY_ID_LEN + 1] = "", hex[2 * MINISIGN_KEY_ID_LEN + 1];
        JsonObject *found = NULL;
        minisign_public pub, found_pub;
        int r = registry_read(c, &root);

        if (r < 0)
                return r;
        JsonArray *a = json_object_get_array_member(json_node_get_object(root), "devices");
        if (c->have_key)
                key_hex(&c->key, want);
        else if (!sig_key_id(c, want))
                want[0] = '\0';
        for (guint i = 0; i < json_array_get_length(a); i++) {
                r = registry_entry(c, a, i, &pub, hex);
                if (r < 0)
                        return r;
                if (!found && *want && strcmp(hex, want) == 0) {
                        found = json_node_get_object(json_array_get_element(a, i));
                        found_pub = pub;
                }
        }
        const char *auth = c->registry_authenticated
                                   ? ""
                                   : "; the registry itself was not authenticated (give --registry-key)";
        if (!found) {
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "the session is signed by key %s, which is not enrolled in %s",
                           *want ? want : "(unknown)", c->opt->registry);
                c->key_source =
                        g_strdup_printf("key %s named by the session (NOT trusted: not in registry %s%s)",
                                        *want ? want : "(unknown)", c->opt->registry, auth);
                return 0;
        }
        if (keys_registry_entry_kind(found) != KEYS_KIND_DEVICE) {
                const char *kind = json_object_get_string_member_with_default(found, "kind", "?");
                verify_add(c, VERIFY_UNTRUSTED_KEY, "manifest.json.minisig", NULL,
                           "the session is signed by key %s, which %s enrols as a key of kind %s (%s), not "
                           "as a device's: a session is trusted only under a device key",
                           want, c->opt->registry, kind,
                           json_object_get_string_member_with_default(found, "name", "?"));
                c->key_source = g_strdup_printf("key %s named by the session (NOT trusted: a %s key in "
                                                "registry %s, not a device's%s)",
                                                want, kind, c->opt->registry, auth);
                return 0;
        }
        trust_entry(c, found, &found_pub, want);
        c->key_source = g_strdup_printf("%s key %s of device %s in registry %s (SHA-256 %s)%s%s",
                                        c->trusted ? "enrolled" : "NOT trusted:", want,
                                        json_object_get_string_member_with_default(found, "device_id", "?"),
                                        c->opt->registry, c->registry_sha256,
                                        c->registry_authenticated ? ", signed by police IT key " : auth,
                                        c->registry_authenticated ? c->opt->registry_key : "");
        return 0;
}

int verify_load_trust(verify_ctx *c) {
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];

        load_claimed_key(c);
        if (c->opt->device_key)
                return trust_device_key(c);
        if (c->opt->registry)
                return trust_registry(c);
        verify_add(c, VERIFY_UNTRUSTED_KEY, NULL, NULL,
                   "no trusted device key was given (--device-key or --registry); signatures were checked "
                   "only against the key the session names itself");
        if (c->have_key) {
                key_hex(&c->key, hex);
                c->key_source = g_strdup_printf(
                        "key %s named by the session (NOT trusted: give --device-key or --registry)", hex);
        }
        return 0;
}
