# The room-status daemon over real HTTP (curl and raw sockets, 127.0.0.1 only).
studio_script_test(status-http ${CMAKE_CURRENT_LIST_DIR}/status-http.sh integration TIMEOUT 120)
studio_script_test(status-garbage ${CMAKE_CURRENT_LIST_DIR}/status-garbage.sh integration TIMEOUT 400)
# docs/status-page.md's commands, as printed, against the real daemon.
studio_script_test(docs-status-page ${CMAKE_CURRENT_LIST_DIR}/docs-status-page.sh integration TIMEOUT 60)
