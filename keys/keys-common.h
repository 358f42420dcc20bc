/* Shared by the studio-keys subcommands: exit codes and messages. The
 * key-file helpers they also use (paths, PIN entry, the device key folder)
 * are appliance/keygen/key-files.h, included here. */
#pragma once

#include "key-files.h"

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
