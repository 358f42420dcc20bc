# Start latency of the capture pipeline (docs/benchmarks.md): pre-rolled
# starts (capture_pipeline_open) against cold ones, to the first sealed
# bytes on disk. Prints figures; never asserts timings.
add_executable(start-latency ${CMAKE_CURRENT_LIST_DIR}/start-latency.c)
target_link_libraries(start-latency PRIVATE studio_capture studio_seal PkgConfig::GST PkgConfig::GLIB)
add_custom_target(bench-start-latency
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/start-latency.sh ${CMAKE_BINARY_DIR}
                  DEPENDS start-latency
                  USES_TERMINAL
                  COMMENT "Start -> first sealed bytes on disk, 20 pre-rolled starts (target median <= 300 ms)")
