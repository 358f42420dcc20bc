# The uploader against the directory vault: a session recorded through the
# daemon goes to the vault, verifies there, and is wiped only after receipts.
foreach(t uploader-dir uploader-daemon uploader-progress uploader-status uploader-perms)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
