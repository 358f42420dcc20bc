/* libFuzzer: the uploader's check of the intake's verification record
 * (upl_record_check, wipe_after = verified) and its intake key file
 * (upl_intake_keys_parse): outside input read from the vault and the
 * provisioning bundle.
 *
 * Input: the first byte chooses. 0: the rest is a key file. 1: the rest is
 * a record, signed here with the one provisioned key (so that the checks
 * after the signature are reached). 2: a record and a signature text,
 * split at the first NUL. Oracles: a check that passes saw a signed record
 * of this session and manifest whose verdict lets the copy go; a refusal
 * always has a message, and the message holds no raw control character
 * (it reaches the journal). */
#include <string.h>

#include <json-glib/json-glib.h>
#include <sodium.h>

#include "fuzz-check.h"
#include "minisign.h"
#include "uploader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SESSION "20261201T103200Z-1a2b3c4d"
#define MANIFEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static minisign_secret *key;
static upl_intake_keys keys;

static void init(void) {
        if (key)
                return;
        FUZZ_CHECK(sodium_init() >= 0);
        FUZZ_CHECK(minisign_secret_generate(&key) >= 0);
        minisign_secret_public(key, &keys.keys[0]);
        keys.n = 1;
}

static void check_message(int r, const char *msg) {
        if (r >= 0)
                return;
        FUZZ_CHECK(msg && *msg);
        for (const char *p = msg; *p; p++)
                FUZZ_CHECK((unsigned char) *p >= 0x20 && *p != 0x7f);
}

static const char *member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                       ? json_node_get_string(n)
                       : "";
}

/* What passed is one JSON object that names this session and manifest,
 * with a verdict that lets the copy go. */
static void check_passed(const char *rec, size_t len) {
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o;

        FUZZ_CHECK(json_parser_load_from_data(p, rec, (gssize) len, NULL));
        FUZZ_CHECK(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)));
        o = json_node_get_object(json_parser_get_root(p));
        FUZZ_CHECK(strcmp(member(o, "session"), SESSION) == 0);
        FUZZ_CHECK(strcmp(member(o, "manifest_sha256"), MANIFEST) == 0);
        FUZZ_CHECK(strcmp(member(o, "verdict"), "INTACT") == 0 ||
                   strcmp(member(o, "verdict"), "TRUNCATED") == 0);
}

static void check_record(const char *rec, size_t len, const char *sig, size_t sig_len) {
        g_autofree gchar *msg = NULL;
        int r = upl_record_check(rec, len, sig, sig_len, &keys, SESSION, MANIFEST, len % 2 == 0, &msg);

        check_message(r, msg);
        if (r >= 0)
                check_passed(rec, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        init();
        if (size < 1)
                return 0;
        const char *text = (const char *) data + 1;
        size_t len = size - 1;

        if (data[0] == 0) {
                upl_intake_keys k;
                g_autofree gchar *msg = NULL;
                int r = upl_intake_keys_parse(text, len, &k, &msg);
                check_message(r, msg);
                FUZZ_CHECK(r < 0 || (k.n >= 1 && k.n <= UPL_INTAKE_KEYS_MAX));
        } else if (data[0] == 1) {
                g_autofree char *sig = NULL;
                FUZZ_CHECK(minisign_sign_buf(key, (const uint8_t *) text, len, "fuzz", &sig) >= 0);
                check_record(text, len, sig, strlen(sig));
        } else {
                const char *nul = memchr(text, 0, len);
                size_t rec_len = nul ? (size_t) (nul - text) : len;
                check_record(text, rec_len, nul ? nul + 1 : "", nul ? len - rec_len - 1 : 0);
        }
        return 0;
}
