studio_script_test(keys-integration ${CMAKE_CURRENT_LIST_DIR}/keys.sh integration TIMEOUT 300)
studio_script_test(docs-key-ceremony ${CMAKE_CURRENT_LIST_DIR}/docs-key-ceremony.sh integration)
