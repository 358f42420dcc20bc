#include "key-files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "conf-check.h"
#include "fsutil.h"
#include "officers.h"
#include "util.h"

#define KEYS_DEVICE_ID_MAX 64

bool keys_exists(const char *path) {
        return access(path, F_OK) == 0 || errno != ENOENT;
}

int keys_mkdir_p(const char *path, mode_t parent_mode, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/' || s[-1] == '/')
                        continue;
                *s = '\0';
                if (mkdir(p, parent_mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int keys_mkdir_for_file(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        char *slash;

        if (!p)
                return -ENOMEM;
        slash = strrchr(p, '/');
        if (!slash || slash == p)
                return 0;
        *slash = '\0';
        return keys_mkdir_p(p, 0755, 0755);
}

char *keys_path(const char *dir, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

void keys_time_rfc3339(time_t t, bool utc, char out[32]) {
        struct tm tm;
        long off;
        size_t n;

        if (utc)
                gmtime_r(&t, &tm);
        else
                localtime_r(&t, &tm);
        n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
        off = utc ? 0 : tm.tm_gmtoff / 60;
        if (off == 0)
                snprintf(out + n, 32 - n, "Z");
        else
                snprintf(out + n, 32 - n, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 60,
                         labs(off) % 60);
}

/* One line from fd into buf (bounded), byte by byte so that no copy of the
 * PIN stays in a stdio buffer. */
static int read_line_fd(int fd, char *buf, size_t size) {
        size_t len = 0;

        for (;;) {
                char c;
                ssize_t n = read(fd, &c, 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0 || c == '\n')
                        break;
                if (len + 1 >= size)
                        return -E2BIG;
                buf[len++] = c;
        }
        if (len > 0 && buf[len - 1] == '\r')
                len--;
        buf[len] = '\0';
        return 0;
}

static int read_pin_tty(const char *prompt, char *buf, size_t size) {
        struct termios old, quiet;
        int r;

        if (tcgetattr(STDIN_FILENO, &old) < 0)
                return -errno;
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        /* Echo off (dropping anything typed ahead) before the prompt, so
         * that what is typed once the prompt shows is neither lost nor seen. */
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
                return -errno;
        fputs(prompt, stderr);
        fflush(stderr);
        r = read_line_fd(STDIN_FILENO, buf, size);
        (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
        return r;
}

static int read_pin(const char *prompt, bool twice, char **ret_pin) {
        const size_t size = OFFICERS_PIN_MAX + 2;
        char *pin, *again;
        int r;

        if (sodium_init() < 0)
                return -EIO;
        pin = sodium_malloc(size);
        again = sodium_malloc(size);
        if (!pin || !again) {
                sodium_free(pin);
                sodium_free(again);
                return -ENOMEM;
        }
        if (!isatty(STDIN_FILENO)) {
                r = read_line_fd(STDIN_FILENO, pin, size);
        } else {
                r = read_pin_tty(prompt, pin, size);
                if (r == 0 && twice)
                        r = read_pin_tty("Same PIN again: ", again, size);
                if (r == 0 && twice && strcmp(pin, again) != 0)
                        r = -EBADMSG;
        }
        sodium_free(again);
        if (r < 0) {
                sodium_free(pin);
                return r;
        }
        *ret_pin = pin;
        return 0;
}

int keys_read_pin(const char *prompt, char **ret_pin) {
        return read_pin(prompt, true, ret_pin);
}

int keys_read_pin_once(const char *prompt, char **ret_pin) {
        return read_pin(prompt, false, ret_pin);
}

bool keys_device_id_valid(const char *id) {
        /* the rule a bundle and studio.conf are held to (conf-check.h) */
        return conf_check_device_id(id, NULL) == 0;
}

/* DIR holds a device key but not its device.pub: device-init would refuse
 * to overwrite the key, so *ret_message says where the public key is. */
static bool keys_device_key_only(const char *dir, char **ret_message) {
        _cleanup_free_ char *key = keys_path(dir, "device.key");
        _cleanup_free_ char *parent_dir = strdup(dir), *parent = NULL;
        char *slash;

        if (!key || !parent_dir || !keys_exists(key))
                return false;
        for (size_t n = strlen(parent_dir); n > 1 && parent_dir[n - 1] == '/'; n--)
                parent_dir[n - 1] = '\0';
        slash = strrchr(parent_dir, '/');
        if (slash)
                slash[slash == parent_dir ? 1 : 0] = '\0';
        parent = keys_path(slash ? parent_dir : ".", "device.pub");
        if (!parent)
                return false;
        if (keys_exists(parent))
                *ret_message = g_strdup_printf(
                        "%s has the device key but not device.pub: this is a studio made by 'studioctl "
                        "init', whose public key and device id are one folder up: studio-keys enrol "
                        "--dir %s",
                        dir, slash ? parent_dir : ".");
        else
                *ret_message = g_strdup_printf(
                        "%s has the device key but not device.pub (do not run device-init: the key "
                        "exists). Enrol the record the device's console printed: studio-keys enrol "
                        "--record FILE --registry registry.json, or copy device.pub and device.id from "
                        "the device's key folder",
                        dir);
        return true;
}

int keys_device_load(const char *dir, minisign_public *ret_pk, char **ret_device_id, char **ret_message) {
        _cleanup_free_ char *pub = keys_path(dir, "device.pub"), *idp = keys_path(dir, "device.id");
        _cleanup_free_ char *id = NULL;
        size_t len;
        int r;

        if (!pub || !idp)
                return -ENOMEM;
        r = minisign_public_load(pub, ret_pk);
        if (r == -ENOENT && keys_device_key_only(dir, ret_message))
                return r;
        if (r < 0) {
                *ret_message = g_strdup_printf(
                        "cannot read the device public key %s: %s (run 'studio-keys device-init --dir "
                        "%s' first)",
                        pub, r == -EBADMSG ? "not a minisign public key" : strerror(-r), dir);
                return r;
        }
        r = fs_read_file(idp, 256, &id, &len);
        if (r < 0) {
                *ret_message = g_strdup_printf(
                        "cannot read the device id %s: %s (run 'studio-keys device-init --dir %s' first)",
                        idp, strerror(-r), dir);
                return r;
        }
        if (len > 0 && id[len - 1] == '\n')
                id[--len] = '\0';
        if (!keys_device_id_valid(id)) {
                *ret_message = g_strdup_printf(
                        "%s does not hold one device id (expected one line of a-z, 0-9, '.', '_', '-')",
                        idp);
                return -EBADMSG;
        }
        *ret_device_id = TAKE_PTR(id);
        return 0;
}
