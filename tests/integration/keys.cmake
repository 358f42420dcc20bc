studio_script_test(keys-integration ${CMAKE_CURRENT_LIST_DIR}/keys.sh integration TIMEOUT 300)
