# The recorder daemon, driven through studioctl on the test profile.
foreach(t daemon daemon-kill9 daemon-errors)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
# docs/detective.md and docs/studioctl.md run as printed against a real recorder.
foreach(t docs-detective docs-studioctl)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
