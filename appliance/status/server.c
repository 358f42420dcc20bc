/* The HTTP side (libmicrohttpd): one polling thread (epoll), bounded
 * connections, exact size limits decided here, and two fixed paths: the
 * request never names a file. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "status.h"
#include "studio-conf.h"

/* Large enough that MHD never runs out of pool for a request we still
 * answer ourselves (a 4 KiB + 1 request line with 8 KiB + 1 of headers,
 * or 33 small ones), so that the limits above are exact and ours; what is
 * larger still MHD refuses itself (414 or 431, docs/status-page.md). */
#define POOL_SIZE (32 * 1024)

enum { R403, R404, R405, R413, R414, R421, R431, _R_MAX };

typedef enum route {
        ROUTE_NONE,
        ROUTE_PAGE,
        ROUTE_JSON,
} route;

struct status_server {
        struct MHD_Daemon *mhd;
        status_allow *allow;
        gchar *state_file, *backlog_file, *language, *contact_phone, *room_label;
        gchar **hostnames;
        uid_t state_owner;
        int port;
        gchar *csp_page;
        struct MHD_Response *refused[_R_MAX];
        gchar *last_problem; /* logged once per change */
        int64_t down_since_us;
};

/* The raw request URI travels from the URI log callback to the handler in
 * the request's closure, as its length and route, with one bit for "the
 * first call is done": no allocation per request, so nothing to leak on an
 * abrupt close. Never NULL (len + 1 >= 1). */
#define CLOSURE(len, r) ((void *) (((uintptr_t) (len) + 1) << 3 | (uintptr_t) (r)))
#define CLOSURE_LEN(c) ((size_t) (((uintptr_t) (c) >> 3) - 1))
#define CLOSURE_ROUTE(c) ((route) ((uintptr_t) (c) &3u))
#define CLOSURE_SEEN(c) (((uintptr_t) (c) &4u) != 0)
#define CLOSURE_MARK_SEEN(c) ((void *) ((uintptr_t) (c) | 4u))

static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *c) {
        size_t len = strlen(uri);
        route r = ROUTE_NONE;

        (void) cls;
        (void) c;
        /* Exactly these bytes: no decoding, no dot segments, no query. */
        if (strcmp(uri, "/") == 0)
                r = ROUTE_PAGE;
        else if (strcmp(uri, "/status.json") == 0)
                r = ROUTE_JSON;
        return CLOSURE(MIN(len, (size_t) 1 << 20), r);
}

static void add_common_headers(struct MHD_Response *r, const char *type, const char *csp) {
        MHD_add_response_header(r, "Content-Type", type);
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "Content-Security-Policy", csp);
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

#define CSP_NONE "default-src 'none'; frame-ancestors 'none'"

static struct MHD_Response *text_response(const char *body, bool close) {
        struct MHD_Response *r =
                MHD_create_response_from_buffer(strlen(body), (void *) body, MHD_RESPMEM_PERSISTENT);
        add_common_headers(r, "text/plain; charset=utf-8", CSP_NONE);
        if (close)
                MHD_add_response_header(r, "Connection", "close");
        return r;
}

typedef struct header_sum {
        unsigned count;
        size_t bytes;
} header_sum;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
        header_sum *s = cls;

        (void) kind;
        s->count++;
        s->bytes += strlen(key) + strlen(value) + 4; /* "Name: value\r\n" */
        return MHD_YES;
}

static void log_problem(status_server *s, gchar *problem, int64_t now_us) {
        if (g_strcmp0(problem, s->last_problem) != 0) {
                if (problem)
                        log_warning("%s: the page shows attention", problem);
                else if (s->last_problem)
                        log_info("the state file is readable and fresh again");
                g_free(s->last_problem);
                s->last_problem = problem;
                s->down_since_us = problem ? now_us : 0;
        } else {
                g_free(problem);
        }
}

static enum MHD_Result answer_state(status_server *s, struct MHD_Connection *c, route rt) {
        int64_t now_us = g_get_real_time();
        status_view v = {0};
        gchar *problem = NULL, *body;
        struct MHD_Response *r;
        enum MHD_Result ret;

        status_page_settings ps = {s->language, s->contact_phone, s->room_label};

        status_view_load(s->state_file, s->state_owner, s->backlog_file, now_us,
                         s->down_since_us ? s->down_since_us : now_us, &v, &problem);
        log_problem(s, problem, now_us);
        body = rt == ROUTE_PAGE ? status_page_render(&v, &ps, now_us) : status_json_render(&v);
        status_view_clear(&v);
        r = MHD_create_response_from_buffer_with_free_callback(strlen(body), body, g_free);
        if (rt == ROUTE_PAGE)
                add_common_headers(r, "text/html; charset=utf-8", s->csp_page);
        else
                add_common_headers(r, "application/json; charset=utf-8", CSP_NONE);
        ret = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result refuse(status_server *s, struct MHD_Connection *c, unsigned code, int which) {
        return MHD_queue_response(c, code, s->refused[which]);
}

static bool has_body(struct MHD_Connection *c) {
        const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

        return (len && strcmp(len, "0") != 0) ||
               MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* Whether the request's Host names this page (host.c): the connection's
 * own local address (the listening one, also under a wildcard listen) or
 * [status] hostnames. */
static bool host_ok(const status_server *s, struct MHD_Connection *c) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct sockaddr_storage local;
        socklen_t len = sizeof(local);

        if (!fd || getsockname(fd->connect_fd, (struct sockaddr *) &local, &len) < 0)
                return false;
        return status_host_allowed(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
                                   (const struct sockaddr *) &local, s->port, s->hostnames);
}

/* Clients outside [status] allow are closed as they connect, before they
 * can hold one of the connection slots with a half-sent request. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen) {
        const status_server *s = cls;

        (void) addrlen;
        return status_allow_match(s->allow, addr) ? MHD_YES : MHD_NO;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **req_cls) {
        status_server *s = cls;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        size_t line;
        header_sum h = {0};

        (void) url;
        (void) upload_data;
        if (!*req_cls) /* always set by uri_seen; refuse rather than guess */
                return refuse(s, c, MHD_HTTP_NOT_FOUND, R404);
        /* A body is refused in the first call, before it is read. */
        if (*upload_data_size) {
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (*req_cls && CLOSURE_SEEN(*req_cls))
                return answer_state(s, c, CLOSURE_ROUTE(*req_cls));
        /* never reached by an outside client (accept_policy); kept in case */
        if (!ci || !status_allow_match(s->allow, ci->client_addr))
                return refuse(s, c, MHD_HTTP_FORBIDDEN, R403);
        line = strlen(method) + 1 + CLOSURE_LEN(*req_cls) + 1 + strlen(version);
        if (line > STATUS_REQUEST_LINE_MAX)
                return refuse(s, c, MHD_HTTP_URI_TOO_LONG, R414);
        MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &h);
        if (h.count > STATUS_HEADERS_COUNT_MAX || h.bytes > STATUS_HEADERS_BYTES_MAX)
                return refuse(s, c, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, R431);
        if (!host_ok(s, c))
                return refuse(s, c, MHD_HTTP_MISDIRECTED_REQUEST, R421);
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return refuse(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, R405);
        if (has_body(c))
                return refuse(s, c, MHD_HTTP_CONTENT_TOO_LARGE, R413);
        if (CLOSURE_ROUTE(*req_cls) == ROUTE_NONE)
                return refuse(s, c, MHD_HTTP_NOT_FOUND, R404);
        /* MHD 0.9.75 closes a connection whose answer was queued in the
         * first call; answer in the second so that keep-alive works. */
        *req_cls = CLOSURE_MARK_SEEN(*req_cls);
        return MHD_YES;
}

static void make_responses(status_server *s) {
        static const struct {
                const char *body;
                bool close;
        } bodies[_R_MAX] = {
                [R403] = {"not allowed from this address\n", true},
                [R404] = {"not found\n", false},
                [R405] = {"only GET and HEAD\n", false},
                [R413] = {"request bodies are not accepted\n", true},
                [R414] = {"request line longer than 4096 bytes\n", true},
                [R421] = {"this page answers only to the address it listens on or to a name in [status] "
                          "hostnames (studio.conf)\n",
                          true},
                [R431] = {"more than 32 headers or 8192 bytes of them\n", true},
        };

        for (int i = 0; i < _R_MAX; i++)
                s->refused[i] = text_response(bodies[i].body, bodies[i].close);
        MHD_add_response_header(s->refused[R405], "Allow", "GET, HEAD");
}

/* listen:port as a socket address; IPv4 or IPv6. */
static int listen_address(const studio_conf *conf, struct sockaddr_storage *ret, bool *ret_v6, gchar **msg) {
        struct sockaddr_in *in = (struct sockaddr_in *) ret;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ret;
        g_autofree gchar *shown = NULL;

        memset(ret, 0, sizeof(*ret));
        if (inet_pton(AF_INET, conf->status.listen, &in->sin_addr) == 1) {
                in->sin_family = AF_INET;
                in->sin_port = htons((uint16_t) conf->status.port);
                *ret_v6 = false;
                return 0;
        }
        if (inet_pton(AF_INET6, conf->status.listen, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t) conf->status.port);
                *ret_v6 = true;
                return 0;
        }
        shown = escape_text(conf->status.listen);
        if (msg)
                *msg = g_strdup_printf("[status] listen is \"%s\", not an IPv4 or IPv6 address", shown);
        return -EINVAL;
}

static void mhd_log(void *cls, const char *fm, va_list ap) {
        (void) cls;
        /* MHD's messages are about clients' mistakes: debug level, so a
         * flood of garbage never floods the journal. */
        if (log_get_max_level() >= LOG_DEBUG)
                log_fullv(LOG_DEBUG, fm, ap);
}

/* [status] state_owner as a user id: the state file is read only when it
 * is that user's (a file another daemon's user planted is not the room). */
static int state_owner(const studio_conf *conf, uid_t *ret, gchar **msg) {
        const char *name = conf->status.state_owner;
        struct passwd pw, *found = NULL;
        char buf[4096];
        int r = getpwnam_r(name, &pw, buf, sizeof(buf), &found);

        if (r != 0 || !found) {
                g_autofree gchar *shown = escape_text(name);
                if (msg)
                        *msg = g_strdup_printf(
                                "%s: [status] state_owner is \"%s\", which is no user on this "
                                "machine%s%s (set it to the user the recorder runs as, "
                                "studio-recorder on the appliance)",
                                conf->path, shown, r ? ": " : "", r ? g_strerror(r) : "");
                return r ? -r : -ESRCH;
        }
        *ret = found->pw_uid;
        return 0;
}

static bool is_any_v6(const struct sockaddr_storage *sa) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;

        return sa->ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

int status_server_start(const studio_conf *conf, status_server **ret, gchar **ret_message) {
        g_autofree gchar *shown = NULL;
        struct sockaddr_storage sa;
        status_server *s;
        uid_t owner;
        bool v6;
        int r;

        r = listen_address(conf, &sa, &v6, ret_message);
        if (r < 0)
                return r;
        r = state_owner(conf, &owner, ret_message);
        if (r < 0)
                return r;
        s = g_new0(status_server, 1);
        s->state_owner = owner;
        s->port = conf->status.port;
        s->contact_phone = g_strdup(conf->status.contact_phone);
        s->room_label = g_strdup(conf->status.room_label);
        s->hostnames = g_strdupv(conf->status.hostnames);
        r = status_allow_new(conf->status.allow, &s->allow, ret_message);
        if (r < 0) {
                status_server_stop(s);
                return r;
        }
        s->state_file = g_strdup(conf->status.state_file);
        s->backlog_file = g_strdup(conf->status.backlog_file);
        s->language = g_strdup(conf->status.language ? conf->status.language : "en");
        s->csp_page = status_csp_for_page();
        make_responses(s);
        s->mhd = MHD_start_daemon(
                MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                        /* "::" serves IPv4 clients too (as ::ffff:a.b.c.d) */
                        (is_any_v6(&sa) ? MHD_USE_DUAL_STACK
                         : v6           ? MHD_USE_IPv6
                                        : 0),
                (uint16_t) conf->status.port, accept_policy, s, handle, s, MHD_OPTION_SOCK_ADDR, &sa,
                MHD_OPTION_URI_LOG_CALLBACK, uri_seen, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned) STATUS_CONNECTIONS_MAX,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned) STATUS_CONNECTIONS_PER_IP_MAX,
                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) POOL_SIZE, MHD_OPTION_CONNECTION_TIMEOUT,
                (unsigned) STATUS_CONNECTION_TIMEOUT_S, MHD_OPTION_END);
        if (!s->mhd) {
                r = errno > 0 ? -errno : -EADDRNOTAVAIL;
                shown = escape_text(conf->status.listen);
                if (ret_message)
                        *ret_message = g_strdup_printf(
                                "cannot listen on %s%s%s port %d: %s (is [status] listen "
                                "an address of this machine, and the port free?)",
                                v6 ? "[" : "", shown, v6 ? "]" : "", conf->status.port, g_strerror(-r));
                status_server_stop(s);
                return r;
        }
        *ret = s;
        return 0;
}

status_server *status_server_stop(status_server *s) {
        if (!s)
                return NULL;
        if (s->mhd)
                MHD_stop_daemon(s->mhd);
        for (int i = 0; i < _R_MAX; i++)
                if (s->refused[i])
                        MHD_destroy_response(s->refused[i]);
        status_allow_free(s->allow);
        g_free(s->state_file);
        g_free(s->backlog_file);
        g_free(s->language);
        g_free(s->contact_phone);
        g_free(s->room_label);
        g_strfreev(s->hostnames);
        g_free(s->csp_page);
        g_free(s->last_problem);
        g_free(s);
        return NULL;
}
