/* RFC 3161 trusted time for the intake's records: a token from a
 * time-stamping authority over the SHA-256 of a record, asked over HTTP
 * (application/timestamp-query, certReq set so that the token carries the
 * TSA's certificate) and verified with OpenSSL's TS API against the TSA's
 * CA. What is saved (RECORD.tsr) is the whole DER TimeStampResp, which is
 * what stock `openssl ts -verify -data RECORD -in RECORD.tsr -CAfile CA`
 * reads.
 *
 * Functions return 0 or -errno with *ret_message (caller frees): -EAGAIN
 * when the TSA cannot be reached or answers an HTTP error (try again
 * later), -EBADMSG for an answer that is no valid token over the data. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define TSA_RESPONSE_MAX (256 * 1024) /* a token with its certificate chain is a few KiB */

/* Asks url for a token over data's SHA-256 and verifies the answer (status
 * granted, the imprint, the nonce, the signature under ca_file) before it
 * is returned (*ret_der, g_free). */
int tsa_request(const char *url, const char *ca_file, const void *data, size_t len, uint8_t **ret_der,
                size_t *ret_der_len, char **ret_message);

/* Verifies a saved response over data under ca_file: its status granted,
 * a SHA-256 imprint of data, the TSA's signature and certificate chain
 * (the certificate must be for time stamping). *ret_time (optional,
 * g_free): the token's genTime, "YYYY-MM-DDTHH:MM:SSZ". */
int tsa_verify(const uint8_t *der, size_t der_len, const void *data, size_t len, const char *ca_file,
               char **ret_time, char **ret_message);
