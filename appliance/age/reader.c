/* The age reader. It parses and authenticates the header, then opens STREAM
 * chunks one by one, handing each to the caller only once it has
 * authenticated. Its verdicts keep a file cut short (truncated) apart from
 * one that was altered (tampered). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "age-internal.h"

#define HEADER_READ_STEP 4096
/* Internal return value: the verdict is decided, stop reading. */
#define VERDICT_SET 1

static const char *const verdict_table[_AGE_VERDICT_MAX] = {
        [AGE_OK] = "ok",
        [AGE_NOT_AGE] = "not-age",
        [AGE_NO_MATCH] = "no-match",
        [AGE_HEADER_MAC] = "header-mac",
        [AGE_TAMPERED] = "tampered",
        [AGE_TRUNCATED] = "truncated",
        [AGE_IO_ERROR] = "io-error",
};

const char *age_verdict_to_string(age_verdict v) {
        if (v < 0 || v >= _AGE_VERDICT_MAX)
                return NULL;
        return verdict_table[v];
}

/* Where the ciphertext comes from: an fd or a memory buffer. */
struct source {
        int fd;
        const uint8_t *mem;
        size_t mem_len, mem_pos;
};

/* Reads up to want bytes, fewer only at end of input. */
static ssize_t source_pull(struct source *s, uint8_t *dst, size_t want) {
        size_t got = 0;

        if (s->mem) {
                size_t n = s->mem_len - s->mem_pos < want ? s->mem_len - s->mem_pos : want;
                memcpy(dst, s->mem + s->mem_pos, n);
                s->mem_pos += n;
                return (ssize_t) n;
        }
        while (got < want) {
                ssize_t n = read(s->fd, dst + got, want - got);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        return (ssize_t) got;
}

struct reader_secrets {
        uint8_t file_key[AGE_FILE_KEY_LEN];
        uint8_t payload_key[AGE_STREAM_KEY_LEN]; /* only until the stream context holds it */
};

struct reader {
        struct source src;
        const uint8_t (*sks)[AGE_KEY_LEN];
        size_t n_sks;
        age_plain_fn plain;
        void *userdata;
        age_read_result *res;
        struct reader_secrets *sec;
        EVP_CIPHER_CTX *stream; /* keyed with the payload key; freeing it wipes the key */
        struct age_header *hdr;
        uint8_t *hbuf; /* header bytes as read, AGE_HEADER_MAX */
        size_t hbuf_len;
        uint8_t *cbuf; /* one encrypted chunk plus one byte of look-ahead */
        size_t have;   /* bytes in cbuf */
        uint64_t payload_start;
};

__attribute__((format(printf, 3, 4))) static int verdict(struct reader *rd, age_verdict v, const char *fmt,
                                                         ...) {
        va_list ap;

        rd->res->verdict = v;
        va_start(ap, fmt);
        (void) vsnprintf(rd->res->detail, sizeof(rd->res->detail), fmt, ap);
        va_end(ap);
        return VERDICT_SET;
}

/* A file that ends inside a well-formed beginning of a header was cut
 * short (a power cut as the segment opened), not forged: say truncated,
 * with nothing to salvage. Anything else that ends early is not age. */
static int header_cut_short(struct reader *rd) {
        static const char intro[] = "age-encryption.org/v1\n-> ";
        size_t cmp = rd->hbuf_len < sizeof(intro) - 1 ? rd->hbuf_len : sizeof(intro) - 1;

        if (memcmp(rd->hbuf, intro, cmp) != 0 || memchr(rd->hbuf, '\0', rd->hbuf_len))
                return verdict(rd, AGE_NOT_AGE, "The input ends inside the age header.");
        rd->res->unverifiable_bytes = rd->hbuf_len;
        return verdict(rd, AGE_TRUNCATED,
                       "The file ends inside its age header after %zu bytes: it was cut short before any "
                       "content was sealed; nothing can be salvaged.",
                       rd->hbuf_len);
}

static int read_header(struct reader *rd, size_t *ret_end) {
        ssize_t end = 0;

        while (end == 0) {
                size_t step = AGE_HEADER_MAX - rd->hbuf_len < HEADER_READ_STEP
                                      ? AGE_HEADER_MAX - rd->hbuf_len
                                      : HEADER_READ_STEP;
                ssize_t n = source_pull(&rd->src, rd->hbuf + rd->hbuf_len, step);
                if (n < 0)
                        return verdict(rd, AGE_IO_ERROR, "Reading the input failed: %s.",
                                       strerror((int) -n));
                rd->hbuf_len += (size_t) n;
                if (rd->hbuf_len == 0)
                        return verdict(rd, AGE_NOT_AGE, "The input is empty, not an age file.");
                end = age_header_find_end(rd->hbuf, rd->hbuf_len);
                if (end == -E2BIG)
                        return verdict(rd, AGE_NOT_AGE, "The age header is larger than the %u-byte limit.",
                                       AGE_HEADER_MAX);
                if (end < 0)
                        return verdict(
                                rd, AGE_NOT_AGE,
                                "The input does not start with an age header (age-encryption.org/v1).");
                if (end == 0 && (size_t) n < step)
                        return header_cut_short(rd);
        }
        *ret_end = (size_t) end;
        return 0;
}

/* The header's first END bytes parsed into rd->hdr. */
static int parse_header(struct reader *rd, size_t end) {
        int r = age_header_parse(rd->hbuf, end, rd->hdr);

        if (r == -EPROTONOSUPPORT)
                return verdict(rd, AGE_NOT_AGE, "The file is of an unsupported age version.");
        if (r == -E2BIG)
                return verdict(rd, AGE_NOT_AGE,
                               "The age header has more stanzas or arguments than allowed.");
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return verdict(rd, AGE_NOT_AGE, "The age header is malformed or not canonical.");
        return 0;
}

/* Every X25519 stanza well-formed, counted into *ret_n; other recipient
 * types are not for us. */
static int check_x25519_stanzas(struct reader *rd, size_t *ret_n) {
        size_t n = 0;

        for (size_t i = 0; i < rd->hdr->n_stanzas; i++) {
                const struct age_stanza *s = &rd->hdr->stanzas[i];
                if (strcmp(s->args[0], "X25519") != 0)
                        continue;
                if (age_x25519_check(s) < 0)
                        return verdict(rd, AGE_NOT_AGE, "X25519 recipient stanza %zu is malformed.", i + 1);
                n++;
        }
        *ret_n = n;
        return 0;
}

/* The file key into rd->sec from the first stanza one of the identities
 * opens; N_X25519 stanzas of that type are in the header. */
static int unwrap_file_key(struct reader *rd, size_t n_x25519) {
        bool found = false;
        int r;

        for (size_t k = 0; k < rd->n_sks && !found; k++)
                for (size_t i = 0; i < rd->hdr->n_stanzas && !found; i++) {
                        const struct age_stanza *s = &rd->hdr->stanzas[i];
                        if (strcmp(s->args[0], "X25519") != 0)
                                continue;
                        r = age_x25519_unwrap(s, rd->sks[k], rd->sec->file_key);
                        if (r == 0)
                                found = true;
                        else if (r != -ENOKEY)
                                return verdict(rd, AGE_NOT_AGE,
                                               "X25519 recipient stanza %zu has a low-order share.", i + 1);
                }
        if (n_x25519 == 0)
                return verdict(
                        rd, AGE_NO_MATCH,
                        "The file has no X25519 recipient stanza (the first is '%s'): it was sealed for "
                        "another kind of recipient, an unsupported stanza type here.",
                        rd->hdr->n_stanzas ? rd->hdr->stanzas[0].args[0] : "none");
        if (!found)
                return verdict(rd, AGE_NO_MATCH,
                               "None of the %zu identities opens any of the %zu X25519 recipient stanzas.",
                               rd->n_sks, n_x25519);
        return 0;
}

/* Parses the header, finds the file key and checks the header MAC. */
static int open_header(struct reader *rd) {
        size_t end = 0, n_x25519 = 0;
        uint8_t mac[AGE_MAC_LEN];
        int r;

        r = read_header(rd, &end);
        if (r == 0)
                r = parse_header(rd, end);
        if (r == 0)
                r = check_x25519_stanzas(rd, &n_x25519);
        if (r == 0)
                r = unwrap_file_key(rd, n_x25519);
        if (r != 0)
                return r;

        r = age_header_mac(rd->sec->file_key, rd->hbuf, rd->hdr->mac_input_len, mac);
        if (r < 0)
                return r;
        if (sodium_memcmp(mac, rd->hdr->mac, AGE_MAC_LEN) != 0)
                return verdict(rd, AGE_HEADER_MAC, "The header MAC does not match: the header was altered.");

        /* Whatever followed the header in the read buffer is payload. */
        rd->have = rd->hbuf_len - end;
        memcpy(rd->cbuf, rd->hbuf + end, rd->have);
        rd->payload_start = end + AGE_PAYLOAD_NONCE_LEN;
        return 0;
}

static int fill(struct reader *rd, size_t want) {
        ssize_t n;

        if (rd->have >= want)
                return 0;
        n = source_pull(&rd->src, rd->cbuf + rd->have, want - rd->have);
        if (n < 0)
                return verdict(rd, AGE_IO_ERROR, "Reading the input failed: %s.", strerror((int) -n));
        rd->have += (size_t) n;
        return 0;
}

static int release(struct reader *rd, size_t len) {
        int r;

        if (rd->plain && len > 0) {
                r = rd->plain(rd->userdata, rd->cbuf, len);
                if (r < 0)
                        return verdict(rd, AGE_IO_ERROR, "Writing the plaintext failed: %s.", strerror(-r));
        }
        rd->res->intact_chunks++;
        rd->res->plaintext_bytes += len;
        return 0;
}

/* The payload nonce, then the payload key into the stream context; the file
 * key is wiped as soon as it has served. */
static int start_stream(struct reader *rd) {
        int r;

        r = fill(rd, AGE_PAYLOAD_NONCE_LEN);
        if (r != 0)
                return r;
        if (rd->have < AGE_PAYLOAD_NONCE_LEN)
                return verdict(rd, AGE_NOT_AGE, "The file ends before the payload nonce.");
        r = age_payload_key(rd->sec->file_key, rd->cbuf, rd->sec->payload_key);
        sodium_memzero(rd->sec->file_key, AGE_FILE_KEY_LEN);
        if (r < 0)
                return r;
        r = age_stream_new(rd->sec->payload_key, false, &rd->stream);
        sodium_memzero(rd->sec->payload_key, sizeof(rd->sec->payload_key));
        if (r < 0)
                return r;
        memmove(rd->cbuf, rd->cbuf + AGE_PAYLOAD_NONCE_LEN, rd->have - AGE_PAYLOAD_NONCE_LEN);
        rd->have -= AGE_PAYLOAD_NONCE_LEN;
        return 0;
}

static int tampered(struct reader *rd, uint64_t counter, uint64_t off) {
        rd->res->bad_offset = off;
        return verdict(rd, AGE_TAMPERED,
                       "Chunk %" PRIu64 " at byte offset %" PRIu64
                       " failed authentication: the file was altered.",
                       counter, off);
}

static int cut_at_boundary(struct reader *rd, uint64_t intact) {
        if (intact == 0)
                return verdict(rd, AGE_TRUNCATED, "The file ends before its first chunk.");
        return verdict(rd, AGE_TRUNCATED,
                       "The file ends after %" PRIu64
                       " intact chunks without the last chunk, cut at a chunk "
                       "boundary.",
                       intact);
}

/* A full-size chunk at the end of the file: the final one, or the last
 * intact one of a file cut at a chunk boundary. */
static int full_chunk_at_end(struct reader *rd, uint64_t counter, uint64_t off) {
        int r = age_stream_open_chunk(rd->stream, counter, true, rd->cbuf, rd->have, true);

        if (r == 0) {
                if (age_stream_open_chunk(rd->stream, counter, true, rd->cbuf, rd->have, false) < 0)
                        return -EIO; /* it just verified: the cipher failed */
                return release(rd, AGE_CHUNK_SIZE);
        }
        if (r != -EBADMSG)
                return r;
        r = age_stream_open_chunk(rd->stream, counter, false, rd->cbuf, rd->have, false);
        if (r == -EBADMSG)
                return tampered(rd, counter, off);
        if (r < 0)
                return r;
        r = release(rd, AGE_CHUNK_SIZE);
        return r != 0 ? r : cut_at_boundary(rd, counter + 1);
}

/* A short piece at the end must be the final chunk. */
static int short_chunk_at_end(struct reader *rd, uint64_t counter, uint64_t off) {
        int r = age_stream_open_chunk(rd->stream, counter, true, rd->cbuf, rd->have, false);

        if (r < 0 && r != -EBADMSG)
                return r;
        if (r < 0) {
                rd->res->unverifiable_bytes = rd->have;
                return verdict(rd, AGE_TRUNCATED,
                               "The file ends after %" PRIu64
                               " intact chunks without the last chunk; the %zu "
                               "bytes after them are unverifiable.",
                               counter, rd->have);
        }
        if (rd->have == AGE_TAG_LEN && counter > 0) {
                rd->res->bad_offset = off;
                return verdict(rd, AGE_TAMPERED,
                               "The file ends with an empty last chunk at byte offset %" PRIu64
                               ", which age forbids after data.",
                               off);
        }
        return release(rd, rd->have - AGE_TAG_LEN);
}

/* Chunk by chunk, with one byte of look-ahead: a chunk followed by more
 * data cannot be the last one. Whatever is released has authenticated. */
static int read_payload(struct reader *rd) {
        int r = start_stream(rd);

        for (uint64_t counter = 0; r == 0; counter++) {
                uint64_t off = rd->payload_start + counter * AGE_ENC_CHUNK_SIZE;

                r = fill(rd, AGE_ENC_CHUNK_SIZE + 1);
                if (r != 0)
                        return r;
                if (rd->have == 0)
                        return cut_at_boundary(rd, counter);
                if (rd->have == AGE_ENC_CHUNK_SIZE)
                        r = full_chunk_at_end(rd, counter, off);
                else if (rd->have < AGE_ENC_CHUNK_SIZE)
                        r = short_chunk_at_end(rd, counter, off);
                else {
                        r = age_stream_open_chunk(rd->stream, counter, false, rd->cbuf, AGE_ENC_CHUNK_SIZE,
                                                  false);
                        if (r == -EBADMSG)
                                return tampered(rd, counter, off);
                        if (r == 0)
                                r = release(rd, AGE_CHUNK_SIZE);
                        rd->cbuf[0] = rd->cbuf[AGE_ENC_CHUNK_SIZE];
                        rd->have = 1;
                        continue;
                }
                if (r == 0)
                        return verdict(rd, AGE_OK,
                                       "All %" PRIu64 " chunks (%" PRIu64
                                       " bytes of plaintext) are authentic.",
                                       rd->res->intact_chunks, rd->res->plaintext_bytes);
        }
        return r;
}

static int decrypt(struct source src, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks, age_plain_fn plain,
                   void *userdata, age_read_result *res) {
        struct reader rd = {
                .src = src,
                .sks = sks,
                .n_sks = n_sks,
                .plain = plain,
                .userdata = userdata,
                .res = res,
        };
        struct age_header hdr = {};
        int r;

        if (!res || (n_sks > 0 && !sks))
                return -EINVAL;
        memset(res, 0, sizeof(*res));
        res->verdict = AGE_IO_ERROR;
        if (sodium_init() < 0)
                return -EIO;
        rd.hdr = &hdr;
        rd.sec = sodium_malloc(sizeof(*rd.sec));
        rd.hbuf = malloc(AGE_HEADER_MAX);
        /* The header is found within its last HEADER_READ_STEP read, so
         * what follows it fits the chunk buffer. */
        rd.cbuf = malloc(AGE_ENC_CHUNK_SIZE + 1);
        if (!rd.sec || !rd.hbuf || !rd.cbuf) {
                r = -ENOMEM;
                goto out;
        }
        r = open_header(&rd);
        if (r == 0)
                r = read_payload(&rd);
        if (r == VERDICT_SET)
                r = 0;
out:
        age_header_done(&hdr);
        age_stream_free(rd.stream);
        if (rd.sec)
                sodium_free(rd.sec);
        if (rd.cbuf) {
                sodium_memzero(rd.cbuf, AGE_ENC_CHUNK_SIZE + 1);
                free(rd.cbuf);
        }
        free(rd.hbuf);
        return r;
}

int age_decrypt_fd(int fd, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks, age_plain_fn plain,
                   void *userdata, age_read_result *res) {
        if (fd < 0)
                return -EBADF;
        return decrypt((struct source){.fd = fd}, sks, n_sks, plain, userdata, res);
}

int age_decrypt_buf(const uint8_t *data, size_t len, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks,
                    age_plain_fn plain, void *userdata, age_read_result *res) {
        static const uint8_t empty[1];

        return decrypt((struct source){.fd = -1, .mem = data ? data : empty, .mem_len = data ? len : 0}, sks,
                       n_sks, plain, userdata, res);
}
