/* libFuzzer: the manifest parser and the SHA256SUMS text it implies. A
 * manifest nested deeper than JSON_DEPTH_MAX is never accepted: json-glib
 * recurses per level, so the parser must refuse it before json-glib sees it
 * (a crash on a deep seed is a bug, not an artefact of the harness). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-check.h"
#include "custody.h"
#include "json-bounded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        custody_manifest *m = NULL;
        char *err = NULL;

        if (custody_manifest_parse((const char *) data, size, &m, &err) < 0) {
                FUZZ_CHECK(err != NULL);
                g_free(err);
                return 0;
        }
        if (json_depth_check((const char *) data, size, JSON_DEPTH_MAX) < 0)
                abort(); /* accepted a manifest nested too deep */
        for (size_t i = 0; i < m->n_segments; i++)
                FUZZ_CHECK(custody_segment_name_valid(m->segments[i].name));
        g_free(custody_sums_format(m, false, NULL));
        g_free(custody_sums_format(m, true, NULL));
        custody_manifest_free(m);
        return 0;
}
