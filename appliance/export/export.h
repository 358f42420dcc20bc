/* studio-export internals: the output folder, decryption into it, the two
 * kinds of input (single sealed files, one session folder) and the
 * escaping of every outside string before it reaches a terminal.
 *
 * Everything studio-export writes goes into one folder (--out) opened once,
 * through names created with O_EXCL|O_NOFOLLOW and moved into place without
 * replacing anything, so a planted file or symlink is refused by name and
 * never written through. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <glib.h>

#include "age.h"
#include "fdutil.h"
#include "sha256.h"

/* The exit status, written once here and in --help. */
enum {
        EXPORT_EXIT_WHOLE = 0,    /* everything decrypted whole (and a session verified INTACT) */
        EXPORT_EXIT_USAGE = 1,    /* bad arguments, unreadable identity or key, output folder problem */
        EXPORT_EXIT_SALVAGED = 2, /* --salvage: a truncated input's authentic prefix was saved */
        EXPORT_EXIT_FAILED = 3,   /* verification or decryption failed: no media of it is kept */
};

/* failures outrank salvages, which outrank whole files; usage errors outrank all */
int export_exit_worst(int a, int b);

typedef struct export_keys {
        uint8_t (*sks)[AGE_KEY_LEN]; /* sodium_malloc'd */
        size_t n;
} export_keys;

typedef struct export_options {
        const char *identity, *out, *device_key, *registry;
        bool salvage, no_verify;
} export_options;

/* ---- escape.c: outside strings on a terminal ---------------------------- */

/* escape_text (common/escape.h), with "(null)" for NULL. */
char *export_escape(const char *s);
/* Formats one line of the results, escapes all of it (so every file name or
 * manifest field in it is escaped) and writes it to stdout with a newline.
 * Errors and notes go through log.h instead (log_set_escape in main). */
void export_print(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* ---- output.c: the --out folder ----------------------------------------- */

typedef struct export_out {
        const char *path; /* as given, for messages */
        int fd;
} export_out;

/* Creates the folder when missing (mode 0700) and opens it; prints why not. */
int export_out_open(const char *path, export_out *ret);
void export_out_close(export_out *o);
/* true when name is free in the folder; otherwise says so by name. */
bool export_out_name_free(const export_out *o, const char *name);
/* Says that name is taken: "DIR/name already exists (or is a link)…". */
void export_out_say_taken(const export_out *o, const char *name);
/* Writes a whole new file (mode 0600) that replaces nothing; prints why not.
 * -EEXIST when the name is taken. */
int export_out_write(const export_out *o, const char *name, const void *data, size_t len);

/* A file being decrypted, under a unique hidden name in the folder. */
typedef struct export_partial {
        char name[32]; /* .partial-XXXXXXXXXXXXXXXX */
        int fd;
} export_partial;
#define EXPORT_PARTIAL_NULL ((export_partial){.name = "", .fd = -EBADF})

int export_partial_new(const export_out *o, export_partial *ret);
/* fsyncs it and moves it to name without replacing anything (-EEXIST). */
int export_partial_commit(const export_out *o, export_partial *p, const char *name);
/* Closes and removes it (accepts one that was never created). */
void export_partial_discard(const export_out *o, export_partial *p);

/* ---- decrypt.c ------------------------------------------------------------ */

/* Decrypts in_fd into out_fd (age_decrypt_fd, so only authenticated chunks
 * are written) and hashes the plaintext written. 0 when it ran (look at
 * res->verdict), -errno on a local failure. */
int export_decrypt_fd(const export_keys *k, int in_fd, int out_fd, age_read_result *res,
                      char ret_plaintext_sha256[SHA256_HEX_LEN + 1]);
/* seg-000003.mkv.age -> seg-000003.mkv, or seg-000003.salvaged.mkv */
char *export_output_name(const char *sealed_name, bool salvaged);

/* ---- the two kinds of input (CLI code: they return an exit status) ---- */

/* Single sealed files, each decrypted as stock `age -d` would. */
int export_files_main(const export_options *opt, const export_keys *k, export_out *o, char **inputs,
                      size_t n);
/* One session folder: verified first, then decrypted. */
int export_session_main(const export_options *opt, const export_keys *k, export_out *o, const char *dir);
