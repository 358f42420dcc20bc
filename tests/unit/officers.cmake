studio_unit_test(test-officers SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-officers.c LIBS studio_officers studio_registry)
studio_unit_test(test-enrol-record SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-enrol-record.c LIBS studio_keys_cmds)
