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
