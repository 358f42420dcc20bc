# The uploader's figures (docs/benchmarks.md) against a throwaway Ceph RGW
# (tests/vault/ceph.sh). Print figures; never assert timings.
add_custom_target(bench-vault-upload
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/vault-upload.sh ${CMAKE_BINARY_DIR} 512
                  DEPENDS vault-tool
                  USES_TERMINAL
                  COMMENT "512 MiB to RGW: ours against curl --aws-sigv4 (target >= 0.9x curl, RSS <= 32 MiB)")
add_custom_target(bench-time-to-vault
                  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/time-to-vault.sh ${CMAKE_BINARY_DIR} 10
                  DEPENDS studio-recorder studioctl studio-uploader
                  USES_TERMINAL
                  COMMENT "A 10-minute session with 1-minute segments: Stop -> last receipt (target <= 10 s)")
