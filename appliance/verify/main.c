/* studio-verify: the prosecutor's offline verifier. */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"
#include "verify.h"

static const char usage_text[] =
        "Usage: studio-verify [--device-key FILE | --registry FILE [--registry-key FILE]]\n"
        "                     [--identity FILE]\n"
        "                     [--previous SESSION_DIR] [--json | --html FILE]\n"
        "                     [--examiner NAME] [--case ID] [--media FILE…] SESSION_DIR\n"
        "       studio-verify [--device-key FILE | --registry FILE …] [--json] --chain SESSION_DIR…\n"
        "       studio-verify --intake-record DIR|FILE [--registry FILE [--registry-key FILE]]\n"
        "                     [--tsa-ca FILE]\n"
        "       studio-verify --version\n"
        "\n"
        "Checks a recorded session: every signature, the custody log's hash chain,\n"
        "each segment's SHA-256 and size, that no file is missing or added, and with\n"
        "--identity (the vault's age identity) the decrypted content too.\n"
        "\n"
        "  --device-key FILE  the device's minisign public key (trust it)\n"
        "  --registry FILE    the enrolment registry written by studio-keys\n"
        "  --registry-key FILE  police IT's minisign public key: the registry must\n"
        "                     carry its signature (FILE.minisig)\n"
        "  --identity FILE    age identity file: decrypt and check plaintext hashes,\n"
        "                     and show the sealed notes of marks\n"
        "  --media FILE…      working copies (decrypted segments) to check; every\n"
        "                     argument before SESSION_DIR is one\n"
        "  --previous DIR     the device's previous session: check the chain link\n"
        "  --json             machine-readable report on stdout\n"
        "  --html FILE        printable court report (A4: one page per 12 segments)\n"
        "  --examiner NAME    who checks the session, shown in every report\n"
        "  --case ID          the case the session belongs to, shown in every report\n"
        "  --chain            check the given sessions of one device as one chain, in\n"
        "                     recording order: each must follow the one before (a\n"
        "                     gap is INCOMPLETE, two sessions after one entry TAMPERED)\n"
        "  --intake-record DIR|FILE  the intake's verification record of a session (the\n"
        "                     record file, or the session folder beside verifications/):\n"
        "                     its verdict, its signature under an intake key of\n"
        "                     --registry, its time-stamp token's time; exit 0 when\n"
        "                     signature and token verify, 1 otherwise\n"
        "  --tsa-ca FILE      the time-stamping authority's CA certificate (PEM)\n"
        "  --version          print studio-verify's version\n"
        "\n"
        "The first word of the report is the verdict; the exit code says the same.\n"
        "When several problems are found the first in this list wins:\n"
        "  TAMPERED       3  content or signature does not match\n"
        "  UNTRUSTED-KEY  6  signed, but not by a trusted device key\n"
        "  UNSIGNED       5  a signature is missing\n"
        "  INCOMPLETE     4  a file is missing or added, or a session is missing from the chain\n"
        "  TRUNCATED      2  the device crashed; intact up to the last checkpoint\n"
        "  INTACT         0  complete, unaltered, signed by the trusted device key\n"
        "  (error)        1  usage error or a file that cannot be read\n";

static const struct option long_options[] = {
        {"device-key", required_argument, NULL, 'k'},
        {"registry", required_argument, NULL, 'r'},
        {"registry-key", required_argument, NULL, 'R'},
        {"identity", required_argument, NULL, 'i'},
        {"previous", required_argument, NULL, 'p'},
        {"html", required_argument, NULL, 'H'},
        {"json", no_argument, NULL, 'j'},
        {"media", no_argument, NULL, 'm'},
        {"examiner", required_argument, NULL, 'e'},
        {"case", required_argument, NULL, 'c'},
        {"version", no_argument, NULL, 'V'},
        {"chain", no_argument, NULL, 'C'},
        {"intake-record", required_argument, NULL, 'I'},
        {"tsa-ca", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {},
};

/* One option from getopt_long into o (--media into *media); --version and
 * --help print and exit here. */
static int apply_option(int ch, verify_options *o, bool *media) {
        switch (ch) {
        case 'k':
                o->device_key = optarg;
                return 0;
        case 'r':
                o->registry = optarg;
                return 0;
        case 'R':
                o->registry_key = optarg;
                return 0;
        case 'i':
                o->identity = optarg;
                return 0;
        case 'p':
                o->previous = optarg;
                return 0;
        case 'H':
                o->html = optarg;
                return 0;
        case 'j':
                o->json = true;
                return 0;
        case 'm':
                *media = true;
                return 0;
        case 'e':
                o->examiner = optarg;
                return 0;
        case 'c':
                o->case_id = optarg;
                return 0;
        case 'C':
                o->chain = true;
                return 0;
        case 'I':
                o->intake_record = optarg;
                return 0;
        case 'T':
                o->tsa_ca = optarg;
                return 0;
        case 'V':
                printf("studio-verify %s\n", STUDIO_VERSION);
                exit(0);
        case 'h':
                fputs(usage_text, stdout);
                exit(0);
        default:
                return -EINVAL;
        }
}

/* The arguments after the options, and which options go together, for
 * each of the three modes: --intake-record, --chain and one session. */
static int take_operands(int argc, char **argv, verify_options *o, bool media) {
        int rest = argc - optind;
        if (o->intake_record)
                return rest == 0 && !o->chain && !o->device_key && !(o->registry_key && !o->registry)
                               ? 0
                               : -EINVAL;
        if (o->tsa_ca)
                return -EINVAL;
        if (o->chain) {
                /* every argument is a session of the chain */
                if (rest < 1 || media || o->previous || o->html)
                        return -EINVAL;
                o->media = argv + optind;
                o->n_media = (size_t) rest;
                return (o->device_key && o->registry) || (o->registry_key && !o->registry) ? -EINVAL : 0;
        }
        if (rest < 1 || (!media && rest != 1) || (o->device_key && o->registry) ||
            (o->registry_key && !o->registry) || (o->json && o->html))
                return -EINVAL;
        o->dir = argv[argc - 1];
        o->media = argv + optind;
        o->n_media = (size_t) rest - 1;
        return 0;
}

static int parse_args(int argc, char **argv, verify_options *o) {
        bool media = false;
        int ch;

        while ((ch = getopt_long(argc, argv, "h", long_options, NULL)) >= 0)
                if (apply_option(ch, o, &media) < 0)
                        return -EINVAL;
        return take_operands(argc, argv, o, media);
}

int main(int argc, char **argv) {
        /* getopt_long reorders argv: the report shows the command as typed */
        g_autofree char **typed = g_memdup2(argv, sizeof(char *) * ((size_t) argc + 1));
        verify_options o = {.argv = typed, .argc = argc};
        verify_ctx c;
        int r;

        log_init("studio-verify", LOG_TARGET_AUTO);
        /* the session's file names and fields are outside strings */
        log_set_escape(true);
        /* With --identity the vault's secret key is in memory: no core dumps. */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (sodium_init() < 0 || parse_args(argc, argv, &o) < 0) {
                fputs(usage_text, stderr);
                return VERIFY_EXIT_ERROR;
        }
        if (o.intake_record)
                return verify_intake_record_main(&o, o.intake_record);
        if (o.chain) {
                g_autofree char *msg = NULL;
                r = verify_chain_main(&o, o.media, o.n_media, &msg);
                return r < 0 ? log_error("%s", msg), VERIFY_EXIT_ERROR : r;
        }
        verify_ctx_init(&c, &o);
        r = verify_run(&c);
        if (r < 0) {
                log_error("%s", c.error);
                verify_ctx_done(&c);
                return VERIFY_EXIT_ERROR;
        }
        if (o.json)
                verify_report_json(&c, stdout);
        else
                verify_report_text(&c, stdout);
        if (o.html && verify_report_html(&c, o.html) < 0) {
                log_error("cannot write %s", o.html);
                verify_ctx_done(&c);
                return VERIFY_EXIT_ERROR;
        }
        int code = verify_verdict_exit_code(c.verdict);
        verify_ctx_done(&c);
        return code;
}
