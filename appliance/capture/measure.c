/* Health measurements (capture.h): placeholder until the level element and
 * the picture analysis branch land; nothing is measured yet. */
#include "capture.h"

bool capture_measure_parse(GstMessage *m, capture_measure *ret) {
        (void) m;
        (void) ret;
        return false;
}
