# bench-voices-cpu: CPU of three audio tracks against one (bench/voices-cpu.sh).
# bench-voices-alignment: sample alignment of three tracks from one
# multichannel source over 10 minutes (bench/voices-alignment.sh).
# Not tests; run them against the Release build:
#   cmake --build build-gcc --target bench-voices-cpu
add_custom_target(bench-voices-cpu
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/voices-cpu.sh ${CMAKE_BINARY_DIR}
  DEPENDS studio-recorder
  USES_TERMINAL
  COMMENT "three audio tracks against one: CPU")
add_custom_target(bench-voices-alignment
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/voices-alignment.sh ${CMAKE_BINARY_DIR}
  DEPENDS studio-recorder
  USES_TERMINAL
  COMMENT "three tracks of one multichannel source: sample alignment over 10 minutes")
