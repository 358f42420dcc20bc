/* studio-verify --intake-record DIR|FILE: what studio-intake recorded of a
 * session (docs/intake.md): the intake's verdict; whether the record's
 * signature verifies under a key the registry enrols as an intake key
 * (never a device's or an examiner's); and the RFC 3161 token's time and
 * whether it verifies under --tsa-ca. Every string from the record is
 * escaped before it is printed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "registry.h"
#include "log.h"
#include "tsa.h"
#include "verify.h"

#define RECORD_MAX (4u << 20) /* INTAKE_RECORD_MAX */
#define SIG_MAX (64 * 1024)

/* FILE, or for a session folder DIR its record as the vault lays it out
 * (DIR/../verifications/NAME.json) or downloaded beside it (DIR/NAME.json). */
static char *record_path(const char *arg) {
        if (!g_file_test(arg, G_FILE_TEST_IS_DIR))
                return g_strdup(arg);
        g_autofree char *name = g_path_get_basename(arg), *parent = g_path_get_dirname(arg);
        g_autofree char *leaf = g_strdup_printf("%s.json", name);
        char *p = g_build_filename(parent, "verifications", leaf, NULL);
        if (g_file_test(p, G_FILE_TEST_EXISTS))
                return p;
        g_free(p);
        return g_build_filename(arg, leaf, NULL);
}

static char *shown_member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return g_strdup("(none)");
        return escape_text(json_node_get_string(n));
}

/* The record's signature under an intake key of the registry: true when
 * it verifies (*ret_line says under which key, or why not). */
static bool check_signature(const char *path, const char *text, size_t len, const verify_options *o,
                            char **ret_line) {
        g_autofree char *sig_path = g_strdup_printf("%s.minisig", path), *sig = NULL, *reg = NULL,
                        *why = NULL;
        g_autoptr(JsonNode) root = NULL;
        uint8_t id[MINISIGN_KEY_ID_LEN];
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];
        size_t sig_len = 0, reg_len = 0;
        minisign_public pk;

        if (fs_read_file(sig_path, SIG_MAX, &sig, &sig_len) < 0 || minisign_sig_key_id(sig, sig_len, id) < 0)
                return *ret_line = g_strdup_printf("NOT verified: %s is missing or no minisign signature",
                                                   sig_path),
                       false;
        minisign_key_id_hex(id, hex);
        if (!o->registry)
                return *ret_line = g_strdup_printf(
                               "NOT checked: signed by key %s; give --registry to check it", hex),
                       false;
        if (fs_read_file(o->registry, KEYS_REGISTRY_MAX, &reg, &reg_len) < 0 ||
            keys_registry_parse(reg, reg_len, &root, &why) < 0)
                return *ret_line = g_strdup_printf("NOT checked: --registry %s cannot be read as a registry",
                                                   o->registry),
                       false;
        if (o->registry_key) {
                g_autofree char *rsig_path = g_strdup_printf("%s.minisig", o->registry), *rsig = NULL;
                minisign_public it;
                size_t rsig_len = 0;
                if (minisign_public_load(o->registry_key, &it) < 0 ||
                    fs_read_file(rsig_path, SIG_MAX, &rsig, &rsig_len) < 0 ||
                    minisign_verify_buf(&it, (const uint8_t *) reg, reg_len, rsig, rsig_len, NULL) < 0)
                        return *ret_line = g_strdup_printf(
                                       "NOT checked: --registry %s is not signed by --registry-key %s",
                                       o->registry, o->registry_key),
                               false;
        }
        JsonArray *entries = json_object_get_array_member(json_node_get_object(root), "devices");
        JsonObject *e = keys_registry_find_kind(entries, hex, KEYS_KIND_INTAKE);
        if (!e)
                return *ret_line =
                               g_strdup_printf("NOT trusted: key %s is not enrolled as an intake key in %s",
                                               hex, o->registry),
                       false;
        const char *pub = json_object_get_string_member_with_default(e, "public_key", "");
        if (minisign_public_parse(pub, &pk) < 0 ||
            minisign_verify_buf(&pk, (const uint8_t *) text, len, sig, sig_len, NULL) < 0)
                return *ret_line = g_strdup_printf(
                               "does NOT verify under intake key %s: the record was altered", hex),
                       false;
        g_autofree char *name = escape_text(json_object_get_string_member_with_default(e, "name", "?"));
        *ret_line =
                g_strdup_printf("verified, intake key %s (%s) enrolled in %s%s", hex, name, o->registry,
                                o->registry_key ? ", signed by police IT" : " (registry not authenticated)");
        return true;
}

/* The token beside the record: true when it verifies under --tsa-ca. */
static bool check_token(const char *path, const char *text, size_t len, const char *ca, char **ret_line) {
        g_autofree char *tsr_path = g_strdup_printf("%s.tsr", path), *der = NULL, *when = NULL, *msg = NULL;
        size_t der_len = 0;

        if (fs_read_file(tsr_path, TSA_RESPONSE_MAX, &der, &der_len) < 0)
                return *ret_line = g_strdup_printf("none (%s is missing: the intake has not had one yet)",
                                                   tsr_path),
                       false;
        if (!ca)
                return *ret_line = g_strdup("NOT checked: give --tsa-ca FILE (the TSA's CA certificate)"),
                       false;
        if (tsa_verify((const uint8_t *) der, der_len, text, len, ca, &when, &msg) < 0)
                return *ret_line = g_strdup_printf("does NOT verify: %s", msg), false;
        *ret_line = g_strdup_printf("%s, verifies under %s", when ? when : "?", ca);
        return true;
}

int verify_intake_record_main(const verify_options *o, const char *arg) {
        g_autofree char *path = record_path(arg), *text = NULL, *why = NULL, *sig_line = NULL,
                        *tsr_line = NULL;
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        size_t len = 0;
        int r = fs_read_file(path, RECORD_MAX, &text, &len);

        if (r < 0 || json_load_bounded(p, text, len, RECORD_MAX, &why) < 0 || !json_parser_get_root(p) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
                log_error("%s is not an intake record (%s): give RECORDS/verifications/"
                          "<session>.json, or the session folder beside its verifications/",
                          path,
                          r < 0 ? g_strerror(-r)
                          : why ? why
                                : "not one JSON object");
                return VERIFY_EXIT_ERROR;
        }
        JsonObject *rec = json_node_get_object(json_parser_get_root(p));
        bool sig_ok = check_signature(path, text, len, o, &sig_line);
        bool tsr_ok = check_token(path, text, len, o->tsa_ca, &tsr_line);
        g_autofree char *session = shown_member(rec, "session"), *verdict = shown_member(rec, "verdict");
        g_autofree char *verified = shown_member(rec, "verified"), *arrived = shown_member(rec, "arrived");
        g_autofree char *shown_path = escape_text(path);
        printf("Intake record: %s\nSession: %s\nIntake verdict: %s (verified %s, arrived %s)\n"
               "Record signature: %s\nTime-stamp token: %s\n",
               shown_path, session, verdict, verified, arrived, sig_line, tsr_line);
        return sig_ok && tsr_ok ? 0 : VERIFY_EXIT_ERROR;
}
