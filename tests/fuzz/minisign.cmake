# minisign public key and signature parsers, and verification.
studio_fuzz_target(fuzz-minisign SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-minisign.c
                   LIBS studio_minisign CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/minisign SECONDS 40)
