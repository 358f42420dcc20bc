studio_unit_test(test-officers SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-officers.c LIBS studio_officers studio_keys_registry)
