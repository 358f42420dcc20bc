/* sd_notify for the daemons (notify.h). */
#include "notify.h"

#include <stdarg.h>
#include <stdint.h>
#include <systemd/sd-daemon.h>

/* Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises: one late
 * wake-up of the loop must not cost a restart. */
static uint64_t watchdog_half_us;
static int64_t watchdog_last_us;

/* sd_notify returns 0 when there is no socket: nothing to tell. */
static int send_state(const char *state) {
        int r = sd_notify(0, state);
        return r < 0 ? r : 0;
}

static int send_with_status(const char *word, const char *status) {
        g_autofree gchar *s = status ? g_strdup_printf("%s\nSTATUS=%s", word, status) : g_strdup(word);
        return send_state(s);
}

int notify_ready(const char *status) {
        return send_with_status("READY=1", status);
}

int notify_stopping(const char *status) {
        return send_with_status("STOPPING=1", status);
}

int notify_status(const char *format, ...) {
        g_autofree gchar *text = NULL;
        g_autofree gchar *s = NULL;
        va_list ap;

        va_start(ap, format);
        text = g_strdup_vprintf(format, ap);
        va_end(ap);
        s = g_strconcat("STATUS=", text, NULL);
        return send_state(s);
}

static void watchdog_ping(void) {
        watchdog_last_us = g_get_monotonic_time();
        (void) send_state("WATCHDOG=1");
}

static gboolean on_watchdog(gpointer data) {
        (void) data;
        watchdog_ping();
        return G_SOURCE_CONTINUE;
}

guint notify_watchdog_start(void) {
        uint64_t usec = 0;

        if (sd_watchdog_enabled(0, &usec) <= 0 || usec < 2000)
                return 0;
        watchdog_half_us = usec / 2;
        watchdog_ping();
        return g_timeout_add_full(G_PRIORITY_HIGH, (guint) MIN(watchdog_half_us / 1000, G_MAXUINT),
                                  on_watchdog, NULL, NULL);
}

void notify_watchdog_progress(void) {
        if (!watchdog_half_us || g_get_monotonic_time() - watchdog_last_us < (int64_t) watchdog_half_us)
                return;
        watchdog_ping();
}
