# studio-verify integration tests: make-session builds real sessions
# (age-sealed segments, signed custody log, closed with studio_custody), the
# script tampers with them and checks verdicts and exit codes; stock
# minisign, sha256sum and age check the same sessions independently.
if(TARGET studio_custody AND TARGET studio_age)
  add_executable(make-session ${CMAKE_CURRENT_LIST_DIR}/make-session.c)
  target_link_libraries(make-session PRIVATE studio_custody studio_age studio_common PkgConfig::GLIB)
  if(TARGET studio-verify)
    studio_script_test(verify-tamper ${CMAKE_CURRENT_LIST_DIR}/verify-tamper.sh integration TIMEOUT 600)
  endif()
endif()
