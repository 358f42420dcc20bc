# libFuzzer target for the age reader (clang, STUDIO_FUZZ=ON), with a seed
# corpus of small valid and invalid files for the compiled-in identity.
# The library's sources are compiled into the target as well, so that they
# carry the fuzzer's coverage instrumentation (the archive's copies are then
# never pulled in by the linker).
get_target_property(_age_sources studio_age SOURCES)
list(TRANSFORM _age_sources PREPEND ${CMAKE_SOURCE_DIR}/appliance/age/)
studio_fuzz_target(fuzz-age-reader
                   SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz-age-reader.c ${_age_sources}
                   LIBS studio_age
                   CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/age
                   SECONDS 60)
