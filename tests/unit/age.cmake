# The age module: unit tests (with golden files in tests/data/age) and the
# C2SP community test vectors from the shared folder.
studio_unit_test(test-age SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-age.c LIBS studio_age)
studio_unit_test(test-age-keys SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-age-keys.c LIBS studio_age)

pkg_check_modules(ZLIB_PC REQUIRED IMPORTED_TARGET zlib)
studio_unit_test(test-age-cctv SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-age-cctv.c
                 LIBS studio_age PkgConfig::ZLIB_PC)
# Without the shared folder the vectors are skipped, and ctest says so.
set_tests_properties(test-age-cctv PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED all vectors")
