# The uploader's check of the intake's record and its intake key file
# (wipe_after = verified).
studio_fuzz_target(fuzz-intake-record SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-intake-record.c
                   LIBS studio_uploader CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/intake-record SECONDS 30)
