studio_script_test(minisign-interop ${CMAKE_CURRENT_LIST_DIR}/minisign-interop.sh interop TIMEOUT 120)
