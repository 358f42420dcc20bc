# The uploader: the directory vault (put, head, idempotence, conflicts,
# hostile keys, links planted in the vault, bounded memory, a full disk).
studio_unit_test(test-vault-dir SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-vault-dir.c LIBS studio_uploader)
