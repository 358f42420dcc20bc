# Crash recovery at start-up (studio-recorder --recover) over hostile spool
# folders built with make-session (see verify.cmake): it names them and
# never crashes on them.
studio_script_test(recover-hostile ${CMAKE_CURRENT_LIST_DIR}/recover-hostile.sh integration GST TIMEOUT 300)
