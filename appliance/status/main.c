/* studio-status --config FILE: the shelter's room-status page. Runs in the
 * foreground (systemd starts it as its own user); SIGTERM or SIGINT ends
 * it promptly with exit status 0. */
#include <getopt.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "escape.h"
#include "log.h"
#include "notify.h"
#include "status.h"
#include "studio-conf.h"

static void usage(FILE *f) {
        fputs("Usage: studio-status [--config FILE]\n"
              "Serves the room-status page (GET /) and GET /status.json on [status] listen:port to the\n"
              "clients in [status] allow, from the recorder's state file and the uploader's backlog file.\n"
              "  --config FILE  studio.conf (default " STUDIO_CONF_DEFAULT_PATH ")\n"
              "  --help         this text\n",
              f);
}

static gboolean on_signal(gpointer loop) {
        (void) notify_stopping("stopping");
        g_main_loop_quit(loop);
        return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(studio_conf) conf = NULL;
        g_autoptr(GMainLoop) loop = NULL;
        g_autofree gchar *msg = NULL;
        const char *config = NULL;
        status_server *server = NULL;
        int c, r;

        log_init("studio-status", LOG_TARGET_AUTO);
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                log_unexpected_argument(argv[optind]);
                return 2;
        }
        r = studio_conf_load(config, &conf, &msg);
        if (r < 0) {
                log_error("%s", msg);
                return EXIT_FAILURE;
        }
        g_clear_pointer(&msg, g_free);
        loop = g_main_loop_new(NULL, FALSE);
        g_unix_signal_add(SIGTERM, on_signal, loop);
        g_unix_signal_add(SIGINT, on_signal, loop);
        signal(SIGPIPE, SIG_IGN);
        r = status_server_start(conf, &server, &msg);
        if (r < 0) {
                log_error("%s", msg);
                return EXIT_FAILURE;
        }
        log_info("serving the room status on %s port %d", conf->status.listen, conf->status.port);
        (void) notify_watchdog_start();
        (void) notify_ready("serving the room status");
        g_main_loop_run(loop);
        status_server_stop(server);
        log_info("stopped");
        return EXIT_SUCCESS;
}
