/* Logging for the daemons and command-line tools (log.h). */
#include "log.h"

#include "escape.h"

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set once by log_init() before any thread starts; read by every thread. */
static const char *log_program;
static log_target log_target_resolved = LOG_TARGET_CONSOLE;
static gint log_max_level = LOG_INFO;
static gint log_initialised;
static gint log_escape;
static gint log_console_fd = -1;

static const char *const log_level_table[] = {
        [LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "error",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected to stderr.
 * A child that inherited the variable but whose stderr now goes elsewhere
 * (a terminal, a test's pipe) must not write "<N>" prefixes there, so the
 * value is compared with stderr when it can be parsed (sd-daemon(3)). */
static bool journal_stream_is_stderr(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        char *end;
        struct stat st;

        if (!e || !*e)
                return false;
        errno = 0;
        dev = strtoull(e, &end, 10);
        if (errno != 0 || end == e || *end != ':')
                return true;
        e = end + 1;
        ino = strtoull(e, &end, 10);
        if (errno != 0 || end == e || *end != '\0')
                return true;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

void log_init(const char *program, log_target target) {
        log_program = program;
        if (target == LOG_TARGET_AUTO || target < 0 || target >= _LOG_TARGET_MAX)
                target = journal_stream_is_stderr() ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE;
        log_target_resolved = target;
        g_atomic_int_set(&log_initialised, 1);
}

void log_set_max_level(int level) {
        if (level < LOG_EMERG)
                level = LOG_EMERG;
        if (level > LOG_DEBUG)
                level = LOG_DEBUG;
        g_atomic_int_set(&log_max_level, level);
}

void log_set_escape(bool escape) {
        g_atomic_int_set(&log_escape, escape ? 1 : 0);
}

void log_set_console_fd(int fd) {
        g_atomic_int_set(&log_console_fd, fd < 0 ? -1 : fd);
}

int log_get_max_level(void) {
        return g_atomic_int_get(&log_max_level);
}

int log_level_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        for (int l = LOG_ERR; l <= LOG_DEBUG; l++)
                if (strcmp(s, log_level_table[l]) == 0)
                        return l;
        return -EINVAL;
}

const char *log_level_to_string(int level) {
        if (level < LOG_EMERG || level > LOG_DEBUG)
                return NULL;
        return log_level_table[level];
}

/* One entry: a single fwrite of the whole line, so that lines from two
 * threads never interleave inside a line (stdio locks the stream per call). */
static void log_write_line(int level, const char *line, size_t len) {
        g_autoptr(GString) out = g_string_sized_new(len + 32);
        const char *program = log_program ?: g_get_prgname();
        int console = g_atomic_int_get(&log_console_fd);
        size_t body;

        if (program)
                g_string_append_printf(out, "%s: ", program);
        body = out->len;
        g_string_append_len(out, line, (gssize) len);
        g_string_append_c(out, '\n');
        /* Nowhere left to report a failed write to the console or stderr. */
        if (console >= 0 && write(console, out->str, out->len) < 0)
                errno = 0;
        if (log_target_resolved == LOG_TARGET_JOURNAL) {
                g_autofree gchar *prio = g_strdup_printf("<%d>", level);
                g_string_erase(out, 0, (gssize) body);
                g_string_prepend(out, prio);
        }
        if (fwrite(out->str, 1, out->len, stderr) != out->len)
                clearerr(stderr);
}

void log_fullv(int level, const char *format, va_list ap) {
        int saved = errno;
        g_autofree gchar *text = NULL;
        const char *p, *nl;

        if (level > log_get_max_level())
                return;
        if (!g_atomic_int_get(&log_initialised))
                log_init(NULL, LOG_TARGET_AUTO);
        if (level < LOG_EMERG)
                level = LOG_EMERG;
        errno = saved; /* for %m */
        text = g_strdup_vprintf(format, ap);
        if (g_atomic_int_get(&log_escape)) {
                g_autofree gchar *shown = escape_text(text);
                log_write_line(level, shown, strlen(shown));
                errno = saved;
                return;
        }
        /* One entry per line; a trailing newline does not make an empty one. */
        for (p = text;; p = nl + 1) {
                nl = strchr(p, '\n');
                if (!nl) {
                        if (*p || p == text)
                                log_write_line(level, p, strlen(p));
                        break;
                }
                log_write_line(level, p, (size_t) (nl - p));
        }
        errno = saved;
}

void log_full(int level, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        log_fullv(level, format, ap);
        va_end(ap);
}

int log_full_errno(int level, int r, const char *format, ...) {
        va_list ap;

        if (level > log_get_max_level())
                return r;
        /* %m in the format shows r, as in systemd's log_*_errno(). */
        errno = r < 0 ? -r : r;
        va_start(ap, format);
        log_fullv(level, format, ap);
        va_end(ap);
        return r;
}

int log_unexpected_argument(const char *arg) {
        g_autofree gchar *shown = escape_text(arg);

        return log_error_errno(-EINVAL, "unexpected argument \"%s\" (see --help)", shown);
}
