/* studioctl: the administrator's command line for the recorder daemon
 * (docs/studioctl.md). Each subcommand parses its own options and returns
 * an exit code. */
#pragma once

#include <stdbool.h>

#include <json-glib/json-glib.h>

enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILURE = 1, /* the recorder refused, did not answer, or init failed */
        CTL_EXIT_USAGE = 2,   /* wrong command line */
};

/* Logs the message as an error (log.h: "studioctl: <message>" on stderr,
 * escaped: it may hold the recorder's words or a path) and returns
 * CTL_EXIT_FAILURE. */
int ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a wrong command line ("studioctl: CMD: <message>", then
 * "Try 'studioctl --help'."); returns CTL_EXIT_USAGE. */
int ctl_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* config: --config FILE, or NULL for the default. */
int ctl_cmd_init(int argc, char **argv);
int ctl_cmd_status(const char *config, int argc, char **argv);
int ctl_cmd_sessions(const char *config, int argc, char **argv);
int ctl_cmd_start(const char *config, int argc, char **argv);
int ctl_cmd_mark(const char *config, int argc, char **argv);
/* break, resume, recover, cancel, unlock: no options, the command is argv[0]. */
int ctl_cmd_simple(const char *config, int argc, char **argv);
int ctl_cmd_stop(const char *config, int argc, char **argv);

/* Shared by the subcommands (ctl-commands.c). */
/* A string member, or NULL when it is missing or not a string. */
const char *ctl_member_string(JsonObject *o, const char *name);
bool ctl_member_int(JsonObject *o, const char *name, gint64 *ret);
/* Sends {"command":command[,key:value]} and waits up to timeout_s: 0 with
 * *ret_reply, or the exit code after printing why. */
int ctl_simple_request(const char *config, const char *command, const char *key, const char *value,
                       unsigned timeout_s, JsonObject **ret_reply);
/* A subcommand that takes no options: CTL_EXIT_OK, -ECANCELED after
 * printing its --help (nothing more to do), or the usage error's exit code. */
int ctl_no_options(int argc, char **argv);
