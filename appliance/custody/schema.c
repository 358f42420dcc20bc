/* The fields each custody event carries, and their types. Unknown extra
 * members are allowed (as scalars) so the recorder can add detail; the
 * listed ones must be present with the listed type. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"

typedef enum field_type { F_STR, F_INT, F_BOOL, F_STRV, F_HASH, F_TRACKS } field_type;

typedef struct field_spec {
        const char *name;
        field_type type;
        bool required;
} field_spec;

#define END                                                                                                 \
        { NULL, F_STR, false }

static const field_spec f_start[] = {
        {"session", F_STR, true},
        {"officer", F_STR, true},
        {"room", F_STR, true},
        {"device_id", F_STR, true},
        {"software_version", F_STR, true},
        {"profile", F_STR, true},
        {"profile_sha256", F_STR, true},
        {"cameras", F_STRV, true},
        {"microphones", F_STRV, true},
        /* studio-session/3: the audio tracks, one object each */
        {"tracks", F_TRACKS, false},
        {"clock_sync", F_STR, true},
        {"recipients", F_STRV, true},
        {"device_key_id", F_STR, false},
        {"device_public_key", F_STR, false},
        END,
};
static const field_spec f_checkpoint[] = {
        {"segment", F_STR, true},
        {"sealed_bytes", F_INT, true},
        {"sealed_sha256", F_HASH, true},
        {"media_ns", F_INT, true},
        END,
};
static const field_spec f_sealed[] = {
        {"segment", F_STR, true},
        {"plaintext_sha256", F_HASH, true},
        {"sealed_sha256", F_HASH, true},
        {"plaintext_bytes", F_INT, true},
        {"sealed_bytes", F_INT, true},
        {"media_start_ns", F_INT, true},
        {"duration_ns", F_INT, true},
        {"wall_start", F_STR, true},
        {"wall_end", F_STR, true},
        {"tracks", F_STRV, false},
        END,
};
static const field_spec f_mark[] = {
        {"media_ns", F_INT, true},
        {"note", F_STR, false},
        /* the sealed note: only its type here; a note that does not open is
         * the verifier's warning, never a malformed log (custody_note_open) */
        {"note_age", F_STR, false},
        END,
};
static const field_spec f_fault[] = {{"what", F_STR, true}, {"detail", F_STR, true}, END};
static const field_spec f_recovery[] = {
        {"segment", F_STR, false},
        {"last_checkpoint_seq", F_INT, false},
        {"checkpoint_sealed_bytes", F_INT, false},
        {"checkpoint_match", F_BOOL, false},
        {"sealed_bytes_on_disk", F_INT, false},
        {"sealed_sha256_on_disk", F_HASH, false},
        {"salvageable_bytes", F_INT, false},
        {"media_ns", F_INT, false},
        {"log_partial_bytes", F_INT, true},
        END,
};
static const field_spec f_stop[] = {{"reason", F_STR, true}, {"segments", F_INT, true}, END};

static const struct {
        const char *name;
        const field_spec *fields;
} events[_CUSTODY_EV_MAX] = {
        [CUSTODY_EV_SESSION_START] = {"session-start", f_start},
        [CUSTODY_EV_CHECKPOINT] = {"checkpoint", f_checkpoint},
        [CUSTODY_EV_SEGMENT_SEALED] = {"segment-sealed", f_sealed},
        [CUSTODY_EV_MARK] = {"mark", f_mark},
        [CUSTODY_EV_BREAK] = {"break", f_mark},
        [CUSTODY_EV_RESUME] = {"resume", f_mark},
        [CUSTODY_EV_FAULT] = {"fault", f_fault},
        [CUSTODY_EV_RECOVERY] = {"recovery", f_recovery},
        [CUSTODY_EV_STOP] = {"stop", f_stop},
};

const char *custody_event_to_string(custody_event ev) {
        if (ev < 0 || ev >= _CUSTODY_EV_MAX)
                return NULL;
        return events[ev].name;
}

custody_event custody_event_from_string(const char *s) {
        for (int i = 0; s && i < _CUSTODY_EV_MAX; i++)
                if (strcmp(s, events[i].name) == 0)
                        return (custody_event) i;
        return _CUSTODY_EV_INVALID;
}

static bool node_is(JsonNode *n, field_type t);

/* A track names its role, label, device and channel (0: the whole source),
 * whether it is required and, when given, its language; nothing else. */
static bool track_is(JsonNode *n) {
        static const field_spec f_track[] = {
                {"role", F_STR, true},
                {"label", F_STR, true},
                {"device", F_STR, true},
                {"channel", F_INT, true},
                {"required", F_BOOL, true},
                {"language", F_STR, false},
                END,
        };
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        guint known = 0;

        if (!o)
                return false;
        for (const field_spec *f = f_track; f->name; f++) {
                JsonNode *m = json_object_get_member(o, f->name);
                if (!m ? f->required : !node_is(m, f->type))
                        return false;
                if (m && f->type == F_INT && json_node_get_int(m) < 0)
                        return false;
                known += m != NULL;
        }
        return known == json_object_get_size(o);
}

static bool tracks_are(JsonNode *n) {
        JsonArray *a = JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
        guint len = a ? json_array_get_length(a) : 0;

        if (len == 0 || len > CUSTODY_TRACKS_MAX)
                return false;
        for (guint i = 0; i < len; i++)
                if (!track_is(json_array_get_element(a, i)))
                        return false;
        return true;
}

static bool node_is(JsonNode *n, field_type t) {
        if (t == F_TRACKS)
                return tracks_are(n);
        if (t == F_STRV) {
                if (!JSON_NODE_HOLDS_ARRAY(n))
                        return false;
                JsonArray *a = json_node_get_array(n);
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                                return false;
                }
                return true;
        }
        if (!JSON_NODE_HOLDS_VALUE(n))
                return false;
        GType vt = json_node_get_value_type(n);
        if (t == F_HASH)
                return vt == G_TYPE_STRING && custody_hex64_valid(json_node_get_string(n));
        return (t == F_STR && vt == G_TYPE_STRING) || (t == F_INT && vt == G_TYPE_INT64) ||
               (t == F_BOOL && vt == G_TYPE_BOOLEAN);
}

static const char *type_name(field_type t) {
        if (t == F_HASH)
                return "64 lower-case hex digits";
        if (t == F_TRACKS)
                return "1 to 16 tracks, each with a role, label, device, channel and required";
        return t == F_STR    ? "a string"
               : t == F_INT  ? "an integer"
               : t == F_BOOL ? "true or false"
                             : "an array of strings";
}

int custody_schema_check(custody_event ev, JsonObject *obj, char *err, size_t errlen) {
        if (ev < 0 || ev >= _CUSTODY_EV_MAX) {
                snprintf(err, errlen, "unknown event");
                return -EBADMSG;
        }
        for (const field_spec *f = events[ev].fields; f->name; f++) {
                JsonNode *n = obj ? json_object_get_member(obj, f->name) : NULL;
                if (!n) {
                        if (!f->required)
                                continue;
                        snprintf(err, errlen, "%s entry lacks \"%s\"", events[ev].name, f->name);
                        return -EBADMSG;
                }
                if (!node_is(n, f->type)) {
                        snprintf(err, errlen, "\"%s\" of a %s entry must be %s", f->name, events[ev].name,
                                 type_name(f->type));
                        return -EBADMSG;
                }
                if (f->type == F_INT && json_node_get_int(n) < 0) {
                        snprintf(err, errlen, "\"%s\" must not be negative", f->name);
                        return -EBADMSG;
                }
        }
        const char *seg = obj && json_object_has_member(obj, "segment")
                                  ? json_object_get_string_member(obj, "segment")
                                  : NULL;
        if (seg && !custody_segment_name_valid(seg)) {
                snprintf(err, errlen, "\"segment\" is not a segment name (seg-NNNNNN.mkv.age)");
                return -EBADMSG;
        }
        return 0;
}

bool custody_segment_name_valid(const char *name) {
        size_t len = name ? strlen(name) : 0, digits = 0;

        if (len < 4 + 1 + 8 || len > 4 + 12 + 8 || strncmp(name, "seg-", 4) != 0)
                return false;
        for (const char *p = name + 4; *p >= '0' && *p <= '9'; p++)
                digits++;
        return digits >= 1 && digits <= 12 && strcmp(name + 4 + digits, ".mkv.age") == 0;
}

bool custody_utc_valid(const char *s) {
        static const char pat[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";

        if (!s || strlen(s) != CUSTODY_UTC_LEN)
                return false;
        for (size_t i = 0; i < CUSTODY_UTC_LEN; i++) {
                if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
                        return false;
        }
        return true;
}

bool custody_hex64_valid(const char *s) {
        if (!s || strlen(s) != SHA256_HEX_LEN)
                return false;
        for (size_t i = 0; i < SHA256_HEX_LEN; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}
