# The sealing sink in a GstHarness (cmocka, label unit).
pkg_check_modules(GSTCHECK REQUIRED IMPORTED_TARGET gstreamer-check-1.0)
studio_unit_test(test-seal SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-seal.c LIBS studio_seal PkgConfig::GSTCHECK GST)
# The same tests with leak detection: the failure paths of start and render
# must free what they took. Full stacks (fast_unwind_on_malloc=0) so that the
# one suppression, GLib's own allocation at library load, stays narrow.
add_test(NAME test-seal-leaks COMMAND test-seal)
set_tests_properties(test-seal-leaks PROPERTIES LABELS unit ENVIRONMENT
  "ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan-gst.supp;GST_REGISTRY=${CMAKE_BINARY_DIR}/gst-registry.bin")
