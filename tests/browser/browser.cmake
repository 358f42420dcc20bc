# The status page in a real browser (headless Chromium), as staff see it.
studio_script_test(status-page ${CMAKE_CURRENT_LIST_DIR}/status-page.sh browser GST TIMEOUT 600)
