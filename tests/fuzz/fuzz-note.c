/* libFuzzer: a mark's sealed note (custody_note_dearmor, then
 * custody_note_open with a fixed identity). The de-armoring must accept
 * only the one canonical spelling: whatever it accepts re-armors to the
 * same bytes; and what opens is a note (UTF-8, no NUL, bounded). */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"
#include "custody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The armor as the age spec writes it. */
static char *armor(const uint8_t *bin, size_t len) {
        g_autofree char *b64 = g_base64_encode(bin, len);
        GString *s = g_string_new(CUSTODY_NOTE_ARMOR_BEGIN "\n");

        for (size_t i = 0; i < strlen(b64); i += 64) {
                g_string_append_len(s, b64 + i, (gssize) MIN(64, strlen(b64) - i));
                g_string_append_c(s, '\n');
        }
        g_string_append(s, CUSTODY_NOTE_ARMOR_END "\n");
        return g_string_free(s, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t sk[1][AGE_KEY_LEN];
        static bool init;
        g_autofree char *text =
                g_strndup((const char *) data, size); /* stops at a NUL, as a JSON string would */
        g_autofree uint8_t *bin = NULL;
        g_autofree char *note = NULL, *msg = NULL;
        size_t len = 0;

        if (!init) {
                if (sodium_init() < 0)
                        return 0;
                /* a test-only identity: the corpus is sealed for its recipient
                 * (age1k7j55l2c9cvuuaqc5pfv08xn05rwx8mv88c4g3tkcc58m4zj6frq5wmgd8)
                 * with stock `age -a -r`, so the fuzzer starts inside valid notes */
                if (age_identity_parse(
                            "AGE-SECRET-KEY-1HNL4U6QKHA92D062DM8ZG396R7N7Z7K248UUTCV2PL3HKXZ6YD3Q3YLH0Z",
                            sk[0]) < 0)
                        abort();
                init = true;
        }
        if (custody_note_dearmor(text, strlen(text), &bin, &len, &msg) < 0) {
                FUZZ_CHECK(msg != NULL && bin == NULL);
                return 0;
        }
        g_autofree char *again = armor(bin, len);
        FUZZ_CHECK(strcmp(again, text) == 0);
        g_clear_pointer(&msg, g_free);
        if (custody_note_open(text, (const uint8_t(*)[AGE_KEY_LEN]) sk, 1, &note, &msg) < 0) {
                FUZZ_CHECK(msg != NULL && note == NULL);
                return 0;
        }
        FUZZ_CHECK(strlen(note) >= 1 && strlen(note) <= CUSTODY_NOTE_MAX && g_utf8_validate(note, -1, NULL));
        return 0;
}
