/* Pipeline errors in words a detective or police IT can act on. */
#include <string.h>

#include "profile-internal.h"

gchar *capture_explain_error(GstMessage *message) {
        g_autoptr(GError) error = NULL;
        g_autofree gchar *debug = NULL;
        g_autofree gchar *source = NULL;

        gst_message_parse_error(message, &error, &debug);
        source = GST_MESSAGE_SRC(message) ? gst_object_get_path_string(GST_MESSAGE_SRC(message)) : g_strdup("?");
        if (g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
                return g_strdup_printf("the disk is full: %s (everything sealed so far is kept; free space on "
                                       "the spool disk)", error->message);
        if (g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY) ||
            (debug && strstr(debug, "busy")))
                return g_strdup_printf("a capture device is busy (%s): another program is using it; stop it "
                                       "and start again", error->message);
        if (g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND) ||
            g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ))
                return g_strdup_printf("a capture device could not be opened (%s): check the camera and "
                                       "microphone cables and the profile's device names", error->message);
        return g_strdup_printf("%s (in %s)", error->message, source);
}
