# studio-verify and studio-export integration tests: make-session builds real
# sessions (age-sealed segments, signed custody log, closed with
# studio_custody) without GStreamer; the scripts tamper with them and check
# verdicts and exit codes; stock minisign, sha256sum and age check the same
# sessions independently.
add_executable(make-session ${CMAKE_CURRENT_LIST_DIR}/make-session.c)
target_link_libraries(make-session PRIVATE studio_custody studio_age studio_common PkgConfig::GLIB)
studio_script_test(verify-tamper ${CMAKE_CURRENT_LIST_DIR}/verify-tamper.sh integration TIMEOUT 600)
studio_script_test(export ${CMAKE_CURRENT_LIST_DIR}/export.sh integration)
studio_script_test(docs-export ${CMAKE_CURRENT_LIST_DIR}/docs-export.sh integration)
studio_script_test(golden-session ${CMAKE_CURRENT_LIST_DIR}/golden-session.sh integration)
studio_script_test(verify-report ${CMAKE_CURRENT_LIST_DIR}/verify-report.sh integration TIMEOUT 300)
studio_script_test(verify-chain ${CMAKE_CURRENT_LIST_DIR}/verify-chain.sh integration)
studio_script_test(verdict-matrix ${CMAKE_CURRENT_LIST_DIR}/verdict-matrix.sh integration TIMEOUT 600)
studio_script_test(docs-verifying ${CMAKE_CURRENT_LIST_DIR}/docs-verifying.sh integration GST TIMEOUT 300)
studio_script_test(verify-notes ${CMAKE_CURRENT_LIST_DIR}/verify-notes.sh integration)
