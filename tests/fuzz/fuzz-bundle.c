/* libFuzzer: the provisioning bundle parser studio-provision runs on a
 * signed bundle (and bundle-make before it signs). What it accepts has every
 * required field within its bounds and every value within the rules
 * studio.conf is held to (conf-check.h), and names the devices it is for;
 * what it refuses comes with a message;
 * it never accepts a text nested deeper than the bundle's bound. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf-check.h"
#include "json-bounded.h"
#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        keys_bundle *b = NULL;
        gchar *why = NULL;

        if (keys_bundle_parse((const char *) data, size, &b, &why) < 0) {
                if (!why || b)
                        abort();
                g_free(why);
                return 0;
        }
        if (why || json_depth_check((const char *) data, size, KEYS_BUNDLE_DEPTH_MAX) < 0)
                abort();
        if (b->serial < 1 || b->serial > KEYS_BUNDLE_SERIAL_MAX || !b->recipients || !b->recipients[0] ||
            !b->officers || b->officers_count == 0 || !b->vault || !b->created)
                abort();
        if (b->room && (strchr(b->room, '\n') || strchr(b->room, '\\')))
                abort(); /* it goes into studio.conf as one line */
        /* every value holds to the rules studio.conf is loaded with */
        if (b->room && conf_check_room(b->room, strlen(b->room), NULL) < 0)
                abort();
        if ((b->endpoint && conf_check_endpoint(b->endpoint, NULL) < 0) ||
            (b->region && conf_check_region(b->region, NULL) < 0) ||
            (g_str_has_prefix(b->vault, "s3://") && conf_check_s3_vault(b->vault, NULL) < 0))
                abort();
        /* bound to 1.. devices, each a safe name, never "." or ".." */
        if (!b->devices || !b->devices[0] || g_strv_length(b->devices) > KEYS_BUNDLE_DEVICES_MAX)
                abort();
        for (gchar **d = b->devices; *d; d++)
                if (conf_check_device_id(*d, NULL) < 0 || strchr(*d, '/') || (*d)[0] == '.')
                        abort();
        keys_bundle_free(b);
        return 0;
}
