studio_unit_test(test-minisign SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-minisign.c LIBS studio_minisign)
