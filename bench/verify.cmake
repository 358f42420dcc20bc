# bench-verify-throughput: studio-verify vs openssl dgst -sha256 over a
# ~2 GiB session. Not a test; run it against a non-sanitizer build:
#   cmake --build build --target make-session bench-verify-throughput
add_custom_target(bench-verify-throughput
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/verify-throughput.sh ${CMAKE_BINARY_DIR}
  DEPENDS studio-verify
  USES_TERMINAL
  COMMENT "studio-verify throughput vs openssl dgst -sha256")
