# The whole verifier over a real signed session with one file replaced by
# the input: bad input never yields INTACT.
studio_fuzz_target(fuzz-verify-session SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-verify-session.c
                   LIBS studio_verify_checks CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/verify-session SECONDS 40)
if(STUDIO_FUZZ)
  target_compile_definitions(fuzz-verify-session PRIVATE
                             FUZZ_FIXTURE_DIR="${CMAKE_CURRENT_LIST_DIR}/corpus/verify-session-fixture")
endif()
