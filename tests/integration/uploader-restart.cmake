# The directory vault unavailable (a read-only mount) for 60 s while the
# uploader daemon runs: everything arrives after, nothing wiped before.
studio_script_test(uploader-dir-restart ${CMAKE_CURRENT_LIST_DIR}/uploader-dir-restart.sh integration GST TIMEOUT 400)
