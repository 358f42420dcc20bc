# The custody log and manifest parsers.
studio_fuzz_target(fuzz-custody-log SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-custody-log.c
                   LIBS studio_custody CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/custody-log SECONDS 40)
studio_fuzz_target(fuzz-manifest SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-manifest.c
                   LIBS studio_custody CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/manifest SECONDS 40)
# A mark's sealed note: the strict armor reader and the open.
studio_fuzz_target(fuzz-note SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-note.c
                   LIBS studio_custody CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/note SECONDS 30)
