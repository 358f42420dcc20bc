# The health monitor's analyser: windows, hold-off, pre-flight, disk and backlog arithmetic.
studio_unit_test(test-health SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-health.c LIBS studio_health)
studio_unit_test(test-health-tracks SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-health-tracks.c LIBS studio_health)
