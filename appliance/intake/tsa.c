/* RFC 3161 with OpenSSL's TS API and libcurl (tsa.h). */
#include "tsa.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <string.h>

#define TSA_TIMEOUT_S 30L

static char *ssl_error(void) {
        unsigned long e = ERR_get_error();
        char buf[256];

        ERR_clear_error();
        if (!e)
                return g_strdup("no detail");
        ERR_error_string_n(e, buf, sizeof buf);
        return g_strdup(buf);
}

/* The answer's genTime as RFC 3339 UTC. */
static char *gen_time(TS_TST_INFO *info) {
        const ASN1_GENERALIZEDTIME *t = TS_TST_INFO_get_time(info);
        struct tm tm;

        if (!t || !ASN1_TIME_to_tm(t, &tm))
                return NULL;
        return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int verify_resp(TS_RESP *resp, const uint8_t digest[32], const ASN1_INTEGER *nonce,
                       const char *ca_file, char **ret_time, char **ret_message) {
        TS_TST_INFO *info = TS_RESP_get_tst_info(resp);
        TS_MSG_IMPRINT *mi = info ? TS_TST_INFO_get_msg_imprint(info) : NULL;
        X509_ALGOR *alg = mi ? TS_MSG_IMPRINT_get_algo(mi) : NULL;
        TS_VERIFY_CTX *ctx = NULL;
        X509_STORE *store = NULL;
        int ok;

        if (!alg || OBJ_obj2nid(alg->algorithm) != NID_sha256) {
                *ret_message = g_strdup("the token is not over a SHA-256 digest");
                return -EBADMSG;
        }
        store = X509_STORE_new();
        if (!store || !X509_STORE_load_file(store, ca_file)) {
                X509_STORE_free(store);
                g_autofree char *why = ssl_error();
                *ret_message = g_strdup_printf("the TSA CA file %s cannot be loaded (%s)", ca_file, why);
                return -EINVAL;
        }
        ctx = TS_VERIFY_CTX_new();
        uint8_t *imprint = OPENSSL_memdup(digest, 32);
        TS_VERIFY_CTX_set_store(ctx, store); /* ctx owns it */
        TS_VERIFY_CTX_set_imprint(ctx, imprint, 32);
        TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_SIGNER | TS_VFY_IMPRINT);
        ok = TS_RESP_verify_response(ctx, resp);
        TS_VERIFY_CTX_free(ctx);
        if (!ok) {
                g_autofree char *why = ssl_error();
                *ret_message = g_strdup_printf("the token does not verify under %s (%s)", ca_file, why);
                return -EBADMSG;
        }
        /* OpenSSL 3.0's verify context takes a nonce only from a TS_REQ */
        if (nonce &&
            (!TS_TST_INFO_get_nonce(info) || ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(info), nonce) != 0)) {
                *ret_message = g_strdup("the token does not carry the nonce asked for (a replayed answer)");
                return -EBADMSG;
        }
        if (ret_time)
                *ret_time = gen_time(info);
        return 0;
}

int tsa_verify(const uint8_t *der, size_t der_len, const void *data, size_t len, const char *ca_file,
               char **ret_time, char **ret_message) {
        const unsigned char *p = der;
        uint8_t digest[32];
        TS_RESP *resp;
        int r;

        if (der_len > TSA_RESPONSE_MAX || !(resp = d2i_TS_RESP(NULL, &p, (long) der_len))) {
                ERR_clear_error();
                *ret_message = g_strdup("not an RFC 3161 time-stamp response");
                return -EBADMSG;
        }
        EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL);
        r = verify_resp(resp, digest, NULL, ca_file, ret_time, ret_message);
        TS_RESP_free(resp);
        return r;
}

static TS_REQ *make_request(const uint8_t digest[32], ASN1_INTEGER **ret_nonce) {
        TS_REQ *req = TS_REQ_new();
        TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
        X509_ALGOR *alg = X509_ALGOR_new();
        ASN1_INTEGER *nonce = ASN1_INTEGER_new();
        BIGNUM *bn = BN_new();
        int ok = req && mi && alg && nonce && bn && BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
                 BN_to_ASN1_INTEGER(bn, nonce) &&
                 X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
                 TS_MSG_IMPRINT_set_algo(mi, alg) &&
                 TS_MSG_IMPRINT_set_msg(mi, (unsigned char *) digest, 32) && TS_REQ_set_version(req, 1) &&
                 TS_REQ_set_msg_imprint(req, mi) && TS_REQ_set_nonce(req, nonce) &&
                 TS_REQ_set_cert_req(req, 1);

        BN_free(bn);
        X509_ALGOR_free(alg);
        TS_MSG_IMPRINT_free(mi);
        if (!ok) {
                TS_REQ_free(req);
                ASN1_INTEGER_free(nonce);
                return NULL;
        }
        *ret_nonce = nonce;
        return req;
}

static size_t on_body(char *ptr, size_t size, size_t n, void *userdata) {
        GByteArray *body = userdata;

        if (body->len + size * n > TSA_RESPONSE_MAX)
                return 0; /* refuse an answer larger than a token */
        g_byte_array_append(body, (const guint8 *) ptr, (guint) (size * n));
        return size * n;
}

static int post(const char *url, const uint8_t *query, size_t len, GByteArray *body, char **ret_message) {
        char err[CURL_ERROR_SIZE] = "";
        struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/timestamp-query");
        CURL *h = curl_easy_init();
        long status = 0;
        CURLcode rc;

        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, query);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long) len);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, TSA_TIMEOUT_S);
        rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
        curl_slist_free_all(headers);
        if (rc != CURLE_OK) {
                *ret_message = g_strdup_printf("the TSA %s cannot be reached: %s", url,
                                               *err ? err : curl_easy_strerror(rc));
                return -EAGAIN;
        }
        if (status != 200) {
                *ret_message = g_strdup_printf("the TSA %s answered HTTP %ld", url, status);
                return -EAGAIN;
        }
        return 0;
}

int tsa_request(const char *url, const char *ca_file, const void *data, size_t len, uint8_t **ret_der,
                size_t *ret_der_len, char **ret_message) {
        g_autoptr(GByteArray) body = g_byte_array_new();
        ASN1_INTEGER *nonce = NULL;
        unsigned char *query = NULL;
        const unsigned char *p;
        uint8_t digest[32];
        TS_RESP *resp;
        TS_REQ *req;
        int qlen, r;

        EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL);
        req = make_request(digest, &nonce);
        qlen = req ? i2d_TS_REQ(req, &query) : -1;
        TS_REQ_free(req);
        if (qlen <= 0) {
                ASN1_INTEGER_free(nonce);
                *ret_message = g_strdup("cannot build the time-stamp query");
                return -ENOMEM;
        }
        r = post(url, query, (size_t) qlen, body, ret_message);
        OPENSSL_free(query);
        p = body->data;
        resp = r < 0 ? NULL : d2i_TS_RESP(NULL, &p, (long) body->len);
        if (r >= 0 && !resp) {
                ERR_clear_error();
                *ret_message =
                        g_strdup_printf("the TSA %s answered something that is no time-stamp response", url);
                r = -EBADMSG;
        }
        if (resp)
                r = verify_resp(resp, digest, nonce, ca_file, NULL, ret_message);
        TS_RESP_free(resp);
        ASN1_INTEGER_free(nonce);
        if (r < 0)
                return r;
        *ret_der_len = body->len;
        *ret_der = g_byte_array_steal(body, NULL);
        return 0;
}
