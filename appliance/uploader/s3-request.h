/* One S3 request through libcurl, signed with CURLOPT_AWS_SIGV4: the
 * connection settings every request shares, a body streamed from a file
 * descriptor, and the answer's status, headers and (bounded) body. */
#pragma once

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "vault.h"

typedef struct s3_conn {
        CURL *curl;             /* reused, so connections are kept alive */
        const char *userpwd;    /* "ACCESS:SECRET" (sodium memory) */
        const char *sigv4;      /* "aws:amz:REGION:s3" */
        const char *ca_file;    /* NULL: the system's */
        const char *pinned_key; /* NULL: no pin */
        uint64_t max_rate;      /* bytes/s sent; 0: no cap */
} s3_conn;

/* A PUT body: size bytes of fd from offset 0, read with pread (the file
 * offset is not moved), in curl's buffer-sized pieces. */
typedef struct s3_body {
        int fd;
        uint64_t size;
        uint64_t offset;
        vault_progress_fn progress;
        void *userdata;
        int read_errno; /* set when pread failed or the file shrank */
} s3_body;

#define S3_HEADERS_MAX 64
#define S3_BODY_MAX (16 * 1024)

/* Where a GET's body goes (s3_request_sink): written to fd (>= 0) as it
 * comes, or kept in the response's body (fd < 0); either way at most max
 * bytes: one more and the transfer stops (*too_big). */
typedef struct s3_sink {
        int fd;
        uint64_t max;
        uint64_t received;
        bool too_big;
        int write_errno; /* a write to fd failed */
} s3_sink;

typedef struct s3_response {
        long status; /* 0: no HTTP answer */
        CURLcode curl_code;
        char curl_error[CURL_ERROR_SIZE]; /* curl's detail when curl_code != CURLE_OK */
        GHashTable *headers;              /* lower-case name -> value, of the last answer */
        GString *body;                    /* at most S3_BODY_MAX bytes kept */
        bool headers_ended;               /* the blank line after the last answer's headers came */
        s3_sink *sink;                    /* NULL: the body is an error message, S3_BODY_MAX kept */
        long head_status;                 /* the status line of the answer being received */
} s3_response;

/* Every transfer is bounded (s3_transfer_bounds): it fails as the
 * network's (-EAGAIN) when it moves fewer than low_speed_limit bytes/s for
 * low_speed_time seconds (a reply dripping at 5 bytes/s), or when it
 * lasts longer than timeout seconds, scaled to the bytes it sends. While
 * it runs, curl's progress callback (called at least once a second, moving
 * or not) sends the watchdog's WATCHDOG=1 (notify_watchdog_progress):
 * transfers run inside one main-loop callback, and a transfer's own
 * bounds, not the watchdog, end one that stalls. */
#define S3_LOW_SPEED_LIMIT 1024   /* bytes/s … */
#define S3_LOW_SPEED_TIME 30      /* … for this many seconds: stalled */
#define S3_TIMEOUT_BASE 120       /* seconds every request may take */
#define S3_FLOOR_RATE (16 * 1024) /* … plus its body at this rate */
typedef struct s3_bounds {
        long low_speed_limit; /* bytes/s */
        long low_speed_time;  /* s */
        long timeout;         /* s, the whole transfer */
} s3_bounds;
/* The bounds of a request sending size bytes under a max_rate cap (0:
 * none): a cap below the floors lowers them, so a capped transfer is never
 * cut for going at its cap. */
s3_bounds s3_transfer_bounds(uint64_t size, uint64_t max_rate);

/* method "HEAD", "DELETE", "GET" or "PUT" (with body). Fills *ret in every case; returns 0
 * when the server answered (any status), -EAGAIN when it could not be
 * reached or the transfer broke, -EACCES when its TLS identity did not
 * match ca_file/pinned_key, -EIO for the rest (the curl text in ret). */
int s3_request(s3_conn *c, const char *method, const char *url, const struct curl_slist *headers,
               s3_body *body, s3_response *ret);
/* As s3_request for a GET whose body goes to sink (see s3_sink): a body
 * over sink->max is -EFBIG, a write to sink->fd that failed -errno. Only a
 * 2xx answer's body goes to the sink; another status keeps its (error)
 * body in ret->body as s3_request does. */
int s3_request_sink(s3_conn *c, const char *url, const struct curl_slist *headers, s3_sink *sink,
                    s3_response *ret);
void s3_response_clear(s3_response *r);
/* A header of the answer, or NULL. */
const char *s3_response_header(const s3_response *r, const char *lower_name);
