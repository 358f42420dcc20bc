/* The registry signed by police IT: studio-keys it-key-init and
 * registry-sign, and the check-then-re-sign every registry change goes
 * through. GLib code: g_auto*. */
#include "keys-registry-sign.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "keys-registry.h"
#include "log.h"
#include "sha256.h"

#define SIG_FILE_MAX (64u << 10) /* a .minisig is a few hundred bytes */

int keys_it_key_load(const char *path, minisign_secret **ret_sk) {
        int r = minisign_secret_load(path, ret_sk);

        if (r == -ENOKEY)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "%s is password-protected: studio-keys signs the registry only with an "
                                  "unencrypted key (make one with 'studio-keys it-key-init' or "
                                  "'minisign -G -W')",
                                  path);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot load the police IT key %s: %s", path,
                                  r == -EBADMSG ? "not a minisign secret key" : g_strerror(-r));
        return KEYS_EXIT_OK;
}

static char *sig_path(const char *path) {
        return g_strconcat(path, KEYS_REGISTRY_SIG_SUFFIX, NULL);
}

static char *registry_comment(const char *text, size_t len) {
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1], now[32];

        sha256_buf(text, len, digest);
        sha256_hex(digest, hex);
        keys_time_rfc3339(time(NULL), true, now);
        return g_strdup_printf(KEYS_REGISTRY_COMMENT_PREFIX "%s utc=%s", hex, now);
}

/* The trusted comment must name exactly these bytes. */
static bool comment_matches(const char *comment, const char *text, size_t len) {
        const size_t prefix = strlen(KEYS_REGISTRY_COMMENT_PREFIX);
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];

        if (strncmp(comment, KEYS_REGISTRY_COMMENT_PREFIX, prefix) != 0)
                return false;
        sha256_buf(text, len, digest);
        sha256_hex(digest, hex);
        return strncmp(comment + prefix, hex, SHA256_HEX_LEN) == 0 &&
               strncmp(comment + prefix + SHA256_HEX_LEN, " utc=", 5) == 0;
}

static const char *sig_refusal(int r) {
        switch (r) {
        case -EBADMSG:
                return "it is not a minisign signature";
        case -EKEYREJECTED:
                return "it was made by another key than this police IT key";
        case -EBADE:
                return "the registry was changed after it was signed";
        default:
                return g_strerror(-r);
        }
}

int keys_registry_sig_check(const char *path, const char *text, size_t len, const minisign_public *pk,
                            bool require, bool *ret_signed) {
        g_autofree char *sig = sig_path(path), *sig_text = NULL, *comment = NULL;
        size_t sig_len;
        int r;

        if (ret_signed)
                *ret_signed = false;
        if (!text)
                return require ? keys_error(KEYS_EXIT_FAILURE, "the registry %s does not exist", path)
                               : KEYS_EXIT_OK;
        r = fs_read_file(sig, SIG_FILE_MAX, &sig_text, &sig_len);
        if (r == -ENOENT && !require)
                return KEYS_EXIT_OK;
        if (r == -ENOENT)
                return keys_error(
                        KEYS_EXIT_FAILURE,
                        "the registry %s is not signed (%s is missing): police IT signs it "
                        "first with 'studio-keys registry-sign --registry %s --key " KEYS_IT_KEY_NAME
                        "' after checking its content",
                        path, sig, path);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the registry signature %s: %s", sig,
                                  g_strerror(-r));
        r = minisign_verify_buf(pk, (const uint8_t *) text, len, sig_text, sig_len, &comment);
        if (r == 0 && !comment_matches(comment, text, len))
                r = -EBADE;
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "the registry %s does not verify against its signature %s: %s. Nothing "
                                  "was changed: restore the registry from backup, or check every entry "
                                  "and sign it again with 'studio-keys registry-sign'",
                                  path, sig, sig_refusal(r));
        if (ret_signed)
                *ret_signed = true;
        return KEYS_EXIT_OK;
}

int keys_registry_open(const char *path, const minisign_secret *it_sk, bool require_signed,
                       JsonNode **ret_root) {
        g_autofree char *text = NULL;
        minisign_public pk;
        size_t len = 0;
        int r;

        r = keys_registry_read(path, &text, &len);
        if (r != KEYS_EXIT_OK)
                return r;
        if (it_sk) {
                minisign_secret_public(it_sk, &pk);
                r = keys_registry_sig_check(path, text, len, &pk, require_signed, NULL);
                if (r != KEYS_EXIT_OK)
                        return r;
        }
        return keys_registry_from_text(path, text, len, ret_root);
}

static int sign_text(const char *path, const char *text, size_t len, const minisign_secret *sk) {
        g_autofree char *sig = sig_path(path), *comment = registry_comment(text, len);
        char *sig_text = NULL;
        int r;

        r = minisign_sign_buf(sk, (const uint8_t *) text, len, comment, &sig_text);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot sign the registry %s: %s", path,
                                  g_strerror(-r));
        r = fs_write_atomic(sig, sig_text, strlen(sig_text), 0644);
        free(sig_text);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write the registry signature %s: %s", sig,
                                  g_strerror(-r));
        return KEYS_EXIT_OK;
}

int keys_registry_commit(const char *path, JsonNode *root, const minisign_secret *it_sk) {
        g_autofree char *sig = sig_path(path), *text = NULL;
        bool had_sig;
        size_t len = 0;
        int r;

        /* Away before the content changes: a crash in between leaves an
         * unsigned registry, never an old signature beside new content. */
        had_sig = unlink(sig) == 0;
        if (!had_sig && errno != ENOENT)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "cannot remove the old registry signature %s: %m (nothing was changed)",
                                  sig);
        (void) keys_registry_to_text(root, &text, &len);
        r = keys_registry_save(path, root);
        if (r != KEYS_EXIT_OK)
                return r;
        if (it_sk) {
                r = sign_text(path, text, len, it_sk);
                if (r == KEYS_EXIT_OK)
                        log_notice("Registry %s signed again by police IT: %s", path, sig);
                return r;
        }
        log_warning("the registry %s is %s signed: run 'studio-keys registry-sign --registry %s "
                    "--key " KEYS_IT_KEY_NAME "' (or give --it-key next time)",
                    path, had_sig ? "no longer" : "not", path);
        return KEYS_EXIT_OK;
}

/* ---- it-key-init ------------------------------------------------------ */

static void it_key_help(void) {
        puts("Usage: studio-keys it-key-init --out DIR\n"
             "\n"
             "Makes police IT's registry signing key, a minisign key pair:\n"
             "  DIR/" KEYS_IT_KEY_NAME "  minisign secret key, unencrypted, mode 0600\n"
             "  DIR/" KEYS_IT_PUB_NAME "  minisign public key, for the verifier:\n"
             "                 studio-verify --registry registry.json --registry-key " KEYS_IT_PUB_NAME "\n"
             "Stock 'minisign -G -W -s DIR/" KEYS_IT_KEY_NAME " -p DIR/" KEYS_IT_PUB_NAME
             "' makes the same pair.\n"
             "Keep the secret key at police IT, never on a device. Refuses to overwrite.\n"
             "\n"
             "  --out DIR   folder for the pair (created 0700 if missing, and any missing\n"
             "              folder above it 0755)\n"
             "  --help      this text");
}

static int it_key_init(const char *dir) {
        g_autofree char *key = g_build_filename(dir, KEYS_IT_KEY_NAME, NULL);
        g_autofree char *pub = g_build_filename(dir, KEYS_IT_PUB_NAME, NULL);
        g_autoptr(minisign_secret) sk = NULL;
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];
        minisign_public pk;
        int r;

        r = keys_mkdir_p(dir, 0755, 0700);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot create %s: %s", dir, g_strerror(-r));
        if (keys_exists(key) || keys_exists(pub))
                return keys_error(KEYS_EXIT_EXISTS,
                                  "%s already exists: refusing to overwrite the police IT key (choose "
                                  "another --out, or move the old pair away yourself)",
                                  keys_exists(key) ? key : pub);
        r = minisign_secret_generate(&sk);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot make a key: %s", g_strerror(-r));
        r = minisign_secret_save(sk, key, pub);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write %s and %s: %s", key, pub, g_strerror(-r));
        minisign_secret_public(sk, &pk);
        minisign_key_id_hex(pk.key_id, hex);
        printf("police IT key id: %s\nsecret key: %s\npublic key: %s\n", hex, key, pub);
        return KEYS_EXIT_OK;
}

int keys_cmd_it_key_init(int argc, char **argv) {
        static const struct option opts[] = {
                {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {}};
        const char *out = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
                if (c == 'o')
                        out = optarg;
                else if (c == 'h')
                        return it_key_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("it-key-init", argv);
        }
        if (!out || optind != argc)
                return keys_usage_error("it-key-init", "needs --out DIR and nothing else");
        return it_key_init(out);
}

/* ---- registry-sign ---------------------------------------------------- */

static void registry_sign_help(void) {
        puts("Usage: studio-keys registry-sign --registry FILE --key KEY\n"
             "\n"
             "Police IT signs the device registry FILE, having checked its entries: it\n"
             "writes FILE.minisig, a standard minisign signature over FILE with the\n"
             "trusted comment \"registry sha256=<hex> utc=<time>\". Check it with\n"
             "  minisign -Vm FILE -p " KEYS_IT_PUB_NAME "\n"
             "and give both to the verifier:\n"
             "  studio-verify --registry FILE --registry-key " KEYS_IT_PUB_NAME " SESSION_DIR\n"
             "enrol and revoke remove the signature when they change FILE, unless they\n"
             "are given --it-key KEY to sign it again. A registry whose key_id and\n"
             "public_key disagree anywhere is refused.\n"
             "\n"
             "  --registry FILE  the registry (must exist)\n"
             "  --key KEY        police IT's minisign secret key (" KEYS_IT_KEY_NAME ", unencrypted)\n"
             "  --help           this text");
}

static int registry_sign(const char *registry, const char *key) {
        g_autoptr(minisign_secret) sk = NULL;
        g_autofree char *text = NULL;
        g_autoptr(JsonNode) root = NULL;
        minisign_public pk;
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];
        size_t len = 0;
        int r;

        r = keys_it_key_load(key, &sk);
        if (r != KEYS_EXIT_OK)
                return r;
        r = keys_registry_read(registry, &text, &len);
        if (r != KEYS_EXIT_OK)
                return r;
        if (!text)
                return keys_error(KEYS_EXIT_NOT_FOUND,
                                  "the registry %s does not exist (enrol a device first: 'studio-keys "
                                  "enrol --dir DIR --registry %s')",
                                  registry, registry);
        /* the bytes signed are the bytes checked */
        r = keys_registry_from_text(registry, text, len, &root);
        if (r != KEYS_EXIT_OK)
                return r;
        r = sign_text(registry, text, len, sk);
        if (r != KEYS_EXIT_OK)
                return r;
        minisign_secret_public(sk, &pk);
        minisign_key_id_hex(pk.key_id, hex);
        log_notice("Registry %s signed by police IT key %s: %s%s", registry, hex, registry,
                   KEYS_REGISTRY_SIG_SUFFIX);
        return KEYS_EXIT_OK;
}

int keys_cmd_registry_sign(int argc, char **argv) {
        static const struct option opts[] = {{"registry", required_argument, NULL, 'r'},
                                             {"key", required_argument, NULL, 'k'},
                                             {"help", no_argument, NULL, 'h'},
                                             {}};
        const char *registry = NULL, *key = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "r:k:h", opts, NULL)) >= 0) {
                if (c == 'r')
                        registry = optarg;
                else if (c == 'k')
                        key = optarg;
                else if (c == 'h')
                        return registry_sign_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("registry-sign", argv);
        }
        if (!registry || !key || optind != argc)
                return keys_usage_error("registry-sign", "needs --registry FILE and --key KEY");
        return registry_sign(registry, key);
}
