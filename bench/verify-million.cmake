# bench-verify-million: studio-verify on a session whose custody log is as
# close to a million signed entries as CUSTODY_LOG_MAX allows, against
# checking the same Ed25519 signatures alone on one core (bench-sigs-only).
# Not a test; run it against a non-sanitizer build with the test helpers:
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build --target make-session bench-verify-million
add_executable(bench-sigs-only EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/sigs-only.c)
target_link_libraries(bench-sigs-only PRIVATE studio_custody studio_common PkgConfig::GLIB PkgConfig::SODIUM)
add_custom_target(bench-verify-million
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/verify-million.sh ${CMAKE_BINARY_DIR}
  DEPENDS studio-verify bench-sigs-only
  USES_TERMINAL
  COMMENT "studio-verify on a ~million-entry custody log vs its signatures alone (target <= 1.2x, < 256 MiB)")
