/* Feeds outside input (a vault's ListObjectsV2 answer) to s3_list_parse.
 * Must never crash, and what it accepts must hold its promises: every key
 * decoded to a string without NUL whose length fits the page, a truncated
 * page always with its token, the token within its limit. */
#include <stdint.h>
#include <string.h>

#include "fuzz-check.h"
#include "s3-xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        s3_list_page p = {};

        if (s3_list_parse((const char *) data, size, &p) < 0)
                return 0;
        FUZZ_CHECK(p.entries);
        FUZZ_CHECK(!p.truncated || p.next_token);
        FUZZ_CHECK(!p.next_token || strlen(p.next_token) <= S3_LIST_TOKEN_MAX);
        for (guint i = 0; i < p.entries->len; i++) {
                const s3_list_entry *e = &g_array_index(p.entries, s3_list_entry, i);
                FUZZ_CHECK(e->key && strlen(e->key) <= size); /* decoding only shortens */
        }
        s3_list_page_clear(&p);
        return 0;
}
