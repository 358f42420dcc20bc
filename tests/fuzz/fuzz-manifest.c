/* libFuzzer: the manifest parser and the SHA256SUMS text it implies. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "custody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        custody_manifest *m = NULL;
        char *err = NULL;

        if (custody_manifest_parse((const char *) data, size, &m, &err) < 0) {
                assert(err != NULL);
                g_free(err);
                return 0;
        }
        for (size_t i = 0; i < m->n_segments; i++)
                assert(custody_segment_name_valid(m->segments[i].name));
        g_free(custody_sums_format(m, false, NULL));
        g_free(custody_sums_format(m, true, NULL));
        custody_manifest_free(m);
        return 0;
}
