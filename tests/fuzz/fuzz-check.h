/* The fuzz targets' oracle: FUZZ_CHECK(cond) prints the condition that
 * failed and aborts, in every build type. Never assert(): NDEBUG (the
 * RelWithDebInfo and Release builds) compiles it out, and the oracle with it. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                                    \
        do {                                                                                                \
                if (!(cond)) {                                                                              \
                        fprintf(stderr, "%s:%d: fuzz oracle failed: %s\n", __FILE__, __LINE__, #cond);      \
                        abort();                                                                            \
                }                                                                                           \
        } while (0)
