studio_unit_test(test-common SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-common.c LIBS studio_common)
