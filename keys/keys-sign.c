/* studio-keys sign / verify: minisign signatures with a device key, for
 * police IT's rotation records and for tests against stock minisign. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys-commands.h"
#include "keys-common.h"
#include "log.h"
#include "minisign.h"
#include "util.h"

static void sign_help(void) {
        puts("Usage: studio-keys sign --key KEY [--comment TEXT] FILE\n"
             "\n"
             "Signs FILE with the minisign secret key KEY (unencrypted) and writes\n"
             "FILE.minisig, which stock 'minisign -V -p PUB -m FILE' verifies.\n"
             "\n"
             "  --key KEY       the minisign secret key (unencrypted, as minisign -G -W)\n"
             "  --comment TEXT  trusted comment (one line; default\n"
             "                  \"timestamp:<unix time>\\tfile:<name>\\thashed\")\n"
             "  --help          this text");
}

static void verify_help(void) {
        puts("Usage: studio-keys verify --pub PUB FILE\n"
             "\n"
             "Verifies FILE against FILE.minisig with the minisign public key PUB (a\n"
             "file, or the RW... line itself) and prints the trusted comment.\n"
             "\n"
             "  --pub PUB   the minisign public key (file or RW... line)\n"
             "  --help      this text");
}

static int sign_file(const char *key, const char *comment, const char *file) {
        _cleanup_free_ char *def = NULL, *copy = strdup(file);
        minisign_secret *sk = NULL;
        int r;

        if (!copy)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        if (!comment) {
                if (asprintf(&def, "timestamp:%lld\tfile:%s\thashed", (long long) time(NULL),
                             basename(copy)) < 0)
                        return keys_error(KEYS_EXIT_FAILURE, "out of memory");
                comment = def;
        }
        r = minisign_secret_load(key, &sk);
        if (r == -ENOKEY)
                return keys_error(
                        KEYS_EXIT_FAILURE,
                        "%s is password-protected: studio-keys signs only with "
                        "unencrypted keys (make one with 'minisign -G -W' or 'studio-keys device-init')",
                        key);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot load the secret key %s: %s", key,
                                  r == -EBADMSG ? "not a minisign secret key" : strerror(-r));
        r = minisign_sign_file(sk, file, comment);
        minisign_secret_free(sk);
        if (r == -EINVAL)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the trusted comment must be one line of at most %d "
                                  "printable characters",
                                  MINISIGN_COMMENT_MAX);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot sign %s: %s", file, strerror(-r));
        log_notice("Signature written to %s.minisig", file);
        return KEYS_EXIT_OK;
}

int keys_cmd_sign(int argc, char **argv) {
        static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                             {"comment", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {}};
        const char *key = NULL, *comment = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) >= 0) {
                if (c == 'k')
                        key = optarg;
                else if (c == 'c')
                        comment = optarg;
                else if (c == 'h')
                        return sign_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("sign", argv);
        }
        if (!key || optind + 1 != argc)
                return keys_usage_error("sign", "needs --key KEY and one FILE");
        return sign_file(key, comment, argv[optind]);
}

static int load_public(const char *arg, minisign_public *pk) {
        int r = minisign_public_parse(arg, pk);
        return r == 0 ? 0 : minisign_public_load(arg, pk);
}

static const char *verify_reason(int r) {
        switch (r) {
        case -EBADMSG:
                return "the signature file is malformed";
        case -EKEYREJECTED:
                return "it was signed by another key (wrong --pub?)";
        case -EBADE:
                return "the signature does not match: the file or its trusted comment was altered";
        default:
                return strerror(-r);
        }
}

int keys_cmd_verify(int argc, char **argv) {
        static const struct option opts[] = {
                {"pub", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {}};
        _cleanup_free_ char *comment = NULL;
        const char *pub = NULL;
        minisign_public pk;
        int c, r;

        while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) >= 0) {
                if (c == 'p')
                        pub = optarg;
                else if (c == 'h')
                        return verify_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("verify", argv);
        }
        if (!pub || optind + 1 != argc)
                return keys_usage_error("verify", "needs --pub PUB and one FILE");
        r = load_public(pub, &pk);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "%s is not a minisign public key (file or RW... line): %s", pub,
                                  r == -EBADMSG ? "malformed" : strerror(-r));
        r = minisign_verify_file(&pk, argv[optind], &comment);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "%s does not verify: %s", argv[optind],
                                  verify_reason(r));
        printf("Signature and comment signature verified\nTrusted comment: %s\n", comment);
        return KEYS_EXIT_OK;
}
