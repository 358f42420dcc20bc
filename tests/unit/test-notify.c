/* appliance/common/notify: the messages on a real datagram socket, as
 * systemd receives them; the watchdog sent only from a main loop that
 * iterates (a loop that does not run sends nothing), WATCHDOG_PID and a
 * missing NOTIFY_SOCKET honoured, and progress pings at most every half
 * interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

typedef struct fixture {
        gchar *dir;
        gchar *path;
        int fd;
} fixture;

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        f->dir = g_dir_make_tmp("test-notify.XXXXXX", NULL);
        f->path = g_build_filename(f->dir, "notify", NULL);
        g_strlcpy(sa.sun_path, f->path, sizeof(sa.sun_path));
        f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(f->fd >= 0);
        assert_int_equal(bind(f->fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        g_setenv("NOTIFY_SOCKET", f->path, TRUE);
        g_unsetenv("WATCHDOG_PID");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        close(f->fd);
        (void) g_unlink(f->path);
        (void) g_rmdir(f->dir);
        g_free(f->path);
        g_free(f->dir);
        g_free(f);
        g_unsetenv("NOTIFY_SOCKET");
        g_unsetenv("WATCHDOG_USEC");
        return 0;
}

/* The next datagram, or NULL when none is waiting. */
static gchar *next_message(const fixture *f) {
        char buf[512];
        ssize_t n = recv(f->fd, buf, sizeof(buf) - 1, 0);

        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return g_strdup(buf);
}

static void assert_message(const fixture *f, const char *want) {
        g_autofree gchar *m = next_message(f);
        if (!m || strcmp(m, want) != 0)
                fail_msg("got '%s', wanted '%s'", m ? m : "(nothing)", want);
}

static void test_states(void **state) {
        fixture *f = *state;

        assert_int_equal(notify_ready(NULL), 0);
        assert_message(f, "READY=1");
        assert_int_equal(notify_ready("serving"), 0);
        assert_message(f, "READY=1\nSTATUS=serving");
        assert_int_equal(notify_status("room %s", "free"), 0);
        assert_message(f, "STATUS=room free");
        assert_int_equal(notify_stopping("stopping"), 0);
        assert_message(f, "STOPPING=1\nSTATUS=stopping");
        assert_null(next_message(f));
}

static void test_no_socket(void **state) {
        fixture *f = *state;

        g_unsetenv("NOTIFY_SOCKET");
        g_setenv("WATCHDOG_USEC", "1000000", TRUE);
        assert_int_equal(notify_ready("x"), 0);
        assert_int_equal(notify_watchdog_start(), 0);
        assert_null(next_message(f));
}

static void test_watchdog_from_the_loop(void **state) {
        fixture *f = *state;
        guint id;

        g_setenv("WATCHDOG_USEC", "100000", TRUE); /* every 50 ms */
        id = notify_watchdog_start();
        assert_true(id > 0);
        assert_message(f, "WATCHDOG=1"); /* at once */
        /* a loop that does not iterate sends nothing, however long */
        g_usleep(200000);
        assert_null(next_message(f));
        /* one iteration of the loop sends the next one */
        (void) g_main_context_iteration(NULL, TRUE);
        assert_message(f, "WATCHDOG=1");
        assert_null(next_message(f));
        g_source_remove(id);
}

static void test_progress(void **state) {
        fixture *f = *state;
        guint id;

        g_setenv("WATCHDOG_USEC", "200000", TRUE); /* half: 100 ms */
        id = notify_watchdog_start();
        assert_message(f, "WATCHDOG=1");
        notify_watchdog_progress(); /* just sent: not again */
        assert_null(next_message(f));
        g_usleep(120000);
        notify_watchdog_progress(); /* long work in one callback: a ping */
        assert_message(f, "WATCHDOG=1");
        notify_watchdog_progress();
        assert_null(next_message(f));
        g_source_remove(id);
}

static void test_watchdog_pid(void **state) {
        fixture *f = *state;
        g_autofree gchar *self = g_strdup_printf("%d", (int) getpid());

        g_setenv("WATCHDOG_USEC", "1000000", TRUE);
        g_setenv("WATCHDOG_PID", "1", TRUE); /* another process's watchdog */
        assert_int_equal(notify_watchdog_start(), 0);
        assert_null(next_message(f));
        g_setenv("WATCHDOG_PID", self, TRUE);
        guint id = notify_watchdog_start();
        assert_true(id > 0);
        assert_message(f, "WATCHDOG=1");
        g_source_remove(id);
        /* malformed values: no watchdog rather than a guess */
        g_unsetenv("WATCHDOG_PID");
        for (const char *const *v =
                     (const char *const[]){"", "abc", "-5", "0", "99999999999999999999", NULL};
             *v; v++) {
                g_setenv("WATCHDOG_USEC", *v, TRUE);
                assert_int_equal(notify_watchdog_start(), 0);
        }
        assert_null(next_message(f));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_states, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_socket, setup, teardown),
                cmocka_unit_test_setup_teardown(test_watchdog_from_the_loop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
                cmocka_unit_test_setup_teardown(test_watchdog_pid, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
