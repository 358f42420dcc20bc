/* Device registry: load, check, save; and `studio-keys revoke`. */
#include "keys-registry.h"
#include "keys-registry-sign.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "log.h"
#include "minisign.h"

static JsonNode *registry_empty(void) {
        JsonObject *o = json_object_new();
        JsonNode *root = json_node_new(JSON_NODE_OBJECT);

        json_object_set_array_member(o, "devices", json_array_new());
        json_node_take_object(root, o);
        return root;
}

/* Every entry's key_id must be the one its public_key carries: the verifier
 * refuses an entry that disagrees, so none is written or signed. */
static int registry_entries_check(const char *path, JsonNode *root) {
        JsonArray *devices = json_object_get_array_member(json_node_get_object(root), "devices");

        for (guint i = 0; i < json_array_get_length(devices); i++) {
                JsonObject *d = json_array_get_object_element(devices, i);
                const char *k = json_object_get_string_member_with_default(d, "key_id", "");
                const char *pub = json_object_get_string_member_with_default(d, "public_key", NULL);
                char hex[2 * MINISIGN_KEY_ID_LEN + 1];
                minisign_public pk;

                if (!pub || minisign_public_parse(pub, &pk) < 0)
                        return keys_error(KEYS_EXIT_FAILURE,
                                          "the registry %s entry %u (key %s) has no valid public_key: "
                                          "restore it from backup",
                                          path, i + 1, k);
                minisign_key_id_hex(pk.key_id, hex);
                if (g_ascii_strcasecmp(hex, k) != 0)
                        return keys_error(KEYS_EXIT_FAILURE,
                                          "the registry %s entry %u: key_id %s disagrees with its "
                                          "public_key (key id %s): the file was edited; restore it from "
                                          "backup",
                                          path, i + 1, k, hex);
        }
        return KEYS_EXIT_OK;
}

int keys_registry_read(const char *path, char **ret_text, size_t *ret_len) {
        char *text = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(path, KEYS_REGISTRY_MAX, &text, &len);
        if (r == -ENOENT) {
                *ret_text = NULL;
                *ret_len = 0;
                return KEYS_EXIT_OK;
        }
        if (r == -EFBIG)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the registry %s is larger than %u bytes, which no registry of "
                                  "studio-keys reaches: restore it from backup",
                                  path, KEYS_REGISTRY_MAX);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the registry %s: %s", path,
                                  g_strerror(-r));
        *ret_text = text;
        *ret_len = len;
        return KEYS_EXIT_OK;
}

int keys_registry_from_text(const char *path, const char *text, size_t len, JsonNode **ret_root) {
        g_autofree char *why = NULL;
        g_autoptr(JsonNode) root = NULL;
        int r;

        if (!text) {
                *ret_root = registry_empty();
                return KEYS_EXIT_OK;
        }
        r = keys_registry_parse(text, len, &root, &why);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the registry %s cannot be used: %s (see docs/key-ceremony.md; restore "
                                  "it from backup)",
                                  path, why);
        r = registry_entries_check(path, root);
        if (r != KEYS_EXIT_OK)
                return r;
        *ret_root = g_steal_pointer(&root);
        return KEYS_EXIT_OK;
}

int keys_registry_load(const char *path, JsonNode **ret_root) {
        g_autofree char *text = NULL;
        size_t len = 0;
        int r;

        r = keys_registry_read(path, &text, &len);
        if (r != KEYS_EXIT_OK)
                return r;
        return keys_registry_from_text(path, text, len, ret_root);
}

int keys_registry_to_text(JsonNode *root, char **ret_text, size_t *ret_len) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        char *data;
        gsize len;

        json_generator_set_pretty(gen, TRUE);
        json_generator_set_root(gen, root);
        data = json_generator_to_data(gen, &len);
        data = g_realloc(data, len + 2);
        data[len++] = '\n';
        data[len] = '\0';
        *ret_text = data;
        *ret_len = len;
        return 0;
}

int keys_registry_save(const char *path, JsonNode *root) {
        g_autofree char *data = NULL;
        size_t len = 0;
        int r;

        (void) keys_registry_to_text(root, &data, &len);
        r = fs_write_atomic(path, data, len, 0644);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write the registry %s: %s", path,
                                  g_strerror(-r));
        return KEYS_EXIT_OK;
}

static void revoke_help(void) {
        puts("Usage: studio-keys revoke --registry FILE --key-id ID [--date TIME] [--it-key KEY]\n"
             "\n"
             "Marks a device key as revoked (lost or stolen device) in the registry:\n"
             "the entry gets \"revoked\": TIME, and the verifier refuses sessions that\n"
             "key signed after TIME. TIME is RFC 3339 with a zone, e.g.\n"
             "2024-05-01T09:00:00Z (default: now). Use the time the device was last\n"
             "known to be safe. Changing FILE removes its signature FILE.minisig unless\n"
             "--it-key signs it again.\n"
             "\n"
             "  --registry FILE  the device registry\n"
             "  --key-id ID      the key to revoke (16 hex digits, as enrol printed it)\n"
             "  --date TIME      when it stopped being trusted (default: now)\n"
             "  --it-key KEY     police IT's minisign secret key: FILE's current signature\n"
             "                   must verify under it, and FILE is signed again after\n"
             "  --help           this text");
}

static int registry_revoke(const char *registry, const char *key_id, const char *date, const char *it_key) {
        g_autoptr(minisign_secret) sk = NULL;
        g_autoptr(JsonNode) root = NULL;
        g_autoptr(GDateTime) when = NULL;
        g_autofree char *stamp = NULL;
        JsonObject *d;
        int r;

        when = date ? g_date_time_new_from_iso8601(date, NULL) : g_date_time_new_now_utc();
        if (!when)
                return keys_usage_error(
                        "revoke", "'%s' is not an RFC 3339 time with a zone (like 2024-05-01T09:00:00Z)",
                        date);
        g_autoptr(GDateTime) utc = g_date_time_to_utc(when);
        stamp = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
        if (it_key && (r = keys_it_key_load(it_key, &sk)) != KEYS_EXIT_OK)
                return r;
        r = keys_registry_open(registry, sk, false, &root);
        if (r != KEYS_EXIT_OK)
                return r;
        d = keys_registry_find(json_object_get_array_member(json_node_get_object(root), "devices"), key_id);
        if (!d)
                return keys_error(KEYS_EXIT_NOT_FOUND,
                                  "key %s is not in %s: check the key id (16 hex digits)", key_id, registry);
        if (json_object_has_member(d, "revoked"))
                return keys_error(KEYS_EXIT_EXISTS, "key %s is already revoked in %s (since %s)", key_id,
                                  registry, json_object_get_string_member_with_default(d, "revoked", "?"));
        json_object_set_string_member(d, "revoked", stamp);
        r = keys_registry_commit(registry, root, sk);
        if (r == KEYS_EXIT_OK)
                log_notice("Key %s revoked from %s in %s.", key_id, stamp, registry);
        return r;
}

int keys_cmd_revoke(int argc, char **argv) {
        static const struct option opts[] = {
                {"registry", required_argument, NULL, 'r'}, {"key-id", required_argument, NULL, 'k'},
                {"date", required_argument, NULL, 't'},     {"it-key", required_argument, NULL, 'K'},
                {"help", no_argument, NULL, 'h'},           {}};
        const char *registry = NULL, *key_id = NULL, *date = NULL, *it_key = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "r:k:t:h", opts, NULL)) >= 0) {
                if (c == 'r')
                        registry = optarg;
                else if (c == 'k')
                        key_id = optarg;
                else if (c == 't')
                        date = optarg;
                else if (c == 'K')
                        it_key = optarg;
                else if (c == 'h')
                        return revoke_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("revoke", argv);
        }
        if (!registry || !key_id || optind != argc)
                return keys_usage_error("revoke", "needs --registry FILE and --key-id ID");
        return registry_revoke(registry, key_id, date, it_key);
}
