/* Officers file: who may start a recording, and their PIN hashes.
 *
 * One officer a line, "NUMBER:HASH", NUMBER 1..12 digits and HASH an
 * Argon2id crypto_pwhash_str string (libsodium INTERACTIVE limits). Lines
 * starting with '#' and empty lines are ignored. The file is provisioned by
 * `studio-keys officer-add` and read by the recorder.
 *
 * Functions return 0 or -errno:
 *   -EBADMSG  malformed file (officers_load sets *ret_bad_line)
 *   -EFBIG    file larger than OFFICERS_MAX lines could be
 *   -ENOENT   unknown officer
 *   -EACCES   wrong PIN
 *   -EEXIST   officer already present
 *   -EINVAL   bad officer number, or a PIN refused as weak
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define OFFICERS_NUMBER_MAX 12
#define OFFICERS_MAX 10000 /* a bigger file is refused */
#define OFFICERS_PIN_MAX 64

typedef struct officers officers;

officers *officers_new(void);
officers *officers_free(officers *o);

/* Loads and strictly parses the file; *ret_bad_line (may be NULL) is the
 * first bad line on -EBADMSG. */
int officers_load(const char *path, officers **ret, unsigned *ret_bad_line);
int officers_parse(const char *text, size_t len, officers **ret, unsigned *ret_bad_line);
/* Writes the file atomically, mode 0640. */
int officers_save(const officers *o, const char *path);

/* 0, -ENOENT (unknown officer) or -EACCES (wrong PIN). */
int officers_check_pin(const officers *o, const char *number, const char *pin);
/* The officer's Argon2id PIN hash, or NULL for an unknown number (the
 * recorder verifies against a dummy hash then, at the same cost). */
const char *officers_pin_hash(const officers *o, const char *number);
/* Hashes pin (refusing weak ones) and adds the officer; -EEXIST if present. */
int officers_add(officers *o, const char *number, const char *pin);
int officers_remove(officers *o, const char *number);

size_t officers_count(const officers *o);
const char *officers_number(const officers *o, size_t i);

/* 1..12 ASCII digits. */
bool officers_number_valid(const char *number);
/* 0 for an acceptable PIN, else -EINVAL and *ret_reason (may be NULL) says
 * why: fewer than 5 digits, not only digits, all one digit, or a straight
 * run such as 12345 or 54321. */
int officers_pin_check(const char *pin, const char **ret_reason);
