/* The room-status daemon's parts (studio-status): what shelter staff see of
 * the studio, taken only from the recorder's published state file and the
 * uploader's published backlog file, served over HTTP to an allow-list.
 *
 *   allow.c       the allow-list of client addresses and networks
 *   status-doc.c  the two input files read into a status_view (stale => attention)
 *   page.c        the HTML page (words in en/nl, colour per state, one hashed script)
 *   json.c        status.json
 *   headers.c     the security headers every response carries (CSP with hashes)
 *   server.c      libmicrohttpd: limits, codes, routing
 *
 * Nothing here ever sees an officer, a session or a file name: the inputs do
 * not hold them, and the view keeps only the fields below. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "room-state.h"

/* The recorder rewrites its state file every ROOM_STATE_REFRESH_S; a file
 * this old means the recorder is not running (issue 9: 15 s). */
#define STATUS_STALE_US (15 * G_USEC_PER_SEC)

/* ---- allow.c ---- */
typedef struct status_allow status_allow;

/* entries: "192.168.1.0/24", "10.0.0.5", "::1" … (NULL-terminated; NULL or
 * empty allows nobody). -EINVAL with a message naming the bad entry. */
int status_allow_new(char *const *entries, status_allow **ret, gchar **ret_message);
status_allow *status_allow_free(status_allow *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(status_allow, status_allow_free)
/* Whether the client at sa may look; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is matched as the IPv4 address it carries. */
bool status_allow_match(const status_allow *a, const struct sockaddr *sa);

/* ---- status-doc.c ---- */
#define STATUS_LAST_TRANSFER_NEVER 0
#define STATUS_LAST_TRANSFER_UNKNOWN (-1)

typedef struct status_view {
        room_state state;
        int64_t since_us;
        char **attention;         /* NULL-terminated plain-word reasons (English); never NULL */
        double hours_left;        /* < 0: unknown */
        int64_t last_transfer_us; /* > 0, or STATUS_LAST_TRANSFER_NEVER / _UNKNOWN */
        int64_t updated_us;       /* when this view was taken */
} status_view;

void status_view_clear(status_view *v);

/* What is shown, from the two files, at now_us. The state file missing,
 * unreadable, malformed, or updated more than STATUS_STALE_US from now
 * gives ROOM_ATTENTION with REASON_RECORDER_DOWN (since: the file's last
 * update, else down_since_us). ret_problem (may be NULL) gets why the
 * state or backlog was not taken as it is, NULL when both were fine. */
void status_view_load(const char *state_file, const char *backlog_file, int64_t now_us,
                      int64_t down_since_us, status_view *ret, gchar **ret_problem);

/* ---- page.c ---- */
/* "en" or "nl" (anything else: en). The headline words for v, e.g.
 * "In session since 10:32 — attention: camera disconnected" (not escaped). */
gchar *status_page_headline(const status_view *v, const char *language);
/* The whole HTML document (UTF-8, every outside string escaped). */
gchar *status_page_render(const status_view *v, const char *language, int64_t now_us);
/* The exact text of the inline script and style, for their CSP hashes. */
const char *status_page_script(void);
const char *status_page_style(void);

/* ---- json.c ---- */
/* {"state","since","attention","hours_left","last_transfer","updated"}. */
gchar *status_json_render(const status_view *v);

/* ---- headers.c ---- */
/* "default-src 'none'; script-src 'sha256-…'; …" for the page. */
gchar *status_csp_for_page(void);
/* 'sha256-<base64>' of text. */
gchar *status_csp_hash(const char *text);

/* ---- server.c ---- */
#define STATUS_REQUEST_LINE_MAX 4096  /* bytes of "METHOD URI VERSION"; more: 414 */
#define STATUS_HEADERS_BYTES_MAX 8192 /* bytes of "Name: value\r\n" lines; more: 431 */
#define STATUS_HEADERS_COUNT_MAX 32   /* more: 431 */
#define STATUS_CONNECTIONS_MAX 64
#define STATUS_CONNECTIONS_PER_IP_MAX 32
#define STATUS_CONNECTION_TIMEOUT_S 10

typedef struct studio_conf studio_conf;
typedef struct status_server status_server;

/* Binds conf->status.listen:port and serves from its own thread. */
int status_server_start(const studio_conf *conf, status_server **ret, gchar **ret_message);
status_server *status_server_stop(status_server *s);
