/* Plugin entry point, so that gst-launch-1.0 can use studiosealsink for
 * diagnosis: GST_PLUGIN_PATH=<build>/appliance/seal gst-launch-1.0 … */
#include "sealsink.h"

static gboolean plugin_init(GstPlugin *plugin) {
        return GST_ELEMENT_REGISTER(studiosealsink, plugin);
}

#define PACKAGE "interview-studio"
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, studioseal,
                  "age sealing sink for evidence recordings", plugin_init, STUDIO_VERSION, "Proprietary",
                  PACKAGE, "https://invalid.example/studio")
