# The uploader against the directory vault: a session recorded through the
# daemon goes to the vault, verifies there, and is wiped only after receipts.
foreach(t uploader-dir uploader-daemon uploader-progress uploader-status uploader-perms)
  studio_script_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.sh integration GST TIMEOUT 300)
endforeach()
# What a local file cannot prove and what the recorder did not make (forged
# receipts, a changed vault, a stranger segment, another owner's folder, a
# cut wipe, last transfer after a restart, [uploader] errors with their line).
studio_script_test(uploader-strangers ${CMAKE_CURRENT_LIST_DIR}/uploader-strangers.sh integration TIMEOUT 300)
