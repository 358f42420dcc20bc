/* The registry's signature by police IT: FILE.minisig beside the registry
 * FILE, a standard minisign signature (stock `minisign -Vm FILE -p
 * police-it.pub` checks it) over FILE's exact bytes, trusted comment
 * "registry sha256=<64 lower-case hex of FILE> utc=<YYYY-MM-DDTHH:MM:SSZ>".
 * The format is pinned in docs/key-ceremony.md ("Registry signature").
 *
 * Every function returns an exit code (keys-common.h), having printed the
 * problem. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "minisign.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(minisign_secret, minisign_secret_free)

#define KEYS_REGISTRY_SIG_SUFFIX ".minisig"
#define KEYS_REGISTRY_COMMENT_PREFIX "registry sha256="
#define KEYS_IT_KEY_NAME "police-it.key"
#define KEYS_IT_PUB_NAME "police-it.pub"

/* Loads police IT's unencrypted minisign secret key. */
int keys_it_key_load(const char *path, minisign_secret **ret_sk);

/* Checks text (the registry's bytes, as read once) against path.minisig
 * with pk: its signature and its trusted comment's hash. A registry without
 * a signature passes unless require is set; *ret_signed (optional) says
 * whether it had one. */
int keys_registry_sig_check(const char *path, const char *text, size_t len, const minisign_public *pk,
                            bool require, bool *ret_signed);

/* Loads the registry to change it. With it_sk, a signature it has must
 * verify under it_sk's public half (require_signed: it must have one). */
int keys_registry_open(const char *path, const minisign_secret *it_sk, bool require_signed,
                       JsonNode **ret_root);

/* Writes the changed registry: the signature of the old one is removed
 * first, so that none stays valid-looking beside new content; then the new
 * one is signed with it_sk, or (without it) the user is told that the
 * registry is no longer signed and how to sign it. */
int keys_registry_commit(const char *path, JsonNode *root, const minisign_secret *it_sk);
