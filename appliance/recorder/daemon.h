/* The recorder daemon: `studio-recorder --config FILE`. */
#pragma once

/* Runs in the foreground until SIGTERM or SIGINT (a session in progress is
 * stopped as Stop does first). Returns the exit status: 0 after a clean
 * shutdown, 1 when it could not start (bad configuration, a second daemon
 * on the same state folder or socket), with the reason logged. */
int daemon_main(const char *config_path);
