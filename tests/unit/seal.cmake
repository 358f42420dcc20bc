# The sealing sink in a GstHarness (cmocka, label unit).
pkg_check_modules(GSTCHECK REQUIRED IMPORTED_TARGET gstreamer-check-1.0)
studio_unit_test(test-seal SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-seal.c LIBS studio_seal PkgConfig::GSTCHECK GST)
