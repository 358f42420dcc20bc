# custody log, manifest, close and recovery (cmocka, label unit)
if(TARGET studio_custody)
  studio_unit_test(test-custody SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-custody.c LIBS studio_custody PkgConfig::GLIB)
endif()
