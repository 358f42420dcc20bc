/* The key registry file police IT keeps: {"devices":[{...}, ...]}. Each
 * entry is a key of one kind (docs/key-ceremony.md, "Registry schema").
 * This library parses and searches it; studio-keys reads and writes the
 * file (keys/keys-registry.h). */
#pragma once

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stddef.h>

/* What an enrolled key may sign: a check trusts a key only for its own kind
 * (studio-verify never trusts an intake or examiner key as a device's). An
 * entry without "kind" is a device's (registries before kinds); a kind
 * this release does not know is trusted for nothing. */
typedef enum keys_kind {
        KEYS_KIND_DEVICE,
        KEYS_KIND_INTAKE,
        KEYS_KIND_EXAMINER,
        _KEYS_KIND_MAX,
        _KEYS_KIND_INVALID = -EINVAL,
} keys_kind;

const char *keys_kind_to_string(keys_kind k);
keys_kind keys_kind_from_string(const char *s);
/* The entry's kind: KEYS_KIND_DEVICE without "kind", _KEYS_KIND_INVALID for
 * a kind this release does not know. */
keys_kind keys_registry_entry_kind(JsonObject *entry);

/* A bigger registry is refused: thousands of devices take well under 1 MiB. */
#define KEYS_REGISTRY_MAX (16u << 20)

/* Checks and parses a registry's text: at most KEYS_REGISTRY_MAX bytes
 * (-EFBIG), no NUL byte, nested at most JSON_DEPTH_MAX levels (-ELOOP), JSON
 * of the shape {"devices":[{"key_id":"…", …}, …]} (-EBADMSG). On failure
 * *ret_message (optional, caller g_frees) says what is wrong. */
int keys_registry_parse(const char *data, size_t len, JsonNode **ret_root, char **ret_message);

/* The entry with this key id (upper-case hex), whatever its kind, or NULL. */
JsonObject *keys_registry_find(JsonArray *devices, const char *key_id);
/* The same, only when the entry is of that kind: what every check uses. */
JsonObject *keys_registry_find_kind(JsonArray *devices, const char *key_id, keys_kind kind);
