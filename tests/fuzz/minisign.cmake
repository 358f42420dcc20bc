# The library sources are compiled into the target so that libFuzzer sees
# their coverage (studio_minisign itself is not instrumented).
set(_ms ${CMAKE_SOURCE_DIR}/appliance/custody)
studio_fuzz_target(fuzz-minisign
                   SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-minisign.c
                           ${_ms}/minisign.c ${_ms}/minisign-sig.c ${_ms}/minisign-text.c
                   LIBS studio_common PkgConfig::SODIUM
                   CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/minisign SECONDS 60)
if(TARGET fuzz-minisign)
  target_include_directories(fuzz-minisign PRIVATE ${_ms})
endif()
