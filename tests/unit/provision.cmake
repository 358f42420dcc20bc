studio_unit_test(test-provision SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-provision.c LIBS studio_provision)
