# The room-status daemon's parts (appliance/status) and the backlog document it reads.
studio_unit_test(test-status SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-status.c LIBS studio_status studio_contract studio_common)
studio_unit_test(test-backlog SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-backlog.c LIBS studio_contract)
