# custody log, manifest, close and recovery (cmocka, label unit)
studio_unit_test(test-custody SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-custody.c LIBS studio_custody PkgConfig::GLIB)
studio_unit_test(test-custody-reader SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-custody-reader.c LIBS studio_custody PkgConfig::GLIB)
studio_unit_test(test-note SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-note.c LIBS studio_custody PkgConfig::GLIB)
