# The device registry parser of studio-keys.
studio_fuzz_target(fuzz-registry SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-registry.c
                   LIBS studio_keys_registry CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/registry SECONDS 40)
