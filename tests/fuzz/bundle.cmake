# The provisioning bundle parser (studio-keys bundle-make, studio-provision).
studio_fuzz_target(fuzz-bundle SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-bundle.c
                   LIBS studio_bundle CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/bundle SECONDS 40)
