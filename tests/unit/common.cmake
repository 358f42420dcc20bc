studio_unit_test(test-common SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-common.c LIBS studio_common)
# The shared primitives: cleanups, fs_read_chunks, fs_list_namesat. sodium_free
# is wrapped so the test counts what the sodium cleanups free.
studio_unit_test(test-primitives SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-primitives.c
                 LIBS studio_common PkgConfig::SODIUM)
target_link_options(test-primitives PRIVATE -Wl,--wrap=sodium_free)
