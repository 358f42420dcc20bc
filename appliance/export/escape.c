/* Every string that came from outside (a file name, a manifest field, a
 * path given to us) is escaped before it reaches a terminal: an escape
 * sequence in a file name must not repaint the screen, and a bidi override
 * must not make "seg-000001.mkv" read as something else. */
#include <stdarg.h>
#include <string.h>

#include "escape.h"
#include "export.h"

char *export_escape(const char *s) {
        return s ? escape_text(s) : g_strdup("(null)");
}

void export_print(const char *fmt, ...) {
        g_autofree char *line = NULL, *safe = NULL;
        va_list ap;

        va_start(ap, fmt);
        line = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        safe = export_escape(line);
        printf("%s\n", safe);
        fflush(stdout);
}
