# Warnings are errors everywhere; sanitizer build types are selected with
# -DCMAKE_BUILD_TYPE=Sanitize (ASan + UBSan), as ./run test does.
add_compile_options(-Wall -Wextra -Werror -Wmissing-prototypes -Wshadow
                    -Wno-unused-parameter -fno-strict-aliasing)

set(_san "-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer")
set(CMAKE_C_FLAGS_SANITIZE "-O1 -g ${_san}" CACHE STRING "" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_SANITIZE "${_san}" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_SANITIZE "${_san}" CACHE STRING "" FORCE)
set(CMAKE_MODULE_LINKER_FLAGS_SANITIZE "${_san}" CACHE STRING "" FORCE)

if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo)
endif()

# Is any code instrumented? (sanitizers, or libFuzzer's coverage)
string(TOUPPER "${CMAKE_BUILD_TYPE}" _build_type)
if(_build_type STREQUAL "SANITIZE" OR STUDIO_FUZZ)
  set(STUDIO_INSTRUMENTED ON)
else()
  set(STUDIO_INSTRUMENTED OFF)
endif()

# studio_unsanitized_library(NAME SOURCES… LIBS …): NAME is a static PIC
# library of SOURCES built without any sanitizer or fuzzer instrumentation,
# for code loaded into a process that has no sanitizer runtime (the
# GStreamer plugin in gst-launch-1.0). LIBS are its PUBLIC dependencies.
# Without instrumentation it needs no second build: it is the library
# LIKE itself (an alias).
function(studio_unsanitized_library name)
  cmake_parse_arguments(U "" "LIKE" "SOURCES;LIBS" ${ARGN})
  if(NOT U_LIKE OR NOT TARGET ${U_LIKE})
    message(FATAL_ERROR "studio_unsanitized_library(${name}): LIKE must name an existing library")
  endif()
  if(NOT STUDIO_INSTRUMENTED)
    add_library(${name} ALIAS ${U_LIKE})
    return()
  endif()
  add_library(${name} STATIC ${U_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${U_LIBS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  studio_no_sanitizers(${name})
endfunction()

# Turns every sanitizer (and libFuzzer's coverage) off for one target.
function(studio_no_sanitizers target)
  if(STUDIO_INSTRUMENTED)
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
    target_link_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()
