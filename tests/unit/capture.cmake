studio_unit_test(test-capture SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-capture.c LIBS studio_capture GST)
studio_unit_test(test-capture-measure SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-capture-measure.c LIBS studio_capture GST)
studio_unit_test(test-capture-probe SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-capture-probe.c LIBS studio_capture GST)
# A file input of N frames records N frames (real x264, splitmuxsink, sealing; ffprobe counts them).
studio_unit_test(test-capture-file SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-capture-file.c LIBS studio_capture GST)
studio_unit_test(test-capture-tracks SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-capture-tracks.c LIBS studio_capture GST)
