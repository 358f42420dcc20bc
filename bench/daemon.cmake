# The recorder daemon's figures (docs/benchmarks.md): start latency through
# studioctl, and the 30-minute soak. Print figures; never assert timings.
add_custom_target(bench-daemon-start-latency
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/daemon-start-latency.sh ${CMAKE_BINARY_DIR}
                  DEPENDS studio-recorder studioctl
                  USES_TERMINAL
                  COMMENT "Start -> first sealed bytes through the daemon, 20 starts (target median <= 300 ms)")
add_custom_target(bench-soak
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/soak.sh ${CMAKE_BINARY_DIR} 30
                  DEPENDS studio-recorder studio-keys
                  USES_TERMINAL
                  COMMENT "30 minutes of recording: frames dropped, RSS growth, CPU drift")
add_custom_target(bench-health-cost
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/health-cost.sh ${CMAKE_BINARY_DIR} 60
                  DEPENDS studio-recorder studioctl
                  USES_TERMINAL
                  COMMENT "The health monitor's CPU: the same 60 s recording with and without it (target <= 1 % of one core)")
