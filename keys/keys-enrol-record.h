/* The enrolment record as the device's console prints it
 * (keys_enrol_fprint: "device_id: …", "key_id: …", "public_key: …",
 * "created: …", "software_version: …"[, "previous_key_id: …"]), read back
 * for `studio-keys enrol --record FILE` (keys-enrol-record.c). */
#pragma once

#include <stddef.h>

#include "minisign.h"

#define KEYS_RECORD_FILE_MAX (64u << 10)

typedef struct keys_enrol_fields {
        char *device_id;
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1]; /* upper-case, as minisign prints it */
        minisign_public public_key;
        char *created;
        char *software_version; /* NULL when the record had none */
} keys_enrol_fields;

void keys_enrol_fields_clear(keys_enrol_fields *f);

/* The record's record_check line: the first 16 hex digits of the SHA-256 of
 * "device_id\nkey_id\npublic_key\ncreated\n", so that a character mis-read
 * anywhere in them (a public key's bytes are not covered by its key id) is
 * caught before a wrong key is trusted. */
void keys_enrol_record_check(const char *device_id, const char *key_id, const char *public_key,
                             const char *created, char out[17]);

/* Finds the record in text as it was copied off the console or a screen
 * photo: other lines (the console's prefix line, a log prefix before a
 * field, blank lines, CR LF) are ignored, blanks around a value too. The
 * record itself is checked strictly: each field once, a valid device id,
 * 16 hex digits of key id, a minisign public key whose own key id is that
 * key id, an RFC 3339 time, and the check line over all of them (a
 * mis-copied character shows up here). A
 * rotated key (previous_key_id) is refused: its rotation record is a file
 * that only --dir can bring. 0, or -EBADMSG with *ret_message saying
 * which line is wrong and how to fix it. */
int keys_enrol_record_parse(const char *text, size_t len, keys_enrol_fields *ret, char **ret_message);
