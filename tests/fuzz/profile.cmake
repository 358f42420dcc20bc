# The room profile reader (appliance/capture: profile.c, tracks.c): provisioned files the recorder loads.
studio_fuzz_target(fuzz-profile SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-profile.c
                   LIBS studio_capture CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/profile SECONDS 40)
