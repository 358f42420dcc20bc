/* The recorder's control socket (control.h).
 *
 * One connection carries one request and its reply, then it is closed. A
 * connection is a control_request from accept() on: it reads one line
 * (bounded in size and time), hands it to the handler, and writes the
 * reply without ever blocking the loop (a client that does not read its
 * reply is dropped after CONTROL_REQUEST_TIMEOUT_S).
 *
 * Who may connect: root, the daemon's effective uid, or a member of the
 * admin group. Supplementary groups come from SO_PEERGROUPS, the groups the
 * peer held when it called connect(), as the kernel recorded them: unlike
 * /proc/PID/status it cannot race with the PID being reused, and unlike
 * getgrouplist() it needs no NSS lookup on the loop thread and does not
 * grant a group the process has dropped (or deny one newly added). */
#include "control.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <sodium.h>

#include "json-bounded.h"
#include "util.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

#define CONTROL_PEER_GROUPS_MAX 65536

typedef enum control_phase {
        CONTROL_READING,  /* waiting for the request line */
        CONTROL_HANDLING, /* the handler holds it */
        CONTROL_WRITING,  /* the reply is queued */
} control_phase;

struct control_request {
        control_server *server;
        int fd;
        uid_t uid;
        control_phase phase;
        guint io_source;
        guint timer;
        GByteArray *in;
        JsonParser *parser; /* owns args while the handler holds the request */
        gchar *out;
        size_t out_len, out_done;
};

struct control_server {
        int fd;
        guint source;
        gchar *path;
        dev_t dev;
        ino_t ino;
        gid_t admin_gid;
        gchar *admin_group_name;
        uid_t euid;
        control_handler_fn fn;
        void *userdata;
        GList *requests; /* control_request*, every open connection */
        unsigned n_requests;
};

static void request_free(control_request *req) {
        control_server *s = req->server;

        if (req->io_source)
                g_source_remove(req->io_source);
        if (req->timer)
                g_source_remove(req->timer);
        if (req->fd >= 0)
                (void) close(req->fd);
        if (s) {
                s->requests = g_list_remove(s->requests, req);
                s->n_requests--;
        }
        if (req->in) {
                /* the request line may hold a PIN */
                sodium_memzero(req->in->data, req->in->len);
                g_byte_array_unref(req->in);
        }
        g_clear_object(&req->parser);
        g_free(req->out);
        g_free(req);
}

/* A one-line JSON text for o, newline included (the generator escapes
 * newlines inside strings, so the only one is the last). */
static gchar *reply_text(JsonObject *o, size_t *ret_len) {
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        g_autoptr(JsonGenerator) gen = json_generator_new();
        gchar *json;
        gsize len;

        json_node_set_object(node, o);
        json_generator_set_root(gen, node);
        json_generator_set_pretty(gen, FALSE);
        json = json_generator_to_data(gen, &len);
        json = g_realloc(json, len + 2);
        json[len] = '\n';
        json[len + 1] = '\0';
        *ret_len = len + 1;
        return json;
}

static gchar *error_text(const char *message, size_t *ret_len) {
        g_autoptr(JsonObject) o = json_object_new();
        gchar *text;

        json_object_set_boolean_member(o, "ok", FALSE);
        json_object_set_string_member(o, "error", message);
        text = reply_text(o, ret_len);
        return text;
}

/* Sends what is left of the reply; true when it is all sent or the
 * client has gone (nothing more to do), false when the socket is full. */
static bool request_flush(control_request *req) {
        while (req->out_done < req->out_len) {
                /* MSG_NOSIGNAL: a client that has gone must not SIGPIPE the daemon */
                ssize_t n = send(req->fd, req->out + req->out_done, req->out_len - req->out_done,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return false;
                if (n <= 0)
                        return true;
                req->out_done += (size_t) n;
        }
        return true;
}

static gboolean on_write_timeout(gpointer userdata) {
        control_request *req = userdata;

        req->timer = 0;
        request_free(req);
        return G_SOURCE_REMOVE;
}

static gboolean on_writable(gint fd, GIOCondition cond, gpointer userdata) {
        control_request *req = userdata;

        (void) fd;
        (void) cond;
        if (!request_flush(req))
                return G_SOURCE_CONTINUE;
        req->io_source = 0;
        request_free(req);
        return G_SOURCE_REMOVE;
}

/* Queues text (taken) as the reply and sends it; the request is freed
 * once it is sent, or when the client does not take it in time. */
static void request_send(control_request *req, gchar *text, size_t len) {
        if (req->io_source) {
                g_source_remove(req->io_source);
                req->io_source = 0;
        }
        if (req->timer) {
                g_source_remove(req->timer);
                req->timer = 0;
        }
        g_clear_object(&req->parser);
        req->phase = CONTROL_WRITING;
        req->out = text;
        req->out_len = len;
        req->out_done = 0;
        if (request_flush(req)) {
                request_free(req);
                return;
        }
        req->io_source = g_unix_fd_add(req->fd, G_IO_OUT, on_writable, req);
        req->timer = g_timeout_add_seconds(CONTROL_REQUEST_TIMEOUT_S, on_write_timeout, req);
}

static void request_send_error(control_request *req, const char *message) {
        size_t len;
        gchar *text = error_text(message, &len);

        request_send(req, text, len);
}

void control_request_reply(control_request *req, JsonObject *reply) {
        g_autoptr(JsonObject) o = json_object_new();
        GList *members;
        size_t len;
        gchar *text;

        g_return_if_fail(req && req->phase == CONTROL_HANDLING);
        json_object_set_boolean_member(o, "ok", TRUE);
        if (reply) {
                members = json_object_get_members(reply);
                for (GList *m = members; m; m = m->next)
                        if (strcmp(m->data, "ok") != 0)
                                json_object_set_member(
                                        o, m->data, json_node_copy(json_object_get_member(reply, m->data)));
                g_list_free(members);
        }
        text = reply_text(o, &len);
        request_send(req, text, len);
}

void control_request_reply_text(control_request *req, const char *json) {
        g_return_if_fail(req && req->phase == CONTROL_HANDLING);
        size_t len = strlen(json);
        gchar *text = g_malloc(len + 2);

        memcpy(text, json, len);
        text[len] = '\n';
        text[len + 1] = '\0';
        request_send(req, text, len + 1);
}

void control_request_fail(control_request *req, const char *format, ...) {
        g_autofree gchar *message = NULL;
        va_list ap;

        g_return_if_fail(req && req->phase == CONTROL_HANDLING);
        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        request_send_error(req, message);
}

uid_t control_request_uid(const control_request *req) {
        return req->uid;
}

/* Parses the line and hands it on, or answers what is wrong with it. */
static void request_dispatch(control_request *req, const char *line, size_t len) {
        g_autofree char *message = NULL;
        JsonObject *args;
        JsonNode *root, *command;
        int r;

        if (len == 0) {
                request_send_error(req, "request is empty (expected {\"command\":…})");
                return;
        }
        req->parser = json_parser_new();
        r = json_load_bounded(req->parser, line, len, CONTROL_REQUEST_MAX, &message);
        if (r < 0) {
                g_autofree gchar *m = g_strdup_printf("request is not valid JSON: %s", message);
                request_send_error(req, m);
                return;
        }
        root = json_parser_get_root(req->parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                request_send_error(req, "request is not a JSON object (expected {\"command\":…})");
                return;
        }
        args = json_node_get_object(root);
        command = json_object_get_member(args, "command");
        if (!command) {
                request_send_error(req, "request has no \"command\" member");
                return;
        }
        if (!JSON_NODE_HOLDS_VALUE(command) || json_node_get_value_type(command) != G_TYPE_STRING) {
                request_send_error(req, "request's \"command\" is not a string");
                return;
        }
        req->phase = CONTROL_HANDLING;
        req->server->fn(req, json_node_get_string(command), args, req->server->userdata);
}

static gboolean on_read_timeout(gpointer userdata) {
        control_request *req = userdata;
        g_autofree gchar *m =
                g_strdup_printf("no request line within %d s", (int) CONTROL_REQUEST_TIMEOUT_S);

        req->timer = 0;
        request_send_error(req, m);
        return G_SOURCE_REMOVE;
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer userdata) {
        control_request *req = userdata;
        uint8_t buf[4096];
        ssize_t n;
        guint8 *nl;

        (void) cond;
        n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
                return G_SOURCE_CONTINUE;
        if (n < 0) {
                req->io_source = 0;
                request_free(req);
                return G_SOURCE_REMOVE;
        }
        if (n == 0 && req->in->len == 0) { /* gone without a word */
                req->io_source = 0;
                request_free(req);
                return G_SOURCE_REMOVE;
        }
        g_byte_array_append(req->in, buf, (guint) n);
        nl = memchr(req->in->data, '\n', req->in->len);
        if (nl || n == 0) {
                /* a line, or the client shut down its side after one without
                 * a newline: that is the request either way */
                size_t len = nl ? (size_t) (nl - req->in->data) : req->in->len;
                req->io_source = 0; /* removed by returning G_SOURCE_REMOVE */
                g_source_remove(req->timer);
                req->timer = 0;
                if (len > CONTROL_REQUEST_MAX)
                        request_send_error(req, "request too long");
                else
                        request_dispatch(req, (const char *) req->in->data, len);
                /* req may be gone here */
                return G_SOURCE_REMOVE;
        }
        if (req->in->len > CONTROL_REQUEST_MAX) {
                req->io_source = 0;
                g_source_remove(req->timer);
                req->timer = 0;
                request_send_error(req, "request too long");
                return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
}

static bool gid_listed(const gid_t *gids, size_t n, gid_t gid) {
        for (size_t i = 0; i < n; i++)
                if (gids[i] == gid)
                        return true;
        return false;
}

/* 0 when the peer may use the socket, -EPERM when not, another -errno
 * when its credentials cannot be read. */
static int peer_check(const control_server *s, int fd, uid_t *ret_uid) {
        struct ucred cred;
        socklen_t len = sizeof cred;
        _cleanup_free_ gid_t *gids = NULL;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        *ret_uid = cred.uid;
        if (cred.uid == 0 || cred.uid == s->euid)
                return 0;
        if (s->admin_gid == (gid_t) -1)
                return -EPERM;
        if (cred.gid == s->admin_gid)
                return 0;
        len = 64 * sizeof(gid_t);
        for (;;) {
                gid_t *g = realloc(gids, len);
                if (!g)
                        return -ENOMEM;
                gids = g;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids, &len) == 0)
                        break;
                if (errno != ERANGE || len > CONTROL_PEER_GROUPS_MAX * sizeof(gid_t))
                        return -errno;
        }
        return gid_listed(gids, len / sizeof(gid_t), s->admin_gid) ? 0 : -EPERM;
}

/* A refusal at accept time: one line, sent if the socket takes it now,
 * and the connection closed. */
static void refuse(int fd, const char *message) {
        size_t len;
        g_autofree gchar *text = error_text(message, &len);

        (void) send(fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void) close(fd);
}

static void on_accept_one(control_server *s, int fd) {
        control_request *req;
        uid_t uid = (uid_t) -1;
        int r;

        r = peer_check(s, fd, &uid);
        if (r == -EPERM) {
                g_autofree gchar *m = NULL;
                if (s->admin_gid == (gid_t) -1)
                        m = g_strdup_printf("permission denied: uid %u is not root or the recorder's user",
                                            (unsigned) uid);
                else
                        m = g_strdup_printf("permission denied: uid %u is not root, the recorder's user "
                                            "or a member of group %s",
                                            (unsigned) uid, s->admin_group_name);
                refuse(fd, m);
                return;
        }
        if (r < 0) {
                g_autofree gchar *m =
                        g_strdup_printf("cannot read the peer's credentials: %s", g_strerror(-r));
                refuse(fd, m);
                return;
        }
        if (s->n_requests >= CONTROL_CLIENTS_MAX) {
                g_autofree gchar *m = g_strdup_printf(
                        "too many connections (%d at once): try again when the others are answered",
                        (int) CONTROL_CLIENTS_MAX);
                refuse(fd, m);
                return;
        }
        req = g_new0(control_request, 1);
        req->server = s;
        req->fd = fd;
        req->uid = uid;
        req->phase = CONTROL_READING;
        req->in = g_byte_array_new();
        s->requests = g_list_prepend(s->requests, req);
        s->n_requests++;
        req->io_source = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, req);
        req->timer = g_timeout_add_seconds(CONTROL_REQUEST_TIMEOUT_S, on_read_timeout, req);
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer userdata) {
        control_server *s = userdata;

        (void) cond;
        for (;;) {
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (cfd < 0) {
                        /* EAGAIN: all taken. Anything else (EMFILE …) is left to
                         * the next wake-up rather than spinning here. */
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        break;
                }
                on_accept_one(s, cfd);
        }
        return G_SOURCE_CONTINUE;
}

/* Replaces a stale socket at path; anything else there is left alone. */
static int unlink_stale(const char *path, gchar **ret_message) {
        struct stat st;

        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                int r = -errno;
                *ret_message =
                        g_strdup_printf("cannot check the control socket %s: %s", path, g_strerror(-r));
                return r;
        }
        if (!S_ISSOCK(st.st_mode)) {
                *ret_message = g_strdup_printf("%s exists and is not a socket: move it away or set "
                                               "[recorder] socket to another path",
                                               path);
                return -EEXIST;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
                int r = -errno;
                *ret_message = g_strdup_printf("cannot replace the stale control socket %s: %s", path,
                                               g_strerror(-r));
                return r;
        }
        return 0;
}

/* The listening socket at path, mode 0660, the admin group's when it can
 * be: its descriptor and its inode (the server unlinks only its own). */
static int listen_at(const char *path, gid_t admin_gid, struct stat *ret_st, gchar **ret_message) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (strlen(path) >= sizeof sa.sun_path) {
                *ret_message = g_strdup_printf("control socket path %s is too long (at most %zu bytes)",
                                               path, sizeof sa.sun_path - 1);
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                goto fail_errno;
        if ((r = unlink_stale(path, ret_message)) < 0)
                return r;
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                goto fail_errno;
        /* The mode is set before listen(): until then a connect() is refused,
         * so there is no moment at which the socket is open wider. */
        if (chmod(path, 0660) < 0 || lstat(path, ret_st) < 0)
                goto fail_unlink;
        /* Best effort: the admin group can connect only if the socket is
         * its group's, which needs the daemon's user to be a member; if it
         * is not, the folder's setgid bit (tmpfiles.d) decides. */
        if (admin_gid != (gid_t) -1 && chown(path, (uid_t) -1, admin_gid) < 0) {
        }
        if (listen(fd, CONTROL_CLIENTS_MAX) < 0)
                goto fail_unlink;
        return TAKE_FD(fd);

fail_unlink:
        r = -errno;
        (void) unlink(path);
        goto fail;
fail_errno:
        r = -errno;
fail:
        *ret_message = g_strdup_printf("cannot serve the control socket %s: %s", path, g_strerror(-r));
        return r;
}

int control_server_new(const char *path, gid_t admin_gid, control_handler_fn fn, void *userdata,
                       control_server **ret, gchar **ret_message) {
        g_autofree gchar *msg = NULL;
        struct stat st;
        control_server *s;
        int fd;

        g_return_val_if_fail(path && fn && ret, -EINVAL);
        fd = listen_at(path, admin_gid, &st, &msg);
        if (fd < 0) {
                if (ret_message)
                        *ret_message = g_steal_pointer(&msg);
                return fd;
        }
        s = g_new0(control_server, 1);
        s->path = g_strdup(path);
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        s->admin_gid = admin_gid;
        if (admin_gid != (gid_t) -1) {
                struct group *gr = getgrgid(admin_gid);
                s->admin_group_name =
                        gr ? g_strdup(gr->gr_name) : g_strdup_printf("%u", (unsigned) admin_gid);
        }
        s->euid = geteuid();
        s->fn = fn;
        s->userdata = userdata;
        s->fd = fd;
        s->source = g_unix_fd_add(s->fd, G_IO_IN, on_accept, s);
        *ret = s;
        return 0;
}

control_server *control_server_free(control_server *s) {
        struct stat st;

        if (!s)
                return NULL;
        g_source_remove(s->source);
        (void) close(s->fd);
        /* Only our own socket: a newer daemon may have replaced it. */
        if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
                (void) unlink(s->path);
        while (s->requests) {
                control_request *req = s->requests->data;
                if (req->phase == CONTROL_WRITING) {
                        (void) request_flush(req);
                } else {
                        size_t len;
                        g_free(req->out);
                        req->out = error_text("the recorder is shutting down", &len);
                        req->out_len = len;
                        req->out_done = 0;
                        (void) request_flush(req);
                }
                request_free(req);
        }
        g_free(s->path);
        g_free(s->admin_group_name);
        g_free(s);
        return NULL;
}
