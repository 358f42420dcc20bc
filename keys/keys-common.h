/* Shared by the studio-keys subcommands: exit codes, messages, PIN entry,
 * time stamps and the device directory's file names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "minisign.h"

/* Exit codes, documented in `studio-keys --help`. */
enum {
        KEYS_EXIT_OK = 0,
        KEYS_EXIT_FAILURE = 1,   /* I/O error, malformed input, bad signature */
        KEYS_EXIT_USAGE = 2,     /* wrong command line */
        KEYS_EXIT_EXISTS = 3,    /* refused: would overwrite, duplicate, already enrolled */
        KEYS_EXIT_PIN = 4,       /* PIN refused: weak, or the two entries differ */
        KEYS_EXIT_NOT_FOUND = 5, /* unknown officer or key id */
};

/* Logs the message as an error (log.h: "PROGRAM: message" on stderr) and
 * returns code, so that a command logs and returns its exit code in one line.
 * keys_usage_error adds "CMD: " before it and a line "Try 'studio-keys CMD
 * --help'." after it. */
int keys_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int keys_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long returned '?': names the word it could not use. */
int keys_option_error(const char *cmd, char **argv);

/* Default places, the same in every --help and in docs/key-ceremony.md. */
#define KEYS_DEVICE_DIR_DEFAULT "/var/lib/studio/keys"
#define KEYS_OFFICERS_DEFAULT "/etc/studio/officers"

bool keys_exists(const char *path);
/* mkdir -p: creates the missing parents of path with parent_mode (0755:
 * others must still reach a key folder below them) and path itself with
 * mode; 0 or -errno. */
int keys_mkdir_p(const char *path, mode_t parent_mode, mode_t mode);
/* Creates the missing folders above the file path (mode 0755). */
int keys_mkdir_for_file(const char *path);
/* dir + "/" + name (caller frees); NULL on OOM. */
char *keys_path(const char *dir, const char *name);

/* RFC 3339 time: UTC with "Z" (utc) or local time with its offset. */
void keys_time_rfc3339(time_t t, bool utc, char out[32]);

/* Reads a PIN: from the terminal without echo, asked twice, or one line from
 * stdin when it is not a terminal. Result in sodium_malloc'd memory (free
 * with sodium_free). Returns 0, -EBADMSG when the entries differ, -EIO. */
int keys_read_pin(const char *prompt, char **ret_pin);
/* The same, asked once on a terminal (to check a PIN, not to set one). */
int keys_read_pin_once(const char *prompt, char **ret_pin);

/* Loads DIR/device.pub and DIR/device.id: 0, or -errno with *ret_message
 * (g_free) naming the file and what to run. */
int keys_device_load(const char *dir, minisign_public *ret_pk, char **ret_device_id, char **ret_message);
bool keys_device_id_valid(const char *id);
