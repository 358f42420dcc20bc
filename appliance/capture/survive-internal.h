/* Faults the recording survives: what capture_pipeline_build installs so
 * that capture_pipeline_survive_error can take a camera out (survive.c). */
#pragma once

#include <gst/gst.h>

/* Watches the pipeline's camera bins (camera1, camera2) for errors. */
int capture_survive_install(GstElement *pipeline);
