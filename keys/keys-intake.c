/* studio-keys intake-init: the intake's record signing key (minisign
 * format, like device-init's), which police IT enrols in the registry as
 * an intake key. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "keygen.h"
#include "minisign.h"
#include "util.h"

static void intake_init_help(void) {
        puts("Usage: studio-keys intake-init --dir DIR\n"
             "\n"
             "Makes the key studio-intake signs its verification records with:\n"
             "  DIR/intake.key  minisign secret key, unencrypted, mode 0600 (give it to\n"
             "                  studio-intake as [intake] signing_key)\n"
             "  DIR/intake.pub  minisign public key (minisign -V -p DIR/intake.pub works)\n"
             "and prints the command that enrols it in the registry as an intake key.\n"
             "Refuses to overwrite.\n"
             "\n"
             "  --dir DIR        key folder (created 0750 if missing)\n"
             "  --help           this text");
}

static int intake_init(const char *dir) {
        _cleanup_free_ char *key = keys_path(dir, "intake.key"), *pub = keys_path(dir, "intake.pub");
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];
        minisign_public pk;
        int r;

        if (!key || !pub)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        r = keys_mkdir_p(dir, 0755, 0750);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot create the key folder %s: %s", dir,
                                  strerror(-r));
        r = keys_device_generate(key, pub, (const char *const[]){NULL}, NULL);
        if (r == -EEXIST)
                return keys_error(KEYS_EXIT_EXISTS,
                                  "%s or %s already exists: refusing to overwrite the intake's key", key,
                                  pub);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write %s and %s: %s", key, pub, strerror(-r));
        if (minisign_public_load(pub, &pk) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read back %s", pub);
        minisign_key_id_hex(pk.key_id, hex);
        printf("key_id: %s\n"
               "Enrol it: studio-keys enrol --kind intake --pub %s --name NAME --registry registry.json "
               "--it-key police-it.key\n",
               hex, pub);
        return KEYS_EXIT_OK;
}

int keys_cmd_intake_init(int argc, char **argv) {
        static const struct option opts[] = {
                {"dir", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {}};
        const char *dir = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) >= 0) {
                if (c == 'd')
                        dir = optarg;
                else if (c == 'h')
                        return intake_init_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("intake-init", argv);
        }
        if (!dir || optind != argc)
                return keys_usage_error("intake-init",
                                        "needs --dir DIR (the folder for intake.key and intake.pub)");
        return intake_init(dir);
}
