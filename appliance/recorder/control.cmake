# The control socket for studioctl (control.h).
add_library(studio_control STATIC ${CMAKE_CURRENT_LIST_DIR}/control.c)
target_include_directories(studio_control PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_control PUBLIC studio_common PkgConfig::GLIB PkgConfig::JSONGLIB PkgConfig::SODIUM)
