# Real GStreamer recordings with the test profile, checked with stock tools.
foreach(t recording-20s recording-kill9 recording-rollover recording-errors seal-plugin)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
