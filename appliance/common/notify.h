/* The service manager's readiness and watchdog protocol (sd_notify(3)),
 * one module for the three daemons. Without NOTIFY_SOCKET (a daemon run by
 * hand or by a test) every call does nothing and returns 0, so a daemon
 * behaves as before.
 *
 *   notify_ready(status)     READY=1 once the daemon serves
 *   notify_status(fmt, …)    STATUS= for systemctl status
 *   notify_stopping(status)  STOPPING=1 when it begins to shut down
 *   notify_watchdog_start()  WATCHDOG=1 from the default main loop every
 *                            half of WATCHDOG_USEC; only a loop that
 *                            really runs sends it, so a hung loop misses
 *                            it and systemd restarts the daemon
 *   notify_watchdog_progress() WATCHDOG=1 from long work inside one loop
 *                            callback (an upload), at most every half
 *                            interval: bytes moving are a sign of life
 *
 * Calls return 0, or -errno when the socket refuses the message (the caller
 * logs; a notification that fails never stops a daemon). */
#pragma once

#include <glib.h>

int notify_ready(const char *status);
int notify_status(const char *format, ...) __attribute__((format(printf, 1, 2)));
int notify_stopping(const char *status);
/* The GLib source id of the watchdog timer, or 0 when systemd asked for no
 * watchdog (WATCHDOG_USEC unset, or WATCHDOG_PID names another process). */
guint notify_watchdog_start(void);
void notify_watchdog_progress(void);
