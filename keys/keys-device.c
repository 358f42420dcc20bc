/* studio-keys device-init and device-rotate: the device's Ed25519 key in
 * minisign format. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "keys-commands.h"
#include "keys-common.h"
#include "keygen.h"
#include "minisign.h"
#include "util.h"

static void device_init_help(void) {
        puts("Usage: studio-keys device-init [--dir DIR] [--device-id ID]\n"
             "\n"
             "Makes the device signing key at provisioning, on the device itself:\n"
             "  DIR/device.key  minisign secret key, unencrypted, mode 0600\n"
             "  DIR/device.pub  minisign public key (minisign -V -p DIR/device.pub works)\n"
             "  DIR/device.id   the device id, one line\n"
             "and prints the enrolment record for police IT. Refuses to overwrite.\n"
             "\n"
             "  --dir DIR        key folder (default " KEYS_DEVICE_DIR_DEFAULT "; created 0750 if\n"
             "                   missing, and any missing folder above it 0755)\n"
             "  --device-id ID   a-z, 0-9, '.', '_', '-' (default: studio-HOSTNAME-KEYID8)\n"
             "  --help           this text");
}

static int refuse_existing(const char *dir, const char *const *names) {
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *p = keys_path(dir, names[i]);
                if (!p)
                        return keys_error(KEYS_EXIT_FAILURE, "out of memory");
                if (keys_exists(p))
                        return keys_error(KEYS_EXIT_EXISTS,
                                          "%s already exists: refusing to overwrite a device key "
                                          "(use 'studio-keys device-rotate --dir %s' to replace it)",
                                          p, dir);
        }
        return KEYS_EXIT_OK;
}

static int device_init(const char *dir, const char *device_id) {
        static const char *const names[] = {"device.key", "device.pub", "device.id", NULL};
        _cleanup_free_ char *key = keys_path(dir, "device.key"), *pub = keys_path(dir, "device.pub");
        _cleanup_free_ char *idp = keys_path(dir, "device.id");
        int r;

        if (!key || !pub || !idp)
                return keys_error(KEYS_EXIT_FAILURE, "out of memory");
        if (device_id && !keys_device_id_valid(device_id))
                return keys_usage_error("device-init",
                                        "device id '%s' is not valid (1..64 of a-z, 0-9, '.', '_', '-')",
                                        device_id);
        r = keys_mkdir_p(dir, 0755, 0750);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot create the key folder %s: %s", dir,
                                  strerror(-r));
        r = refuse_existing(dir, names);
        if (r != KEYS_EXIT_OK)
                return r;
        r = keys_device_generate(key, pub, (const char *const[]){idp, NULL}, device_id);
        if (r < 0)
                return keys_error(KEYS_EXIT_FAILURE, "cannot write %s, %s and %s: %s", key, pub, idp,
                                  strerror(-r));
        return keys_enrol_print(dir, 0);
}

int keys_cmd_device_init(int argc, char **argv) {
        static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                             {"device-id", required_argument, NULL, 'i'},
                                             {"help", no_argument, NULL, 'h'},
                                             {}};
        const char *dir = KEYS_DEVICE_DIR_DEFAULT, *id = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "d:i:h", opts, NULL)) >= 0) {
                if (c == 'd')
                        dir = optarg;
                else if (c == 'i')
                        id = optarg;
                else if (c == 'h')
                        return device_init_help(), KEYS_EXIT_OK;
                else
                        return keys_option_error("device-init", argv);
        }
        if (optind != argc)
                return keys_usage_error(
                        "device-init", "'%s' is not an option (give the folder as --dir DIR)", argv[optind]);
        return device_init(dir, id);
}
