/* libFuzzer: the backlog reader, whose input the status daemon and the
 * recorder take from a file another user (the uploader) writes. Oracle:
 * whatever parses, written back and parsed again, is the same document,
 * and writing it again gives the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "backlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        backlog_doc a = {0}, b = {0};
        gchar *msg = NULL, *j1, *j2;

        if (backlog_parse((const char *) data, size, &a, &msg) < 0) {
                FUZZ_CHECK(msg != NULL);
                g_free(msg);
                return 0;
        }
        FUZZ_CHECK(msg == NULL);
        j1 = backlog_doc_to_json(&a);
        if (backlog_parse(j1, strlen(j1), &b, &msg) < 0)
                abort(); /* wrote a document it cannot read back */
        FUZZ_CHECK(a.sessions == b.sessions && a.bytes == b.bytes && a.oldest_us == b.oldest_us);
        FUZZ_CHECK(a.last_transfer_us == b.last_transfer_us && a.vault == b.vault &&
                   a.updated_us == b.updated_us);
        j2 = backlog_doc_to_json(&b);
        FUZZ_CHECK(strcmp(j1, j2) == 0);
        g_free(j1);
        g_free(j2);
        return 0;
}
