/* The age v1 header: version line, stanzas, and the MAC line. Parsing is
 * strict (one canonical spelling of every header) and bounded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "age-internal.h"
#include "util.h"

#define BODY_COLUMNS 64

static const char mac_label[] = "header";

ssize_t age_header_find_end(const uint8_t *buf, size_t len) {
        static const char prefix[] = "age-encryption.org/";
        size_t n = len < sizeof(prefix) - 1 ? len : sizeof(prefix) - 1, pos = 0;

        if (memcmp(buf, prefix, n) != 0)
                return -EINVAL;
        while (pos < len) {
                const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
                if (!nl)
                        break;
                if ((size_t) (nl - buf) - pos >= 3 && memcmp(buf + pos, "---", 3) == 0)
                        return nl - buf + 1;
                pos = (size_t) (nl - buf) + 1;
        }
        return len >= AGE_HEADER_MAX ? -E2BIG : 0;
}

static bool is_vchar_string(const char *s, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] < 33 || s[i] > 126)
                        return false;
        return true;
}

/* Splits "-> a b c" (NUL-terminated, writable) into args. */
static int parse_args(char *line, struct age_stanza *st) {
        char *p = line + 3;

        st->n_args = 0;
        for (;;) {
                char *sp = strchr(p, ' ');
                size_t len = sp ? (size_t) (sp - p) : strlen(p);
                if (!is_vchar_string(p, len))
                        return -EINVAL;
                if (st->n_args >= AGE_STANZA_ARGS_MAX)
                        return -E2BIG;
                st->args[st->n_args++] = p;
                if (!sp)
                        return 0;
                *sp = '\0';
                p = sp + 1;
        }
}

/* The header as NUL-separated lines, read one at a time. */
struct lines {
        struct age_header *h;
        size_t pos, len, body_used;
};

/* The next line and its start and length, or NULL past the end. */
static char *next_line(struct lines *l, size_t *ret_start, size_t *ret_len) {
        char *line = l->pos < l->len ? l->h->text + l->pos : NULL;

        if (!line)
                return NULL;
        *ret_start = l->pos;
        *ret_len = strlen(line);
        l->pos += *ret_len + 1;
        return line;
}

/* "-> type args…" then the body: full 64-column lines until a shorter
 * one, maybe empty. */
static int parse_stanza(struct lines *l, char *line) {
        struct age_header *h = l->h;
        struct age_stanza *st;
        int r;

        if (h->n_stanzas >= AGE_STANZA_MAX)
                return -E2BIG;
        st = &h->stanzas[h->n_stanzas++];
        r = parse_args(line, st);
        if (r < 0)
                return r;
        st->body = h->bodies + l->body_used;
        st->body_len = 0;
        for (;;) {
                size_t start, bl_len;
                char *bl = next_line(l, &start, &bl_len);

                if (!bl || bl_len > BODY_COLUMNS)
                        return -EINVAL;
                if (st->body_len + 48 > AGE_BODY_MAX)
                        return -E2BIG;
                r = age_b64_decode(bl, bl_len, h->bodies + l->body_used, l->len - l->body_used);
                if (r < 0)
                        return -EINVAL;
                l->body_used += (size_t) r;
                st->body_len += (size_t) r;
                if (bl_len < BODY_COLUMNS)
                        return 0;
        }
}

/* "--- <MAC>", the header's last line. */
static int parse_mac(struct lines *l, const char *line, size_t start, size_t line_len) {
        size_t mac_b64 = age_b64_encoded_len(AGE_MAC_LEN);

        if (line_len != 4 + mac_b64 || line[3] != ' ' || l->pos != l->len)
                return -EINVAL;
        if (age_b64_decode(line + 4, mac_b64, l->h->mac, sizeof(l->h->mac)) != AGE_MAC_LEN)
                return -EINVAL;
        l->h->mac_input_len = start + 3;
        return 0;
}

static int parse_lines(struct lines *l) {
        size_t start, line_len;
        char *line = next_line(l, &start, &line_len);
        int r;

        if (!line || line_len != strlen(AGE_VERSION_LINE) || strcmp(line, AGE_VERSION_LINE) != 0)
                return line && strncmp(line, "age-encryption.org/", 19) == 0 ? -EPROTONOSUPPORT : -EINVAL;
        for (;;) {
                line = next_line(l, &start, &line_len);
                if (!line)
                        return -EINVAL;
                if (strncmp(line, "-> ", 3) == 0)
                        r = parse_stanza(l, line);
                else if (strncmp(line, "---", 3) == 0)
                        return parse_mac(l, line, start, line_len);
                else
                        r = -EINVAL;
                if (r < 0)
                        return r;
        }
}

int age_header_parse(const uint8_t *buf, size_t len, struct age_header *ret) {
        struct age_header h = {};
        struct lines l = {.h = &h, .len = len};
        int r;

        if (len == 0 || len > AGE_HEADER_MAX || buf[len - 1] != '\n' || memchr(buf, '\0', len))
                return -EINVAL;
        h.text = malloc(len);
        h.bodies = malloc(len);
        if (!h.text || !h.bodies) {
                age_header_done(&h);
                return -ENOMEM;
        }
        memcpy(h.text, buf, len);
        /* Lines become strings (the header holds no NUL, checked above). */
        for (size_t i = 0; i < len; i++)
                if (h.text[i] == '\n')
                        h.text[i] = '\0';
        r = parse_lines(&l);
        if (r == 0 && h.n_stanzas == 0)
                r = -EINVAL;
        if (r < 0) {
                age_header_done(&h);
                return r;
        }
        h.len = len;
        *ret = h;
        return 0;
}

void age_header_done(struct age_header *h) {
        if (!h)
                return;
        free(h->text);
        free(h->bodies);
        h->text = NULL;
        h->bodies = NULL;
        h->n_stanzas = 0;
}

int age_header_mac(const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t *hdr, size_t mac_input_len,
                   uint8_t ret_mac[AGE_MAC_LEN]) {
        uint8_t key[AGE_MAC_LEN];
        int r;

        r = age_hkdf_sha256(file_key, AGE_FILE_KEY_LEN, NULL, 0, mac_label, key, sizeof(key));
        if (r < 0)
                return r;
        crypto_auth_hmacsha256(ret_mac, hdr, mac_input_len, key);
        sodium_memzero(key, sizeof(key));
        return 0;
}

ssize_t age_stanza_format(const char *const *args, size_t n_args, const uint8_t *body, size_t body_len,
                          char *out, size_t out_size) {
        size_t pos = 0;

#define PUT(src, n)                                                                                         \
        do {                                                                                                \
                if (pos + (n) > out_size)                                                                   \
                        return -ENOBUFS;                                                                    \
                memcpy(out + pos, (src), (n));                                                              \
                pos += (n);                                                                                 \
        } while (0)

        if (n_args == 0)
                return -EINVAL;
        PUT("->", 2);
        for (size_t i = 0; i < n_args; i++) {
                PUT(" ", 1);
                PUT(args[i], strlen(args[i]));
        }
        PUT("\n", 1);
        /* Whole 48-byte groups give full 64-column lines; the last line is
         * always shorter, and empty when the body fills its lines exactly. */
        for (size_t off = 0;; off += 48) {
                size_t n = body_len - off < 48 ? body_len - off : 48;
                size_t enc = age_b64_encoded_len(n);
                if (pos + enc + 1 > out_size)
                        return -ENOBUFS;
                age_b64_encode(body + off, n, out + pos);
                pos += enc;
                out[pos++] = '\n';
                if (enc < BODY_COLUMNS)
                        break;
        }
#undef PUT
        return (ssize_t) pos;
}

int age_header_len_fd(int fd, uint64_t *ret_len) {
        _cleanup_free_ uint8_t *buf = malloc(AGE_HEADER_MAX);
        size_t len = 0;

        if (!buf)
                return -ENOMEM;
        /* Grown a step at a time: a header is usually under a kilobyte. */
        while (len < AGE_HEADER_MAX) {
                size_t step = AGE_HEADER_MAX - len < 16384 ? AGE_HEADER_MAX - len : 16384;
                ssize_t n = pread(fd, buf + len, step, (off_t) len), end;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                len += (size_t) n;
                end = age_header_find_end(buf, len);
                if (end > 0) {
                        *ret_len = (uint64_t) end;
                        return 0;
                }
                if (end < 0 || n == 0)
                        return -EBADMSG;
        }
        return -EBADMSG;
}
