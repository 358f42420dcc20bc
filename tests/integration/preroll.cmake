# Pre-rolled pipelines (capture_pipeline_open): a helper drives the capture
# API directly; the script checks its output with stock age and ffprobe.
add_executable(preroll-record ${CMAKE_CURRENT_LIST_DIR}/preroll-record.c)
target_link_libraries(preroll-record PRIVATE studio_capture studio_seal PkgConfig::GST PkgConfig::GLIB)
studio_script_test(recording-preroll ${CMAKE_CURRENT_LIST_DIR}/recording-preroll.sh integration GST TIMEOUT 120)
