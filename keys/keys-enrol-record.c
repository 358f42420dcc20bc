/* studio-keys enrol --record FILE: the enrolment record read back from
 * what the console printed (keys-enrol-record.h). The text is hostile in
 * the ordinary way (a copy off a screen): it is bounded by the caller,
 * every field is checked, and nothing of it is echoed unescaped. */
#include "keys-enrol-record.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "escape.h"
#include "keys-common.h"
#include "sha256.h"

static const char *const field_names[] = {"device_id",        "key_id",          "public_key",   "created",
                                          "software_version", "previous_key_id", "record_check", NULL};

void keys_enrol_record_check(const char *device_id, const char *key_id, const char *public_key,
                             const char *created, char out[17]) {
        g_autofree gchar *text = g_strdup_printf("%s\n%s\n%s\n%s\n", device_id, key_id, public_key, created);
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];

        sha256_buf(text, strlen(text), digest);
        sha256_hex(digest, hex);
        memcpy(out, hex, 16);
        out[16] = '\0';
}

void keys_enrol_fields_clear(keys_enrol_fields *f) {
        g_free(f->device_id);
        g_free(f->created);
        g_free(f->software_version);
        *f = (keys_enrol_fields){};
}

/* "…name: value" at the end of line (after a blank or at its start):
 * the field's index and its value, or -ENOENT for a line of other text. */
static int field_of(const char *line, char **ret_value) {
        for (int i = 0; field_names[i]; i++) {
                g_autofree gchar *key = g_strconcat(field_names[i], ":", NULL);
                const char *at = strstr(line, key);
                if (!at || (at != line && !g_ascii_isspace(at[-1]) && at[-1] != ':' && at[-1] != ']'))
                        continue;
                *ret_value = g_strstrip(g_strdup(at + strlen(key)));
                return i;
        }
        return -ENOENT;
}

static int refuse(char **ret_message, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int refuse(char **ret_message, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        *ret_message = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return -EBADMSG;
}

static bool hex16(const char *s) {
        if (strlen(s) != 2 * MINISIGN_KEY_ID_LEN)
                return false;
        for (; *s; s++)
                if (!g_ascii_isxdigit(*s))
                        return false;
        return true;
}

static int check_fields(char *v[], keys_enrol_fields *f, char **ret_message) {
        g_autoptr(GDateTime) t = NULL;
        char pk_id[2 * MINISIGN_KEY_ID_LEN + 1], want[17];
        g_autofree char *shown = NULL;

        for (int i = 0; i < 4; i++)
                if (!v[i])
                        return refuse(ret_message,
                                      "the record has no %s line: copy the whole record the console printed "
                                      "(device_id, key_id, public_key, created, software_version)",
                                      field_names[i]);
        if (v[5])
                return refuse(ret_message,
                              "the record is of a rotated key (previous_key_id): its rotation record is a "
                              "file, so enrol it with --dir from a copy of the device's key folder");
        if (!keys_device_id_valid(v[0]))
                return refuse(ret_message,
                              "device_id \"%s\" is not a device id (1 to 64 of a-z, 0-9, '.', '_', '-')",
                              shown = escape_text(v[0]));
        if (!hex16(v[1]))
                return refuse(ret_message, "key_id \"%s\" is not 16 hex digits", shown = escape_text(v[1]));
        if (minisign_public_parse(v[2], &f->public_key) < 0)
                return refuse(
                        ret_message,
                        "public_key \"%s\" is not a minisign public key (56 characters of base64 starting "
                        "RW): compare it with the console character by character",
                        shown = escape_text(v[2]));
        minisign_key_id_hex(f->public_key.key_id, pk_id);
        if (g_ascii_strcasecmp(pk_id, v[1]) != 0)
                return refuse(
                        ret_message,
                        "public_key is of key %s, but key_id says %s: a character was mis-copied in one "
                        "of them; compare both with the console",
                        pk_id, v[1]);
        t = g_date_time_new_from_iso8601(v[3], NULL);
        if (!t)
                return refuse(ret_message, "created \"%s\" is not an RFC 3339 time (2026-12-01T10:32:00Z)",
                              shown = escape_text(v[3]));
        if (!v[6])
                return refuse(
                        ret_message,
                        "the record has no record_check line: copy the whole record the console printed, "
                        "down to its record_check line");
        keys_enrol_record_check(v[0], v[1], v[2], v[3], want);
        if (g_ascii_strcasecmp(want, v[6]) != 0)
                return refuse(
                        ret_message,
                        "the record_check line does not match device_id, key_id, public_key and created: a "
                        "character was mis-copied; compare each with the console");
        f->device_id = g_strdup(v[0]);
        memcpy(f->key_id, pk_id, sizeof pk_id);
        f->created = g_strdup(v[3]);
        f->software_version = g_strdup(v[4]);
        return 0;
}

int keys_enrol_record_parse(const char *text, size_t len, keys_enrol_fields *ret, char **ret_message) {
        g_autofree gchar *copy = g_strndup(text, len);
        g_auto(GStrv) lines = NULL;
        char *v[G_N_ELEMENTS(field_names)] = {};
        keys_enrol_fields f = {};
        int r;

        if (memchr(text, '\0', len) || !g_utf8_validate(copy, -1, NULL))
                return refuse(ret_message, "the record is not text (a NUL byte, or not UTF-8)");
        lines = g_strsplit(copy, "\n", -1);
        for (size_t n = 0; lines[n]; n++) {
                char *value = NULL;
                int i = field_of(lines[n], &value);
                if (i < 0)
                        continue;
                if (v[i] && strcmp(v[i], value) != 0) {
                        g_free(value);
                        r = refuse(
                                ret_message,
                                "line %zu gives %s a second time, differently: the file holds more than one "
                                "record; keep only the one to enrol",
                                n + 1, field_names[i]);
                        goto out;
                }
                g_free(v[i]);
                v[i] = value;
        }
        r = check_fields(v, &f, ret_message);
        if (r == 0)
                *ret = f;
out:
        for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
                g_free(v[i]);
        return r;
}
