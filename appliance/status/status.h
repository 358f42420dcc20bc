/* The room-status daemon's parts (studio-status): what shelter staff see of
 * the studio, taken only from the recorder's published state file and the
 * uploader's published backlog file, served over HTTP to an allow-list.
 *
 *   allow.c       the allow-list of client addresses and networks
 *   status-doc.c  the two input files read into a status_view (stale => attention)
 *   page.c        the HTML page (words in en/nl, colour per state, one hashed script)
 *   json.c        status.json
 *   headers.c     the security headers every response carries (CSP with hashes)
 *   host.c        the Host check (DNS rebinding)
 *   server.c      libmicrohttpd: limits, codes, routing
 *
 * Nothing here ever sees an officer, a session or a file name: the inputs do
 * not hold them, and the view keeps only the fields below. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

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
        int64_t session_since_us; /* the session's start (kept across breaks); 0: none */
        char **attention;         /* NULL-terminated plain-word reasons (English); never NULL */
        double hours_left;        /* < 0: unknown */
        int64_t last_transfer_us; /* > 0, or STATUS_LAST_TRANSFER_NEVER / _UNKNOWN */
        int64_t updated_us;       /* when this view was taken */
} status_view;

void status_view_clear(status_view *v);

/* What is shown, from the two files, at now_us. The state file missing,
 * unreadable, malformed, not owned by state_owner ((uid_t) -1: any owner;
 * checked with fstat on the opened file), or updated more than
 * STATUS_STALE_US from now gives ROOM_ATTENTION with REASON_RECORDER_DOWN
 * (since: the file's last update, else down_since_us). ret_problem (may be
 * NULL) gets why the state or backlog was not taken as it is, NULL when
 * both were fine. */
void status_view_load(const char *state_file, uid_t state_owner, const char *backlog_file, int64_t now_us,
                      int64_t down_since_us, status_view *ret, gchar **ret_problem);

/* ---- page.c ---- */
typedef struct status_page_settings {
        const char *language;      /* "en" or "nl" (anything else: en) */
        const char *contact_phone; /* [status] contact_phone; NULL: none */
        const char *room_label;    /* [status] room_label; NULL: none shown */
} status_page_settings;

/* The headline, for staff only: "Free", "In session — do not enter", "On a
 * break — do not enter" or "Attention — call police IT on <number>" (not
 * HTML-escaped; outside strings in it are escape_text()ed). */
gchar *status_page_headline(const status_view *v, const status_page_settings *ps);
/* The line under it when something blocks the room or a session has a
 * fault: the reasons (an attention headline), "not set up" (unprovisioned,
 * whatever it lacks), or "Attention: <reasons> — call police IT on <n>"
 * (in a session); NULL when nothing blocks. */
gchar *status_page_alert(const status_view *v, const status_page_settings *ps);
/* "In session since 10:32" (the session's start, across breaks), "In use
 * since 10:30", "On a break since 11:05 · In session since 10:32"; NULL
 * in the other states. */
gchar *status_page_since(const status_view *v, const status_page_settings *ps);
/* "For police IT: clock not synchronised, …" (the warnings that let the
 * room record, and what an unprovisioned room lacks); NULL when none. */
gchar *status_page_it_line(const status_view *v, const status_page_settings *ps);
/* The whole HTML document (UTF-8, every outside string escaped). */
gchar *status_page_render(const status_view *v, const status_page_settings *ps, int64_t now_us);
/* The exact text of the inline script and style, for their CSP hashes. */
const char *status_page_script(void);
const char *status_page_style(void);

/* ---- json.c ---- */
/* {"state","since","session_since","attention","hours_left","last_transfer","updated"}. */
gchar *status_json_render(const status_view *v);

/* ---- headers.c ---- */
/* "default-src 'none'; script-src 'sha256-…'; …" for the page. */
gchar *status_csp_for_page(void);
/* 'sha256-<base64>' of text. */
gchar *status_csp_hash(const char *text);

/* ---- host.c ---- */
/* Whether a request's Host value (host, host:port, [v6]:port) names this
 * page: the address the connection reached (local), or a name or address
 * in hostnames (names without case; a trailing dot ignored), with no port
 * or port. NULL or anything else: false. */
bool status_host_allowed(const char *value, const struct sockaddr *local, int port, char *const *hostnames);

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
