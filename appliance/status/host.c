/* The Host check: a web page a resident opens could point a name of its own
 * at the appliance (DNS rebinding) and read the room state through the
 * resident's browser, which the allow-list lets through. The browser sends
 * that name in Host, so only requests naming this page itself are
 * answered: the address the client reached (the listening address, or
 * for a wildcard listen the connection's own local address) or one of
 * [status] hostnames, with no port or the port we listen on. */
#include <gio/gio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

/* host[:port] or [v6][:port] into its name and port (-1: none); false
 * when the form is none of these. */
static bool split_host(const char *value, gchar **ret_name, long *ret_port) {
        const char *colon;
        g_autofree gchar *name = NULL;
        long port = -1;

        if (value[0] == '[') {
                const char *end = strchr(value, ']');
                if (!end)
                        return false;
                name = g_strndup(value + 1, (gsize) (end - value - 1));
                colon = end[1] == ':' ? end + 1 : NULL;
                if (!colon && end[1] != '\0')
                        return false;
        } else {
                colon = strchr(value, ':');
                if (colon && strchr(colon + 1, ':')) /* a bare IPv6 address is not a Host form */
                        return false;
                name = colon ? g_strndup(value, (gsize) (colon - value)) : g_strdup(value);
        }
        if (colon) {
                char *end = NULL;
                if (!g_ascii_isdigit(colon[1]))
                        return false;
                port = strtol(colon + 1, &end, 10);
                if (*end != '\0' || port < 1 || port > 65535)
                        return false;
        }
        if (!*name)
                return false;
        *ret_name = g_steal_pointer(&name);
        *ret_port = port;
        return true;
}

/* The address the socket address holds; ::ffff:a.b.c.d as a.b.c.d. */
static GInetAddress *address_of(const struct sockaddr *sa) {
        if (!sa)
                return NULL;
        if (sa->sa_family == AF_INET)
                return g_inet_address_new_from_bytes(
                        (const guint8 *) &((const struct sockaddr_in *) sa)->sin_addr, G_SOCKET_FAMILY_IPV4);
        if (sa->sa_family == AF_INET6) {
                const struct in6_addr *a = &((const struct sockaddr_in6 *) sa)->sin6_addr;
                if (IN6_IS_ADDR_V4MAPPED(a))
                        return g_inet_address_new_from_bytes(a->s6_addr + 12, G_SOCKET_FAMILY_IPV4);
                return g_inet_address_new_from_bytes(a->s6_addr, G_SOCKET_FAMILY_IPV6);
        }
        return NULL;
}

static GInetAddress *literal(const char *name) {
        GInetAddress *a = g_inet_address_new_from_string(name);
        guint8 b[4];

        /* ::ffff:a.b.c.d written in Host: the same as a.b.c.d */
        if (a && g_inet_address_get_family(a) == G_SOCKET_FAMILY_IPV6 &&
            IN6_IS_ADDR_V4MAPPED((const struct in6_addr *) g_inet_address_to_bytes(a))) {
                memcpy(b, g_inet_address_to_bytes(a) + 12, 4);
                g_object_unref(a);
                a = g_inet_address_new_from_bytes(b, G_SOCKET_FAMILY_IPV4);
        }
        return a;
}

bool status_host_allowed(const char *value, const struct sockaddr *local, int port, char *const *hostnames) {
        g_autofree gchar *name = NULL;
        g_autoptr(GInetAddress) asked = NULL, here = NULL;
        long p;

        if (!value || !split_host(value, &name, &p) || (p >= 0 && p != port))
                return false;
        if (g_str_has_suffix(name, ".") && strlen(name) > 1) /* "studio.lan." is "studio.lan" */
                name[strlen(name) - 1] = '\0';
        asked = literal(name);
        here = address_of(local);
        if (asked && here && g_inet_address_equal(asked, here))
                return true;
        for (char *const *h = hostnames; h && *h; h++) {
                g_autoptr(GInetAddress) listed = literal(*h);
                if (asked ? listed && g_inet_address_equal(asked, listed)
                          : g_ascii_strcasecmp(name, *h) == 0)
                        return true;
        }
        return false;
}
