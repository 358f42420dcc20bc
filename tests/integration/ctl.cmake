# studioctl: init end to end with stock age and minisign, and every
# subcommand against ctl-test-server (the real control library with scripted
# answers); the real daemon is tested end to end in the recorder's tests.
add_executable(ctl-test-server ${CMAKE_CURRENT_LIST_DIR}/ctl-test-server.c)
target_link_libraries(ctl-test-server PRIVATE studio_control)
studio_script_test(studioctl ${CMAKE_CURRENT_LIST_DIR}/studioctl.sh integration TIMEOUT 120)
