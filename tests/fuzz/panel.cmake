# The panel decoder: arbitrary input_event arrays and ticks.
studio_fuzz_target(fuzz-panel-events SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-panel-events.c
                   LIBS studio_panel CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/panel-events SECONDS 30)
# The PIN guard's state file: a refused file locks, an accepted one round-trips.
studio_fuzz_target(fuzz-pinguard-state SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-pinguard-state.c
                   LIBS studio_panel CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/pinguard-state SECONDS 15)
