studio_unit_test(test-control SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-control.c LIBS studio_control)
