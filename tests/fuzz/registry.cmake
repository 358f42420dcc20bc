# The key registry parser (appliance/registry): studio-keys and studio-verify read a registry through it.
studio_fuzz_target(fuzz-registry SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-registry.c
                   LIBS studio_registry CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/registry SECONDS 40)
