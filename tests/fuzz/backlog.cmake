# The backlog reader (the status daemon's and the health monitor's input).
studio_fuzz_target(fuzz-backlog SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-backlog.c
                   LIBS studio_contract CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/backlog SECONDS 30)
