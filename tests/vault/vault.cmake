# The S3 Object Lock vault against a throwaway Ceph RGW (tests/vault/ceph.sh).
add_executable(vault-tool ${CMAKE_CURRENT_LIST_DIR}/vault-tool.c)
target_link_libraries(vault-tool PRIVATE studio_vault)
studio_script_test(vault-s3-put ${CMAKE_CURRENT_LIST_DIR}/s3-put.sh vault TIMEOUT 300)
# vault-s3-session also runs the aws blocks of docs/verifying.md (section 3)
# and docs/vault-s3.md as printed: awscli takes seconds a call on a busy machine
# (451 s in all measured at a load average of 22 on 2 cores)
studio_script_test(vault-s3-session ${CMAKE_CURRENT_LIST_DIR}/s3-session.sh vault GST TIMEOUT 900)
# Faults (tests/vault/faults-*.sh, through tests/vault/proxy.py where a
# network fault is needed): nothing lost, nothing wiped early, the backlog true.
studio_script_test(vault-proxy-selftest ${CMAKE_CURRENT_LIST_DIR}/proxy-selftest.sh vault TIMEOUT 120)
studio_script_test(vault-faults-restart ${CMAKE_CURRENT_LIST_DIR}/faults-restart.sh vault GST TIMEOUT 900)
studio_script_test(vault-faults-refused ${CMAKE_CURRENT_LIST_DIR}/faults-refused.sh vault GST TIMEOUT 600)
studio_script_test(vault-s3-tls ${CMAKE_CURRENT_LIST_DIR}/s3-tls.sh vault TIMEOUT 300)
# The uploader against tests/vault/lying-s3.py (no RGW): a vault that denies
# a receipt's version, forged receipts, a changed vault, a reply cut after
# its status line, a reply dripping at 5 bytes/s (--once bounded, the
# daemon's watchdog fed).
studio_script_test(vault-uploader-lying ${CMAKE_CURRENT_LIST_DIR}/uploader-lying.sh vault TIMEOUT 420)
