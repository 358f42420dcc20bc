/* The recorder's control socket, for studioctl.
 *
 * A Unix SOCK_STREAM socket. A client sends one request, a JSON object on
 * one line (at most CONTROL_REQUEST_MAX bytes, depth-bounded), e.g.
 *   {"command":"start","officer":"1234","pin":"…"}
 * and gets one reply line: {"ok":true,…} or {"ok":false,"error":"…"}.
 * Long commands (start, stop) are answered when they are done, so a
 * request may be answered later, from the loop.
 *
 * The peer is checked through SO_PEERCRED before its request is read:
 * root, the recorder's own user, or a member of the admin group; anyone
 * else gets {"ok":false,"error":"permission denied: …"} and is closed.
 * Every connection and request is bounded (size, time, count). */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <sys/types.h>

#define CONTROL_REQUEST_MAX 65536
#define CONTROL_CLIENTS_MAX 16
#define CONTROL_REQUEST_TIMEOUT_S 5 /* to send the request line */

typedef struct control_server control_server;
typedef struct control_request control_request;

/* command: the "command" member; args: the whole request object. The
 * handler answers now or later with control_request_reply/_fail, exactly
 * once; command and args stay valid until then. */
typedef void (*control_handler_fn)(control_request *req, const char *command, JsonObject *args,
                                   void *userdata);

/* Binds path (a stale socket there is replaced: the caller holds the
 * daemon's lock), mode 0660, and serves on the default GMainContext.
 * admin_gid (gid_t) -1: no admin group. */
int control_server_new(const char *path, gid_t admin_gid, control_handler_fn fn, void *userdata,
                       control_server **ret, gchar **ret_message);
/* Closes the socket, unlinks it, and answers open requests with an error.
 * Requests it answered are freed: the handler must not reply to them. */
control_server *control_server_free(control_server *s);

/* Sends reply (a ref is taken; "ok":true is added) and frees req. A client
 * that has gone is fine. */
void control_request_reply(control_request *req, JsonObject *reply);
/* Sends json, a one-line object with "ok":true that the caller wrote (a
 * reply holding a published document as that document is written), and
 * frees req. */
void control_request_reply_text(control_request *req, const char *json);
void control_request_fail(control_request *req, const char *format, ...)
        __attribute__((format(printf, 2, 3)));
uid_t control_request_uid(const control_request *req);
