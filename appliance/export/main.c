/* studio-export (police side): verifies a session from the vault, then
 * decrypts it with the vault identity into a working copy beside the
 * verification report. A single sealed file given on its own is decrypted
 * as stock `age -d` would. Nothing outside the session folder is read and
 * nothing outside --out is written (docs/export.md). */
#include <getopt.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "export.h"
#include "log.h"

static const char usage_text[] =
        "Usage: studio-export --identity FILE --out DIR\n"
        "                     (--device-key FILE | --registry FILE | --no-verify) [--salvage] SESSION_DIR\n"
        "       studio-export --identity FILE --out DIR [--salvage] SEALED_FILE…\n"
        "\n"
        "Verifies a session folder from the vault (as studio-verify does), then decrypts\n"
        "its segments with the vault identity into DIR: seg-000001.mkv …, SHA256SUMS and\n"
        "SHA256SUMS.minisig (so `sha256sum -c SHA256SUMS` and `minisign -V` work there),\n"
        "verification.txt and verification.json. Every file is new (an existing file or\n"
        "link in DIR is refused, never replaced or followed) and mode 0600.\n"
        "A sealed file given on its own is decrypted as stock `age -d` would; no custody\n"
        "is checked for it. A session folder must be the only input.\n"
        "\n"
        "  --identity FILE    the vault's age identity file (AGE-SECRET-KEY-1…)\n"
        "  --out DIR          output folder (created with mode 0700 when missing)\n"
        "  --device-key FILE  trust this device's minisign public key\n"
        "  --registry FILE    trust the devices enrolled in this registry (studio-keys)\n"
        "  --no-verify        decrypt without checking custody (the report says NOT VERIFIED)\n"
        "  --salvage          keep the authentic prefix of a truncated segment as\n"
        "                     seg-00000N.salvaged.mkv (a TRUNCATED session, or a cut file)\n"
        "  --version          print \"studio-export VERSION\" and exit\n"
        "\n"
        "Exit status:\n"
        "  0  every segment decrypted whole, with the plaintext SHA-256 the signed manifest\n"
        "     names, and the session verified INTACT (or --no-verify, or single files)\n"
        "  1  usage or set-up error: bad arguments, an unreadable identity, key or registry,\n"
        "     an output folder that cannot be used or already holds an output name\n"
        "  2  --salvage: TRUNCATED (the device lost power); the complete segments and the\n"
        "     authentic prefix of the cut one were saved\n"
        "  3  failure: the session is TAMPERED, INCOMPLETE, UNSIGNED or UNTRUSTED-KEY (or\n"
        "     TRUNCATED without --salvage), or a segment did not decrypt whole with the\n"
        "     right plaintext: no media of the session is kept, only the report\n";

static int parse_args(int argc, char **argv, export_options *o) {
        static const struct option opts[] = {
                {"identity", required_argument, NULL, 'i'},
                {"out", required_argument, NULL, 'o'},
                {"device-key", required_argument, NULL, 'k'},
                {"registry", required_argument, NULL, 'r'},
                {"no-verify", no_argument, NULL, 'n'},
                {"salvage", no_argument, NULL, 's'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'V'},
                {},
        };
        int ch;

        while ((ch = getopt_long(argc, argv, "i:o:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 'i':
                        o->identity = optarg;
                        break;
                case 'o':
                        o->out = optarg;
                        break;
                case 'k':
                        o->device_key = optarg;
                        break;
                case 'r':
                        o->registry = optarg;
                        break;
                case 'n':
                        o->no_verify = true;
                        break;
                case 's':
                        o->salvage = true;
                        break;
                case 'h':
                        fputs(usage_text, stdout);
                        exit(EXPORT_EXIT_WHOLE);
                case 'V':
                        puts("studio-export " STUDIO_VERSION);
                        exit(EXPORT_EXIT_WHOLE);
                default:
                        log_error("see --help");
                        return -EINVAL;
                }
        }
        if (!o->identity || !o->out || optind >= argc) {
                log_error("give --identity FILE --out DIR and at least one INPUT (see --help)");
                return -EINVAL;
        }
        if (o->device_key && o->registry) {
                log_error("give --device-key FILE or --registry FILE, not both");
                return -EINVAL;
        }
        if (o->no_verify && (o->device_key || o->registry)) {
                log_error("--no-verify decrypts without checking custody: give it without "
                          "--device-key and --registry");
                return -EINVAL;
        }
        return 0;
}

static int load_identity(const char *path, export_keys *k) {
        unsigned bad = 0;
        int r = age_identities_file_read(path, &k->sks, &k->n, &bad);

        if (r < 0) {
                if (bad)
                        log_error("%s line %u is not an age identity (expected "
                                  "AGE-SECRET-KEY-1…)",
                                  path, bad);
                else
                        log_error("cannot read the identity file %s: %s", path, g_strerror(-r));
                return r;
        }
        if (k->n == 0) {
                log_error("%s holds no age identity (expected AGE-SECRET-KEY-1…)", path);
                return -ENOKEY;
        }
        return 0;
}

/* A session folder (possibly given through a symlink) must come alone. */
static int classify_inputs(const export_options *o, char **inputs, int n, bool *ret_session) {
        int folders = 0;

        for (int i = 0; i < n; i++) {
                struct stat st;
                if (stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode))
                        folders++;
        }
        if (folders > 0 && n > 1) {
                log_error("a session folder must be the only input: export one session at a "
                          "time");
                return -EINVAL;
        }
        if (folders == 1 && !o->no_verify && !o->device_key && !o->registry) {
                log_error("give --device-key FILE or --registry FILE so the session is verified "
                          "before it is decrypted, or --no-verify to decrypt without checking custody");
                return -EINVAL;
        }
        *ret_session = folders == 1;
        return 0;
}

int main(int argc, char **argv) {
        export_options opt = {0};
        export_keys k = {0};
        export_out out = {.fd = -EBADF};
        bool session = false;
        int code;

        log_init("studio-export", LOG_TARGET_AUTO);
        log_set_escape(true);
        /* the vault's secret key is in memory: no core dumps */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (parse_args(argc, argv, &opt) < 0 ||
            classify_inputs(&opt, argv + optind, argc - optind, &session) < 0)
                return EXPORT_EXIT_USAGE;
        if (sodium_init() < 0 || load_identity(opt.identity, &k) < 0)
                return EXPORT_EXIT_USAGE;
        if (export_out_open(opt.out, &out) < 0) {
                sodium_free(k.sks);
                return EXPORT_EXIT_USAGE;
        }
        if (session)
                code = export_session_main(&opt, &k, &out, argv[optind]);
        else
                code = export_files_main(&opt, &k, &out, argv + optind, (size_t) (argc - optind));
        export_out_close(&out);
        sodium_free(k.sks);
        return code;
}
