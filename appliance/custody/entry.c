/* One custody entry: its JSON text, its signature and the signing rule.
 *
 * The unsigned text is json-glib's compact output of
 *   {"seq":…,"utc":…,"mono_ns":…,"event":…,<fields in order>,"prev":…}
 * and the line is that text with its final '}' replaced by
 *   ,"sig":"<88 base64 characters>"}
 * so the signed bytes are the line minus its last 98 bytes plus "}". */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "custody-internal.h"

void custody_utc_now(char out[CUSTODY_UTC_LEN + 1]) {
        gint64 us = g_get_real_time();
        time_t secs = (time_t) (us / G_USEC_PER_SEC);
        struct tm tm;

        char tmp[64];

        gmtime_r(&secs, &tm);
        /* formatted into a roomy buffer first: gcc cannot see that every
         * field fits in two digits */
        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (us % G_USEC_PER_SEC));
        g_strlcpy(out, tmp, CUSTODY_UTC_LEN + 1);
}

int64_t custody_mono_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool reserved_member(const char *name) {
        static const char *const reserved[] = {"seq", "utc", "mono_ns", "event", "prev", "sig"};

        for (size_t i = 0; i < G_N_ELEMENTS(reserved); i++)
                if (strcmp(name, reserved[i]) == 0)
                        return true;
        return false;
}

static int entry_unsigned_text(uint64_t seq, const char *utc, int64_t mono_ns, const char *event,
                               JsonObject *fields, const char *prev, char **ret, size_t *ret_len) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        JsonObjectIter it;
        const char *name;
        JsonNode *node;
        gsize len = 0;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "seq");
        json_builder_add_int_value(b, (gint64) seq);
        json_builder_set_member_name(b, "utc");
        json_builder_add_string_value(b, utc);
        json_builder_set_member_name(b, "mono_ns");
        json_builder_add_int_value(b, mono_ns);
        json_builder_set_member_name(b, "event");
        json_builder_add_string_value(b, event);
        if (fields) {
                json_object_iter_init_ordered(&it, fields);
                while (json_object_iter_next_ordered(&it, &name, &node)) {
                        if (reserved_member(name))
                                return -EINVAL;
                        json_builder_set_member_name(b, name);
                        json_builder_add_value(b, json_node_copy(node));
                }
        }
        json_builder_set_member_name(b, "prev");
        json_builder_add_string_value(b, prev);
        json_builder_end_object(b);

        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        *ret = json_generator_to_data(gen, &len);
        *ret_len = len;
        return 0;
}

/* session-start names the key that signs the session (studio-session/2),
 * so a verifier checks the session under the key it claims and only then
 * asks whether that key is trusted. Added here, it cannot be forgotten. */
static JsonObject *with_signing_key(const minisign_secret *key, JsonObject *fields) {
        JsonObject *o = json_object_new();
        char id[2 * MINISIGN_KEY_ID_LEN + 1];
        minisign_public pk;
        JsonObjectIter it;
        const char *name;
        JsonNode *node;

        if (fields) {
                json_object_iter_init_ordered(&it, fields);
                while (json_object_iter_next_ordered(&it, &name, &node))
                        json_object_set_member(o, name, json_node_copy(node));
        }
        minisign_secret_public(key, &pk);
        minisign_key_id_hex(pk.key_id, id);
        g_autofree char *b64 = minisign_public_to_base64(&pk);
        json_object_set_string_member(o, "device_key_id", id);
        json_object_set_string_member(o, "device_public_key", b64);
        return o;
}

int custody_entry_build(const minisign_secret *key, uint64_t seq, const char *utc, int64_t mono_ns,
                        const char *event, JsonObject *fields, const char *prev, char **ret_line,
                        size_t *ret_len) {
        g_autofree char *text = NULL;
        g_autoptr(JsonObject) start = NULL;
        uint8_t sig[MINISIGN_SIG_LEN];
        char b64[CUSTODY_SIG_B64_LEN + 1];
        size_t len = 0;
        int r;

        if (strcmp(event, "session-start") == 0 &&
            !(fields && json_object_has_member(fields, "device_public_key")))
                fields = start = with_signing_key(key, fields);
        r = entry_unsigned_text(seq, utc, mono_ns, event, fields, prev, &text, &len);
        if (r < 0)
                return r;
        if (len < 2 || text[len - 1] != '}' || len + CUSTODY_SIG_SUFFIX_LEN > CUSTODY_LINE_MAX)
                return len < 2 ? -EINVAL : -E2BIG;
        minisign_sign_detached(key, (const uint8_t *) text, len, sig);
        sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);

        /* drop the '}' and add ,"sig":"…"} and the newline */
        char *line = g_malloc(len - 1 + CUSTODY_SIG_SUFFIX_LEN + 2);
        size_t n = len - 1;
        memcpy(line, text, n);
        memcpy(line + n, ",\"sig\":\"", 8);
        n += 8;
        memcpy(line + n, b64, CUSTODY_SIG_B64_LEN);
        n += CUSTODY_SIG_B64_LEN;
        memcpy(line + n, "\"}\n", 3);
        n += 3;
        *ret_line = line;
        *ret_len = n;
        return 0;
}

int custody_line_signed_bytes(const char *line, size_t len, char **ret_msg, size_t *ret_msg_len,
                              uint8_t ret_sig[MINISIGN_SIG_LEN]) {
        char b64[CUSTODY_SIG_B64_LEN + 1];
        size_t bin_len = 0;
        const char *end = NULL;

        if (len < CUSTODY_SIG_SUFFIX_LEN + 2)
                return -EBADMSG;
        const char *suffix = line + len - CUSTODY_SIG_SUFFIX_LEN;
        if (memcmp(suffix, ",\"sig\":\"", 8) != 0 || memcmp(line + len - 2, "\"}", 2) != 0)
                return -EBADMSG;
        memcpy(b64, suffix + 8, CUSTODY_SIG_B64_LEN);
        b64[CUSTODY_SIG_B64_LEN] = '\0';
        if (sodium_base642bin(ret_sig, MINISIGN_SIG_LEN, b64, CUSTODY_SIG_B64_LEN, NULL, &bin_len, &end,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            bin_len != MINISIGN_SIG_LEN || end != b64 + CUSTODY_SIG_B64_LEN)
                return -EBADMSG;
        size_t n = len - CUSTODY_SIG_SUFFIX_LEN;
        char *msg = g_malloc(n + 1);
        memcpy(msg, line, n);
        msg[n] = '}';
        *ret_msg = msg;
        *ret_msg_len = n + 1;
        return 0;
}

void custody_line_hash(const char *line, size_t len, char out[SHA256_HEX_LEN + 1]) {
        uint8_t d[SHA256_LEN];

        sha256_buf(line, len, d);
        sha256_hex(d, out);
}
