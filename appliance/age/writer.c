/* The age writer: header at once, then STREAM chunks. A full chunk is held
 * back until more plaintext arrives, so that only the final chunk carries
 * the last-chunk flag; sealing happens in one 64 KiB + 16 buffer, with no
 * copy when the caller hands over whole chunks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "age-internal.h"
#include "age-testing.h"

enum writer_state {
        WRITER_OPEN,
        WRITER_FINISHED,
        WRITER_FAILED,
};

struct writer_secrets {
        uint8_t file_key[AGE_FILE_KEY_LEN];
        uint8_t payload_key[AGE_STREAM_KEY_LEN]; /* only until the stream context holds it */
        uint8_t ephemeral[AGE_KEY_LEN];
};

struct age_writer {
        age_output_fn out;
        void *userdata;
        struct writer_secrets *sec; /* sodium_malloc: guarded, locked, wiped on free */
        EVP_CIPHER_CTX *stream;     /* keyed with the payload key; freeing it wipes the key */
        uint8_t *buf;               /* AGE_ENC_CHUNK_SIZE bytes */
        size_t fill;
        uint64_t counter;
        uint64_t plaintext_bytes;
        enum writer_state state;
        int error;
};

static void writer_wipe_keys(age_writer *w) {
        w->stream = age_stream_free(w->stream);
        if (w->sec) {
                sodium_free(w->sec); /* sodium_free wipes before unmapping */
                w->sec = NULL;
        }
}

static int writer_fail(age_writer *w, int r) {
        w->state = WRITER_FAILED;
        w->error = r;
        writer_wipe_keys(w);
        return r;
}

/* Builds the header (and payload nonce) into out; returns its length. */
static ssize_t writer_header(age_writer *w, const uint8_t (*recipients)[AGE_KEY_LEN], size_t n,
                             const struct age_writer_fixed *fixed,
                             const uint8_t nonce[AGE_PAYLOAD_NONCE_LEN], char *out, size_t out_size) {
        char share_b64[64];
        uint8_t share[AGE_KEY_LEN], body[AGE_WRAPPED_KEY_LEN], mac[AGE_MAC_LEN];
        size_t pos = 0, mac_b64 = age_b64_encoded_len(AGE_MAC_LEN);
        int r;

        memcpy(out, AGE_VERSION_LINE "\n", strlen(AGE_VERSION_LINE) + 1);
        pos = strlen(AGE_VERSION_LINE) + 1;
        for (size_t i = 0; i < n; i++) {
                const char *args[2] = {"X25519", share_b64};
                ssize_t l;

                if (fixed)
                        memcpy(w->sec->ephemeral, fixed->ephemeral[i], AGE_KEY_LEN);
                else
                        randombytes_buf(w->sec->ephemeral, AGE_KEY_LEN);
                r = age_x25519_wrap(recipients[i], w->sec->ephemeral, w->sec->file_key, share, body);
                sodium_memzero(w->sec->ephemeral, AGE_KEY_LEN);
                if (r < 0)
                        return r;
                age_b64_encode(share, AGE_KEY_LEN, share_b64);
                share_b64[age_b64_encoded_len(AGE_KEY_LEN)] = '\0';
                l = age_stanza_format(args, 2, body, sizeof(body), out + pos, out_size - pos);
                if (l < 0)
                        return l;
                pos += (size_t) l;
        }
        if (pos + 5 + mac_b64 + AGE_PAYLOAD_NONCE_LEN > out_size)
                return -ENOBUFS;
        memcpy(out + pos, "---", 3);
        pos += 3;
        r = age_header_mac(w->sec->file_key, (const uint8_t *) out, pos, mac);
        if (r < 0)
                return r;
        out[pos++] = ' ';
        age_b64_encode(mac, sizeof(mac), out + pos);
        pos += mac_b64;
        out[pos++] = '\n';
        memcpy(out + pos, nonce, AGE_PAYLOAD_NONCE_LEN);
        pos += AGE_PAYLOAD_NONCE_LEN;
        return (ssize_t) pos;
}

static int writer_new(const uint8_t (*recipients)[AGE_KEY_LEN], size_t n,
                      const struct age_writer_fixed *fixed, age_output_fn out, void *userdata,
                      age_writer **ret) {
        uint8_t nonce[AGE_PAYLOAD_NONCE_LEN];
        size_t hdr_size = 64 + n * 128 + 64 + AGE_PAYLOAD_NONCE_LEN;
        char *hdr = NULL;
        age_writer *w;
        ssize_t l;
        int r;

        if (!recipients || n == 0 || n > AGE_RECIPIENT_MAX || !out || !ret)
                return -EINVAL;
        if (sodium_init() < 0)
                return -EIO;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->out = out;
        w->userdata = userdata;
        w->sec = sodium_malloc(sizeof(*w->sec));
        w->buf = malloc(AGE_ENC_CHUNK_SIZE);
        hdr = malloc(hdr_size);
        if (!w->sec || !w->buf || !hdr) {
                r = -ENOMEM;
                goto fail;
        }
        if (fixed) {
                memcpy(w->sec->file_key, fixed->file_key, AGE_FILE_KEY_LEN);
                memcpy(nonce, fixed->nonce, AGE_PAYLOAD_NONCE_LEN);
        } else {
                randombytes_buf(w->sec->file_key, AGE_FILE_KEY_LEN);
                randombytes_buf(nonce, AGE_PAYLOAD_NONCE_LEN);
        }
        l = writer_header(w, recipients, n, fixed, nonce, hdr, hdr_size);
        if (l < 0) {
                r = (int) l;
                goto fail;
        }
        r = age_payload_key(w->sec->file_key, nonce, w->sec->payload_key);
        if (r < 0)
                goto fail;
        r = age_stream_new(w->sec->payload_key, true, &w->stream);
        sodium_memzero(w->sec->payload_key, sizeof(w->sec->payload_key));
        if (r < 0)
                goto fail;
        r = out(userdata, (const uint8_t *) hdr, (size_t) l);
        if (r < 0)
                goto fail;
        free(hdr);
        /* The file key's only remaining use is the payload key, already derived. */
        sodium_memzero(w->sec->file_key, AGE_FILE_KEY_LEN);
        *ret = w;
        return 0;
fail:
        free(hdr);
        age_writer_free(w);
        return r;
}

int age_writer_new(const uint8_t (*recipients)[AGE_KEY_LEN], size_t n, age_output_fn out, void *userdata,
                   age_writer **ret) {
        return writer_new(recipients, n, NULL, out, userdata, ret);
}

int age_writer_new_fixed(const uint8_t (*recipients)[AGE_KEY_LEN], size_t n,
                         const struct age_writer_fixed *fixed, age_output_fn out, void *userdata,
                         age_writer **ret) {
        if (!fixed)
                return -EINVAL;
        return writer_new(recipients, n, fixed, out, userdata, ret);
}

/* Seals len bytes from in (which may be w->buf) as the next chunk and emits it. */
static int writer_emit(age_writer *w, const uint8_t *in, size_t len, bool last) {
        int r;

        r = age_stream_seal_chunk(w->stream, w->counter, last, in, len, w->buf);
        if (r < 0)
                return writer_fail(w, r);
        r = w->out(w->userdata, w->buf, len + AGE_TAG_LEN);
        if (r < 0)
                return writer_fail(w, r);
        w->counter++;
        w->fill = 0;
        return 0;
}

static int writer_check(const age_writer *w) {
        if (!w)
                return -EINVAL;
        if (w->state == WRITER_FAILED)
                return w->error;
        if (w->state != WRITER_OPEN)
                return -EINVAL;
        return 0;
}

int age_writer_write(age_writer *w, const void *buf, size_t len) {
        const uint8_t *p = buf;
        int r;

        r = writer_check(w);
        if (r < 0)
                return r;
        if (len > 0 && !buf)
                return -EINVAL;
        while (len > 0) {
                size_t n;
                /* A held-back full chunk is certainly not the last one now. */
                if (w->fill == AGE_CHUNK_SIZE) {
                        r = writer_emit(w, w->buf, AGE_CHUNK_SIZE, false);
                        if (r < 0)
                                return r;
                }
                /* More than a chunk in hand: seal straight from the caller's
                 * buffer, skipping the copy. */
                if (w->fill == 0 && len > AGE_CHUNK_SIZE) {
                        r = writer_emit(w, p, AGE_CHUNK_SIZE, false);
                        if (r < 0)
                                return r;
                        p += AGE_CHUNK_SIZE;
                        len -= AGE_CHUNK_SIZE;
                        w->plaintext_bytes += AGE_CHUNK_SIZE;
                        continue;
                }
                n = AGE_CHUNK_SIZE - w->fill < len ? AGE_CHUNK_SIZE - w->fill : len;
                memcpy(w->buf + w->fill, p, n);
                w->fill += n;
                p += n;
                len -= n;
                w->plaintext_bytes += n;
        }
        return 0;
}

int age_writer_finish(age_writer *w) {
        int r;

        r = writer_check(w);
        if (r < 0)
                return r;
        r = writer_emit(w, w->buf, w->fill, true);
        if (r < 0)
                return r;
        w->state = WRITER_FINISHED;
        writer_wipe_keys(w);
        return 0;
}

age_writer *age_writer_free(age_writer *w) {
        if (!w)
                return NULL;
        writer_wipe_keys(w);
        if (w->buf) {
                sodium_memzero(w->buf, AGE_ENC_CHUNK_SIZE);
                free(w->buf);
        }
        free(w);
        return NULL;
}

uint64_t age_writer_plaintext_bytes(const age_writer *w) {
        return w ? w->plaintext_bytes : 0;
}
