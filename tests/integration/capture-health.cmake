# The capture side of issue 9: the observation output and a lost camera,
# through the real daemon on the test profile.
foreach(t recording-observation recording-camera-loss)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
