/* studio-keys vault-init: an age X25519 identity in age-keygen's format. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "keygen.h"
#include "log.h"
#include "util.h"

static void vault_help(void) {
        puts("Usage: studio-keys vault-init --out FILE\n"
             "\n"
             "Makes the vault identity (an age X25519 key pair) at police IT, in the\n"
             "file format of age-keygen (mode 0600), and prints its recipient (age1...).\n"
             "Only the recipient goes to the devices (studio-recorder --recipient or --recipients-file);\n"
             "the identity file stays in the vault. Refuses to overwrite FILE.\n"
             "\n"
             "  --out FILE   where to write the identity (must not exist)\n"
             "  --help       this text");
}

static int vault_init(const char *out) {
        _cleanup_free_ char *recipient = NULL;
        int r;

        r = keys_vault_identity_generate(out, &recipient);
        if (r == -EEXIST)
                return keys_error(KEYS_EXIT_EXISTS,
                                  "%s already exists: refusing to overwrite a vault identity "
                                  "(choose another --out, or move the old file away yourself)",
                                  out);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot make the vault identity %s: %s", out,
                                  strerror(-r));
        log_notice("Vault identity written to %s (keep it in the vault, mode 0600).", out);
        log_notice("Give devices only this recipient:");
        printf("%s\n", recipient);
        return KEYS_EXIT_OK;
}

int keys_cmd_vault_init(int argc, char **argv) {
        static const struct option opts[] = {
                {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {}};
        const char *out = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
                if (c == 'o')
                        out = optarg;
                else if (c == 'h')
                        return vault_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("vault-init", argv);
        }
        if (!out || optind != argc)
                return keys_usage_error("vault-init", "needs --out FILE and nothing else");
        return vault_init(out);
}
