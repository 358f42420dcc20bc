/* studio-keys: key ceremony tool for the vault identity, device keys,
 * officers and the device registry. See docs/key-ceremony.md. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <sodium.h>

#include "keys-commands.h"
#include "keys-common.h"
#include "log.h"
#include "util.h"

typedef struct keys_command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} keys_command;

static const keys_command commands[] = {
        {"vault-init", keys_cmd_vault_init, "make the vault age identity (police IT)"},
        {"device-init", keys_cmd_device_init, "make the device signing key (provisioning)"},
        {"device-rotate", keys_cmd_device_rotate, "replace the device key, signed by the old one"},
        {"intake-init", keys_cmd_intake_init, "make the intake's record signing key (police IT)"},
        {"enrol", keys_cmd_enrol, "print the enrolment record / add it to the registry"},
        {"revoke", keys_cmd_revoke, "mark a device key revoked in the registry"},
        {"it-key-init", keys_cmd_it_key_init, "make police IT's registry signing key"},
        {"registry-sign", keys_cmd_registry_sign, "sign the registry with police IT's key"},
        {"bundle-make", keys_cmd_bundle_make, "make the signed provisioning bundle for first boot"},
        {"officer-add", keys_cmd_officer_add, "add an officer and PIN to the officers file"},
        {"officer-remove", keys_cmd_officer_remove, "remove an officer"},
        {"officer-list", keys_cmd_officer_list, "list officer numbers"},
        {"sign", keys_cmd_sign, "sign a file with a minisign key (e.g. rotation records)"},
        {"verify", keys_cmd_verify, "verify a minisign signature"},
};

static void help(void) {
        puts("Usage: studio-keys COMMAND [OPTIONS]   (studio-keys COMMAND --help for details)\n"
             "       studio-keys --version            (prints \"studio-keys VERSION\")\n\nCommands:");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                printf("  %-15s %s\n", commands[i].name, commands[i].summary);
        printf("\nExit codes:\n"
               "  %d  success\n"
               "  %d  failure (I/O error, malformed file, bad signature)\n"
               "  %d  usage error\n"
               "  %d  refused: the file or entry already exists (nothing overwritten)\n"
               "  %d  PIN refused (too weak, or the two entries differ)\n"
               "  %d  not found (unknown officer or key id)\n"
               "\nVersion %s. See docs/key-ceremony.md for who runs what.\n",
               KEYS_EXIT_OK, KEYS_EXIT_FAILURE, KEYS_EXIT_USAGE, KEYS_EXIT_EXISTS, KEYS_EXIT_PIN,
               KEYS_EXIT_NOT_FOUND, STUDIO_VERSION);
}

int main(int argc, char **argv) {
        if (argc < 2)
                return help(), KEYS_EXIT_USAGE;
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
                return help(), KEYS_EXIT_OK;
        if (strcmp(argv[1], "--version") == 0)
                return puts("studio-keys " STUDIO_VERSION), KEYS_EXIT_OK;
        log_init("studio-keys", LOG_TARGET_AUTO);
        log_set_escape(true);
        /* Key ceremony: fresh secret keys are in memory, so no core dumps. */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (sodium_init() < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot initialise libsodium");
        opterr = 0; /* our own message names the option and the fix */
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        return keys_error(KEYS_EXIT_USAGE, "unknown command '%s' (see 'studio-keys --help')", argv[1]);
}
