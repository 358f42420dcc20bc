# The intake: its configuration, its record parser, alerts and the index.
studio_unit_test(test-intake SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-intake.c LIBS studio_intake)
