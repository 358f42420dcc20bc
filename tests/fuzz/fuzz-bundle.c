/* libFuzzer: the provisioning bundle parser studio-provision runs on a
 * signed bundle (and bundle-make before it signs). What it accepts has every
 * required field within its bounds; what it refuses comes with a message;
 * it never accepts a text nested deeper than the bundle's bound. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-bounded.h"
#include "keys-bundle.h"

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
        keys_bundle_free(b);
        return 0;
}
