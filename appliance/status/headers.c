/* The Content-Security-Policy of the page: nothing from anywhere, except
 * the one inline script and style, allowed by the hashes of their exact
 * text (computed here so that an edit to either can never break the page
 * or widen the policy). GLib's SHA-256 rather than common/sha256.h
 * (libcrypto): two hashes at start-up do not need SHA-NI, and not mapping
 * libcrypto keeps the daemon's RSS ~3.4 MiB smaller (docs/benchmarks.md). */
#include <string.h>

#include "status.h"

gchar *status_csp_hash(const char *text) {
        g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
        guint8 d[32];
        gsize len = sizeof(d);
        g_autofree gchar *b64 = NULL;

        g_checksum_update(c, (const guchar *) text, (gssize) strlen(text));
        g_checksum_get_digest(c, d, &len);
        b64 = g_base64_encode(d, len);
        return g_strdup_printf("'sha256-%s'", b64);
}

gchar *status_csp_for_page(void) {
        g_autofree gchar *script = status_csp_hash(status_page_script());
        g_autofree gchar *style = status_csp_hash(status_page_style());

        return g_strdup_printf("default-src 'none'; script-src %s; style-src %s; connect-src 'self'; "
                               "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                               script, style);
}
