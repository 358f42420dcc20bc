/* The studio-keys command helpers: errors and usage errors logged as the
 * commands print them, each returning its exit code. */
#include "keys-common.h"

#include <getopt.h>
#include <stdarg.h>

#include <glib.h>

#include "log.h"

int keys_error(int code, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_fullv(LOG_ERR, fmt, ap);
        va_end(ap);
        return code;
}

int keys_usage_error(const char *cmd, const char *fmt, ...) {
        g_autofree gchar *m = NULL;
        va_list ap;

        va_start(ap, fmt);
        m = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        log_error("%s: %s", cmd, m);
        log_error("Try 'studio-keys %s --help'.", cmd);
        return KEYS_EXIT_USAGE;
}

int keys_option_error(const char *cmd, char **argv) {
        /* getopt has stepped past the word it could not use */
        const char *word = optind > 0 ? argv[optind - 1] : "?";

        return keys_usage_error(cmd, "'%s' is not an option here, or it needs a value after it", word);
}
