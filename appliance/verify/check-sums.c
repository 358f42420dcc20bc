/* SHA256SUMS and SHA256SUMS.sealed must be what the manifest implies, and
 * the custody log's hash in SHA256SUMS.sealed must match the file. */
#include <string.h>

#include "fsutil.h"
#include "verify.h"

static void check_sums(verify_ctx *c, const char *name, bool sealed) {
        g_autofree char *path = g_build_filename(c->opt->dir, name, NULL);
        g_autofree char *data = NULL, *want = custody_sums_format(c->m, sealed, NULL);
        size_t len = 0;

        if (fs_read_file(path, CUSTODY_MANIFEST_MAX, &data, &len) < 0)
                return; /* missing: reported by the file check */
        if (len == strlen(want) && memcmp(data, want, len) == 0)
                return;
        g_auto(GStrv) got_lines = g_strsplit(data, "\n", 0);
        g_auto(GStrv) want_lines = g_strsplit(want, "\n", 0);
        for (guint i = 0; got_lines[i] || want_lines[i]; i++) {
                if (got_lines[i] && want_lines[i] && strcmp(got_lines[i], want_lines[i]) == 0)
                        continue;
                g_autofree char *e = g_strdup_printf("line %u", i + 1);
                verify_add_hash(c, VERIFY_TAMPERED, name, e, got_lines[i] ? got_lines[i] : "(none)",
                                want_lines[i] ? want_lines[i] : "(none)", "%s does not match the manifest",
                                name);
                return;
        }
}

void verify_check_sums(verify_ctx *c) {
        if (!c->m)
                return;
        check_sums(c, "SHA256SUMS", false);
        check_sums(c, "SHA256SUMS.sealed", true);
}

/* With --previous: this session's first entry must link to the last
 * entry of the previous one; otherwise a session is missing between them. */
void verify_check_previous(verify_ctx *c) {
        g_autofree char *path = NULL, *err = NULL;
        custody_parsed_log *prev = NULL;

        if (!c->opt->previous || !c->log || c->log->n_entries == 0)
                return;
        path = g_build_filename(c->opt->previous, "custody.jsonl", NULL);
        if (custody_log_parse_file(path, &prev, &err) < 0 || prev->n_entries == 0) {
                verify_add(c, VERIFY_INCOMPLETE, "custody.jsonl", "line 1",
                           "the previous session's custody log cannot be read: %s", err ? err : "empty");
                custody_parsed_log_free(prev);
                return;
        }
        const custody_entry *last = &prev->entries[prev->n_entries - 1];
        if (strcmp(c->log->entries[0].prev, last->hash) != 0)
                verify_add_hash(c, VERIFY_INCOMPLETE, "custody.jsonl", "line 1", c->log->entries[0].prev,
                                last->hash,
                                "the session does not follow %s in the device's chain: a session is missing "
                                "between them",
                                c->opt->previous);
        custody_parsed_log_free(prev);
}
