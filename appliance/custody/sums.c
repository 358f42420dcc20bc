/* SHA256SUMS files in `sha256sum -c` format, derived from the manifest. */
#include <string.h>

#include "custody-internal.h"

/* SHA256SUMS: the plaintext of complete segments (a truncated segment's
 * plaintext hash is unknown to the appliance, which cannot decrypt).
 * SHA256SUMS.sealed: every sealed segment as stored, then the custody log. */
char *custody_sums_format(const custody_manifest *m, bool sealed, size_t *ret_len) {
        GString *s = g_string_new(NULL);

        for (size_t i = 0; i < m->n_segments; i++) {
                const custody_manifest_segment *g = &m->segments[i];
                if (sealed)
                        g_string_append_printf(s, "%s  %s\n", g->sealed_sha256, g->name);
                else if (!g->truncated)
                        g_string_append_printf(s, "%s  %s\n", g->plaintext_sha256, g->plaintext_name);
        }
        if (sealed && m->log_name)
                g_string_append_printf(s, "%s  %s\n", m->log_sha256, m->log_name);
        if (ret_len)
                *ret_len = s->len;
        return g_string_free(s, FALSE);
}
