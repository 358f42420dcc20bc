# The uploader: the directory vault (put, head, idempotence, conflicts,
# hostile keys, links planted in the vault, bounded memory, a full disk).
studio_unit_test(test-vault-dir SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-vault-dir.c LIBS studio_vault)
# Its parts: receipts (every malformed line refused, never fatal), session
# names, and the one function that deletes (each of its checks).
studio_unit_test(test-uploader SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-uploader.c LIBS studio_uploader)
# wipe_after = verified: the intake's record (signature under a provisioned
# key, session, manifest, verdict), hostile record text, the records' place.
studio_unit_test(test-wipe-verified SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-wipe-verified.c LIBS studio_uploader)
