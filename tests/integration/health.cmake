# The recorder's health monitor through the real daemon (real pipelines with altered test sources).
studio_script_test(health-faults ${CMAKE_CURRENT_LIST_DIR}/health-faults.sh integration GST TIMEOUT 600)
studio_script_test(health-diskfull ${CMAKE_CURRENT_LIST_DIR}/health-diskfull.sh integration GST TIMEOUT 300)
studio_script_test(health-voices ${CMAKE_CURRENT_LIST_DIR}/health-voices.sh integration GST TIMEOUT 600)
