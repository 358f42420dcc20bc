# The status daemon under load (docs/benchmarks.md): requests/s on
# /status.json, RSS and RSS growth after garbage. Prints figures only.
find_package(Threads REQUIRED)
add_executable(http-load ${CMAKE_CURRENT_LIST_DIR}/http-load.c)
target_link_libraries(http-load PRIVATE Threads::Threads)
add_custom_target(bench-status-load
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/status-load.sh ${CMAKE_BINARY_DIR}
                  DEPENDS http-load studio-status
                  USES_TERMINAL
                  COMMENT "studio-status: req/s (target >= 5000), RSS (<= 8 MiB), growth after garbage (<= 1 MiB)")
