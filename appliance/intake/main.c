/* studio-intake --config FILE [--once]: verifies every session that arrives
 * in the vault and writes its signed verification record (docs/intake.md). */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "escape.h"
#include "intake.h"
#include "log.h"

static void usage(FILE *f) {
        fputs("Usage: studio-intake [--config FILE] [--once]\n"
              "       studio-intake [--config FILE] --rebuild-index\n"
              "       studio-intake [--config FILE] sessions [--since DATE] [--until DATE] [--device ID]\n"
              "                     [--room NAME] [--officer N] [--verdict V] [--json]\n"
              "Verifies every session whose receipts have arrived in the vault ([intake] vault), as\n"
              "studio-verify --registry … --registry-key … does, and writes its signed verification\n"
              "record to RECORDS/verifications/<session>.json (+ .minisig).\n"
              "  --config FILE  the intake's configuration (default " INTAKE_CONF_DEFAULT_PATH ")\n"
              "  (no command)   the daemon: a pass at start and every [intake] interval (systemd\n"
              "                 Type=notify with a watchdog); SIGTERM ends it\n"
              "  --once         one pass, then exit: 0 when every arrived session has a good record,\n"
              "                 1 otherwise (the reasons in the log)\n"
              "  --rebuild-index  empty the index ([intake] index) and fill it again from the records\n"
              "                 alone (only records signed by the intake's key)\n"
              "  sessions       list the index's sessions in order of start; DATE is 2026-12-03 (the\n"
              "                 whole day, UTC) or an RFC 3339 time; V is a verdict (INTACT, …)\n"
              "  --version      print the version\n"
              "  --help         this text\n",
              f);
}

static int run_once(intake *in) {
        intake_pass_result res = {};
        g_autofree gchar *msg = NULL;
        int r = intake_pass(in, &res, &msg);

        if (r < 0)
                return log_error("%s", msg), 1;
        log_info("%u session(s): %u record(s) written, %u re-checked, %u alert(s), %u failed, %u listing "
                 "entries not used, %u time-stamp token(s) written, %u waiting for the TSA",
                 res.sessions, res.written, res.checked, res.alerts, res.failed, res.refused, res.tokens,
                 res.tokens_pending);
        return res.failed || res.lock_not_enforced || res.canary_unchecked ? 1 : 0;
}

static int run_rebuild(intake *in) {
        g_autofree gchar *msg = NULL;
        unsigned rows = 0;

        if (intake_rebuild_index(in, &rows, &msg) < 0)
                return log_error("%s", msg), 1;
        log_info("the index holds %u session(s), rebuilt from the records", rows);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},  {"once", no_argument, NULL, 'o'},
                {"rebuild-index", no_argument, NULL, 'R'}, {"version", no_argument, NULL, 'V'},
                {"help", no_argument, NULL, 'h'},          {}};
        const char *config = INTAKE_CONF_DEFAULT_PATH;
        g_autoptr(intake_conf) conf = NULL;
        g_autoptr(intake) in = NULL;
        g_autofree gchar *msg = NULL;
        bool once = false, rebuild = false, sessions = false;
        int c;

        log_init("studio-intake", LOG_TARGET_AUTO);
        /* the intake's signing key is in memory: no core dumps */
        (void) prctl(PR_SET_DUMPABLE, 0);
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) >= 0) {
                if (c == 'c')
                        config = optarg;
                else if (c == 'o')
                        once = true;
                else if (c == 'R')
                        rebuild = true;
                else if (c == 'V')
                        return puts("studio-intake " STUDIO_VERSION), 0;
                else if (c == 'h')
                        return usage(stdout), 0;
                else
                        return usage(stderr), 2;
        }
        sessions = optind < argc && strcmp(argv[optind], "sessions") == 0;
        if ((!sessions && optind != argc) || once + rebuild + sessions > 1)
                return usage(stderr), 2;
        if (sodium_init() < 0)
                return log_error("cannot initialise libsodium"), 1;
        if (sessions) {
                if (intake_conf_load(config, &conf, &msg) < 0) {
                        g_autofree char *shown = escape_text(msg);
                        return log_error("%s", shown), 1;
                }
                return intake_sessions_main(conf, argc - optind, argv + optind);
        }
        if (intake_conf_load(config, &conf, &msg) < 0 || intake_open(conf, &in, &msg) < 0) {
                g_autofree char *shown = escape_text(msg);
                return log_error("%s", shown), 1;
        }
        log_set_max_level(conf->log_level);
        if (rebuild)
                return run_rebuild(in);
        if (once)
                return run_once(in);
        return intake_daemon_main(in);
}
