# minisign-format keys and signatures (included by custody/CMakeLists.txt).
add_library(studio_minisign STATIC
  ${CMAKE_CURRENT_LIST_DIR}/minisign.c
  ${CMAKE_CURRENT_LIST_DIR}/minisign-sig.c
  ${CMAKE_CURRENT_LIST_DIR}/minisign-text.c)
target_include_directories(studio_minisign PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(studio_minisign PUBLIC studio_common PkgConfig::SODIUM)
set_target_properties(studio_minisign PROPERTIES POSITION_INDEPENDENT_CODE ON)
