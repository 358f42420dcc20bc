# The age header and STREAM reader, with an authenticity oracle.
studio_fuzz_target(fuzz-age-reader SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-age-reader.c
                   LIBS studio_age studio_test_sink CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/age SECONDS 40)
