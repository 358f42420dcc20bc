/* studio-recorder: records sessions from a room profile into sealed
 * segments. This build provides --once (one session, then exit); the panel
 * daemon builds on the same modules. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "age.h"
#include "capture.h"
#include "custody.h"
#include "once.h"
#include "reserve.h"
#include "seal.h"
#include "session.h"
#include "util.h"

enum { EXIT_FAULT = 3 }; /* the recording ended on a fault; what was sealed is kept */

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
                g_printerr("studio-recorder: %s (see --help)\n", error->message);
                return -EINVAL;
        }
        if (argc > 1) {
                g_printerr("studio-recorder: unexpected argument '%s' (see --help)\n", argv[1]);
                return -EINVAL;
        }
        return 0;
}

/* Every recipient, from --recipient and --recipients-file, checked one by
 * one so that a bad one is named. Returns them as a NULL-terminated list. */
static int collect_recipients(const args *a, GPtrArray *out) {
        uint8_t pk[AGE_KEY_LEN];

        for (gchar **r = a->recipients; r && *r; r++) {
                int k = age_recipient_parse(*r, pk);
                if (k < 0) {
                        /* a secret identity is named, never shown */
                        g_printerr("studio-recorder: --recipient '%s' %s\n", age_recipient_shown(*r),
                                   age_recipient_refusal(k));
                        return -EINVAL;
                }
                g_ptr_array_add(out, g_strdup(*r));
        }
        if (a->recipients_file) {
                uint8_t(*pks)[AGE_KEY_LEN] = g_malloc0(AGE_RECIPIENT_MAX * AGE_KEY_LEN);
                size_t n = 0;
                unsigned bad = 0;
                int r = age_recipients_file_read(a->recipients_file, pks, AGE_RECIPIENT_MAX, &n, &bad);
                if (r < 0) {
                        if (bad == 0)
                                g_printerr("studio-recorder: cannot read the recipients file %s: %s (give a "
                                           "file "
                                           "with one age1… recipient a line)\n",
                                           a->recipients_file, g_strerror(-r));
                        else if (r == -E2BIG)
                                g_printerr("studio-recorder: %s line %u: more than %d recipients\n",
                                           a->recipients_file, bad, AGE_RECIPIENT_MAX);
                        else
                                g_printerr("studio-recorder: %s line %u %s\n", a->recipients_file, bad,
                                           age_recipient_refusal(r));
                        g_free(pks);
                        return r;
                }
                for (size_t i = 0; i < n; i++)
                        g_ptr_array_add(out, age_recipient_format(pks[i]));
                g_free(pks);
        }
        if (out->len == 0) {
                g_printerr(
                        "studio-recorder: no recipient: give --recipient age1… (the vault's public key) or "
                        "--recipients-file FILE\n");
                return -EINVAL;
        }
        g_ptr_array_add(out, NULL);
        return 0;
}

static int parse_time_option(const char *name, const char *value, uint64_t min_ns, uint64_t *ret) {
        if (!value)
                return 0;
        if (util_parse_duration_ns(value, ret) < 0 || *ret < min_ns) {
                g_printerr("studio-recorder: --%s '%s' is not a duration of at least %" G_GUINT64_FORMAT
                           " ms (write e.g. 20s, 1500ms or 5min)\n",
                           name, value, min_ns / 1000000);
                return -EINVAL;
        }
        return 0;
}

static gchar *read_device_id(const char *key_path) {
        g_autofree gchar *dir = g_path_get_dirname(key_path);
        g_autofree gchar *path = g_build_filename(dir, "device.id", NULL);
        gchar *id = NULL;

        if (!g_file_get_contents(path, &id, NULL, NULL))
                return g_strdup("unknown (no device.id beside the device key)");
        return g_strstrip(id);
}

/* A session that crashed is closed honestly before a new one starts. What
 * recovery found (sessions closed, folders left untouched) is printed and,
 * when ret_report is given, handed on for the next session's custody log. */
static int recover_spool(const char *out, const char *state_dir, const minisign_secret *key,
                         char **ret_report) {
        g_autofree char *report = NULL;
        int n;

        /* a recorder that crashed left its close reserve: its room is
         * recovery's now (a full disk is why a session may need it) */
        (void) rec_reserve_drop_stale(out);
        n = custody_recover_spool(out, state_dir, key, &report);

        if (n < 0) {
                g_printerr("studio-recorder: recovery of the spool %s failed: %s\n", out, g_strerror(-n));
                return n;
        }
        /* the report also names folders left untouched (n may be 0) */
        if (report && *report) {
                g_printerr(
                        "studio-recorder: recovery of the spool %s closed %d interrupted session(s):\n%s\n",
                        out, n, report);
                if (ret_report)
                        *ret_report = g_steal_pointer(&report);
        }
        return 0;
}

/* Recovery's report goes on the signed record too, so that a folder left
 * untouched is never only a line on a console nobody read. */
#define RECOVERY_NOTE_MAX 8000

static void log_recovery_report(rec_session *s, const char *report) {
        g_autofree gchar *note = NULL;

        if (!report)
                return;
        note = strlen(report) > RECOVERY_NOTE_MAX
                       ? g_strdup_printf("%.*s … (cut; the full report was printed)", RECOVERY_NOTE_MAX,
                                         report)
                       : g_strdup(report);
        (void) rec_session_fault(s, "spool-recovery", note);
}

static int recover_only(const args *a) {
        minisign_secret *key = NULL;
        int r;

        if (!a->out || !a->device_key) {
                g_printerr("studio-recorder: --recover needs --out SPOOL and --device-key FILE\n");
                return 1;
        }
        r = minisign_secret_load(a->device_key, &key);
        if (r < 0) {
                g_printerr("studio-recorder: cannot load the device key %s: %s\n", a->device_key,
                           g_strerror(-r));
                return 1;
        }
        r = recover_spool(a->out, a->state_dir ? a->state_dir : a->out, key, NULL);
        minisign_secret_free(key);
        return r < 0 ? 1 : 0;
}

typedef struct run {
        capture_options copt;
        once_options oopt;
        rec_session_info info;
        minisign_secret *key;
        capture_profile *profile;
        gchar *device_id;
        gchar *recipients;
        GPtrArray *recipient_list;
} run;

static void run_clear(run *r) {
        minisign_secret_free(r->key);
        capture_profile_free(r->profile);
        g_free(r->device_id);
        g_free(r->recipients);
        if (r->recipient_list)
                g_ptr_array_unref(r->recipient_list);
        g_strfreev(r->info.cameras);
        g_strfreev(r->info.microphones);
}

static int prepare(const args *a, run *r) {
        g_autofree gchar *msg = NULL;
        int k;

        r->recipient_list = g_ptr_array_new_with_free_func(g_free);
        if (collect_recipients(a, r->recipient_list) < 0)
                return -EINVAL;
        r->recipients = g_strjoinv(",", (gchar **) r->recipient_list->pdata);
        if (parse_time_option("duration", a->duration, 1000000000ULL, &r->oopt.duration_ns) < 0 ||
            parse_time_option("segment-time", a->segment_time, 1000000000ULL, &r->copt.segment_time_ns) <
                    0 ||
            parse_time_option("checkpoint-interval", a->checkpoint_interval, 100000000ULL,
                              &r->copt.checkpoint_interval_ns) < 0)
                return -EINVAL;
        if (a->segment_size && (util_parse_size(a->segment_size, &r->copt.segment_bytes) < 0 ||
                                r->copt.segment_bytes < 65536)) {
                g_printerr(
                        "studio-recorder: --segment-size '%s' is not a size of at least 64KiB (write e.g. "
                        "512MiB or 1GiB)\n",
                        a->segment_size);
                return -EINVAL;
        }
        r->oopt.eos_timeout_ns = 10ULL * 1000000000ULL;
        k = capture_profile_load(a->profile ? a->profile : "test", &r->profile, &msg);
        if (k < 0) {
                g_printerr("studio-recorder: %s\n", msg);
                return k;
        }
        if (a->device_key) {
                k = minisign_secret_load(a->device_key, &r->key);
                if (k < 0) {
                        g_printerr("studio-recorder: cannot load the device key %s: %s (create it with "
                                   "studio-keys device-init)\n",
                                   a->device_key, g_strerror(-k));
                        return k;
                }
                r->device_id = read_device_id(a->device_key);
        } else {
                g_printerr(
                        "studio-recorder: warning: no --device-key: the segments are sealed but the session "
                        "is not signed (no custody log, manifest or checksums)\n");
        }
        return 0;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
        return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

static void print_summary(rec_session *s, int sealed) {
        g_autoptr(GDir) dir = g_dir_open(rec_session_dir(s), 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        while (dir && (name = g_dir_read_name(dir)))
                g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, compare_names);
        g_printerr("studio-recorder: session %s: %d segment(s) sealed\n", rec_session_id(s), sealed);
        for (guint i = 0; i < names->len; i++)
                g_printerr("  %s\n", (char *) names->pdata[i]);
}

/* The pipeline failed before its first segment file was made (a camera
 * that cannot be opened or is busy): nothing was recorded, exit 1. A signed
 * session keeps its closed record, so the device chain shows the attempt;
 * an unsigned one leaves no empty folder behind. Frees s. */
static int not_started(rec_session *s, const char *spool, const char *why) {
        g_autofree gchar *msg = NULL;
        bool full = rec_session_disk_full(s);
        bool signed_session = rec_session_end(s, full ? "disk full" : "could not start", &msg) >= 0 &&
                              rmdir(rec_session_dir(s)) < 0;

        g_printerr("studio-recorder: nothing was recorded: %s\n", why);
        if (full) {
                g_autofree gchar *disk = rec_session_disk_full_message(spool);
                g_printerr("studio-recorder: %s\n", disk);
        }
        if (msg)
                g_printerr("studio-recorder: %s\n", msg);
        if (signed_session) {
                g_printerr("studio-recorder: the attempt is on the custody record in %s\n",
                           rec_session_dir(s));
                printf("%s\n", rec_session_dir(s));
                fflush(stdout);
        }
        rec_session_free(s);
        return 1;
}

static int record(const args *a, run *r) {
        g_autofree gchar *msg = NULL;
        g_autofree char *recovery = NULL;
        g_autoptr(GstElement) pipeline = NULL;
        rec_session *s = NULL;
        bool full;
        int k, sealed;

        r->info = (rec_session_info){
                .officer = a->officer ? a->officer : "unidentified (studio-recorder --once)",
                .room = a->room ? a->room : capture_profile_room(r->profile),
                .profile = capture_profile_name(r->profile),
                .profile_sha256 = capture_profile_sha256(r->profile),
                .cameras = capture_profile_cameras(r->profile),
                .microphones = capture_profile_microphones(r->profile),
                .recipients = (char **) r->recipient_list->pdata,
                .state_dir = a->state_dir ? a->state_dir : a->out,
                .key = r->key,
                .device_id = r->device_id,
        };
        if (g_mkdir_with_parents(a->out, 0750) < 0) {
                g_printerr("studio-recorder: cannot create the spool folder %s: %s (choose an output folder "
                           "this user can write to)\n",
                           a->out, g_strerror(errno));
                return 1;
        }
        if (r->key && recover_spool(a->out, r->info.state_dir, r->key, &recovery) < 0)
                return 1;
        k = rec_session_begin(a->out, &r->info, &s, &msg);
        if (k < 0) {
                g_printerr("studio-recorder: %s\n", msg);
                return 1;
        }
        log_recovery_report(s, recovery);
        r->copt.session_dir = rec_session_dir(s);
        r->copt.recipients = r->recipients;
        r->copt.room = r->info.room;
        k = capture_pipeline_build(r->profile, &r->copt, &pipeline, &msg);
        if (k < 0) {
                g_printerr("studio-recorder: %s\n", msg);
                (void) rec_session_fault(s, "pipeline", msg);
                g_clear_pointer(&msg, g_free);
                (void) rec_session_end(s, "could not start", &msg);
                (void) rmdir(rec_session_dir(s)); /* only succeeds when nothing was written */
                rec_session_free(s);
                return 1;
        }
        k = once_run(pipeline, s, &r->oopt, &msg);
        if (k < 0 && rec_session_segments_opened(s) == 0)
                return not_started(s, a->out, msg);
        if (k < 0)
                g_printerr("studio-recorder: the recording ended on a fault: %s\n", msg);
        full = rec_session_disk_full(s);
        if (full) {
                g_autofree gchar *disk = rec_session_disk_full_message(a->out);
                g_printerr("studio-recorder: %s; the segment being written is closed as truncated at "
                           "its last signed checkpoint\n",
                           disk);
        }
        g_clear_pointer(&msg, g_free);
        sealed = rec_session_end(s, full ? "disk full" : k < 0 ? "fault" : "stopped", &msg);
        if (sealed < 0)
                g_printerr("studio-recorder: %s\n", msg);
        else
                print_summary(s, sealed);
        printf("%s\n", rec_session_dir(s));
        fflush(stdout);
        rec_session_free(s);
        return (k < 0 || sealed < 0) ? EXIT_FAULT : 0;
}

int main(int argc, char **argv) {
        args a = {0};
        run r = {0};
        int ret;

        setlocale(LC_ALL, "");
        /* The device key is in memory: no core dumps. */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (sodium_init() < 0) {
                g_printerr("studio-recorder: libsodium failed to initialise\n");
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
        if (!a.once || !a.out) {
                g_printerr("studio-recorder: this build records with --once only: give --once --out DIR and "
                           "a --recipient (see --help)\n");
                args_clear(&a);
                return 1;
        }
        seal_register();
        ret = prepare(&a, &r) < 0 ? 1 : record(&a, &r);
        run_clear(&r);
        args_clear(&a);
        return ret;
}
