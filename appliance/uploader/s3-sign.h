/* The parts of an S3 request that curl's CURLOPT_AWS_SIGV4 leaves to us:
 * curl signs the path and the query exactly as written, so they must
 * already be in SigV4's canonical form, and the Object Lock dates S3
 * servers send come in more than one ISO 8601 shape. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* s percent-encoded as SigV4 wants: A-Z a-z 0-9 - . _ ~ kept, every other
 * byte as %XX (upper-case hex); '/' kept when keep_slash (object paths).
 * Caller g_frees. */
char *s3_uri_encode(const char *s, bool keep_slash);

/* The canonical query string of name/value pairs given as a
 * NULL-terminated list "name", "value", …  (a NULL or "" value is a name
 * without one): names and values encoded, sorted by encoded name then
 * value, "=" after every name ("retention=" for ?retention). "" for none.
 * Caller g_frees. */
char *s3_canonical_query(const char *const *pairs);

/* "2036-11-29T17:31:40Z" (UTC, whole seconds) for a time in µs since the
 * epoch. Caller g_frees. */
char *s3_time_format(int64_t us);

/* YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z, as AWS (.000Z) and Ceph RGW (9 digits)
 * send it, to µs since the epoch (fractions below 1 µs dropped).
 * -EINVAL for anything else; *ret_us untouched then. */
int s3_time_parse(const char *s, int64_t *ret_us);
