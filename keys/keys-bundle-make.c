/* studio-keys bundle-make: the provisioning bundle police IT signs for a
 * device's first boot (docs/provisioning.md). What it writes is checked
 * with the device's own parser before it is signed. GLib code: g_auto*. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "age.h"
#include "fsutil.h"
#include "bundle.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "minisign.h"

typedef struct bundle_args {
        const char *it_key, *out, *officers, *vault, *endpoint, *region, *room, *profile;
        const char *recipients_file, *wipe_after;
        GPtrArray *recipients;  /* --recipient, borrowed from argv */
        GPtrArray *intake_keys; /* --intake-key: the keys' RW… lines (owned) */
        GPtrArray *devices;     /* --device, borrowed from argv */
        gint64 serial;
        gint64 retention_days;
} bundle_args;

static void bundle_help(void) {
        puts("Usage: studio-keys bundle-make --it-key KEY --out DIR --serial N\n"
             "         (--recipient age1... | --recipients-file FILE) --officers FILE\n"
             "         --vault ADDRESS [--endpoint URL] [--region NAME] [--retention-days N]\n"
             "         [--room NAME] [--profile NAME] --device ID [--device ID]...\n"
             "         [--intake-key FILE]... [--wipe-after receipts|verified]\n"
             "\n"
             "Makes the provisioning bundle a device applies at first boot (studio-provision):\n"
             "  DIR/" KEYS_BUNDLE_NAME "         the vault recipients, the officers file, the\n"
             "                             [uploader] settings and the room\n"
             "  DIR/" KEYS_BUNDLE_SIG_NAME "  police IT's signature of it (stock\n"
             "                             'minisign -Vm DIR/" KEYS_BUNDLE_NAME
             " -p police-it.pub' checks it)\n"
             "The bundle holds no secret: give S3 credentials to the device as a systemd\n"
             "credential (docs/provisioning.md). Put DIR's two files on a drive labelled\n"
             "STUDIO-PROV or in the image's /etc/studio/provision/. Refuses to overwrite.\n"
             "\n"
             "  --it-key KEY           police IT's minisign secret key (it-key-init)\n"
             "  --out DIR              where to write the bundle (created if missing)\n"
             "  --serial N             1 to 2^53; a provisioned device applies only a bundle\n"
             "                         with a higher serial than the one it applied\n"
             "  --recipient age1...    the vault recipient (repeat for escrow recipients)\n"
             "  --recipients-file FILE one age1... a line (as age -R reads)\n"
             "  --officers FILE        the officers file (officer-add)\n"
             "  --vault ADDRESS        [uploader] vault: dir:/absolute/path or s3://bucket/prefix\n"
             "  --endpoint URL         [uploader] endpoint (s3): https://host[:port]\n"
             "  --region NAME          [uploader] region (s3)\n"
             "  --retention-days N     [uploader] retention_days, 1 to 36500\n"
             "  --room NAME            [recorder] room (burned into the picture)\n"
             "  --profile NAME         [recorder] profile (test, usb-1cam, usb-2cam)\n"
             "  --intake-key FILE      the police side's intake.pub (intake-init; repeat while\n"
             "                         a key is replaced): the device installs it as\n"
             "                         /etc/studio/intake.pub ([uploader] intake_key)\n"
             "  --wipe-after WORD      [uploader] wipe_after: receipts (the default) or\n"
             "                         verified (needs --intake-key: the local copy goes only\n"
             "                         once the intake's signed record says INTACT)\n"
             "  --device ID            a device the bundle is for (repeat for several); a device\n"
             "                         applies only a bundle naming its id, and a new device\n"
             "                         (no id yet) only one naming a single id, which it takes\n"
             "                         as its own (--device-id is the same option)\n"
             "  --help                 this text");
}

static void add_string(JsonBuilder *b, const char *name, const char *value) {
        if (!value)
                return;
        json_builder_set_member_name(b, name);
        json_builder_add_string_value(b, value);
}

static void add_int(JsonBuilder *b, const char *name, gint64 value) {
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, value);
}

static gchar *bundle_json(const bundle_args *a, char **recipients, const char *officers) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree gchar *text = NULL;
        char created[32];

        keys_time_rfc3339(time(NULL), true, created);
        json_builder_begin_object(b);
        add_string(b, "format", KEYS_BUNDLE_FORMAT);
        add_int(b, "serial", a->serial);
        add_string(b, "created", created);
        json_builder_set_member_name(b, "recipients");
        json_builder_begin_array(b);
        for (char **r = recipients; *r; r++)
                json_builder_add_string_value(b, *r);
        json_builder_end_array(b);
        add_string(b, "officers", officers);
        json_builder_set_member_name(b, "uploader");
        json_builder_begin_object(b);
        add_string(b, "vault", a->vault);
        add_string(b, "endpoint", a->endpoint);
        add_string(b, "region", a->region);
        if (a->retention_days)
                add_int(b, "retention_days", a->retention_days);
        if (a->intake_keys->len) {
                json_builder_set_member_name(b, "intake_keys");
                json_builder_begin_array(b);
                for (guint i = 0; i < a->intake_keys->len; i++)
                        json_builder_add_string_value(b, a->intake_keys->pdata[i]);
                json_builder_end_array(b);
        }
        add_string(b, "wipe_after", a->wipe_after);
        json_builder_end_object(b);
        if (a->room || a->profile) {
                json_builder_set_member_name(b, "recorder");
                json_builder_begin_object(b);
                add_string(b, "room", a->room);
                add_string(b, "profile", a->profile);
                json_builder_end_object(b);
        }
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        for (guint i = 0; i < a->devices->len; i++)
                json_builder_add_string_value(b, a->devices->pdata[i]);
        json_builder_end_array(b);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_pretty(gen, TRUE);
        json_generator_set_root(gen, root);
        text = json_generator_to_data(gen, NULL);
        return g_strconcat(text, "\n", NULL);
}

/* --recipient values, then the file's, as age1… strings. */
static int bundle_recipients(const bundle_args *a, GStrv *ret) {
        g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
        uint8_t pk[AGE_KEY_LEN];

        for (guint i = 0; i < a->recipients->len; i++) {
                const char *s = a->recipients->pdata[i];
                int r = age_recipient_parse(s, pk);
                if (r < 0)
                        return keys_usage_error("bundle-make", "--recipient '%s' %s", age_recipient_shown(s),
                                                age_recipient_refusal(r));
                g_ptr_array_add(all, g_strdup(s));
        }
        if (a->recipients_file) {
                g_autofree uint8_t(*pks)[AGE_KEY_LEN] = g_malloc0(AGE_RECIPIENT_MAX * AGE_KEY_LEN);
                size_t n = 0;
                unsigned bad = 0;
                int r = age_recipients_file_read(a->recipients_file, pks, AGE_RECIPIENT_MAX, &n, &bad);
                if (r < 0 && bad)
                        return keys_error(KEYS_EXIT_FAILURE, "%s line %u %s", a->recipients_file, bad,
                                          age_recipient_refusal(r));
                if (r < 0)
                        return keys_error(KEYS_EXIT_FAILURE, "cannot read the recipients file %s: %s",
                                          a->recipients_file, strerror(-r));
                for (size_t i = 0; i < n; i++)
                        g_ptr_array_add(all, age_recipient_format(pks[i]));
        }
        if (all->len == 0)
                return keys_usage_error("bundle-make",
                                        "needs --recipient age1... or --recipients-file FILE");
        g_ptr_array_add(all, NULL);
        *ret = (GStrv) g_ptr_array_steal(all, NULL);
        return KEYS_EXIT_OK;
}

static int bundle_sign(const char *it_key, const char *path, gint64 serial) {
        g_autofree gchar *comment =
                g_strdup_printf("timestamp:%lld\tfile:%s\tserial:%lld", (long long) time(NULL),
                                KEYS_BUNDLE_NAME, (long long) serial);
        minisign_secret *sk = NULL;
        int r = minisign_secret_load(it_key, &sk);

        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot load police IT's key %s: %s", it_key,
                                  r == -ENOKEY    ? "it is password-protected (make it with it-key-init)"
                                  : r == -EBADMSG ? "not a minisign secret key"
                                                  : strerror(-r));
        r = minisign_sign_file(sk, path, comment);
        minisign_secret_free(sk);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot sign %s: %s", path, strerror(-r));
        return KEYS_EXIT_OK;
}

static int bundle_make(const bundle_args *a) {
        g_autofree gchar *json = NULL, *why = NULL, *officers = NULL;
        g_autofree gchar *path = g_build_filename(a->out, KEYS_BUNDLE_NAME, NULL);
        g_autofree gchar *sig = g_build_filename(a->out, KEYS_BUNDLE_SIG_NAME, NULL);
        g_autoptr(keys_bundle) b = NULL;
        g_auto(GStrv) recipients = NULL;
        size_t len;
        int r;

        r = bundle_recipients(a, &recipients);
        if (r != KEYS_EXIT_OK)
                return r;
        r = fs_read_file(a->officers, KEYS_BUNDLE_MAX, &officers, &len);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot read the officers file %s: %s", a->officers,
                                  strerror(-r));
        json = bundle_json(a, recipients, officers);
        /* the device's parser, so that police IT never signs what a device refuses */
        r = keys_bundle_parse(json, strlen(json), &b, &why);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "the bundle would be refused by the device: %s", why);
        if (keys_exists(path) || keys_exists(sig))
                return keys_error(KEYS_EXIT_EXISTS, "%s already holds a bundle: refusing to overwrite it",
                                  a->out);
        r = keys_mkdir_p(a->out, 0755, 0755);
        if (r == 0)
                r = fs_write_atomic(path, json, strlen(json), 0644);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write %s: %s", path, strerror(-r));
        r = bundle_sign(a->it_key, path, a->serial);
        if (r != KEYS_EXIT_OK) {
                (void) unlink(path);
                return r;
        }
        printf("Bundle serial %lld written to %s and signed in %s\n(%zu officer(s), vault %s)\n",
               (long long) a->serial, path, sig, b->officers_count, b->vault);
        return KEYS_EXIT_OK;
}

static int parse_int(const char *opt, const char *v, gint64 max, gint64 *ret) {
        guint64 n;

        if (!g_ascii_string_to_unsigned(v, 10, 1, (guint64) max, &n, NULL))
                return keys_usage_error("bundle-make", "%s '%s' is not a number from 1 to %lld", opt, v,
                                        (long long) max);
        *ret = (gint64) n;
        return KEYS_EXIT_OK;
}

/* --intake-key FILE: a minisign public key file; its RW… line goes in. */
static int intake_key_option(bundle_args *a, const char *path) {
        minisign_public pk;
        int r = minisign_public_load(path, &pk);

        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "--intake-key %s is not a minisign public key (%s): give the intake.pub "
                                  "'studio-keys intake-init' made",
                                  path, strerror(-r));
        g_ptr_array_add(a->intake_keys, minisign_public_to_base64(&pk));
        return KEYS_EXIT_OK;
}

static int bundle_option(bundle_args *a, int c) {
        switch (c) {
        case 'k':
                a->it_key = optarg;
                break;
        case 'o':
                a->out = optarg;
                break;
        case 's':
                return parse_int("--serial", optarg, KEYS_BUNDLE_SERIAL_MAX, &a->serial);
        case 'r':
                g_ptr_array_add(a->recipients, optarg);
                break;
        case 'R':
                a->recipients_file = optarg;
                break;
        case 'f':
                a->officers = optarg;
                break;
        case 'v':
                a->vault = optarg;
                break;
        case 'e':
                a->endpoint = optarg;
                break;
        case 'g':
                a->region = optarg;
                break;
        case 'd':
                return parse_int("--retention-days", optarg, KEYS_BUNDLE_RETENTION_MAX, &a->retention_days);
        case 'm':
                a->room = optarg;
                break;
        case 'p':
                a->profile = optarg;
                break;
        case 'i':
                g_ptr_array_add(a->devices, optarg);
                break;
        case 'I':
                return intake_key_option(a, optarg);
        case 'W':
                if (strcmp(optarg, "receipts") != 0 && strcmp(optarg, "verified") != 0)
                        return keys_usage_error("bundle-make",
                                                "--wipe-after '%s' is not receipts or verified", optarg);
                a->wipe_after = optarg;
                break;
        default:
                return -EINVAL; /* not one of ours: the caller names the word */
        }
        return KEYS_EXIT_OK;
}

int keys_cmd_bundle_make(int argc, char **argv) {
        static const struct option opts[] = {{"it-key", required_argument, NULL, 'k'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"serial", required_argument, NULL, 's'},
                                             {"recipient", required_argument, NULL, 'r'},
                                             {"recipients-file", required_argument, NULL, 'R'},
                                             {"officers", required_argument, NULL, 'f'},
                                             {"vault", required_argument, NULL, 'v'},
                                             {"endpoint", required_argument, NULL, 'e'},
                                             {"region", required_argument, NULL, 'g'},
                                             {"retention-days", required_argument, NULL, 'd'},
                                             {"room", required_argument, NULL, 'm'},
                                             {"profile", required_argument, NULL, 'p'},
                                             {"device", required_argument, NULL, 'i'},
                                             {"device-id", required_argument, NULL, 'i'},
                                             {"intake-key", required_argument, NULL, 'I'},
                                             {"wipe-after", required_argument, NULL, 'W'},
                                             {"help", no_argument, NULL, 'h'},
                                             {}};
        g_autoptr(GPtrArray) recipients = g_ptr_array_new(), devices = g_ptr_array_new();
        g_autoptr(GPtrArray) intake_keys = g_ptr_array_new_with_free_func(free);
        bundle_args a = {.recipients = recipients, .devices = devices, .intake_keys = intake_keys};
        int c, r;

        while ((c = getopt_long(argc, argv, "k:o:s:r:R:f:v:e:g:d:m:p:i:I:W:h", opts, NULL)) >= 0) {
                if (c == 'h')
                        return bundle_help(), KEYS_EXIT_OK;
                r = bundle_option(&a, c);
                if (r < 0)
                        return keys_option_error("bundle-make", argv);
                if (r != KEYS_EXIT_OK)
                        return r;
        }
        if (optind != argc)
                return keys_usage_error("bundle-make", "'%s' is not an option", argv[optind]);
        if (!a.it_key || !a.out || !a.serial || !a.officers || !a.vault || !a.devices->len)
                return keys_usage_error("bundle-make",
                                        "needs --it-key, --out, --serial, --officers, --vault and --device "
                                        "(the device id the bundle is for)");
        return bundle_make(&a);
}
