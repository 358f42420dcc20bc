# appliance/common: logging, configuration files, studio.conf and the room state.
studio_unit_test(test-log SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-log.c LIBS studio_common)
studio_unit_test(test-config SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-config.c LIBS studio_common)
studio_unit_test(test-studio-conf SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-studio-conf.c LIBS studio_contract)
target_compile_definitions(test-studio-conf PRIVATE STUDIO_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
studio_unit_test(test-room-state SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-room-state.c LIBS studio_contract)
studio_unit_test(test-observation-sink SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-observation-sink.c LIBS studio_contract)
