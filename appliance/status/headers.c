/* The Content-Security-Policy of the page: nothing from anywhere, except
 * the one inline script and style, allowed by the hashes of their exact
 * text (computed here so that an edit to either can never break the page
 * or widen the policy). */
#include <string.h>

#include "sha256.h"
#include "status.h"

gchar *status_csp_hash(const char *text) {
        uint8_t d[SHA256_LEN];
        g_autofree gchar *b64 = NULL;

        sha256_buf(text, strlen(text), d);
        b64 = g_base64_encode(d, sizeof(d));
        return g_strdup_printf("'sha256-%s'", b64);
}

gchar *status_csp_for_page(void) {
        g_autofree gchar *script = status_csp_hash(status_page_script());
        g_autofree gchar *style = status_csp_hash(status_page_style());

        return g_strdup_printf("default-src 'none'; script-src %s; style-src %s; connect-src 'self'; "
                               "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                               script, style);
}
