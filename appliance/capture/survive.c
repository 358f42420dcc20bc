/* Faults the recording survives (capture.h): placeholder; every error
 * still ends the recording. */
#include "capture.h"

int capture_pipeline_survive_error(GstElement *pipeline, GstMessage *error, const char **ret_reason,
                                   gchar **ret_detail) {
        (void) pipeline;
        (void) error;
        (void) ret_reason;
        (void) ret_detail;
        return 0;
}
