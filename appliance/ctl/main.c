/* studioctl [--config FILE] SUBCOMMAND …: see docs/studioctl.md. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ctl.h"
#include "log.h"

static void usage(FILE *f) {
        fputs("Usage: studioctl [--config FILE] SUBCOMMAND [OPTIONS]\n"
              "\n"
              "Drives the room's recorder (studio-recorder) over its control socket,\n"
              "[recorder] socket in the configuration. Root, the recorder's user and\n"
              "members of [recorder] admin_group may use it.\n"
              "\n"
              "  init --dir DIR --officer N --pin-file FILE [--force]\n"
              "                        write a self-contained studio's configuration and keys\n"
              "  status [--json]       the room's state, and the marks so far while it records\n"
              "                        (--json: the state document)\n"
              "  sessions [--verbose]  the sessions on the device and those transferred to the\n"
              "                        vault: date, length, state (--verbose: with their ids)\n"
              "  start --officer N     identify and start recording (the PIN is read from stdin or the\n"
              "                        terminal)\n"
              "  identify --officer N  identify only: the room is ready (pre-rolled) for Start\n"
              "  start                 start for the officer already identified\n"
              "  cancel                cancel an identified officer's ready room: free again\n"
              "  mark [--note TEXT]    set a mark; the note is sealed for the vault\n"
              "  break                 take a break\n"
              "  resume                resume after a break\n"
              "  stop [--verbose]      stop; returns once the session is sealed, with its length\n"
              "                        and segments (--verbose: and its id)\n"
              "  recover               recover an interrupted session (or say there was none)\n"
              "  unlock                clear the panel's wrong-PIN lock\n"
              "\n"
              "  --config FILE         default /etc/studio/studio.conf\n"
              "  --help, --version\n"
              "\n"
              "Exit status: 0 done, 1 refused or failed (the reason is printed), 2 usage.\n",
              f);
}

int ctl_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_fullv(LOG_ERR, fmt, ap);
        va_end(ap);
        return CTL_EXIT_FAILURE;
}

int ctl_usage_error(const char *cmd, const char *fmt, ...) {
        g_autofree gchar *m = NULL;
        va_list ap;

        va_start(ap, fmt);
        m = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (*cmd)
                log_error("%s: %s", cmd, m);
        else
                log_error("%s", m);
        log_error("Try 'studioctl --help'.");
        return CTL_EXIT_USAGE;
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*fn)(const char *config, int argc, char **argv);
        } commands[] = {
                {"status", ctl_cmd_status}, {"sessions", ctl_cmd_sessions}, {"identify", ctl_cmd_start},
                {"start", ctl_cmd_start},   {"mark", ctl_cmd_mark},         {"break", ctl_cmd_simple},
                {"resume", ctl_cmd_simple}, {"stop", ctl_cmd_stop},         {"recover", ctl_cmd_simple},
                {"unlock", ctl_cmd_simple}, {"cancel", ctl_cmd_simple},
        };
        const char *config = NULL;
        int i = 1;

        log_init("studioctl", LOG_TARGET_AUTO);
        /* replies and file names come from outside: never raw on a terminal */
        log_set_escape(true);
        for (; i < argc && argv[i][0] == '-'; i++) {
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        usage(stdout);
                        return CTL_EXIT_OK;
                } else if (strcmp(argv[i], "--version") == 0) {
                        printf("studioctl %s\n", STUDIO_VERSION);
                        return CTL_EXIT_OK;
                } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
                        config = argv[++i];
                } else if (g_str_has_prefix(argv[i], "--config=")) {
                        config = argv[i] + strlen("--config=");
                } else {
                        return ctl_usage_error("", "'%s' is not an option, or it needs a value after it",
                                               argv[i]);
                }
        }
        if (i == argc)
                return ctl_usage_error("", "which subcommand? (status, start, stop … or init)");
        if (strcmp(argv[i], "init") == 0) {
                if (config)
                        return ctl_usage_error("init",
                                               "init writes DIR/studio.conf: --config does not apply");
                return ctl_cmd_init(argc - i, argv + i);
        }
        for (size_t k = 0; k < G_N_ELEMENTS(commands); k++)
                if (strcmp(argv[i], commands[k].name) == 0)
                        return commands[k].fn(config, argc - i, argv + i);
        return ctl_usage_error("", "'%s' is not a subcommand", argv[i]);
}
