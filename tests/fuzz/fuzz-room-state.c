/* libFuzzer: the room-state reader, whose input the status daemon takes
 * from a file another user writes. Oracle: whatever parses, written back
 * and parsed again, is the same document, and writing it again gives the
 * same text (parse -> to_json -> parse is stable). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "room-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        room_state_doc a = {0}, b = {0};
        gchar *msg = NULL, *j1, *j2;

        if (room_state_parse((const char *) data, size, &a, &msg) < 0) {
                FUZZ_CHECK(msg != NULL);
                g_free(msg);
                return 0;
        }
        FUZZ_CHECK(msg == NULL);
        j1 = room_state_doc_to_json(&a);
        if (room_state_parse(j1, strlen(j1), &b, &msg) < 0)
                abort(); /* wrote a document it cannot read back */
        FUZZ_CHECK(a.state == b.state && a.since_us == b.since_us && a.updated_us == b.updated_us);
        FUZZ_CHECK(a.session_since_us == b.session_since_us); /* the session's start kept */
        FUZZ_CHECK((a.attention == NULL) == (b.attention == NULL));
        for (size_t i = 0; a.attention && a.attention[i]; i++)
                FUZZ_CHECK(b.attention[i] && strcmp(a.attention[i], b.attention[i]) == 0);
        FUZZ_CHECK(!a.attention || g_strv_length(a.attention) == g_strv_length(b.attention));
        j2 = room_state_doc_to_json(&b);
        FUZZ_CHECK(strcmp(j1, j2) == 0);
        g_free(j1);
        g_free(j2);
        room_state_doc_clear(&a);
        room_state_doc_clear(&b);
        return 0;
}
