#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define STUDIO_TYPE_SEAL_SINK (studio_seal_sink_get_type())
G_DECLARE_FINAL_TYPE(StudioSealSink, studio_seal_sink, STUDIO, SEAL_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(studiosealsink);

G_END_DECLS
