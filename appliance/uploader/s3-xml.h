/* The one thing the S3 backend reads from an error body: its <Code>. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The text of the first <Code>…</Code> in an S3 error document, when it is
 * 1..64 ASCII letters and digits ("SignatureDoesNotMatch"); NULL for
 * anything else (no code, an empty or over-long one, markup, a truncated
 * body). body need not be NUL-terminated. Caller g_frees. */
char *s3_error_code(const char *body, size_t len);

/* One object of a ListObjectsV2 answer, its key decoded (encoding-type=url:
 * the XML entities, then %XX and '+'): any byte but NUL may be in it, so
 * the caller checks it (vault_key_valid) before any use. */
typedef struct s3_list_entry {
        char *key;
        uint64_t size;
        int64_t modified_us; /* LastModified; 0 when absent or unreadable */
} s3_list_entry;

#define S3_LIST_TOKEN_MAX 1024 /* a longer NextContinuationToken is refused */

typedef struct s3_list_page {
        GArray *entries;  /* s3_list_entry */
        bool truncated;   /* IsTruncated: another page follows */
        char *next_token; /* NextContinuationToken (decoded entities), or NULL */
        unsigned refused; /* <Contents> without a key, size, or with a key that does not decode */
} s3_list_page;

/* Parses one page of a ListObjectsV2 answer (body need not be
 * NUL-terminated): -EBADMSG when it is not one (no <ListBucketResult>, a
 * truncated page without a usable token). */
int s3_list_parse(const char *body, size_t len, s3_list_page *ret);
void s3_list_page_clear(s3_list_page *p);
