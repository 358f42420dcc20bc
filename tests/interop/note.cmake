# Sealed mark notes against the stock age tools (make-session writes them).
studio_script_test(note-interop ${CMAKE_CURRENT_LIST_DIR}/note-interop.sh interop)
