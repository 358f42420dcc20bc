# The room-state reader (the status daemon's input).
studio_fuzz_target(fuzz-room-state SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-room-state.c
                   LIBS studio_contract CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/room-state SECONDS 30)
