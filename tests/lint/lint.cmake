# House-style lint over our C sources (label "lint").
add_test(NAME lint-banned-functions COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/banned-functions.sh)
set_tests_properties(lint-banned-functions PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
add_test(NAME lint-clang-format COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/clang-format.sh)
set_tests_properties(lint-clang-format PROPERTIES LABELS lint ENVIRONMENT "${STUDIO_TEST_ENV}")
