# Real GStreamer recordings with the test profile, checked with stock tools.
foreach(t recording-20s recording-kill9 recording-rollover recording-once-config recording-errors recording-signals recording-diskfull recording-2cam recording-voices recording-aac recording-overlay seal-plugin)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
studio_script_test(custody-kill9 ${CMAKE_CURRENT_LIST_DIR}/custody-kill9.sh integration GST TIMEOUT 300)
studio_script_test(demo ${CMAKE_CURRENT_LIST_DIR}/demo-run.sh integration GST TIMEOUT 300)
studio_script_test(verify-html ${CMAKE_CURRENT_LIST_DIR}/verify-html.sh integration GST TIMEOUT 300)
