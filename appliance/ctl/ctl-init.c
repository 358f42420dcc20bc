/* studioctl init: a complete configuration, with fresh keys and one
 * officer, for a self-contained studio in one folder (docs/studioctl.md).
 * The keys are made by the same code as studio-keys (appliance/keygen/keygen.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <glib.h>
#include <sodium.h>

#include "ctl.h"
#include "fsutil.h"
#include "key-files.h"
#include "keygen.h"
#include "officers.h"
#include "util.h"

/* What --pin-file wants, for every refusal of it (docs/studioctl.md). */
#define PIN_FILE_FORMAT                                                                                     \
        "The PIN file holds the officer's PIN on one line: 5 to 64 digits, not all one digit and not a "    \
        "straight run such as 12345 (write it with: echo PIN > FILE; chmod 600 FILE)"

typedef struct init_args {
        const char *dir;
        const char *officer;
        const char *pin_file;
        bool force;
} init_args;

static void init_help(void) {
        puts("Usage: studioctl init --dir DIR --officer N --pin-file FILE [--force]\n"
             "\n"
             "Writes DIR/studio.conf for a self-contained studio: the test profile, the\n"
             "spool, state and control socket under DIR, a directory vault DIR/vault with\n"
             "a fresh vault identity (DIR/vault.key), a fresh device key (DIR/keys/device.key,\n"
             "DIR/device.pub), officer N with the PIN in FILE (DIR/officers), no hardware\n"
             "panel or lights, and the status page on 127.0.0.1 at a free port. Then prints\n"
             "  status: http://127.0.0.1:PORT\n"
             "  config: DIR/studio.conf\n"
             "\n"
             "  --dir DIR        the studio's folder (created 0750 if missing)\n"
             "  --officer N      officer number, 1 to 12 digits\n"
             "  --pin-file FILE  the officer's PIN, one line (5 to 64 digits, not all one\n"
             "                   digit, not a straight run)\n"
             "  --force          replace the configuration and every key of an earlier init\n"
             "                   in DIR (sessions sealed for the old vault key stay readable\n"
             "                   only with the old key)");
}

/* The PIN file's one line into locked memory. */
static int read_pin_file(const char *path, char **ret_pin) {
        const size_t size = OFFICERS_PIN_MAX + 3;
        _cleanup_close_ int fd = -EBADF;
        size_t len = 0;
        char *pin;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (sodium_init() < 0 || !(pin = sodium_malloc(size)))
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, pin + len, size - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int r = -errno;
                        sodium_free(pin);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len == size - 1) {
                        sodium_free(pin);
                        return -E2BIG;
                }
        }
        pin[len] = '\0';
        if (len > 0 && pin[len - 1] == '\n')
                pin[--len] = '\0';
        if (len > 0 && pin[len - 1] == '\r')
                pin[--len] = '\0';
        if (strchr(pin, '\n')) {
                sodium_free(pin);
                return -EBADMSG;
        }
        *ret_pin = pin;
        return 0;
}

/* A port on 127.0.0.1 that is free now (the kernel picks it). */
static int free_port(void) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
        socklen_t len = sizeof sa;
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
                return -errno;
        return ntohs(sa.sin_port);
}

/* A value GKeyFile reads back unchanged: no control character and no
 * backslash (its escape character). */
static bool keyfile_plain(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f || *s == '\\')
                        return false;
        return true;
}

static gchar *conf_text(const char *dir, const char *recipient, int port) {
        char created[32];

        keys_time_rfc3339(time(NULL), true, created);
        return g_strdup_printf(
                "# Written by studioctl init (studioctl %s) at %s for a self-contained studio\n"
                "# in %s. docs/configuration.md describes every key.\n"
                "\n"
                "[recorder]\n"
                "profile=test\n"
                "spool=%s/spool\n"
                "state_dir=%s/state\n"
                "state_file=%s/run/state.json\n"
                "socket=%s/run/recorder.sock\n"
                "device_key=%s/keys/device.key\n"
                "officers=%s/officers\n"
                "recipients=%s\n"
                "\n"
                "[panel]\n"
                "# no device: no hardware panel, studioctl drives the room\n"
                "\n"
                "[lights]\n"
                "# no LED or GPIO names: no lights\n"
                "\n"
                "[health]\n"
                "# a demo or test studio shares a developer's disk: record down to\n"
                "# 5 minutes left and keep 64 MiB free (the appliance's defaults are\n"
                "# 1 h and 256 MiB)\n"
                "start_min_left=5min\n"
                "disk_reserve=64MiB\n"
                "\n"
                "[status]\n"
                "listen=127.0.0.1\n"
                "port=%d\n"
                "# the recorder runs as you here: the page reads only your state file\n"
                "state_owner=%s\n"
                "\n"
                "[uploader]\n"
                "vault=dir:%s/vault\n"
                "backlog_file=%s/run/backlog.json\n",
                STUDIO_VERSION, created, dir, dir, dir, dir, dir, dir, dir, recipient, port,
                g_get_user_name(), dir, dir);
}

/* What an earlier init wrote, removed for --force. */
static int remove_earlier(const char *dir) {
        static const char *const names[] = {"studio.conf",     "vault.key",      "device.pub", "device.id",
                                            "keys/device.key", "keys/device.id", "officers",   NULL};

        for (size_t i = 0; names[i]; i++) {
                g_autofree gchar *p = g_build_filename(dir, names[i], NULL);
                if (unlink(p) < 0 && errno != ENOENT)
                        return ctl_error("cannot remove %s for --force: %s", p, g_strerror(errno));
        }
        return CTL_EXIT_OK;
}

static int make_dirs(const char *dir) {
        static const struct {
                const char *name;
                mode_t mode;
        } dirs[] = {{"spool", 0750}, {"state", 0700}, {"run", 0750}, {"keys", 0700}, {"vault", 0750}};

        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
                g_autofree gchar *p = g_build_filename(dir, dirs[i].name, NULL);
                if (mkdir(p, dirs[i].mode) < 0 && errno != EEXIST)
                        return ctl_error("cannot create %s: %s", p, g_strerror(errno));
        }
        return CTL_EXIT_OK;
}

static int add_officer(const char *path, const char *number, const char *pin) {
        officers *o = officers_new();
        int r;

        if (!o)
                return ctl_error("out of memory");
        r = officers_add(o, number, pin);
        if (r == 0)
                r = officers_save(o, path);
        officers_free(o);
        if (r < 0)
                return ctl_error("cannot write the officers file %s: %s", path, g_strerror(-r));
        return CTL_EXIT_OK;
}

static int init_keys(const char *dir, char **ret_recipient) {
        g_autofree gchar *vault = g_build_filename(dir, "vault.key", NULL);
        g_autofree gchar *key = g_build_filename(dir, "keys", "device.key", NULL);
        g_autofree gchar *pub = g_build_filename(dir, "device.pub", NULL);
        g_autofree gchar *id = g_build_filename(dir, "device.id", NULL);
        /* beside the key, where the recorder reads it, and beside device.pub,
         * where studio-keys enrol --dir DIR reads it */
        g_autofree gchar *key_id = g_build_filename(dir, "keys", "device.id", NULL);
        int r;

        r = keys_vault_identity_generate(vault, ret_recipient);
        if (r == -EEXIST)
                return ctl_error("%s already exists (an earlier init?): give --force to replace it", vault);
        if (r < 0)
                return ctl_error("cannot make the vault identity %s: %s", vault, g_strerror(-r));
        r = keys_device_generate(key, pub, (const char *const[]){key_id, id, NULL}, NULL);
        if (r == -EEXIST)
                return ctl_error(
                        "a device key is already in %s (an earlier init?): give --force to replace it", dir);
        if (r < 0)
                return ctl_error("cannot make the device key %s: %s", key, g_strerror(-r));
        return CTL_EXIT_OK;
}

static int init_run(const init_args *a, const char *pin) {
        struct sockaddr_un sa;
        g_autofree char *dir = NULL;
        g_autofree gchar *conf = NULL, *officers_path = NULL, *text = NULL, *sock = NULL;
        g_autofree char *recipient = NULL;
        int r, port;

        r = keys_mkdir_p(a->dir, 0755, 0750);
        if (r < 0)
                return ctl_error("cannot create the folder %s: %s", a->dir, g_strerror(-r));
        dir = realpath(a->dir, NULL);
        if (!dir)
                return ctl_error("cannot resolve %s: %s", a->dir, g_strerror(errno));
        if (!keyfile_plain(dir))
                return ctl_error("the folder %s holds a control character or a backslash: choose another",
                                 dir);
        sock = g_build_filename(dir, "run", "recorder.sock", NULL);
        if (strlen(sock) >= sizeof sa.sun_path)
                return ctl_error(
                        "the control socket %s would be longer than %zu bytes: choose a shorter --dir", sock,
                        sizeof sa.sun_path - 1);
        conf = g_build_filename(dir, "studio.conf", NULL);
        if (keys_exists(conf) && !a->force)
                return ctl_error(
                        "%s already exists: refusing to overwrite a studio (give --force to replace "
                        "it and its keys)",
                        conf);
        if (a->force && (r = remove_earlier(dir)) != CTL_EXIT_OK)
                return r;
        if ((r = make_dirs(dir)) != CTL_EXIT_OK)
                return r;
        if ((r = init_keys(dir, &recipient)) != CTL_EXIT_OK)
                return r;
        officers_path = g_build_filename(dir, "officers", NULL);
        if ((r = add_officer(officers_path, a->officer, pin)) != CTL_EXIT_OK)
                return r;
        port = free_port();
        if (port < 0)
                return ctl_error("cannot find a free port on 127.0.0.1: %s", g_strerror(-port));
        text = conf_text(dir, recipient, port);
        r = fs_write_atomic(conf, text, strlen(text), 0640);
        if (r < 0)
                return ctl_error("cannot write %s: %s", conf, g_strerror(-r));
        printf("status: http://127.0.0.1:%d\nconfig: %s\n", port, conf);
        return CTL_EXIT_OK;
}

int ctl_cmd_init(int argc, char **argv) {
        static const struct option opts[] = {
                {"dir", required_argument, NULL, 'd'},      {"officer", required_argument, NULL, 'o'},
                {"pin-file", required_argument, NULL, 'p'}, {"force", no_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},           {}};
        init_args a = {};
        const char *reason = NULL;
        char *pin = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+d:o:p:fh", opts, NULL)) >= 0) {
                if (c == 'd')
                        a.dir = optarg;
                else if (c == 'o')
                        a.officer = optarg;
                else if (c == 'p')
                        a.pin_file = optarg;
                else if (c == 'f')
                        a.force = true;
                else if (c == 'h')
                        return init_help(), CTL_EXIT_OK;
                else
                        return ctl_usage_error("init", "'%s' is not an option here, or it needs a value",
                                               argv[optind - 1]);
        }
        if (!a.dir || !a.officer || !a.pin_file || optind != argc)
                return ctl_usage_error("init", "needs --dir DIR --officer N --pin-file FILE (and --force)");
        if (!officers_number_valid(a.officer))
                return ctl_usage_error("init", "officer number '%s' is not 1 to %d digits", a.officer,
                                       OFFICERS_NUMBER_MAX);
        r = read_pin_file(a.pin_file, &pin);
        if (r == -E2BIG || r == -EBADMSG)
                return ctl_error("the PIN file %s holds more than one line. %s", a.pin_file,
                                 PIN_FILE_FORMAT);
        if (r < 0)
                return ctl_error("cannot read the PIN file %s: %s. %s", a.pin_file, g_strerror(-r),
                                 PIN_FILE_FORMAT);
        if (officers_pin_check(pin, &reason) < 0) {
                sodium_free(pin);
                return ctl_error("the PIN in %s is refused: %s; choose another. %s", a.pin_file, reason,
                                 PIN_FILE_FORMAT);
        }
        r = init_run(&a, pin);
        sodium_free(pin);
        return r;
}
