/* libFuzzer: the custody log parser, then the manifest builder over what
 * it accepts. Nothing fuzzed is signed by the key made here, so no entry
 * may ever verify; and no entry it accepts is nested deeper than
 * JSON_DEPTH_MAX (such a line must be refused before json-glib, which
 * recurses per level, sees it). */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-check.h"
#include "custody.h"
#include "json-bounded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static minisign_public pk;
        static bool init;
        custody_parsed_log *log = NULL;
        char *err = NULL;

        if (!init) {
                if (sodium_init() < 0)
                        return 0;
                randombytes_buf(&pk, sizeof(pk));
                init = true;
        }
        if (custody_log_parse((const char *) data, size, &log, &err) < 0) {
                FUZZ_CHECK(err != NULL);
                g_free(err);
                return 0;
        }
        for (size_t i = 0; i < log->n_entries; i++) {
                const custody_entry *e = &log->entries[i];
                if (!e->fragment && json_depth_check(log->data + e->offset, e->len, JSON_DEPTH_MAX) < 0)
                        abort(); /* accepted a line nested too deep */
                char *msg = NULL;
                size_t len = 0;
                uint8_t sig[MINISIGN_SIG_LEN];
                if (e->fragment ||
                    custody_line_signed_bytes(log->data + e->offset, e->len, &msg, &len, sig) < 0)
                        continue;
                FUZZ_CHECK(minisign_verify_detached(&pk, (const uint8_t *) msg, len, sig) != 0);
                g_free(msg);
        }
        char *text = NULL;
        size_t tlen = 0;
        if (custody_manifest_from_log(log, &pk, &text, &tlen) == 0) {
                custody_manifest *m = NULL;
                if (custody_manifest_parse(text, tlen, &m, NULL) == 0)
                        custody_manifest_free(m);
                g_free(text);
        }
        custody_parsed_log_free(log);
        return 0;
}
