#include "ctl-client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdutil.h"
#include "json-bounded.h"
#include "util.h"

static int ctl_connect(const char *path, gchar **ret_message) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof sa.sun_path) {
                *ret_message = g_strdup_printf("the control socket path %s is too long", path);
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                *ret_message = g_strdup_printf("cannot make a socket: %s", g_strerror(errno));
                return -errno;
        }
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                if (r == -EACCES || r == -EPERM)
                        *ret_message = g_strdup_printf(
                                "permission denied on %s: studioctl must run as root, as the recorder's "
                                "user or as a member of the admin group ([recorder] admin_group)",
                                path);
                else if (r == -ENOENT || r == -ECONNREFUSED || r == -ENOTDIR)
                        *ret_message =
                                g_strdup_printf("no recorder answers on %s: is studio-recorder running? "
                                                "(systemctl status studio-recorder)",
                                                path);
                else
                        *ret_message = g_strdup_printf("cannot connect to the recorder on %s: %s", path,
                                                       g_strerror(-r));
                return r;
        }
        return TAKE_FD(fd);
}

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line (without its newline) within the deadline. */
static int read_line(int fd, int64_t deadline_ms, GString *out, gchar **ret_message) {
        char buf[4096];

        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int64_t left = deadline_ms - now_ms();
                char *nl;
                ssize_t n;
                int k;

                if (left <= 0)
                        return -ETIMEDOUT;
                k = poll(&p, 1, (int) MIN(left, 60000));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        continue;
                n = recv(fd, buf, sizeof buf, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && out->len == 0)
                        return -errno;
                if (n <= 0)
                        break;
                nl = memchr(buf, '\n', (size_t) n);
                g_string_append_len(out, buf, nl ? nl - buf : n);
                if (nl)
                        return 0;
                if (out->len > CTL_REPLY_MAX) {
                        *ret_message = g_strdup_printf("the recorder's reply is longer than %u bytes",
                                                       CTL_REPLY_MAX);
                        return -EFBIG;
                }
        }
        /* EOF: a reply without its newline is still a reply */
        return out->len > 0 ? 0 : -ECONNRESET;
}

static int send_line(int fd, const char *request, size_t len) {
        struct iovec iov[2] = {{(void *) request, len}, {(void *) "\n", 1}};
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
        size_t total = len + 1, done = 0;

        while (done < total) {
                /* a recorder that closes first must not SIGPIPE us */
                ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                done += (size_t) n;
                while (n > 0 && m.msg_iovlen > 0) {
                        size_t take = MIN((size_t) n, m.msg_iov->iov_len);
                        m.msg_iov->iov_base = (char *) m.msg_iov->iov_base + take;
                        m.msg_iov->iov_len -= take;
                        n -= (ssize_t) take;
                        if (m.msg_iov->iov_len == 0) {
                                m.msg_iov++;
                                m.msg_iovlen--;
                        }
                }
        }
        return 0;
}

int ctl_client_request(const char *socket_path, const char *request, size_t len, unsigned timeout_s,
                       JsonObject **ret_reply, gchar **ret_message) {
        g_autoptr(GString) line = g_string_new(NULL);
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autofree char *jmessage = NULL;
        g_auto(fd_owned) fd = -EBADF;
        JsonNode *root, *ok;
        JsonObject *reply;
        int r;

        fd = ctl_connect(socket_path, ret_message);
        if (fd < 0)
                return fd;
        r = send_line(fd, request, len);
        /* a refusal at accept time (permission, too many clients) may close
         * the socket before we finish sending: its reply is still there to read */
        if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
                *ret_message = g_strdup_printf("cannot send to the recorder on %s: %s", socket_path,
                                               g_strerror(-r));
                return r;
        }
        r = read_line(fd, now_ms() + (int64_t) timeout_s * 1000, line, ret_message);
        if (r == -ETIMEDOUT) {
                *ret_message = g_strdup_printf("the recorder on %s did not answer within %u s", socket_path,
                                               timeout_s);
                return r;
        }
        if (r == -EFBIG)
                return r;
        if (r < 0) {
                *ret_message = g_strdup_printf("the recorder on %s closed the connection without an answer",
                                               socket_path);
                return r;
        }
        r = json_load_bounded(parser, line->str, line->len, CTL_REPLY_MAX, &jmessage);
        if (r < 0) {
                *ret_message = g_strdup_printf("the recorder's reply is not JSON: %s", jmessage);
                return -EBADMSG;
        }
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                *ret_message = g_strdup("the recorder's reply is not a JSON object");
                return -EBADMSG;
        }
        reply = json_node_get_object(root);
        ok = json_object_get_member(reply, "ok");
        if (!ok || !JSON_NODE_HOLDS_VALUE(ok) || json_node_get_value_type(ok) != G_TYPE_BOOLEAN) {
                *ret_message = g_strdup("the recorder's reply has no \"ok\" true or false");
                return -EBADMSG;
        }
        if (!json_node_get_boolean(ok)) {
                const char *e = json_object_get_string_member_with_default(reply, "error", NULL);
                *ret_message = g_strdup(e ? e : "the recorder refused without saying why");
                return -EREMOTEIO;
        }
        *ret_reply = json_object_ref(reply);
        return 0;
}
