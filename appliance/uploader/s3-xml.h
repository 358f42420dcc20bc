/* The one thing the S3 backend reads from an error body: its <Code>. */
#pragma once

#include <stddef.h>

/* The text of the first <Code>…</Code> in an S3 error document, when it is
 * 1..64 ASCII letters and digits ("SignatureDoesNotMatch"); NULL for
 * anything else (no code, an empty or over-long one, markup, a truncated
 * body). body need not be NUL-terminated. Caller g_frees. */
char *s3_error_code(const char *body, size_t len);
