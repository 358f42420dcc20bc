/* Key generation shared by studio-keys (vault-init, device-init) and
 * studioctl init: one implementation of each key file's format.
 *
 * Functions return 0 or -errno (-EEXIST: a file is already there; they
 * never overwrite) and print nothing. */
#pragma once

#include <stddef.h>

/* A fresh age X25519 identity written to out (O_EXCL, mode 0600, synced)
 * in age-keygen's format: "# created: …", "# public key: age1…", then the
 * AGE-SECRET-KEY-1… line. *ret_recipient (caller frees) is its age1… recipient. */
int keys_vault_identity_generate(const char *out, char **ret_recipient);

/* A fresh minisign (Ed25519) device key pair: key_path (0600) and pub_path
 * (0644). Then the device id, one line, to each of the NULL-terminated
 * id_paths (0644): device_id, or when NULL "studio-HOSTNAME-KEYID8".
 * Refuses (-EEXIST) when any of the files exists, before writing any. */
int keys_device_generate(const char *key_path, const char *pub_path, const char *const *id_paths,
                         const char *device_id);
