/* Pipeline errors in words a detective or police IT can act on. */
#include <gst/base/gstbasesrc.h>
#include <string.h>

#include "profile-internal.h"

/* The capture source an error came from (a camera or microphone element, or
 * the element inside one), described by its device when it has one. */
static gchar *capture_source_of(GstObject *origin) {
        for (GstObject *o = origin; o; o = GST_OBJECT_PARENT(o)) {
                g_autofree gchar *device = NULL;

                if (!GST_IS_BASE_SRC(o))
                        continue;
                if (g_object_class_find_property(G_OBJECT_GET_CLASS(o), "device"))
                        g_object_get(o, "device", &device, NULL);
                return device ? g_strdup_printf("%s device=%s", GST_OBJECT_NAME(o), device)
                              : g_strdup(GST_OBJECT_NAME(o));
        }
        return NULL;
}

gchar *capture_explain_error(GstMessage *message) {
        g_autoptr(GError) error = NULL;
        g_autofree gchar *debug = NULL;
        g_autofree gchar *where = NULL;
        g_autofree gchar *device = NULL;

        gst_message_parse_error(message, &error, &debug);
        where = GST_MESSAGE_SRC(message) ? gst_object_get_path_string(GST_MESSAGE_SRC(message))
                                         : g_strdup("?");
        device = capture_source_of(GST_MESSAGE_SRC(message));
        if (g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
                return g_strdup_printf(
                        "the disk is full: %s (everything sealed so far is kept; free space on "
                        "the spool disk)",
                        error->message);
        if (g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY) ||
            (debug && strstr(debug, "busy")))
                return g_strdup_printf(
                        "the capture device %s is busy (%s): another program is using it; stop "
                        "that program and start again",
                        device ? device : where, error->message);
        if (device && error->domain == GST_RESOURCE_ERROR)
                return g_strdup_printf("the capture device %s could not be used (%s): check its cable, that "
                                       "the profile names the right device, and that no other program is "
                                       "using it",
                                       device, error->message);
        if (g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND) ||
            g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ))
                return g_strdup_printf("a capture device could not be opened (%s): check the camera and "
                                       "microphone cables and the profile's device names",
                                       error->message);
        return g_strdup_printf("%s (in %s)", error->message, where);
}
