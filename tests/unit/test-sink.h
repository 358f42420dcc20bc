/* Collects what an age writer, reader or sealer outputs (their
 * int (*)(void *userdata, const uint8_t *buf, size_t len) callbacks): the
 * unit tests (through testutil.h) and the fuzz targets share it. Plain C,
 * no test framework. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct test_sink {
        uint8_t *data;
        size_t len, cap;
        size_t max; /* 0: no bound; more than this is -EFBIG (a fuzz target's memory limit) */
} test_sink;

/* Appends; -ENOMEM when it cannot grow, -EFBIG past max. userdata is a
 * test_sink. */
int test_sink_append(void *userdata, const uint8_t *buf, size_t len);
void test_sink_done(test_sink *s);
