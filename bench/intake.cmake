# bench-intake-index: studio-intake sessions over 100,000 synthetic rows
# (bench/intake-index.sh). Not a test; run it against the Release build:
#   cmake --build build-gcc --target bench-intake-index
add_custom_target(bench-intake-index
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/intake-index.sh ${CMAKE_BINARY_DIR}
  DEPENDS studio-intake studio-keys
  USES_TERMINAL
  COMMENT "studio-intake sessions over a 100,000-row index")

# bench-intake-throughput: studio-intake --once of a 2 GiB session on a
# throwaway RGW against aws s3 cp + sha256sum (bench/intake-throughput.sh).
add_custom_target(bench-intake-throughput
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/intake-throughput.sh ${CMAKE_BINARY_DIR}
  DEPENDS studio-intake studio-keys studio-uploader make-session
  USES_TERMINAL
  COMMENT "studio-intake against aws s3 cp + sha256sum")
