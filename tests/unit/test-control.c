/* The control socket (appliance/control/control.c) and its answers to the
 * requests that wait for the room (answers.c), on a real socket in a
 * temporary folder, served from the default GMainContext. Clients run in a
 * thread (or, for the permission checks, a forked child with another uid)
 * while the test's main thread runs the loop. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "answers.h"
#include "control.h"

typedef enum handler_mode {
        MODE_ECHO,  /* replies at once with {"echo": args.arg} */
        MODE_LATER, /* keeps the request; the test replies */
} handler_mode;

typedef struct fixture {
        char dir[64];
        char path[100];
        control_server *server;
        handler_mode mode;
        unsigned calls;
        gchar *last_command;
        gchar *last_arg;
        uid_t last_uid;
        control_request *held;
} fixture;

static void handler(control_request *req, const char *command, JsonObject *args, void *userdata) {
        fixture *f = userdata;

        f->calls++;
        g_free(f->last_command);
        g_free(f->last_arg);
        f->last_command = g_strdup(command);
        f->last_arg = g_strdup(json_object_get_string_member_with_default(args, "arg", NULL));
        f->last_uid = control_request_uid(req);
        if (f->mode == MODE_LATER) {
                f->held = req;
                return;
        }
        if (strcmp(command, "fail") == 0) {
                control_request_fail(req, "refused: %s", f->last_arg ? f->last_arg : "no reason");
                return;
        }
        g_autoptr(JsonObject) reply = json_object_new();
        json_object_set_string_member(reply, "echo", f->last_arg ? f->last_arg : "");
        control_request_reply(req, reply);
}

static int serve(fixture *f, gid_t admin_gid) {
        g_autofree gchar *message = NULL;
        int r = control_server_new(f->path, admin_gid, handler, f, &f->server, &message);
        if (r < 0)
                fprintf(stderr, "control_server_new: %s\n", message);
        return r;
}

static int setup(void **state) {
        fixture *f = g_new0(fixture, 1);

        snprintf(f->dir, sizeof f->dir, "/tmp/test-control-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/recorder.sock", f->dir);
        assert_int_equal(serve(f, (gid_t) -1), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        f->server = control_server_free(f->server);
        /* let the sources the server removed go */
        while (g_main_context_iteration(NULL, FALSE))
                ;
        (void) unlink(f->path);
        assert_int_equal(rmdir(f->dir), 0);
        g_free(f->last_command);
        g_free(f->last_arg);
        g_free(f);
        return 0;
}

static int connect_to(const char *path) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Reads until newline or EOF; the text without the newline. In chunks: a
 * byte a read takes a 1 MiB reply longer than the server's 5 s write
 * deadline on a busy machine. */
static gchar *read_reply(int fd) {
        GString *s = g_string_new(NULL);
        char buf[65536];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                const char *nl = memchr(buf, '\n', (size_t) n);
                g_string_append_len(s, buf, nl ? nl - buf : n);
                if (nl)
                        break;
        }
        return g_string_free(s, FALSE);
}

/* One client in a thread: connect, optionally wait, send, optionally shut
 * down its side or close without reading. */
typedef struct client_job {
        const char *path;
        const char *data;
        size_t len;
        bool half_close;
        bool close_after_send;
        gchar *reply;
        gint done;
} client_job;

static gpointer client_thread(gpointer userdata) {
        client_job *j = userdata;
        int fd = connect_to(j->path);

        if (fd >= 0) {
                size_t off = 0;
                while (off < j->len) {
                        ssize_t n = send(fd, j->data + off, j->len - off, MSG_NOSIGNAL);
                        if (n <= 0)
                                break;
                        off += (size_t) n;
                }
                if (j->half_close)
                        shutdown(fd, SHUT_WR);
                if (!j->close_after_send)
                        j->reply = read_reply(fd);
                close(fd);
        }
        g_atomic_int_set(&j->done, 1);
        g_main_context_wakeup(NULL);
        return NULL;
}

static GThread *client_start(client_job *j) {
        return g_thread_new("client", client_thread, j);
}

static void loop_until(gint *flag) {
        while (!g_atomic_int_get(flag))
                g_main_context_iteration(NULL, TRUE);
}

static gchar *roundtrip(fixture *f, const char *data, size_t len) {
        client_job j = {.path = f->path, .data = data, .len = len};
        GThread *t = client_start(&j);

        loop_until(&j.done);
        g_thread_join(t);
        return j.reply;
}

static gchar *roundtrip_str(fixture *f, const char *text) {
        return roundtrip(f, text, strlen(text));
}

static void assert_error_reply(const char *reply, const char *part) {
        assert_non_null(reply);
        if (!g_str_has_prefix(reply, "{\"ok\":false,\"error\":\"") || !strstr(reply, part)) {
                fprintf(stderr, "reply: %s\nexpected an error with: %s\n", reply, part);
                fail();
        }
}

static void test_good_request(void **state) {
        fixture *f = *state;
        g_autofree gchar *reply = roundtrip_str(f, "{\"command\":\"hello\",\"arg\":\"x y\"}\n");
        struct stat st;

        assert_string_equal(reply, "{\"ok\":true,\"echo\":\"x y\"}");
        assert_int_equal(f->calls, 1);
        assert_string_equal(f->last_command, "hello");
        assert_string_equal(f->last_arg, "x y");
        assert_int_equal(f->last_uid, geteuid());
        assert_int_equal(lstat(f->path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0660);
}

static void test_fail_reply(void **state) {
        fixture *f = *state;
        g_autofree gchar *reply =
                roundtrip_str(f, "{\"command\":\"fail\",\"arg\":\"wrong \\\"PIN\\\"\\n\"}\n");

        /* one line, the message's quote and newline escaped */
        assert_string_equal(reply, "{\"ok\":false,\"error\":\"refused: wrong \\\"PIN\\\"\\n\"}");
}

static void test_half_close_request(void **state) {
        fixture *f = *state;
        client_job j = {.path = f->path, .data = "{\"command\":\"c\"}", .len = 15, .half_close = true};
        GThread *t = client_start(&j);

        loop_until(&j.done);
        g_thread_join(t);
        assert_string_equal(j.reply, "{\"ok\":true,\"echo\":\"\"}");
        g_free(j.reply);
}

static gboolean reply_held(gpointer userdata) {
        fixture *f = userdata;
        g_autoptr(JsonObject) reply = json_object_new();

        json_object_set_int_member(reply, "segments", 3);
        json_object_set_boolean_member(reply, "ok", FALSE); /* replaced by "ok":true */
        control_request_reply(f->held, reply);
        f->held = NULL;
        return G_SOURCE_REMOVE;
}

static void test_late_reply(void **state) {
        fixture *f = *state;

        f->mode = MODE_LATER;
        client_job j = {.path = f->path, .data = "{\"command\":\"stop\"}\n", .len = 19};
        GThread *t = client_start(&j);
        while (!f->held)
                g_main_context_iteration(NULL, TRUE);
        assert_string_equal(f->last_command, "stop");
        g_timeout_add(200, reply_held, f);
        loop_until(&j.done);
        g_thread_join(t);
        assert_string_equal(j.reply, "{\"ok\":true,\"segments\":3}");
        g_free(j.reply);
}

static void test_malformed(void **state) {
        fixture *f = *state;
        static const struct {
                const char *request;
                const char *error;
        } cases[] = {
                {"hello\n", "request is not valid JSON"},
                {"\n", "request is empty"},
                {"   \n", "request is not a JSON object"},
                {"{\"command\":\"x\"\n", "request is not valid JSON"},
                {"[\"command\",\"status\"]\n", "request is not a JSON object"},
                {"\"status\"\n", "request is not a JSON object"},
                {"{\"cmd\":\"status\"}\n", "request has no \\\"command\\\" member"},
                {"{\"command\":5}\n", "request's \\\"command\\\" is not a string"},
                {"{\"command\":{\"a\":1}}\n", "request's \\\"command\\\" is not a string"},
                {"{\"command\":null}\n", "request's \\\"command\\\" is not a string"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree gchar *reply = roundtrip_str(f, cases[i].request);
                assert_error_reply(reply, cases[i].error);
        }
        assert_int_equal(f->calls, 0);
}

static void test_nul_byte(void **state) {
        fixture *f = *state;
        static const char req[] = "{\"command\":\"a\0\"}\n";
        g_autofree gchar *reply = roundtrip(f, req, sizeof req - 1);

        assert_error_reply(reply, "request is not valid JSON");
        assert_int_equal(f->calls, 0);
}

static void test_deep_nesting(void **state) {
        fixture *f = *state;
        GString *s = g_string_new("{\"command\":\"status\",\"a\":");

        for (int i = 0; i < 10000; i++)
                g_string_append_c(s, '[');
        for (int i = 0; i < 10000; i++)
                g_string_append_c(s, ']');
        g_string_append(s, "}\n");
        g_autofree gchar *reply = roundtrip(f, s->str, s->len);
        assert_error_reply(reply, "request is not valid JSON");
        assert_int_equal(f->calls, 0);
        g_string_free(s, TRUE);
}

static void test_too_long(void **state) {
        fixture *f = *state;
        size_t len = CONTROL_REQUEST_MAX + 10;
        g_autofree char *data = g_malloc(len + 1);

        /* without a newline: refused once it is over the limit */
        memset(data, 'a', len);
        g_autofree gchar *reply = roundtrip(f, data, len);
        assert_error_reply(reply, "request too long");
        /* one line just over the limit, newline and all in one go */
        memset(data, ' ', len);
        memcpy(data, "{\"command\":\"x\"}", 15);
        data[CONTROL_REQUEST_MAX + 1] = '\n';
        g_autofree gchar *reply2 = roundtrip(f, data, CONTROL_REQUEST_MAX + 2);
        assert_error_reply(reply2, "request too long");
        /* exactly at the limit is served */
        data[CONTROL_REQUEST_MAX] = '\n';
        g_autofree gchar *reply3 = roundtrip(f, data, CONTROL_REQUEST_MAX + 1);
        assert_string_equal(reply3, "{\"ok\":true,\"echo\":\"\"}");
        assert_int_equal(f->calls, 1);
}

static void test_slow_client(void **state) {
        fixture *f = *state;
        gint64 start = g_get_monotonic_time();
        /* connects and sends nothing */
        g_autofree gchar *reply = roundtrip_str(f, "");
        gint64 waited = g_get_monotonic_time() - start;

        assert_error_reply(reply, "no request line within 5 s");
        assert_true(waited >= (CONTROL_REQUEST_TIMEOUT_S - 1) * G_USEC_PER_SEC);
        assert_true(waited < (CONTROL_REQUEST_TIMEOUT_S + 5) * G_USEC_PER_SEC);
        assert_int_equal(f->calls, 0);
}

static void iterate_for(unsigned ms) {
        gint64 end = g_get_monotonic_time() + ms * 1000;

        while (g_get_monotonic_time() < end)
                g_main_context_iteration(NULL, FALSE), g_usleep(1000);
}

static void test_too_many_clients(void **state) {
        fixture *f = *state;
        int fds[CONTROL_CLIENTS_MAX];

        for (int i = 0; i < CONTROL_CLIENTS_MAX; i++) {
                fds[i] = connect_to(f->path);
                assert_true(fds[i] >= 0);
        }
        iterate_for(100); /* the server accepts them all; they say nothing */
        g_autofree gchar *reply = roundtrip_str(f, "{\"command\":\"status\"}\n");
        assert_error_reply(reply, "too many connections (16 at once)");
        assert_int_equal(f->calls, 0);
        for (int i = 0; i < CONTROL_CLIENTS_MAX; i++)
                close(fds[i]);
        iterate_for(100); /* the server sees them go */
        g_autofree gchar *again = roundtrip_str(f, "{\"command\":\"status\"}\n");
        assert_string_equal(again, "{\"ok\":true,\"echo\":\"\"}");
}

static void test_client_gone_before_reply(void **state) {
        fixture *f = *state;
        /* a big reply, more than the socket takes at once */
        g_autofree gchar *big = g_strnfill(1 << 20, 'x');

        f->mode = MODE_LATER;
        for (int round = 0; round < 2; round++) {
                client_job j = {.path = f->path,
                                .data = "{\"command\":\"stop\"}\n",
                                .len = 19,
                                .close_after_send = true};
                GThread *t = client_start(&j);
                while (!f->held)
                        g_main_context_iteration(NULL, TRUE);
                loop_until(&j.done);
                g_thread_join(t);
                g_autoptr(JsonObject) reply = json_object_new();
                json_object_set_string_member(reply, "big", round ? big : "small");
                /* default SIGPIPE: a plain write would kill the test here */
                control_request_reply(f->held, reply);
                f->held = NULL;
                iterate_for(50);
        }
        f->mode = MODE_ECHO;
        g_autofree gchar *again = roundtrip_str(f, "{\"command\":\"status\",\"arg\":\"still here\"}\n");
        assert_string_equal(again, "{\"ok\":true,\"echo\":\"still here\"}");
}

static void test_big_reply_slow_reader(void **state) {
        fixture *f = *state;
        g_autofree gchar *big = g_strnfill(1 << 20, 'y');

        f->mode = MODE_LATER;
        client_job j = {.path = f->path, .data = "{\"command\":\"sessions\"}\n", .len = 23};
        GThread *t = client_start(&j);
        while (!f->held)
                g_main_context_iteration(NULL, TRUE);
        g_autoptr(JsonObject) reply = json_object_new();
        json_object_set_string_member(reply, "big", big);
        control_request_reply(f->held, reply); /* queued: the loop sends the rest */
        f->held = NULL;
        loop_until(&j.done);
        g_thread_join(t);
        assert_int_equal(strlen(j.reply), strlen("{\"ok\":true,\"big\":\"\"}") + (1 << 20));
        g_free(j.reply);
}

static void test_shutdown_answers_pending(void **state) {
        fixture *f = *state;
        struct stat st;

        f->mode = MODE_LATER;
        client_job j = {.path = f->path, .data = "{\"command\":\"stop\"}\n", .len = 19};
        GThread *t = client_start(&j);
        while (!f->held)
                g_main_context_iteration(NULL, TRUE);
        f->server = control_server_free(f->server);
        f->held = NULL; /* freed with the server */
        loop_until(&j.done);
        g_thread_join(t);
        assert_error_reply(j.reply, "the recorder is shutting down");
        g_free(j.reply);
        assert_int_equal(lstat(f->path, &st), -1);
        assert_int_equal(errno, ENOENT);
}

static void test_stale_socket(void **state) {
        fixture *f = *state;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd;

        /* a socket file left by a crashed daemon */
        f->server = control_server_free(f->server);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f->path);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        close(fd);
        assert_int_equal(connect_to(f->path), -ECONNREFUSED);
        assert_int_equal(serve(f, (gid_t) -1), 0);
        g_autofree gchar *reply = roundtrip_str(f, "{\"command\":\"status\",\"arg\":\"new\"}\n");
        assert_string_equal(reply, "{\"ok\":true,\"echo\":\"new\"}");
}

static void test_not_a_socket(void **state) {
        fixture *f = *state;
        g_autofree gchar *message = NULL;
        control_server *s = NULL;
        int fd;

        f->server = control_server_free(f->server);
        fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(control_server_new(f->path, (gid_t) -1, handler, f, &s, &message), -EEXIST);
        assert_null(s);
        assert_non_null(strstr(message, "exists and is not a socket"));
        assert_int_equal(unlink(f->path), 0);
}

/* The permission check, from a child that drops to another uid. */
#define TEST_UID 65534
#define TEST_ADMIN_GID 4242

typedef struct child_result {
        gint done;
        int status;
} child_result;

static void on_child(GPid pid, gint status, gpointer userdata) {
        child_result *c = userdata;

        (void) pid;
        c->status = status;
        g_atomic_int_set(&c->done, 1);
}

/* Forks a child that takes groups and TEST_UID, sends a status request and
 * exits 0 when the reply starts with expect. */
static int run_as(fixture *f, const gid_t *groups, size_t n_groups, gid_t gid, const char *expect) {
        child_result c = {0};
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                if (setgroups(n_groups, groups) < 0 || setgid(gid) < 0 || setuid(TEST_UID) < 0)
                        _exit(3);
                int fd = connect_to(f->path);
                if (fd < 0) {
                        fprintf(stderr, "child connect: %s\n", strerror(-fd));
                        _exit(4);
                }
                (void) send(fd, "{\"command\":\"status\"}\n", 21, MSG_NOSIGNAL);
                gchar *reply = read_reply(fd);
                if (!g_str_has_prefix(reply, expect)) {
                        fprintf(stderr, "child got: %s\nexpected: %s\n", reply, expect);
                        _exit(1);
                }
                _exit(0);
        }
        g_child_watch_add(pid, on_child, &c);
        loop_until(&c.done);
        if (!WIFEXITED(c.status))
                fprintf(stderr, "child status %d\n", c.status);
        return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : 100;
}

static void test_permission(void **state) {
        fixture *f = *state;
        char expect[256];
        const gid_t admin = TEST_ADMIN_GID, other = 4243;

        /* a client of another uid needs root to become it (CI runs as root);
         * elsewhere the test is reported as skipped (cmocka-run.sh) */
        if (geteuid() != 0) {
                print_message("the peer-credential refusal needs root, to run clients as uid %d: skipped\n",
                              TEST_UID);
                skip();
                return;
        }
        /* the child must reach the socket; the peer check is what refuses it */
        f->server = control_server_free(f->server);
        assert_int_equal(serve(f, TEST_ADMIN_GID), 0);
        assert_int_equal(chmod(f->dir, 0711), 0);
        assert_int_equal(chmod(f->path, 0666), 0);

        snprintf(expect, sizeof expect,
                 "{\"ok\":false,\"error\":\"permission denied: uid %d is not root, the recorder's user or a "
                 "member of group %d\"}",
                 TEST_UID, TEST_ADMIN_GID);
        assert_int_equal(run_as(f, &other, 1, 65534, expect), 0);
        assert_int_equal(run_as(f, NULL, 0, 65534, expect), 0);
        assert_int_equal(f->calls, 0);
        /* a supplementary member of the admin group, and one by primary group */
        assert_int_equal(run_as(f, (gid_t[]){other, admin}, 2, 65534, "{\"ok\":true"), 0);
        assert_int_equal(f->calls, 1);
        assert_int_equal(f->last_uid, TEST_UID);
        assert_int_equal(run_as(f, NULL, 0, TEST_ADMIN_GID, "{\"ok\":true"), 0);
        assert_int_equal(f->calls, 2);

        /* without an admin group only root and the recorder's user */
        f->server = control_server_free(f->server);
        assert_int_equal(serve(f, (gid_t) -1), 0);
        assert_int_equal(chmod(f->path, 0666), 0);
        snprintf(expect, sizeof expect,
                 "{\"ok\":false,\"error\":\"permission denied: uid %d is not root or the recorder's user\"}",
                 TEST_UID);
        assert_int_equal(run_as(f, &admin, 1, TEST_ADMIN_GID, expect), 0);
        assert_int_equal(f->calls, 2);
        assert_int_equal(chmod(f->dir, 0700), 0);
}

/* ---- control/answers.c: the requests that wait for the room ---- */

static control_request *hold(fixture *f, client_job *j, GThread **t, const char *line) {
        f->mode = MODE_LATER;
        f->held = NULL;
        *j = (client_job){.path = f->path, .data = line, .len = strlen(line)};
        *t = client_start(j);
        while (!f->held)
                g_main_context_iteration(NULL, TRUE);
        return g_steal_pointer(&f->held);
}

static gchar *answered(client_job *j, GThread *t) {
        loop_until(&j->done);
        g_thread_join(t);
        return j->reply;
}

static void test_answers_identify_at_ready(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        control_answers *a = control_answers_new();
        control_request *req = hold(f, &j, &t, "{\"command\":\"identify\"}\n");

        assert_int_equal(control_answers_wait_start(a, req, ROOM_READY), 0);
        control_answers_on_state(a, ROOM_IDENTIFYING); /* not what it waits for */
        assert_true(control_answers_start_waiting(a));
        control_answers_on_state(a, ROOM_READY);
        assert_false(control_answers_start_waiting(a));
        g_autofree gchar *reply = answered(&j, t);
        assert_string_equal(reply, "{\"ok\":true,\"state\":\"ready\"}");
        a = control_answers_free(a, ROOM_READY);
}

/* A start waits for the first segment, not for ready; one at a time; the
 * room going back to free before it answers cancels it. */
static void test_answers_start_cancelled(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        control_answers *a = control_answers_new();
        control_request *req = hold(f, &j, &t, "{\"command\":\"start\"}\n");

        assert_int_equal(control_answers_wait_start(a, req, ROOM_RECORDING), 0);
        assert_int_equal(control_answers_wait_start(a, req, ROOM_RECORDING), -EBUSY);
        control_answers_on_state(a, ROOM_READY);
        assert_true(control_answers_start_waiting(a));
        control_answers_on_state(a, ROOM_FREE);
        g_autofree gchar *reply = answered(&j, t);
        assert_error_reply(reply, "the identification was cancelled");
        a = control_answers_free(a, ROOM_FREE);
}

/* The refusal's words come first; the room's state change then finds
 * nothing waiting. */
static void test_answers_refused_in_words(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        control_answers *a = control_answers_new();
        control_request *req = hold(f, &j, &t, "{\"command\":\"start\"}\n");

        assert_int_equal(control_answers_wait_start(a, req, ROOM_RECORDING), 0);
        control_answers_on_refused(a, "officer number or PIN not accepted");
        control_answers_on_state(a, ROOM_ATTENTION);
        g_autofree gchar *reply = answered(&j, t);
        assert_string_equal(reply, "{\"ok\":false,\"error\":\"officer number or PIN not accepted\"}");
        a = control_answers_free(a, ROOM_ATTENTION);
}

static void test_answers_recording(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        control_answers *a = control_answers_new();
        control_request *req = hold(f, &j, &t, "{\"command\":\"start\"}\n");

        assert_int_equal(control_answers_wait_start(a, req, ROOM_RECORDING), 0);
        control_answers_on_state(a, ROOM_RECORDING); /* Start: the first segment is not open yet */
        assert_true(control_answers_start_waiting(a));
        control_answers_on_recording(a, ROOM_RECORDING);
        g_autofree gchar *reply = answered(&j, t);
        assert_string_equal(reply, "{\"ok\":true,\"state\":\"recording\"}");
        a = control_answers_free(a, ROOM_RECORDING);
}

/* Stops are answered at the session's end with its length, its segments,
 * the room after it in words, and the id in its own member. */
static void test_answers_stop_ended(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        control_answers *a = control_answers_new();
        control_session_end end = {.dir = "/spool/20261201T103200Z-1a2b3c4d",
                                   .media_ns = UINT64_C(1213) * 1000000000,
                                   .segments = 5};

        control_answers_wait_stop(a, hold(f, &j, &t, "{\"command\":\"stop\"}\n"));
        control_answers_on_state(a, ROOM_ATTENTION); /* a state change alone answers no stop */
        control_answers_on_ended(a, &end, ROOM_ATTENTION);
        g_autofree gchar *reply = answered(&j, t);
        assert_non_null(strstr(reply, "\"message\":\"stopped: 0:20:13 recorded in 5 segments, sealed; the "
                                      "room needs attention (studioctl status says why)\""));
        assert_non_null(strstr(reply, "\"state\":\"attention\""));
        assert_non_null(strstr(reply, "\"media_ns\":1213000000000"));
        assert_non_null(strstr(reply, "\"segments\":5"));
        assert_non_null(strstr(reply, "\"session\":\"20261201T103200Z-1a2b3c4d\""));
        a = control_answers_free(a, ROOM_FREE);
}

/* The status reply holds the published document exactly as status.json
 * has it (hours_left with its one decimal, the reasons escaped), and the
 * session's marks and media time. */
static void test_answers_status(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        char *reasons[] = {"microphone dead", "bidi \u202e here", NULL};
        room_state_doc doc = {.state = ROOM_RECORDING,
                              .since_us = INT64_C(1796121120) * G_USEC_PER_SEC,
                              .updated_us = INT64_C(1796121130) * G_USEC_PER_SEC,
                              .attention = reasons,
                              .hours_left = 12.3};
        uint64_t marks[] = {UINT64_C(1500000000), UINT64_C(61000000000)};
        control_session_now now = {.marks = marks, .n_marks = 2, .media_ns = 62000000000};
        g_autofree gchar *published = room_state_doc_to_json(&doc);
        g_autofree gchar *expected = g_strdup_printf("{\"ok\":true,\"state\":%s,\"marks\":[1500000000,"
                                                     "61000000000],\"media_ns\":62000000000}",
                                                     published);

        control_reply_status(hold(f, &j, &t, "{\"command\":\"status\"}\n"), &doc, &now);
        g_autofree gchar *reply = answered(&j, t);
        assert_string_equal(reply, expected);
        assert_non_null(strstr(reply, "\"hours_left\":12.3,"));
        assert_null(strstr(reply, "\u202e"));
        assert_non_null(strstr(reply, "\\u202e"));
}

static void test_answers_shutdown(void **state) {
        fixture *f = *state;
        client_job j;
        GThread *t;
        control_answers *a = control_answers_new();

        assert_int_equal(
                control_answers_wait_start(a, hold(f, &j, &t, "{\"command\":\"start\"}\n"), ROOM_RECORDING),
                0);
        a = control_answers_free(a, ROOM_READY);
        g_autofree gchar *reply = answered(&j, t);
        assert_error_reply(reply, "the recorder is shutting down");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_good_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fail_reply, setup, teardown),
                cmocka_unit_test_setup_teardown(test_half_close_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_late_reply, setup, teardown),
                cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
                cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
                cmocka_unit_test_setup_teardown(test_slow_client, setup, teardown),
                cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
                cmocka_unit_test_setup_teardown(test_client_gone_before_reply, setup, teardown),
                cmocka_unit_test_setup_teardown(test_big_reply_slow_reader, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shutdown_answers_pending, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stale_socket, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_socket, setup, teardown),
                cmocka_unit_test_setup_teardown(test_permission, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_identify_at_ready, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_start_cancelled, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_refused_in_words, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_recording, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_stop_ended, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_status, setup, teardown),
                cmocka_unit_test_setup_teardown(test_answers_shutdown, setup, teardown),
        };

        signal(SIGPIPE, SIG_DFL);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
