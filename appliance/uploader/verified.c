/* [uploader] wipe_after = verified: the police side's word before a wipe.
 * The intake (docs/intake.md) writes RECORDS/verifications/<session>.json
 * and its .minisig; this module reads them through the records' place
 * (dir: or s3://, bounded: they are outside input, written by whoever can
 * write there), checks the signature under an intake key the appliance
 * was provisioned with, and that the record is of this session, of the
 * very manifest on the disk, with a verdict that lets the copy go. It
 * never links the intake: its own small parser, bounded in size and
 * depth. */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "uploader.h"
#include "util.h"

#define RECORD_FORMAT "studio-intake-record/1" /* as appliance/intake/intake.h */

/* ---- the intake's public keys ---- */

int upl_intake_keys_parse(const char *text, size_t len, upl_intake_keys *ret, gchar **ret_message) {
        g_autofree gchar *copy = g_strndup(text, len);
        g_auto(GStrv) lines = NULL;

        memset(ret, 0, sizeof(*ret));
        if (strlen(copy) != len) {
                *ret_message = g_strdup("it holds a NUL byte: not a minisign public key file");
                return -EBADMSG;
        }
        lines = g_strsplit(copy, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_strstrip(*l);
                if (!**l || g_str_has_prefix(*l, "untrusted comment:"))
                        continue;
                if (ret->n == UPL_INTAKE_KEYS_MAX) {
                        *ret_message = g_strdup_printf("it holds more than %d keys", UPL_INTAKE_KEYS_MAX);
                        return -E2BIG;
                }
                if (minisign_public_parse(*l, &ret->keys[ret->n]) < 0) {
                        *ret_message = g_strdup_printf("line %u is not a minisign public key",
                                                       (unsigned) (l - lines) + 1);
                        return -EBADMSG;
                }
                ret->n++;
        }
        if (ret->n == 0) {
                *ret_message = g_strdup("it holds no minisign public key");
                return -EBADMSG;
        }
        return 0;
}

int upl_intake_keys_load(const char *path, upl_intake_keys *ret, gchar **ret_message) {
        g_autofree char *data = NULL, *why = NULL;
        size_t len = 0;
        int r = fs_read_file(path, UPL_INTAKE_KEYS_FILE_MAX, &data, &len);

        if (r >= 0)
                r = upl_intake_keys_parse(data, len, ret, &why);
        if (r < 0) {
                g_autofree char *shown = escape_text(path);
                *ret_message = g_strdup_printf(
                        "[uploader] intake_key %s cannot be used (%s): install the intake's intake.pub from "
                        "the provisioning bundle (studio-provision), or set wipe_after = receipts",
                        shown, why ? why : g_strerror(-r));
        }
        return r;
}

/* ---- the record ---- */

static const char *member(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
                       ? json_node_get_string(n)
                       : NULL;
}

/* why, then the record's value (escaped) when it has one. */
static int refused(gchar **ret_message, int r, const char *why, const char *value) {
        g_autofree char *shown = value ? escape_text(value) : NULL;
        *ret_message = g_strdup_printf("%s%s%s%s", why, shown ? " (\"" : "", shown ? shown : "",
                                       shown ? "\")" : "");
        return r;
}

/* The signature first: nothing of a record is believed before it verifies. */
static int check_signature(const char *rec, size_t len, const char *sig, size_t sig_len,
                           const upl_intake_keys *keys, gchar **ret_message) {
        uint8_t id[MINISIGN_KEY_ID_LEN];
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];

        if (minisign_sig_key_id(sig, sig_len, id) < 0)
                return refused(ret_message, -EBADMSG, "its .minisig is not a minisign signature", NULL);
        for (size_t i = 0; i < keys->n; i++) {
                if (memcmp(keys->keys[i].key_id, id, sizeof(id)) != 0)
                        continue;
                if (minisign_verify_buf(&keys->keys[i], (const uint8_t *) rec, len, sig, sig_len, NULL) < 0)
                        return refused(ret_message, -EBADE,
                                       "its signature does not verify under the provisioned intake key",
                                       NULL);
                return 0;
        }
        minisign_key_id_hex(id, hex);
        *ret_message = g_strdup_printf("it is signed by key %s, which is not a provisioned intake key "
                                       "([uploader] intake_key)",
                                       hex);
        return -EKEYREJECTED;
}

int upl_record_check(const char *rec, size_t len, const char *sig, size_t sig_len,
                     const upl_intake_keys *keys, const char *session, const char *manifest_sha256,
                     bool recovered, gchar **ret_message) {
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        g_autofree char *why = NULL;
        const char *verdict;
        JsonObject *o;
        int r;

        if (len > UPL_RECORD_MAX || sig_len > UPL_RECORD_MAX)
                return refused(ret_message, -EFBIG, "the record or its signature is larger than any record",
                               NULL);
        if ((r = check_signature(rec, len, sig, sig_len, keys, ret_message)) < 0)
                return r;
        if (json_load_bounded(p, rec, len, UPL_RECORD_MAX, &why) < 0 || !json_parser_get_root(p) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
                return refused(ret_message, -EBADMSG, "it is not one JSON object", NULL);
        o = json_node_get_object(json_parser_get_root(p));
        if (g_strcmp0(member(o, "format"), RECORD_FORMAT) != 0)
                return refused(ret_message, -EBADMSG, "it is not a record of " RECORD_FORMAT,
                               member(o, "format"));
        if (g_strcmp0(member(o, "session"), session) != 0)
                return refused(ret_message, -ESRCH, "it is the record of another session",
                               member(o, "session"));
        if (g_strcmp0(member(o, "manifest_sha256"), manifest_sha256) != 0)
                return refused(
                        ret_message, -ESRCH,
                        "it is the record of another manifest than the one here: its manifest_sha256 is",
                        member(o, "manifest_sha256"));
        verdict = member(o, "verdict");
        if (g_strcmp0(verdict, "INTACT") == 0)
                return 0;
        if (g_strcmp0(verdict, "TRUNCATED") == 0 && recovered)
                return 0;
        return refused(ret_message, -EPROTO,
                       g_strcmp0(verdict, "TRUNCATED") == 0
                               ? "its verdict is TRUNCATED, but the device did not recover this session "
                                 "after a power cut"
                               : "its verdict is not INTACT",
                       verdict);
}
