# The vault listing's parser (ListObjectsV2, encoding-type=url): studio-intake reads it from the vault.
studio_fuzz_target(fuzz-s3-list SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-s3-list.c
                   LIBS studio_vault CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/s3-list SECONDS 30)
