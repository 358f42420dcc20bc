# The panel (decoder, key map, device layer), the wrong-PIN guard and the lights.
studio_unit_test(test-panel SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-panel.c LIBS studio_panel studio_officers)
studio_unit_test(test-pinguard SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-pinguard.c LIBS studio_panel studio_custody)
studio_unit_test(test-lights SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-lights.c LIBS studio_lights)
