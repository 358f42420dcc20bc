studio_unit_test(test-bundle SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-bundle.c LIBS studio_bundle)
