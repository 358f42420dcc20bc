/* What the unit tests share: a temporary folder made and removed in C (no
 * shell), an output sink that collects what a writer produces, and
 * assert_contains for messages. Linked into every studio_unit_test. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A new, empty folder $TMPDIR/NAME.XXXXXX (/tmp without TMPDIR); NULL when
 * it cannot be made (errno says why). Free with test_tmpdir_remove. */
char *test_tmpdir_new(const char *name);

/* Removes the folder and everything under it without following symbolic
 * links, read-only folders included (tests make some); then frees path.
 * Returns 0 or -errno; NULL is a no-op. */
int test_tmpdir_remove(char *path);

/* Removes the tree at path (the folder itself too), as above, without
 * freeing path. */
int test_rmtree(const char *path);

/* The age output sink (test-sink.h), shared with the fuzz targets. */
#include "test-sink.h"

/* Fails the test, showing both, when text does not contain needle. */
void test_assert_contains(const char *text, const char *needle, const char *file, int line);
#define assert_contains(text, needle) test_assert_contains((text), (needle), __FILE__, __LINE__)
