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

/* Builds the identity file text in locked memory. */
static int vault_text(const uint8_t sk[AGE_KEY_LEN], char **ret_text, char **ret_recipient) {
        uint8_t pk[AGE_KEY_LEN];
        char created[32], *identity, *text;
        _cleanup_free_ char *recipient = NULL;
        size_t size;
        int r;

        r = age_identity_to_recipient(sk, pk);
        if (r < 0)
                return r;
        recipient = age_recipient_format(pk);
        identity = age_identity_format(sk);
        if (!recipient || !identity) {
                sodium_free(identity);
                return -ENOMEM;
        }
        keys_time_rfc3339(time(NULL), false, created);
        size = strlen(created) + strlen(recipient) + strlen(identity) + 64;
        text = sodium_malloc(size);
        if (text)
                snprintf(text, size, "# created: %s\n# public key: %s\n%s\n", created, recipient, identity);
        sodium_free(identity);
        if (!text)
                return -ENOMEM;
        *ret_text = text;
        *ret_recipient = TAKE_PTR(recipient);
        return 0;
}

static int vault_write(const char *out, const char *text) {
        _cleanup_close_ int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        int r;

        if (fd < 0)
                return -errno;
        r = fs_write_all(fd, text, strlen(text));
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0)
                r = fs_fsync_parent(out);
        if (r < 0)
                (void) unlink(out);
        return r;
}

static int vault_init(const char *out) {
        _cleanup_free_ char *recipient = NULL;
        uint8_t *sk;
        char *text = NULL;
        int r;

        if (keys_exists(out))
                return keys_error(KEYS_EXIT_EXISTS,
                                  "%s already exists: refusing to overwrite a vault identity "
                                  "(choose another --out, or move the old file away yourself)",
                                  out);
        if (sodium_init() < 0 || !(sk = sodium_malloc(AGE_KEY_LEN)))
                return keys_error(KEYS_EXIT_FAILURE, "cannot allocate locked memory for the key");
        randombytes_buf(sk, AGE_KEY_LEN);
        r = vault_text(sk, &text, &recipient);
        sodium_free(sk);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot make the vault identity: %s", strerror(-r));
        r = vault_write(out, text);
        sodium_free(text);
        if (r == -EEXIST)
                return keys_error(KEYS_EXIT_EXISTS, "%s already exists: refusing to overwrite it", out);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write %s: %s", out, strerror(-r));
        fprintf(stderr,
                "Vault identity written to %s (keep it in the vault, mode 0600).\n"
                "Give devices only this recipient:\n",
                out);
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
