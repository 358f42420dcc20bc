# The uploader against the directory vault: a session recorded through the
# daemon goes to the vault, verifies there, and is wiped only after receipts.
studio_script_test(uploader-dir ${CMAKE_CURRENT_LIST_DIR}/uploader-dir.sh integration GST TIMEOUT 300)
