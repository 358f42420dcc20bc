/* studio-recorder: records sessions from a room profile into sealed
 * segments. With --config FILE it is the appliance's recorder daemon
 * (daemon.h); --once records one session and exits (once.h). Both drive
 * the same session controller. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "age.h"
#include "capture.h"
#include "log.h"
#include "daemon.h"
#include "once.h"
#include "device-key.h"
#include "recovery.h"
#include "seal.h"
#include "studio-conf.h"
#include "util.h"

typedef struct args {
        gboolean once;
        gboolean recover;
        gchar *profile;
        gchar *duration;
        gchar **recipients;
        gchar *recipients_file;
        gchar *out;
        gchar *room;
        gchar *officer;
        gchar *segment_time;
        gchar *segment_size;
        gchar *checkpoint_interval;
        gchar *device_key;
        gchar *state_dir;
        gchar *config;
        gboolean version;
} args;

static void args_clear(args *a) {
        g_free(a->profile);
        g_free(a->duration);
        g_strfreev(a->recipients);
        g_free(a->recipients_file);
        g_free(a->out);
        g_free(a->room);
        g_free(a->officer);
        g_free(a->segment_time);
        g_free(a->segment_size);
        g_free(a->checkpoint_interval);
        g_free(a->device_key);
        g_free(a->state_dir);
        g_free(a->config);
}

static int parse_args(int argc, char **argv, args *a) {
        const GOptionEntry entries[] = {
                {"once", 0, 0, G_OPTION_ARG_NONE, &a->once, "Record one session and exit", NULL},
                {"recover", 0, 0, G_OPTION_ARG_NONE, &a->recover,
                 "Only close sessions a crash interrupted (needs --out and --device-key), then exit", NULL},
                {"profile", 0, 0, G_OPTION_ARG_STRING, &a->profile,
                 "Room profile name or file (default: test)", "NAME"},
                {"duration", 0, 0, G_OPTION_ARG_STRING, &a->duration,
                 "Stop after this long (20s, 5min); default: until SIGINT/SIGTERM", "TIME"},
                {"recipient", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &a->recipients,
                 "Seal for this age1… recipient (repeatable)", "AGE1…"},
                {"recipients-file", 'R', 0, G_OPTION_ARG_FILENAME, &a->recipients_file,
                 "Seal for the recipients in FILE (one a line, # comments)", "FILE"},
                {"out", 'o', 0, G_OPTION_ARG_FILENAME, &a->out,
                 "Spool folder; the session goes into a new folder inside", "DIR"},
                {"room", 0, 0, G_OPTION_ARG_STRING, &a->room, "Room name burned into the picture", "NAME"},
                {"officer", 0, 0, G_OPTION_ARG_STRING, &a->officer,
                 "Officer number recorded in the custody log", "NUMBER"},
                {"segment-time", 0, 0, G_OPTION_ARG_STRING, &a->segment_time,
                 "Longest segment (default 5min)", "TIME"},
                {"segment-size", 0, 0, G_OPTION_ARG_STRING, &a->segment_size,
                 "Largest segment (default 1GiB)", "SIZE"},
                {"checkpoint-interval", 0, 0, G_OPTION_ARG_STRING, &a->checkpoint_interval,
                 "Time between signed checkpoints (default 2s)", "TIME"},
                {"device-key", 0, 0, G_OPTION_ARG_FILENAME, &a->device_key,
                 "Device signing key (minisign); enables the custody log, manifest and signatures", "FILE"},
                {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &a->state_dir,
                 "Where the device's chain head is kept (default: the --out folder)", "DIR"},
                {"config", 'c', 0, G_OPTION_ARG_FILENAME, &a->config,
                 "The appliance's configuration (studio.conf): alone, run the recorder daemon; with --once, "
                 "take its [recorder] settings as defaults",
                 "FILE"},
                {"version", 0, 0, G_OPTION_ARG_NONE, &a->version,
                 "Print \"studio-recorder VERSION\" and exit", NULL},
                G_OPTION_ENTRY_NULL,
        };
        g_autoptr(GOptionContext) ctx =
                g_option_context_new("- record an interview session into sealed segments");
        g_autoptr(GError) error = NULL;

        g_option_context_add_main_entries(ctx, entries, NULL);
        g_option_context_set_description(
                ctx,
                "Exit status: 0 recorded and sealed; 1 bad arguments or set-up failure (nothing recorded);\n"
                "3 the recording ended on a fault (camera lost, disk full, …): everything sealed so far is "
                "kept.\n"
                "The last line printed is the session folder.\n"
                "SIGINT or SIGTERM stops the recording cleanly; SIGUSR1 writes a mark into the custody "
                "log;\n"
                "SIGUSR2 writes a break, and the next SIGUSR2 a resume (the room is still recorded).");
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                return log_error_errno(-EINVAL, "%s (see --help)", error->message);
        }
        if (argc > 1)
                return log_unexpected_argument(argv[1]);
        return 0;
}

/* Every recipient, from --recipient and --recipients-file, checked one by
 * one so that a bad one is named. Returns them as a NULL-terminated list. */
static int collect_recipients(const args *a, GPtrArray *out) {
        uint8_t pk[AGE_KEY_LEN];

        for (gchar **r = a->recipients; r && *r; r++) {
                int k = age_recipient_parse(*r, pk);
                if (k < 0)
                        /* a secret identity is named, never shown */
                        return log_error_errno(-EINVAL, "--recipient '%s' %s", age_recipient_shown(*r),
                                               age_recipient_refusal(k));
                g_ptr_array_add(out, g_strdup(*r));
        }
        if (a->recipients_file) {
                g_autofree uint8_t(*pks)[AGE_KEY_LEN] = g_malloc0(AGE_RECIPIENT_MAX * AGE_KEY_LEN);
                size_t n = 0;
                unsigned bad = 0;
                int r = age_recipients_file_read(a->recipients_file, pks, AGE_RECIPIENT_MAX, &n, &bad);
                if (r < 0 && bad == 0)
                        return log_error_errno(
                                r,
                                "cannot read the recipients file %s: %s (give a file with one "
                                "age1… recipient a line)",
                                a->recipients_file, g_strerror(-r));
                if (r == -E2BIG)
                        return log_error_errno(r, "%s line %u: more than %d recipients", a->recipients_file,
                                               bad, AGE_RECIPIENT_MAX);
                if (r < 0)
                        return log_error_errno(r, "%s line %u %s", a->recipients_file, bad,
                                               age_recipient_refusal(r));
                for (size_t i = 0; i < n; i++)
                        g_ptr_array_add(out, age_recipient_format(pks[i]));
        }
        if (out->len == 0)
                return log_error_errno(-EINVAL,
                                       "no recipient: give --recipient age1… (the vault's public key) "
                                       "or --recipients-file FILE");
        g_ptr_array_add(out, NULL);
        return 0;
}

static int parse_time_option(const char *name, const char *value, uint64_t min_ns, uint64_t *ret) {
        if (!value)
                return 0;
        if (util_parse_duration_ns(value, ret) < 0 || *ret < min_ns)
                return log_error_errno(-EINVAL,
                                       "--%s '%s' is not a duration of at least %" G_GUINT64_FORMAT
                                       " ms (write e.g. 20s, 1500ms or 5min)",
                                       name, value, min_ns / 1000000);
        return 0;
}

static int load_device_key(const char *path, minisign_secret **ret) {
        g_autofree gchar *msg = NULL;
        int r = rec_device_key_load(path, ret, &msg);

        return r < 0 ? log_error_errno(r, "%s", msg) : 0;
}

static int recover_only(const args *a) {
        minisign_secret *key = NULL;
        int r;

        if (!a->out || !a->device_key) {
                log_error("--recover needs --out SPOOL and --device-key FILE");
                return 1;
        }
        if (load_device_key(a->device_key, &key) < 0)
                return 1;
        r = rec_recover_spool(a->out, a->state_dir ? a->state_dir : a->out, key, NULL);
        minisign_secret_free(key);
        return r < 0 ? 1 : 0;
}

/* What --once records with, from the command line. */
typedef struct run {
        rec_settings settings;
        once_options once;
        minisign_secret *key;
        capture_profile *profile;
        gchar *device_id;
        GPtrArray *recipients;
        char *recovery_note;
        studio_conf *conf; /* --once --config: its typed [recorder] settings */
} run;

static void run_clear(run *r) {
        minisign_secret_free(r->key);
        capture_profile_free(r->profile);
        g_free(r->device_id);
        if (r->recipients)
                g_ptr_array_unref(r->recipients);
        g_free(r->recovery_note);
        r->conf = studio_conf_free(r->conf);
}

static int prepare(const args *a, run *r) {
        rec_settings *s = &r->settings;
        g_autofree gchar *msg = NULL;
        int k;

        r->recipients = g_ptr_array_new_with_free_func(g_free);
        if (collect_recipients(a, r->recipients) < 0)
                return -EINVAL;
        if (r->conf) { /* the configuration's values, as typed; the command line wins */
                s->segment_time_ns = r->conf->recorder.segment_time_ns;
                s->checkpoint_interval_ns = r->conf->recorder.checkpoint_interval_ns;
                s->segment_bytes = r->conf->recorder.segment_bytes;
        }
        if (parse_time_option("duration", a->duration, 1000000000ULL, &r->once.duration_ns) < 0 ||
            parse_time_option("segment-time", a->segment_time, 1000000000ULL, &s->segment_time_ns) < 0 ||
            parse_time_option("checkpoint-interval", a->checkpoint_interval, 100000000ULL,
                              &s->checkpoint_interval_ns) < 0)
                return -EINVAL;
        if (a->segment_size &&
            (util_parse_size(a->segment_size, &s->segment_bytes) < 0 || s->segment_bytes < 65536))
                return log_error_errno(-EINVAL,
                                       "--segment-size '%s' is not a size of at least 64KiB (write e.g. "
                                       "512MiB or 1GiB)",
                                       a->segment_size);
        k = capture_profile_load(a->profile ? a->profile : "test", &r->profile, &msg);
        if (k < 0)
                return log_error_errno(k, "%s", msg);
        if (a->device_key) {
                if (load_device_key(a->device_key, &r->key) < 0)
                        return -EINVAL;
                r->device_id = rec_device_id_read(a->device_key);
        } else
                log_warning("warning: no --device-key: the segments are sealed but the session is not "
                            "signed (no custody log, manifest or checksums)");
        s->profile = r->profile;
        s->spool = a->out;
        s->state_dir = a->state_dir ? a->state_dir : a->out;
        s->room = a->room;
        s->recipients = (char *const *) r->recipients->pdata;
        s->key = r->key;
        s->device_id = r->device_id;
        s->eos_timeout_ns = 10ULL * 1000000000ULL;
        r->once.officer = a->officer ? a->officer : "unidentified (studio-recorder --once)";
        return 0;
}

static void default_string(gchar **field, const char *value) {
        if (!*field && value)
                *field = g_strdup(value);
}

/* --once --config FILE: the [recorder] settings are the defaults, the
 * command line wins. Paths and names fill the options left out; the
 * durations and sizes are taken as typed in prepare(). */
static int once_defaults_from_config(args *a, run *recording) {
        g_autofree gchar *msg = NULL;
        const studio_recorder_conf *rc;
        int r = studio_conf_load(a->config, &recording->conf, &msg);

        if (r >= 0)
                r = studio_conf_check_credentials(recording->conf, "recorder", &msg);
        if (r < 0)
                return log_error_errno(r, "%s", msg);
        rc = &recording->conf->recorder;
        default_string(&a->profile, rc->profile);
        default_string(&a->out, rc->spool);
        default_string(&a->room, rc->room);
        default_string(&a->device_key, rc->device_key);
        default_string(&a->state_dir, rc->state_dir);
        if (!a->recipients && !a->recipients_file) {
                a->recipients = g_strdupv(rc->recipients);
                default_string(&a->recipients_file, rc->recipients_file);
        }
        return 0;
}

static int record_once(const args *a, run *r) {
        if (g_mkdir_with_parents(a->out, 0750) < 0) {
                log_error("cannot create the spool folder %s: %s (choose an output folder this user can "
                          "write to)",
                          a->out, g_strerror(errno));
                return 1;
        }
        /* a session that crashed is closed honestly before a new one starts */
        if (r->key && rec_recover_spool(a->out, r->settings.state_dir, r->key, &r->recovery_note) < 0)
                return 1;
        r->once.recovery_note = r->recovery_note;
        return once_main(&r->settings, &r->once);
}

int main(int argc, char **argv) {
        args a = {0};
        run r = {0};
        int ret;

        setlocale(LC_ALL, "");
        log_init("studio-recorder", LOG_TARGET_AUTO);
        /* The device key is in memory: no core dumps. */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (sodium_init() < 0) {
                log_error("libsodium failed to initialise");
                return 1;
        }
        gst_init(&argc, &argv);
        if (parse_args(argc, argv, &a) < 0) {
                args_clear(&a);
                return 1;
        }
        if (a.version) {
                printf("studio-recorder %s\n", STUDIO_VERSION);
                args_clear(&a);
                return 0;
        }
        if (a.recover) {
                ret = recover_only(&a);
                args_clear(&a);
                return ret;
        }
        seal_register();
        if (!a.once && a.config) {
                ret = daemon_main(a.config);
                args_clear(&a);
                return ret;
        }
        if (a.once && a.config && once_defaults_from_config(&a, &r) < 0) {
                run_clear(&r);
                args_clear(&a);
                return 1;
        }
        if (!a.once || !a.out) {
                log_error("give --config FILE to run the recorder daemon, or --once --out DIR and a "
                          "--recipient to record one session (see --help)");
                run_clear(&r);
                args_clear(&a);
                return 1;
        }
        ret = prepare(&a, &r) < 0 ? 1 : record_once(&a, &r);
        run_clear(&r);
        args_clear(&a);
        return ret;
}
