# House-style lint over our C sources (label "lint").
add_test(NAME lint-banned-functions COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/banned-functions.sh)
set_tests_properties(lint-banned-functions PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
add_test(NAME lint-clang-format COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/clang-format.sh)
set_tests_properties(lint-clang-format PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
# A variable read in the argument list of a call that writes it (issue 19).
add_test(NAME lint-unsequenced-args COMMAND bash -c "cd '${CMAKE_SOURCE_DIR}' && python3 tests/lint/unsequenced-args.py $(git ls-files 'appliance/*.c' 'appliance/*.h' 'keys/*.c' 'keys/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null || find appliance keys tests bench -name '*.[ch]')")
set_tests_properties(lint-unsequenced-args PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
# The command-line tools print diagnostics through log.h only (issue 21).
add_test(NAME lint-cli-log COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli-log.sh)
set_tests_properties(lint-cli-log PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
# One cleanup style per function: _cleanup_* or g_auto*, never both (issue 21).
add_test(NAME lint-cleanup-styles COMMAND bash -c "cd '${CMAKE_SOURCE_DIR}' && python3 tests/lint/cleanup-styles.py $(git ls-files 'appliance/*.c' 'appliance/*.h' 'keys/*.c' 'keys/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null || find appliance keys tests bench -name '*.[ch]')")
set_tests_properties(lint-cleanup-styles PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
# No function over 60 lines in appliance/ and keys/ unless it is a table (issue 21).
add_test(NAME lint-function-length COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/function-length.py)
set_tests_properties(lint-function-length PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
# No production file over 600 lines (issue 21).
add_test(NAME lint-file-length COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/file-length.sh)
set_tests_properties(lint-file-length PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
