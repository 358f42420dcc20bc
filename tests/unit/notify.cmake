# appliance/common/notify: sd_notify on a real socket, the main-loop watchdog.
studio_unit_test(test-notify SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-notify.c LIBS studio_notify)
