# The S3 vault's parsers and open-time checks (no server; tests/vault/ runs RGW).
studio_unit_test(test-vault-s3 SOURCES ${CMAKE_CURRENT_LIST_DIR}/test-vault-s3.c LIBS studio_vault)
