# The hardware panel (decoder, key map, device) and the wrong-PIN guard.
add_library(studio_panel STATIC
            ${CMAKE_CURRENT_LIST_DIR}/panel-decoder.c ${CMAKE_CURRENT_LIST_DIR}/panel-keymap.c
            ${CMAKE_CURRENT_LIST_DIR}/panel-device.c ${CMAKE_CURRENT_LIST_DIR}/pinguard.c
            ${CMAKE_CURRENT_LIST_DIR}/pinguard-file.c ${CMAKE_CURRENT_LIST_DIR}/pincheck.c)
target_include_directories(studio_panel PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_panel PUBLIC PkgConfig::EVDEV PkgConfig::GLIB PkgConfig::SODIUM studio_common studio_officers)
