/* studio-provision: first boot (systemd/studio-provision.service, as root,
 * before the daemons). Finds the signed bundle, applies it, and prints the
 * enrolment record on the console. docs/provisioning.md. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sodium.h>

#include "keys-commands.h"
#include "log.h"
#include "provision.h"

enum {
        PROV_EXIT_OK = 0,        /* provisioned now, or already */
        PROV_EXIT_REFUSED = 1,   /* bundle refused, or it could not be applied */
        PROV_EXIT_USAGE = 2,     /* wrong command line */
        PROV_EXIT_NO_BUNDLE = 3, /* unprovisioned, and no bundle anywhere */
};

/* The program's name: log.h's prefix, and the same on each outcome line. */
#define PROV_NAME "studio-provision"

static int console_fd = -1;

/* One line of the outcome to stdout and to the console. Errors and
 * warnings go through log.h, which copies them to the console too
 * (log_set_console_fd in main). */
static void report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void report(const char *fmt, ...) {
        g_autofree gchar *line = NULL;
        va_list ap;

        va_start(ap, fmt);
        line = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        printf(PROV_NAME ": %s\n", line);
        fflush(stdout);
        if (console_fd >= 0)
                (void) dprintf(console_fd, PROV_NAME ": %s\n", line);
}

static void print_enrolment(const provision_paths *p) {
        g_autofree char *text = NULL; /* open_memstream's: g_free is free */
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        int r;

        if (!m)
                return;
        r = keys_enrol_fprint(m, p->keys_dir);
        fclose(m);
        if (r != 0)
                return;
        report("enrolment record for police IT (copy these lines into a file and run studio-keys enrol "
               "--record FILE --registry registry.json; or studio-keys enrol --dir %s on the device):",
               p->keys_dir);
        fputs(text, stdout);
        fflush(stdout);
        if (console_fd >= 0)
                (void) (write(console_fd, text, len) < 0);
}

static void help(void) {
        puts("Usage: studio-provision [--root DIR] [--it-key FILE] [--bundle DIR]\n"
             "\n"
             "First boot: applies the provisioning bundle police IT made with\n"
             "'studio-keys bundle-make' (provision.json + provision.json.minisig), from a\n"
             "drive labelled STUDIO-PROV or from /etc/studio/provision/, once its signature\n"
             "verifies with police IT's key. Makes the device key if there is none, writes\n"
             "the vault recipients, the officers and the [uploader] settings into\n"
             "/etc/studio/, and prints the enrolment record on the console. A provisioned\n"
             "device applies only a bundle with a higher serial.\n"
             "\n"
             "  --root DIR     every path below DIR, including those written into\n"
             "                 studio.conf (for tests)\n"
             "  --it-key FILE  police IT's minisign public key (default\n"
             "                 /usr/share/studio/police-it.pub under the root)\n"
             "  --bundle DIR   read the bundle from DIR only (no drive, no /etc/studio/provision)\n"
             "  --help         this text\n"
             "\n"
             "Exit codes: 0 provisioned (now or already), 1 bundle refused or not applied,\n"
             "2 usage error, 3 not provisioned and no bundle found.");
}

/* The drive first (police IT brings it to update a device), then the
 * image's folder. -ENOENT: no bundle in either; other errors: one was
 * found and refused, *msg says why. */
static int find_bundle(const provision_paths *p, const char *it_key, provision_bundle **ret, gchar **msg) {
        g_autofree gchar *mounted = NULL, *why = NULL;
        int r = provision_drive_mount(p, &mounted, &why);

        if (r < 0 && r != -ENOENT)
                log_warning("%s; looking in %s instead", why, p->bundle_dir);
        if (r >= 0) {
                report("drive %s mounted read-only at %s", p->drive, mounted);
                r = provision_bundle_load(mounted, it_key, ret, msg);
                g_clear_pointer(&why, g_free);
                if (provision_drive_unmount(mounted, &why) < 0)
                        log_warning("%s", why);
                if (r != -ENOENT)
                        return r;
                report("the drive holds no %s", KEYS_BUNDLE_NAME);
        }
        return provision_bundle_load(p->bundle_dir, it_key, ret, msg);
}

static int run(const provision_paths *p, const char *it_key, const char *bundle_dir) {
        g_autoptr(provision_bundle) pb = NULL;
        g_autofree gchar *msg = NULL;
        int64_t applied = 0;
        int r;

        if (provision_marker_read(p->marker, &applied, &msg) < 0)
                return log_error("%s", msg), PROV_EXIT_REFUSED;
        r = bundle_dir ? provision_bundle_load(bundle_dir, it_key, &pb, &msg)
                       : find_bundle(p, it_key, &pb, &msg);
        if (r == -ENOENT && applied > 0) {
                report("provisioned with bundle serial %lld; no new bundle: nothing changed",
                       (long long) applied);
                return print_enrolment(p), PROV_EXIT_OK;
        }
        if (r == -ENOENT)
                return log_error("no provisioning bundle in %s or on a drive labelled STUDIO-PROV: the room "
                                 "stays "
                                 "unprovisioned and records nothing",
                                 bundle_dir ? bundle_dir : p->bundle_dir),
                       PROV_EXIT_NO_BUNDLE;
        if (r < 0 && applied > 0)
                return log_error("%s; the device keeps bundle serial %lld", msg, (long long) applied),
                       PROV_EXIT_REFUSED;
        if (r < 0)
                return log_error("%s; nothing was applied: the room stays unprovisioned", msg),
                       PROV_EXIT_REFUSED;
        /* another device's bundle is refused whatever its serial */
        g_autofree gchar *device_id = NULL;
        if (provision_bundle_device(p, pb->b, &device_id, &msg) < 0)
                return log_error("%s; nothing was applied%s", msg,
                                 applied > 0 ? ": the device keeps its bundle"
                                             : ": the room stays unprovisioned"),
                       PROV_EXIT_REFUSED;
        if (pb->b->serial <= applied) {
                report("already provisioned with bundle serial %lld; the bundle in %s has serial %lld, not "
                       "a "
                       "newer one: nothing changed",
                       (long long) applied, pb->where, (long long) pb->b->serial);
                return print_enrolment(p), PROV_EXIT_OK;
        }
        r = provision_apply(p, pb, &msg);
        if (r < 0)
                return log_error("%s; provisioning stopped (run it again once that is fixed)", msg),
                       PROV_EXIT_REFUSED;
        report("%s with bundle serial %lld from %s: %zu officer(s), vault %s",
               applied ? "updated" : "provisioned", (long long) pb->b->serial, pb->where,
               pb->b->officers_count, pb->b->vault);
        print_enrolment(p);
        return PROV_EXIT_OK;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                {"root", required_argument, NULL, 'r'},   {"it-key", required_argument, NULL, 'k'},
                {"bundle", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'V'},      {}};
        const char *root = NULL, *it_key = NULL, *bundle = NULL;
        g_autoptr(provision_paths) p = NULL;
        int c, r;

        log_init(PROV_NAME, LOG_TARGET_AUTO);
        log_set_escape(true);
        opterr = 0;
        while ((c = getopt_long(argc, argv, "r:k:b:h", opts, NULL)) >= 0) {
                if (c == 'r')
                        root = optarg;
                else if (c == 'k')
                        it_key = optarg;
                else if (c == 'b')
                        bundle = optarg;
                else if (c == 'h')
                        return help(), PROV_EXIT_OK;
                else if (c == 'V')
                        return puts("studio-provision " STUDIO_VERSION), PROV_EXIT_OK;
                else
                        return log_error("'%s' is not an option here, or it needs a value (see --help)",
                                         argv[optind - 1]),
                               PROV_EXIT_USAGE;
        }
        if (optind != argc)
                return log_error("'%s' is not an option (see --help)", argv[optind]), PROV_EXIT_USAGE;
        /* a fresh device key is in memory: no core dumps */
        (void) prctl(PR_SET_DUMPABLE, 0);
        if (sodium_init() < 0)
                return log_error("cannot initialise libsodium"), PROV_EXIT_REFUSED;
        p = provision_paths_new(root);
        console_fd = open(p->console, O_WRONLY | O_NOCTTY | O_APPEND | O_CLOEXEC);
        log_set_console_fd(console_fd);
        r = run(p, it_key ? it_key : p->it_key, bundle);
        log_set_console_fd(-1);
        if (console_fd >= 0)
                (void) close(console_fd);
        return r;
}
