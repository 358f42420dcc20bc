/* What each capture device a profile names actually is, for the custody
 * log's session-start entry: a court wants to know which camera and which
 * microphone recorded, not only the device path (which another camera can
 * take over after a replug). The kernel says it in sysfs and procfs. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "profile-internal.h"

/* The value of NAME=… in the first element of a source description. */
static gchar *source_property(const char *source, const char *name) {
        g_autofree gchar *first = g_strndup(source, strcspn(source, "!"));
        g_auto(GStrv) words = g_strsplit_set(first, " \t", -1);
        size_t n = strlen(name);

        for (gchar **w = words; *w; w++)
                if (strncmp(*w, name, n) == 0 && (*w)[n] == '=')
                        return g_strdup(*w + n + 1);
        return NULL;
}

/* One short line of a sysfs or procfs file (root + the formatted path), or
 * NULL when it is missing, empty or not a short text. */
G_GNUC_PRINTF(2, 3) static gchar *read_attr(const char *root, const char *fmt, ...) {
        g_autofree gchar *path = NULL, *full = NULL, *text = NULL;
        va_list ap;

        va_start(ap, fmt);
        path = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        full = g_strconcat(root, path, NULL);
        if (!g_file_get_contents(full, &text, NULL, NULL) || strlen(text) > 256)
                return NULL;
        g_strstrip(text);
        return *text ? g_steal_pointer(&text) : NULL;
}

/* USB identity of the device a class entry belongs to: walks up from the
 * interface to the first folder with idVendor. */
static void append_usb(GString *s, const char *root, const char *class_dir) {
        g_autofree gchar *link = g_strconcat(root, class_dir, "/device", NULL);
        char real[PATH_MAX];
        g_autofree gchar *dir = NULL;

        if (!realpath(link, real))
                return;
        dir = g_strdup(real);
        for (int up = 0; up < 4 && strlen(dir) > 1; up++) {
                g_autofree gchar *vendor = read_attr("", "%s/idVendor", dir);
                if (vendor) {
                        g_autofree gchar *product = read_attr("", "%s/idProduct", dir);
                        g_autofree gchar *serial = read_attr("", "%s/serial", dir);
                        g_string_append_printf(s, ", usb %s:%s", vendor, product ? product : "?");
                        if (serial)
                                g_string_append_printf(s, " serial %s", serial);
                        g_string_append_printf(s, " at %s", strrchr(dir, '/') + 1);
                        return;
                }
                gchar *parent = g_path_get_dirname(dir);
                g_free(dir);
                dir = parent;
        }
}

static gchar *v4l2_identity(const char *root, const char *device) {
        g_autofree gchar *dev_path = g_strconcat(root, device, NULL);
        char real[PATH_MAX];
        g_autofree gchar *node = NULL, *class_dir = NULL, *name = NULL;
        GString *s;

        /* /dev/v4l/by-id/… links resolve to the videoN node */
        node = g_path_get_basename(realpath(dev_path, real) ? real : device);
        class_dir = g_strconcat("/sys/class/video4linux/", node, NULL);
        name = read_attr(root, "%s/name", class_dir);
        if (!name)
                return NULL;
        s = g_string_new(NULL);
        g_string_append_printf(s, "%s '%s'", node, name);
        append_usb(s, root, class_dir);
        return g_string_free(s, FALSE);
}

/* ALSA device strings: hw:1, hw:1,0, plughw:CARD=C920,DEV=0, default. */
static gchar *alsa_card_number(const char *root, const char *device) {
        const char *card = strstr(device, "CARD=");
        const char *colon = strchr(device, ':');

        if (card) {
                g_autofree gchar *id = g_strndup(card + 5, strcspn(card + 5, ","));
                for (int i = 0; i < 32; i++) {
                        g_autofree gchar *got = read_attr(root, "/proc/asound/card%d/id", i);
                        if (got && strcmp(got, id) == 0)
                                return g_strdup_printf("%d", i);
                }
                return NULL;
        }
        if (colon && g_ascii_isdigit(colon[1]))
                return g_strndup(colon + 1, strspn(colon + 1, "0123456789"));
        return NULL;
}

static gchar *alsa_identity(const char *root, const char *device) {
        g_autofree gchar *n = alsa_card_number(root, device);
        g_autofree gchar *id = NULL, *usb = NULL;

        if (!n)
                return NULL;
        id = read_attr(root, "/proc/asound/card%s/id", n);
        usb = read_attr(root, "/proc/asound/card%s/usbid", n);
        if (!id)
                return NULL;
        return g_strdup_printf("card %s '%s'%s%s", n, id, usb ? ", usb " : "", usb ? usb : "");
}

gchar *capture_source_identity(const char *source, const char *root) {
        g_autofree gchar *device = source_property(source, "device");
        g_autofree gchar *what = NULL;

        if (g_str_has_prefix(source, "videotestsrc") || g_str_has_prefix(source, "audiotestsrc"))
                return g_strdup_printf("%s (built-in test source, no hardware)", source);
        if (g_str_has_prefix(source, "v4l2src"))
                what = v4l2_identity(root, device ? device : "/dev/video0");
        else if (g_str_has_prefix(source, "alsasrc") && device)
                what = alsa_identity(root, device);
        return what ? g_strdup_printf("%s (%s)", source, what) : g_strdup(source);
}
