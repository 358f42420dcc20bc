/* The curl plumbing of the S3 backend. Memory stays bounded: the body is
 * read from the file as curl asks for it, and only so much of an answer
 * is kept as an error message needs. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"
#include "s3-request.h"

#define HEADER_LINE_MAX 8192

static size_t on_header(char *data, size_t size, size_t n, void *userdata) {
        s3_response *r = userdata;
        size_t len = size * n;

        /* a new status line starts a new answer (after 100 Continue) */
        if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
                const char *sp = memchr(data, ' ', len);
                r->head_status = sp && (size_t) (sp - data) + 4 <= len && g_ascii_isdigit(sp[1]) &&
                                                 g_ascii_isdigit(sp[2]) && g_ascii_isdigit(sp[3])
                                         ? (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0')
                                         : 0;
                g_hash_table_remove_all(r->headers);
                r->headers_ended = false;
                return len;
        }
        if ((len == 2 && memcmp(data, "\r\n", 2) == 0) || (len == 1 && data[0] == '\n')) {
                r->headers_ended = true;
                return len;
        }
        const char *colon = memchr(data, ':', len);
        if (!colon || len > HEADER_LINE_MAX || g_hash_table_size(r->headers) >= S3_HEADERS_MAX)
                return len;
        char *name = g_ascii_strdown(data, colon - data);
        char *value = g_strstrip(g_strndup(colon + 1, len - (size_t) (colon + 1 - data)));
        g_hash_table_replace(r->headers, name, value);
        return len;
}

/* A 2xx body into the sink, bounded: returning less than len stops curl. */
static size_t on_sink(s3_sink *k, const char *data, size_t len) {
        if (len > k->max - k->received) {
                k->too_big = true;
                return 0;
        }
        if (k->fd >= 0)
                for (size_t done = 0; done < len;) {
                        ssize_t w = write(k->fd, data + done, len - done);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0) {
                                k->write_errno = w < 0 ? errno : EIO;
                                return 0;
                        }
                        done += (size_t) w;
                }
        k->received += len;
        return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        s3_response *r = userdata;
        size_t len = size * n;

        if (r->sink && r->head_status >= 200 && r->head_status < 300) {
                if (on_sink(r->sink, data, len) != len)
                        return 0;
                if (r->sink->fd < 0)
                        g_string_append_len(r->body, data, (gssize) len);
                return len;
        }
        if (r->body->len < S3_BODY_MAX)
                g_string_append_len(r->body, data, (gssize) MIN(len, S3_BODY_MAX - r->body->len));
        return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *userdata) {
        s3_body *b = userdata;
        size_t want = MIN(size * n, b->size - b->offset);

        if (want == 0)
                return 0;
        ssize_t got = pread(b->fd, buf, want, (off_t) b->offset);
        if (got <= 0) {
                b->read_errno = got < 0 ? errno : EIO; /* shrank under us */
                return CURL_READFUNC_ABORT;
        }
        b->offset += (uint64_t) got;
        if (b->progress)
                b->progress(b->offset, b->size, b->userdata);
        return (size_t) got;
}

/* curl rewinds when it must resend (a redirect, a reused dead connection). */
static int on_seek(void *userdata, curl_off_t offset, int origin) {
        s3_body *b = userdata;

        if (origin != SEEK_SET || offset < 0 || (uint64_t) offset > b->size)
                return CURL_SEEKFUNC_CANTSEEK;
        b->offset = (uint64_t) offset;
        return CURL_SEEKFUNC_OK;
}

s3_bounds s3_transfer_bounds(uint64_t size, uint64_t max_rate) {
        uint64_t low = S3_LOW_SPEED_LIMIT, floor = S3_FLOOR_RATE;

        if (max_rate) {
                low = MIN(low, MAX(max_rate / 4, 1));
                floor = MIN(floor, MAX(max_rate / 2, 1));
        }
        uint64_t timeout = S3_TIMEOUT_BASE + size / floor;
        return (s3_bounds){
                .low_speed_limit = (long) low,
                .low_speed_time = S3_LOW_SPEED_TIME,
                .timeout = (long) MIN(timeout, (uint64_t) LONG_MAX / 1000),
        };
}

/* At least once a second while a transfer runs, whether bytes move or
 * not: the daemon's sign of life (a transfer holds the main loop). */
static int on_xferinfo(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        (void) userdata, (void) dltotal, (void) dlnow, (void) ultotal, (void) ulnow;
        notify_watchdog_progress();
        return 0;
}

static void setup(s3_conn *c, const char *method, const char *url, const struct curl_slist *headers,
                  s3_body *body, s3_response *r) {
        CURL *h = c->curl;

        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
        curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->curl_error);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
        /* a stalled or endless transfer is a network failure, retried later */
        s3_bounds b = s3_transfer_bounds(body ? body->size : r->sink ? r->sink->max : 0, c->max_rate);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, b.low_speed_limit);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, b.low_speed_time);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, b.timeout);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
        if (c->ca_file)
                curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
        if (c->pinned_key)
                curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, c->pinned_key);
        if (strcmp(method, "HEAD") == 0) {
                curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        } else if (strcmp(method, "DELETE") == 0) {
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
        } else if (body) {
                curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) body->size);
                curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
                curl_easy_setopt(h, CURLOPT_READDATA, body);
                curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
                curl_easy_setopt(h, CURLOPT_SEEKDATA, body);
                if (c->max_rate)
                        curl_easy_setopt(h, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t) c->max_rate);
        }
}

/* An empty response, and the body and sink rewound, for a new transfer. */
static void transfer_begin(s3_response *ret, s3_body *body, s3_sink *sink) {
        memset(ret, 0, sizeof(*ret));
        ret->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        ret->body = g_string_new(NULL);
        ret->sink = sink;
        if (sink) {
                sink->received = 0;
                sink->too_big = false;
                sink->write_errno = 0;
        }
        if (body) {
                body->offset = 0;
                body->read_errno = 0;
        }
}

/* What curl's result means for the pass: 0 for a whole answer, -EAGAIN
 * for the network's failure, -EACCES for a TLS peer not trusted. */
static int transfer_outcome(s3_response *ret) {
        switch (ret->curl_code) {
        case CURLE_OK:
                /* curl takes a connection closed right after the status line
                 * for an answer; it is not one */
                if (ret->headers_ended)
                        return 0;
                g_strlcpy(ret->curl_error, "the connection was cut before the answer's headers ended",
                          sizeof(ret->curl_error));
                return -EAGAIN;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
        case CURLE_QUIC_CONNECT_ERROR:
                return -EAGAIN;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CACERT_BADFILE:
                return -EACCES;
        default:
                return -EIO;
        }
}

static int request(s3_conn *c, const char *method, const char *url, const struct curl_slist *headers,
                   s3_body *body, s3_sink *sink, s3_response *ret) {
        transfer_begin(ret, body, sink);
        setup(c, method, url, headers, body, ret);
        ret->curl_code = curl_easy_perform(c->curl);
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &ret->status);
        if (!ret->curl_error[0])
                g_strlcpy(ret->curl_error, curl_easy_strerror(ret->curl_code), sizeof(ret->curl_error));

        /* A connection cut or garbled after the status line is the
         * network's like one never made: whatever status came first, the
         * answer is not whole, so the vault is unreachable and the pass
         * stops. */
        if (sink && sink->too_big) {
                g_snprintf(ret->curl_error, sizeof(ret->curl_error),
                           "the object is larger than the %" G_GUINT64_FORMAT " bytes expected", sink->max);
                return -EFBIG;
        }
        if (sink && sink->write_errno) {
                g_snprintf(ret->curl_error, sizeof(ret->curl_error), "cannot write what came: %s",
                           g_strerror(sink->write_errno));
                return -sink->write_errno;
        }
        return transfer_outcome(ret);
}

int s3_request(s3_conn *c, const char *method, const char *url, const struct curl_slist *headers,
               s3_body *body, s3_response *ret) {
        return request(c, method, url, headers, body, NULL, ret);
}

int s3_request_sink(s3_conn *c, const char *url, const struct curl_slist *headers, s3_sink *sink,
                    s3_response *ret) {
        return request(c, "GET", url, headers, NULL, sink, ret);
}

void s3_response_clear(s3_response *r) {
        if (r->headers)
                g_hash_table_unref(r->headers);
        if (r->body)
                g_string_free(r->body, TRUE);
        memset(r, 0, sizeof(*r));
}

const char *s3_response_header(const s3_response *r, const char *lower_name) {
        return r->headers ? g_hash_table_lookup(r->headers, lower_name) : NULL;
}
