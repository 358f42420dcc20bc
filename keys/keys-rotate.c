/* studio-keys device-rotate: a new device key, vouched for by the old one. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "minisign.h"
#include "util.h"

typedef struct rotate_paths {
        char *key, *pub, *key_old, *pub_old, *key_new, *pub_new, *sig;
} rotate_paths;

static void rotate_paths_free(rotate_paths *p) {
        free(p->key), free(p->pub), free(p->key_old), free(p->pub_old);
        free(p->key_new), free(p->pub_new), free(p->sig);
}

static void rotate_help(void) {
        puts("Usage: studio-keys device-rotate [--dir DIR]\n"
             "\n"
             "Replaces the device key. The old key signs the new public key\n"
             "(DIR/device.pub.new.minisig, trusted comment \"rotation from OLD to NEW\"),\n"
             "the old pair is kept as device.key.old / device.pub.old and the new pair\n"
             "becomes device.key / device.pub. Enrol the new key at police IT with\n"
             "'studio-keys enrol --dir DIR --registry FILE'; keep the old one enrolled.\n"
             "Check the rotation record with:\n"
             "  minisign -V -p DIR/device.pub.old -m DIR/device.pub -x DIR/device.pub.new.minisig\n"
             "Refuses while device.key.old or device.pub.old exist from an earlier\n"
             "rotation: archive them first.\n"
             "\n"
             "  --dir DIR   the device key folder (default " KEYS_DEVICE_DIR_DEFAULT ")\n"
             "  --help      this text");
}

static int rotate_paths_make(const char *dir, rotate_paths *p) {
        p->key = keys_path(dir, "device.key");
        p->pub = keys_path(dir, "device.pub");
        p->key_old = keys_path(dir, "device.key.old");
        p->pub_old = keys_path(dir, "device.pub.old");
        p->key_new = keys_path(dir, "device.key.new");
        p->pub_new = keys_path(dir, "device.pub.new");
        p->sig = keys_path(dir, "device.pub.new.minisig");
        return p->key && p->pub && p->key_old && p->pub_old && p->key_new && p->pub_new && p->sig ? 0
                                                                                                  : -ENOMEM;
}

static int rotate_make_new(const rotate_paths *p, const minisign_secret *old, char old_hex[17],
                           char new_hex[17]) {
        minisign_secret *sk = NULL;
        minisign_public old_pk, new_pk;
        char comment[80];
        int r;

        r = minisign_secret_generate(&sk);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot make a key: %s", strerror(-r));
        minisign_secret_public(sk, &new_pk);
        minisign_secret_public(old, &old_pk);
        r = minisign_secret_save(sk, p->key_new, p->pub_new);
        minisign_secret_free(sk);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write %s: %s", p->key_new, strerror(-r));
        minisign_key_id_hex(old_pk.key_id, old_hex);
        minisign_key_id_hex(new_pk.key_id, new_hex);
        snprintf(comment, sizeof comment, "rotation from %s to %s", old_hex, new_hex);
        r = minisign_sign_file(old, p->pub_new, comment);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot sign %s: %s", p->pub_new, strerror(-r));
        return KEYS_EXIT_OK;
}

/* Old pair aside first, then the new pair in place: a crash in between
 * leaves both pairs on disk, never neither. */
static int rotate_install(const rotate_paths *p) {
        const char *moves[][2] = {
                {p->key, p->key_old},
                {p->pub, p->pub_old},
                {p->key_new, p->key},
                {p->pub_new, p->pub},
        };

        for (size_t i = 0; i < ELEMENTSOF(moves); i++)
                if (rename(moves[i][0], moves[i][1]) < 0)
                        return keys_error(KEYS_EXIT_FAILURE, "cannot rename %s to %s: %m", moves[i][0],
                                          moves[i][1]);
        (void) fs_fsync_parent(p->key);
        return KEYS_EXIT_OK;
}

static int device_rotate(const char *dir) {
        _cleanup_(rotate_paths_free) rotate_paths p = {};
        minisign_secret *old = NULL;
        char old_hex[17], new_hex[17];
        int r;

        if (rotate_paths_make(dir, &p) < 0)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        const char *busy[] = {p.key_old, p.pub_old, p.key_new, p.pub_new};
        for (size_t i = 0; i < ELEMENTSOF(busy); i++)
                if (keys_exists(busy[i]))
                        return keys_error(KEYS_EXIT_EXISTS,
                                          "%s exists from an earlier rotation: archive or remove it, "
                                          "then run device-rotate again",
                                          busy[i]);
        r = minisign_secret_load(p.key, &old);
        if (r == -ENOKEY)
                return keys_error(KEYS_EXIT_FAILURE,
                                  "%s is password-protected: the device key must be unencrypted "
                                  "(re-create it with 'studio-keys device-init' or 'minisign -G -W')",
                                  p.key);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot load the device key %s: %s", p.key,
                                  r == -EBADMSG ? "not a minisign secret key" : strerror(-r));
        r = rotate_make_new(&p, old, old_hex, new_hex);
        old = minisign_secret_free(old);
        if (r != KEYS_EXIT_OK)
                return r;
        r = rotate_install(&p);
        if (r != KEYS_EXIT_OK)
                return r;
        printf("old key id: %s\nnew key id: %s\nrotation record: %s\n", old_hex, new_hex, p.sig);
        return KEYS_EXIT_OK;
}

int keys_cmd_device_rotate(int argc, char **argv) {
        static const struct option opts[] = {
                {"dir", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {}};
        const char *dir = KEYS_DEVICE_DIR_DEFAULT;
        int c;

        while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) >= 0) {
                if (c == 'd')
                        dir = optarg;
                else if (c == 'h')
                        return rotate_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("device-rotate", argv);
        }
        if (optind != argc)
                return keys_usage_error("device-rotate",
                                        "'%s' is not an option (give the folder as --dir DIR)",
                                        argv[optind]);
        return device_rotate(dir);
}
