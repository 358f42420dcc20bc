/* Logging for the daemons and command-line tools.
 *
 * One line per message on stderr, "PROGRAM: message". Under systemd
 * (JOURNAL_STREAM is set, or log_init(…, LOG_TARGET_JOURNAL)) each line
 * starts with a "<N>" syslog priority prefix instead, so that journald files
 * it by level (sd-daemon(3)). Messages above the maximum level are dropped.
 * Library modules never log; they return -errno and a message, and the
 * program decides (STYLE.md).
 *
 * The _errno helpers log and return in one line:
 *   return log_error_errno(r, "cannot open %s: %s", path, g_strerror(-r));
 * They return r (a negative errno) whatever the level, so that a dropped
 * message never changes the control flow.
 *
 * Command-line tools (studio-export, studio-verify, studio-keys, studioctl,
 * studio-provision) print every error, warning and note through here too:
 * log_init("studio-export", LOG_TARGET_AUTO) once in main, then
 * log_error()/log_warning()/log_notice(), never a hand-written prefix on
 * stderr. Their results (reports, listings, records) stay on stdout. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */

typedef enum log_target {
        LOG_TARGET_AUTO,    /* journal when JOURNAL_STREAM is set, else console */
        LOG_TARGET_CONSOLE, /* "PROGRAM: message" */
        LOG_TARGET_JOURNAL, /* "<N>message" */
        _LOG_TARGET_MAX,
        _LOG_TARGET_INVALID = -EINVAL,
} log_target;

/* program: the prefix ("studio-recorder"); kept by pointer (a literal). */
void log_init(const char *program, log_target target);
void log_set_max_level(int level);
/* On: each message is shown through escape_text() (escape.h) as one line, so
 * that a file name or a field read from outside cannot act on the terminal
 * (a newline in it shows as \u000a). For tools whose messages quote outside
 * strings; off by default. */
void log_set_escape(bool escape);
/* fd >= 0: each message is also written there as "PROGRAM: message",
 * whatever the target (studio-provision's copy on /dev/console); -1: off.
 * The fd stays the caller's. */
void log_set_console_fd(int fd);
int log_get_max_level(void);
/* "error", "warning", "notice", "info", "debug" -> LOG_*; -EINVAL otherwise. */
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);

/* Writes one message at level; returns 0 (or r for the _errno form). A
 * message that holds newlines is written as one entry per line. */
void log_full(int level, const char *format, ...) __attribute__((format(printf, 2, 3)));
void log_fullv(int level, const char *format, va_list ap) __attribute__((format(printf, 2, 0)));
int log_full_errno(int level, int r, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* A command line with a word left over: 'unexpected argument "ARG" (see
 * --help)', ARG escaped; returns -EINVAL. */
int log_unexpected_argument(const char *arg);

#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_error_errno(r, ...) log_full_errno(LOG_ERR, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_full_errno(LOG_WARNING, (r), __VA_ARGS__)
