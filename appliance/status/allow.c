/* The allow-list: the residents share the shelter's network and must not
 * learn when interviews happen, so only the configured addresses and
 * networks may see the room's state. */
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>

#include "escape.h"
#include "status.h"

struct status_allow {
        GPtrArray *masks; /* GInetAddressMask */
};

status_allow *status_allow_free(status_allow *a) {
        if (a) {
                g_ptr_array_unref(a->masks);
                g_free(a);
        }
        return NULL;
}

int status_allow_new(char *const *entries, status_allow **ret, gchar **ret_message) {
        g_autoptr(GPtrArray) masks = g_ptr_array_new_with_free_func(g_object_unref);
        status_allow *a;

        for (char *const *p = entries; p && *p; p++) {
                GInetAddressMask *m = g_inet_address_mask_new_from_string(*p, NULL);
                if (!m) {
                        g_autofree gchar *shown = escape_text(*p);
                        if (ret_message)
                                *ret_message =
                                        g_strdup_printf("[status] allow has \"%s\", which is not an address "
                                                        "or a network (write e.g. 192.168.1.0/24 or ::1)",
                                                        shown);
                        return -EINVAL;
                }
                g_ptr_array_add(masks, m);
        }
        a = g_new0(status_allow, 1);
        a->masks = g_steal_pointer(&masks);
        *ret = a;
        return 0;
}

/* The client's address; ::ffff:a.b.c.d becomes a.b.c.d so that an IPv4
 * network in the list matches a client reaching an IPv6 socket. */
static GInetAddress *client_address(const struct sockaddr *sa) {
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                return g_inet_address_new_from_bytes((const guint8 *) &in->sin_addr, G_SOCKET_FAMILY_IPV4);
        }
        if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
                        return g_inet_address_new_from_bytes(in6->sin6_addr.s6_addr + 12,
                                                             G_SOCKET_FAMILY_IPV4);
                return g_inet_address_new_from_bytes(in6->sin6_addr.s6_addr, G_SOCKET_FAMILY_IPV6);
        }
        return NULL;
}

bool status_allow_match(const status_allow *a, const struct sockaddr *sa) {
        g_autoptr(GInetAddress) addr = NULL;

        if (!a || !sa)
                return false;
        addr = client_address(sa);
        if (!addr)
                return false;
        for (guint i = 0; i < a->masks->len; i++)
                if (g_inet_address_mask_matches(a->masks->pdata[i], addr))
                        return true;
        return false;
}
