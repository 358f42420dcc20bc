# Interop of the age library with the stock Debian age tools.
add_executable(studio-age-tool ${CMAKE_CURRENT_LIST_DIR}/studio-age-tool.c)
target_link_libraries(studio-age-tool PRIVATE studio_age)
studio_script_test(age-interop ${CMAKE_CURRENT_LIST_DIR}/age-interop.sh interop TIMEOUT 900)
