/* studioctl's side of the control socket (docs/control-socket.md): one
 * request line out, one reply line back. */
#pragma once

#include <json-glib/json-glib.h>
#include <stddef.h>

#define CTL_REPLY_MAX (4u << 20) /* a longer reply is refused */

/* Timeouts that suit each command (seconds): the daemon answers start once
 * the first segment is open and stop once the session is sealed. */
#define CTL_TIMEOUT_S 10
#define CTL_TIMEOUT_START_S 30
#define CTL_TIMEOUT_STOP_S 90
#define CTL_TIMEOUT_RECOVER_S 600

/* Sends request (len bytes, without the newline) to the recorder at
 * socket_path and waits up to timeout_s for its reply. 0: *ret_reply (the
 * whole reply object, unref with json_object_unref) says "ok":true.
 * -EREMOTEIO: the recorder refused, *ret_message is its "error". Other
 * -errno: no answer, with *ret_message saying why and what to do. */
int ctl_client_request(const char *socket_path, const char *request, size_t len, unsigned timeout_s,
                       JsonObject **ret_reply, gchar **ret_message);
