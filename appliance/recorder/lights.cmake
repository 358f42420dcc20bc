# Panel and door lights (LED class, GPIO through libgpiod).
add_library(studio_lights STATIC ${CMAKE_CURRENT_LIST_DIR}/lights.c)
target_include_directories(studio_lights PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_lights PUBLIC PkgConfig::GPIOD PkgConfig::GLIB studio_common)
