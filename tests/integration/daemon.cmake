# The recorder daemon, driven through studioctl on the test profile.
foreach(t daemon daemon-kill9 daemon-errors)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
# docs/detective.md, studioctl.md and configuration.md run as printed against the real daemons.
foreach(t docs-detective docs-studioctl docs-configuration)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
