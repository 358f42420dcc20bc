/* Reading a provisioning bundle strictly: apart from the commands, so that
 * studio-provision, the fuzz target and the unit tests use exactly what
 * bundle-make checks before it signs. GLib code: g_auto*. */
#include "bundle.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "age.h"
#include "conf-check.h"
#include "escape.h"
#include "json-bounded.h"
#include "minisign.h"
#include "officers.h"

keys_bundle *keys_bundle_free(keys_bundle *b) {
        if (!b)
                return NULL;
        g_free(b->created);
        g_strfreev(b->recipients);
        g_free(b->officers);
        g_free(b->vault);
        g_free(b->endpoint);
        g_free(b->region);
        g_free(b->room);
        g_free(b->profile);
        g_strfreev(b->devices);
        g_strfreev(b->intake_keys);
        g_free(b->wipe_after);
        g_free(b);
        return NULL;
}

static int refuse(gchar **ret_message, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int refuse(gchar **ret_message, const char *fmt, ...) {
        va_list ap;

        if (ret_message) {
                va_start(ap, fmt);
                *ret_message = g_strdup_vprintf(fmt, ap);
                va_end(ap);
        }
        return -EBADMSG;
}

/* One line of printable UTF-8: it goes into studio.conf, a GKeyFile. */
static bool text_valid(const char *s, size_t max) {
        size_t len = strlen(s);

        if (len == 0 || len > max || !g_utf8_validate(s, (gssize) len, NULL))
                return false;
        for (const char *p = s; *p; p = g_utf8_next_char(p))
                if (escape_code_point_unsafe(g_utf8_get_char(p)) || *p == '\\')
                        return false;
        return true;
}

static bool chars_valid(const char *s, size_t max, const char *allowed) {
        size_t len = strlen(s);

        return len > 0 && len <= max && strspn(s, allowed) == len;
}

int keys_bundle_check_vault(const char *vault, gchar **ret_message) {
        g_autofree gchar *shown = escape_text(vault);

        if (g_str_has_prefix(vault, "dir:/") && text_valid(vault, KEYS_BUNDLE_STRING_MAX))
                return 0;
        if (g_str_has_prefix(vault, "s3://") && conf_check_s3_vault(vault, NULL) == 0)
                return 0;
        return refuse(
                ret_message,
                "uploader.vault '%s' is not a vault address (dir:/absolute/path or s3://bucket/prefix)",
                shown);
}

int keys_bundle_check_endpoint(const char *endpoint, gchar **ret_message) {
        g_autofree gchar *shown = escape_text(endpoint);
        g_autofree char *why = NULL;

        if (strlen(endpoint) <= KEYS_BUNDLE_STRING_MAX && conf_check_endpoint(endpoint, &why) == 0)
                return 0;
        return refuse(ret_message, "uploader.endpoint '%s' %s", shown,
                      why ? why : "is too long (https://host[:port])");
}

/* Every member must be one of these, of this JSON type. */
typedef struct member {
        const char *name;
        JsonNodeType node;
        GType value; /* for JSON_NODE_VALUE */
        bool required;
} member;

static const member top_members[] = {
        {"format", JSON_NODE_VALUE, G_TYPE_STRING, true},   {"serial", JSON_NODE_VALUE, G_TYPE_INT64, true},
        {"created", JSON_NODE_VALUE, G_TYPE_STRING, true},  {"recipients", JSON_NODE_ARRAY, 0, true},
        {"officers", JSON_NODE_VALUE, G_TYPE_STRING, true}, {"uploader", JSON_NODE_OBJECT, 0, true},
        {"recorder", JSON_NODE_OBJECT, 0, false},           {"devices", JSON_NODE_ARRAY, 0, true},
};
static const member uploader_members[] = {
        {"vault", JSON_NODE_VALUE, G_TYPE_STRING, true},
        {"endpoint", JSON_NODE_VALUE, G_TYPE_STRING, false},
        {"region", JSON_NODE_VALUE, G_TYPE_STRING, false},
        {"retention_days", JSON_NODE_VALUE, G_TYPE_INT64, false},
        {"intake_keys", JSON_NODE_ARRAY, 0, false},
        {"wipe_after", JSON_NODE_VALUE, G_TYPE_STRING, false},
};
static const member recorder_members[] = {
        {"room", JSON_NODE_VALUE, G_TYPE_STRING, false},
        {"profile", JSON_NODE_VALUE, G_TYPE_STRING, false},
};

/* Only known members, each of its type, the required ones present. */
static int members_check(JsonObject *o, const char *where, const member *m, size_t n, gchar **msg) {
        g_autoptr(GList) names = json_object_get_members(o);

        for (GList *l = names; l; l = l->next) {
                size_t i = 0;
                while (i < n && strcmp(m[i].name, l->data) != 0)
                        i++;
                if (i == n) {
                        g_autofree gchar *shown = escape_text(l->data);
                        return refuse(msg, "%s has a member '%s' this release does not know", where, shown);
                }
        }
        for (size_t i = 0; i < n; i++) {
                JsonNode *v = json_object_get_member(o, m[i].name);
                if (!v && m[i].required)
                        return refuse(msg, "%s lacks the member \"%s\"", where, m[i].name);
                if (v && (JSON_NODE_TYPE(v) != m[i].node ||
                          (m[i].node == JSON_NODE_VALUE && json_node_get_value_type(v) != m[i].value)))
                        return refuse(msg, "%s member \"%s\" is not %s", where, m[i].name,
                                      m[i].node == JSON_NODE_ARRAY    ? "an array"
                                      : m[i].node == JSON_NODE_OBJECT ? "an object"
                                      : m[i].value == G_TYPE_INT64    ? "an integer"
                                                                      : "a string");
        }
        return 0;
}

static const char *get_string(JsonObject *o, const char *name) {
        return json_object_get_string_member_with_default(o, name, NULL);
}

static int parse_recipients(JsonArray *a, keys_bundle *b, gchar **msg) {
        guint n = json_array_get_length(a);
        uint8_t pk[AGE_KEY_LEN];

        if (n == 0 || n > AGE_RECIPIENT_MAX)
                return refuse(msg, "recipients must list 1 to %d age recipients", AGE_RECIPIENT_MAX);
        b->recipients = g_new0(gchar *, n + 1);
        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                const char *s;
                int r;

                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                        return refuse(msg, "recipients[%u] is not a string", i);
                s = json_node_get_string(e);
                r = age_recipient_parse(s, pk);
                if (r < 0) {
                        g_autofree gchar *shown = escape_text(age_recipient_shown(s));
                        return refuse(msg, "recipients[%u] '%s' %s", i, shown, age_recipient_refusal(r));
                }
                b->recipients[i] = g_strdup(s);
        }
        return 0;
}

static int parse_devices(JsonArray *a, keys_bundle *b, gchar **msg) {
        guint n = json_array_get_length(a);

        if (n == 0 || n > KEYS_BUNDLE_DEVICES_MAX)
                return refuse(msg,
                              "devices must name 1 to %d device ids the bundle is for (bundle-make --device "
                              "ID)",
                              KEYS_BUNDLE_DEVICES_MAX);
        b->devices = g_new0(gchar *, n + 1);
        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                g_autofree char *why = NULL;
                const char *s;

                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                        return refuse(msg, "devices[%u] is not a string", i);
                s = json_node_get_string(e);
                if (conf_check_device_id(s, &why) < 0) {
                        g_autofree gchar *shown = escape_text(s);
                        return refuse(msg, "devices[%u] '%s' %s", i, shown, why);
                }
                if (g_strv_contains((const gchar *const *) b->devices, s)) {
                        g_autofree gchar *shown = escape_text(s);
                        return refuse(msg, "devices names '%s' twice", shown);
                }
                b->devices[i] = g_strdup(s);
        }
        return 0;
}

static int parse_officers(const char *text, keys_bundle *b, gchar **msg) {
        officers *o = NULL;
        unsigned bad = 0;
        int r = officers_parse(text, strlen(text), &o, &bad);

        if (r == -EBADMSG)
                return refuse(msg,
                              "officers line %u is malformed (expected NUMBER:Argon2id hash, as "
                              "'studio-keys officer-add' writes)",
                              bad);
        if (r < 0)
                return refuse(msg, "officers: %s", g_strerror(-r));
        b->officers_count = officers_count(o);
        officers_free(o);
        if (b->officers_count == 0)
                return refuse(msg, "officers names no officer (add one with 'studio-keys officer-add')");
        b->officers = g_strdup(text);
        return 0;
}

/* The intake's public keys: minisign's base64 line each, distinct. */
static int parse_intake_keys(JsonArray *a, keys_bundle *b, gchar **msg) {
        guint n = json_array_get_length(a);
        minisign_public pk;

        if (n == 0 || n > KEYS_BUNDLE_INTAKE_KEYS_MAX)
                return refuse(msg, "uploader.intake_keys must list 1 to %d intake public keys",
                              KEYS_BUNDLE_INTAKE_KEYS_MAX);
        b->intake_keys = g_new0(gchar *, n + 1);
        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                const char *s;

                if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                        return refuse(msg, "uploader.intake_keys[%u] is not a string", i);
                s = json_node_get_string(e);
                if (strlen(s) > KEYS_BUNDLE_STRING_MAX || strchr(s, '\n') ||
                    minisign_public_parse(s, &pk) < 0)
                        return refuse(msg,
                                      "uploader.intake_keys[%u] is not a minisign public key (the RW… line "
                                      "of the intake.pub 'studio-keys intake-init' made)",
                                      i);
                if (g_strv_contains((const gchar *const *) b->intake_keys, s))
                        return refuse(msg, "uploader.intake_keys names the same key twice");
                b->intake_keys[i] = g_strdup(s);
        }
        return 0;
}

static int parse_wipe_after(JsonObject *u, keys_bundle *b, gchar **msg) {
        const char *s = get_string(u, "wipe_after");

        if (!s)
                return 0;
        if (strcmp(s, "receipts") != 0 && strcmp(s, "verified") != 0)
                return refuse(msg, "uploader.wipe_after must be \"receipts\" or \"verified\"");
        if (strcmp(s, "verified") == 0 && !b->intake_keys)
                return refuse(msg, "uploader.wipe_after \"verified\" needs uploader.intake_keys (the "
                                   "intake's public key, to check its records with)");
        b->wipe_after = g_strdup(s);
        return 0;
}

static int parse_uploader(JsonObject *u, keys_bundle *b, gchar **msg) {
        const char *s;
        int r = members_check(u, "uploader", uploader_members, G_N_ELEMENTS(uploader_members), msg);

        if (r < 0)
                return r;
        r = keys_bundle_check_vault(get_string(u, "vault"), msg);
        if (r < 0)
                return r;
        b->vault = g_strdup(get_string(u, "vault"));
        if ((s = get_string(u, "endpoint"))) {
                r = keys_bundle_check_endpoint(s, msg);
                if (r < 0)
                        return r;
                b->endpoint = g_strdup(s);
        }
        if ((s = get_string(u, "region"))) {
                if (conf_check_region(s, NULL) < 0)
                        return refuse(msg, "uploader.region is not a region name (a-z, 0-9, '-')");
                b->region = g_strdup(s);
        }
        if (json_object_has_member(u, "retention_days")) {
                gint64 d = json_object_get_int_member(u, "retention_days");
                if (d < 1 || d > KEYS_BUNDLE_RETENTION_MAX)
                        return refuse(msg, "uploader.retention_days must be 1 to %d",
                                      KEYS_BUNDLE_RETENTION_MAX);
                b->retention_days = (int) d;
        }
        if (json_object_has_member(u, "intake_keys") &&
            (r = parse_intake_keys(json_object_get_array_member(u, "intake_keys"), b, msg)) < 0)
                return r;
        return parse_wipe_after(u, b, msg);
}

static int parse_recorder(JsonObject *o, keys_bundle *b, gchar **msg) {
        const char *s;
        int r = members_check(o, "recorder", recorder_members, G_N_ELEMENTS(recorder_members), msg);

        if (r < 0)
                return r;
        if ((s = get_string(o, "room"))) {
                g_autofree char *why = NULL;
                if (conf_check_room(s, strlen(s), &why) < 0) {
                        g_autofree gchar *shown = escape_text(s);
                        return refuse(msg, "recorder.room '%s' %s", shown, why);
                }
                b->room = g_strdup(s);
        }
        if ((s = get_string(o, "profile"))) {
                if (!chars_valid(s, 64, "abcdefghijklmnopqrstuvwxyz0123456789-_"))
                        return refuse(msg,
                                      "recorder.profile must name a built-in profile (a-z, 0-9, '-', '_')");
                b->profile = g_strdup(s);
        }
        return 0;
}

static int parse_root(JsonObject *o, keys_bundle *b, gchar **msg) {
        const char *s;
        int r = members_check(o, "the bundle", top_members, G_N_ELEMENTS(top_members), msg);

        if (r < 0)
                return r;
        if (strcmp(get_string(o, "format"), KEYS_BUNDLE_FORMAT) != 0)
                return refuse(msg, "format is not \"%s\" (made by another release?)", KEYS_BUNDLE_FORMAT);
        b->serial = json_object_get_int_member(o, "serial");
        if (b->serial < 1 || b->serial > KEYS_BUNDLE_SERIAL_MAX)
                return refuse(msg, "serial must be 1 to 2^53");
        s = get_string(o, "created");
        if (!chars_valid(s, 32, "0123456789-:TZ"))
                return refuse(msg, "created is not an RFC 3339 UTC time");
        b->created = g_strdup(s);
        r = parse_devices(json_object_get_array_member(o, "devices"), b, msg);
        if (r >= 0)
                r = parse_recipients(json_object_get_array_member(o, "recipients"), b, msg);
        if (r >= 0)
                r = parse_officers(get_string(o, "officers"), b, msg);
        if (r >= 0)
                r = parse_uploader(json_object_get_object_member(o, "uploader"), b, msg);
        if (r >= 0 && json_object_has_member(o, "recorder"))
                r = parse_recorder(json_object_get_object_member(o, "recorder"), b, msg);
        return r;
}

int keys_bundle_parse(const char *data, size_t len, keys_bundle **ret, gchar **ret_message) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(keys_bundle) b = g_new0(keys_bundle, 1);
        g_autofree gchar *why = NULL;
        JsonNode *root;
        int r;

        if (len > KEYS_BUNDLE_MAX)
                return refuse(ret_message, "larger than %u bytes", KEYS_BUNDLE_MAX), -EFBIG;
        /* a bundle is flat: refuse a deep text before json-glib recurses */
        if (json_depth_check(data, len, KEYS_BUNDLE_DEPTH_MAX) < 0)
                return refuse(ret_message, "nested deeper than %d levels", KEYS_BUNDLE_DEPTH_MAX), -ELOOP;
        r = json_load_bounded(parser, data, len, KEYS_BUNDLE_MAX, &why);
        if (r < 0)
                return refuse(ret_message, "%s", why ? why : "not JSON"), r;
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return refuse(ret_message, "not a JSON object");
        r = parse_root(json_node_get_object(root), b, ret_message);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&b);
        return 0;
}
