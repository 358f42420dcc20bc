/* studio-keys officer-add / officer-remove / officer-list. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys-commands.h"
#include "keys-common.h"
#include "log.h"
#include "officers.h"
#include "util.h"

static void officers_freep(officers **o) {
        officers_free(*o);
}

static void officer_help(const char *cmd) {
        bool add = strcmp(cmd, "officer-add") == 0;

        printf("Usage: studio-keys %s [--file FILE]%s\n\n", cmd,
               strcmp(cmd, "officer-list") ? " NUMBER" : "");
        puts("Officers file: one \"NUMBER:<Argon2id PIN hash>\" a line, written atomically\n"
             "with mode 0640. NUMBER is the officer number, 1 to 12 digits.\n"
             "officer-add asks for the PIN twice without echo (or reads one line from\n"
             "stdin when it is not a terminal). PINs are refused when they have fewer\n"
             "than 5 digits, anything but digits, one repeated digit (11111) or a\n"
             "straight run (12345, 54321).\n");
        printf("  --file FILE   the officers file (default %s)%s\n"
               "  --help        this text\n",
               KEYS_OFFICERS_DEFAULT,
               add ? ";\n                created with any missing folder above it (0755)" : "");
}

/* Parses "--file FILE [NUMBER]"; returns KEYS_EXIT_OK or an exit code. */
static int officer_args(const char *cmd, int argc, char **argv, bool want_number, const char **ret_file,
                        const char **ret_number, bool *ret_help) {
        static const struct option opts[] = {
                {"file", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {}};
        int c;

        *ret_help = false;
        *ret_file = KEYS_OFFICERS_DEFAULT;
        while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) >= 0) {
                if (c == 'f')
                        *ret_file = optarg;
                else if (c == 'h')
                        return officer_help(cmd), *ret_help = true, KEYS_EXIT_OK;
                else
                        return keys_option_error(cmd, argv);
        }
        if (optind + (want_number ? 1 : 0) != argc)
                return keys_usage_error(cmd, "%s",
                                        want_number ? "needs one officer NUMBER" : "takes no NUMBER");
        if (want_number) {
                *ret_number = argv[optind];
                if (!officers_number_valid(*ret_number))
                        return keys_usage_error(cmd, "officer number '%s' is not valid (1 to 12 digits)",
                                                *ret_number);
        }
        return KEYS_EXIT_OK;
}

static int officer_load(const char *file, bool missing_ok, officers **ret) {
        unsigned line = 0;
        int r = officers_load(file, ret, &line);

        if (r == -ENOENT && missing_ok) {
                *ret = officers_new();
                return *ret ? KEYS_EXIT_OK : keys_error(KEYS_EXIT_FAILURE, "out of memory");
        }
        if (r == -EBADMSG)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "%s line %u is not \"NUMBER:<argon2id hash>\": fix or remove "
                                  "that line",
                                  file, line);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the officers file %s: %s", file,
                                  strerror(-r));
        return KEYS_EXIT_OK;
}

static int officer_save(const officers *o, const char *file) {
        int r = keys_mkdir_for_file(file);

        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot create the folder for %s: %s", file,
                                  strerror(-r));
        r = officers_save(o, file);
        return r < 0 ? keys_error(KEYS_EXIT_FAILURE, "cannot write %s: %s", file, strerror(-r))
                     : KEYS_EXIT_OK;
}

static int officer_add_pin(officers *o, const char *number) {
        const char *why = NULL;
        char *pin = NULL;
        int r;

        r = keys_read_pin("PIN for the officer: ", &pin);
        if (r == -EBADMSG)
                return keys_error(KEYS_EXIT_PIN, "the two PINs differ: nothing was changed, try again");
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the PIN: %s", strerror(-r));
        if (officers_pin_check(pin, &why) < 0) {
                sodium_free(pin);
                return keys_error(KEYS_EXIT_PIN, "PIN refused: %s. Choose another.", why);
        }
        r = officers_add(o, number, pin);
        sodium_free(pin);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot add officer %s: %s", number, strerror(-r));
        return KEYS_EXIT_OK;
}

int keys_cmd_officer_add(int argc, char **argv) {
        _cleanup_(officers_freep) officers *o = NULL;
        const char *file, *number = NULL;
        bool help;
        int r;

        r = officer_args("officer-add", argc, argv, true, &file, &number, &help);
        if (r != KEYS_EXIT_OK || help)
                return r;
        r = officer_load(file, true, &o);
        if (r != KEYS_EXIT_OK)
                return r;
        for (size_t i = 0; i < officers_count(o); i++)
                if (strcmp(officers_number(o, i), number) == 0)
                        return keys_error(KEYS_EXIT_EXISTS,
                                          "officer %s is already in %s (to change the PIN, "
                                          "officer-remove then officer-add)",
                                          number, file);
        r = officer_add_pin(o, number);
        if (r != KEYS_EXIT_OK)
                return r;
        r = officer_save(o, file);
        if (r == KEYS_EXIT_OK)
                log_notice("Officer %s added to %s.", number, file);
        return r;
}

int keys_cmd_officer_remove(int argc, char **argv) {
        _cleanup_(officers_freep) officers *o = NULL;
        const char *file, *number = NULL;
        bool help;
        int r;

        r = officer_args("officer-remove", argc, argv, true, &file, &number, &help);
        if (r != KEYS_EXIT_OK || help)
                return r;
        r = officer_load(file, false, &o);
        if (r != KEYS_EXIT_OK)
                return r;
        if (officers_remove(o, number) < 0)
                return keys_error(KEYS_EXIT_NOT_FOUND,
                                  "officer %s is not in %s (see 'studio-keys officer-list "
                                  "--file %s')",
                                  number, file, file);
        r = officer_save(o, file);
        if (r == KEYS_EXIT_OK)
                log_notice("Officer %s removed from %s.", number, file);
        return r;
}

int keys_cmd_officer_list(int argc, char **argv) {
        _cleanup_(officers_freep) officers *o = NULL;
        const char *file, *number = NULL;
        bool help;
        int r;

        r = officer_args("officer-list", argc, argv, false, &file, &number, &help);
        if (r != KEYS_EXIT_OK || help)
                return r;
        r = officer_load(file, false, &o);
        if (r != KEYS_EXIT_OK)
                return r;
        for (size_t i = 0; i < officers_count(o); i++)
                printf("%s\n", officers_number(o, i));
        return KEYS_EXIT_OK;
}
