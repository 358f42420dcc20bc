# The health monitor's analyser (health.h): pure, tested apart from the daemon.
add_library(studio_health STATIC ${CMAKE_CURRENT_LIST_DIR}/health.c)
target_include_directories(studio_health PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_health PUBLIC studio_capture studio_common PkgConfig::GST PkgConfig::GLIB)
