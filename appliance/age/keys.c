/* age X25519 keys in their Bech32 spellings, and key files as stock age and
 * age-keygen read and write them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "age-internal.h"
#include "fsutil.h"
#include "util.h"

#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "age-secret-key-"
#define KEY_FILE_MAX (1024 * 1024)
#define IDENTITIES_MAX 1024

static int parse_key(const char *s, const char *hrp, bool upper, uint8_t ret[AGE_KEY_LEN]) {
        char got_hrp[AGE_BECH32_MAX + 1];
        uint8_t data[AGE_KEY_LEN + 8];
        size_t len;
        int r;

        if (!s)
                return -EINVAL;
        /* Only the spelling age-keygen prints: recipients lower case,
         * identities upper case. */
        for (const char *p = s; *p; p++)
                if (upper ? (*p >= 'a' && *p <= 'z') : (*p >= 'A' && *p <= 'Z'))
                        return -EINVAL;
        r = age_bech32_decode(s, got_hrp, sizeof(got_hrp), data, sizeof(data), &len);
        if (r < 0 || strcmp(got_hrp, hrp) != 0 || len != AGE_KEY_LEN) {
                sodium_memzero(data, sizeof(data));
                return -EINVAL;
        }
        memcpy(ret, data, AGE_KEY_LEN);
        sodium_memzero(data, sizeof(data));
        return 0;
}

/* A point of small order (the all-zero point, the other seven small-order
 * points of Curve25519 and their non-canonical encodings) gives an all-zero
 * shared secret whatever the ephemeral key: a file key wrapped to it is
 * readable by anyone, and the writer refuses it halfway through a recording.
 * X25519 with any fixed non-zero scalar (clamped to a multiple of the
 * cofactor) yields zero exactly for those points, which libsodium reports
 * as -1. */
static bool low_order(const uint8_t pk[AGE_KEY_LEN]) {
        static const uint8_t probe[crypto_scalarmult_SCALARBYTES] = {9};
        uint8_t q[crypto_scalarmult_BYTES];
        int r = crypto_scalarmult(q, probe, pk);

        sodium_memzero(q, sizeof(q));
        return r != 0;
}

/* Anywhere in the text and in any case: a secret pasted next to a recipient
 * or lower-cased is still a secret, and whoever prints the refusal must
 * know not to show it. */
static bool holds_secret(const char *s) {
        return s && strcasestr(s, AGE_SECRET_PREFIX);
}

int age_recipient_parse(const char *s, uint8_t ret_pk[AGE_KEY_LEN]) {
        uint8_t pk[AGE_KEY_LEN];
        int r;

        if (holds_secret(s))
                return -EPERM;
        r = parse_key(s, RECIPIENT_HRP, false, pk);
        if (r < 0)
                return r;
        if (low_order(pk))
                return -EKEYREJECTED;
        memcpy(ret_pk, pk, AGE_KEY_LEN);
        return 0;
}

const char *age_recipient_shown(const char *s) {
        return holds_secret(s) ? AGE_SECRET_PREFIX "…" : s ? s : "";
}

const char *age_recipient_refusal(int r) {
        if (r == -EPERM)
                return "is a secret identity, not a recipient: give its public key (age-keygen -y)";
        if (r == -EKEYREJECTED)
                return "is a low-order X25519 point, not a usable recipient: give the vault's age1… "
                       "recipient (as printed by studio-keys vault-init or age-keygen -y)";
        return "is not an age recipient (expected age1… as printed by studio-keys vault-init or "
               "age-keygen -y)";
}

char *age_recipient_format(const uint8_t pk[AGE_KEY_LEN]) {
        char buf[AGE_BECH32_MAX + 1];

        if (age_bech32_encode(RECIPIENT_HRP, pk, AGE_KEY_LEN, false, buf, sizeof(buf)) < 0)
                return NULL;
        return strdup(buf);
}

int age_identity_parse(const char *s, uint8_t ret_sk[AGE_KEY_LEN]) {
        return parse_key(s, IDENTITY_HRP, true, ret_sk);
}

char *age_identity_format(const uint8_t sk[AGE_KEY_LEN]) {
        char buf[AGE_BECH32_MAX + 1];
        char *ret;
        int len;

        len = age_bech32_encode(IDENTITY_HRP, sk, AGE_KEY_LEN, true, buf, sizeof(buf));
        if (len < 0)
                return NULL;
        ret = sodium_malloc((size_t) len + 1);
        if (ret)
                memcpy(ret, buf, (size_t) len + 1);
        sodium_memzero(buf, sizeof(buf));
        return ret;
}

int age_identity_to_recipient(const uint8_t sk[AGE_KEY_LEN], uint8_t ret_pk[AGE_KEY_LEN]) {
        return crypto_scalarmult_base(ret_pk, sk) == 0 ? 0 : -EINVAL;
}

/* Calls fn for each line that is not blank or a '#' comment, with trailing
 * whitespace (and a CR) removed. The buffer is modified in place. */
static int for_each_key_line(char *data, size_t len, int (*fn)(void *ud, const char *line), void *ud,
                             unsigned *ret_bad_line) {
        unsigned lineno = 0;
        size_t pos = 0;

        while (pos < len) {
                char *line = data + pos, *nl = memchr(line, '\n', len - pos);
                size_t l = nl ? (size_t) (nl - line) : len - pos;
                int r;

                pos += l + 1;
                lineno++;
                while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == '\r'))
                        l--;
                line[l] = '\0';
                if (l == 0 || line[0] == '#')
                        continue;
                if (strlen(line) != l) {
                        *ret_bad_line = lineno;
                        return -EINVAL;
                }
                r = fn(ud, line);
                if (r < 0) {
                        *ret_bad_line = lineno;
                        return r;
                }
        }
        return 0;
}

static void wipe_and_free(char **p, size_t len) {
        if (*p) {
                sodium_memzero(*p, len);
                free(*p);
                *p = NULL;
        }
}

struct recipients_ctx {
        uint8_t (*pks)[AGE_KEY_LEN];
        size_t max, n;
};

static int add_recipient(void *ud, const char *line) {
        struct recipients_ctx *c = ud;
        uint8_t pk[AGE_KEY_LEN];

        int r = age_recipient_parse(line, pk);

        if (r < 0)
                return r;
        if (c->n >= c->max)
                return -E2BIG;
        memcpy(c->pks[c->n++], pk, AGE_KEY_LEN);
        return 0;
}

int age_recipients_file_read(const char *path, uint8_t (*pks)[AGE_KEY_LEN], size_t max, size_t *ret_count,
                             unsigned *ret_bad_line) {
        _cleanup_free_ char *data = NULL;
        struct recipients_ctx c = {.pks = pks, .max = max};
        unsigned bad = 0;
        size_t len;
        int r;

        r = fs_read_file(path, KEY_FILE_MAX, &data, &len);
        if (r < 0)
                return r;
        r = for_each_key_line(data, len, add_recipient, &c, &bad);
        if (r < 0) {
                if (ret_bad_line)
                        *ret_bad_line = bad;
                return r;
        }
        if (ret_count)
                *ret_count = c.n;
        return (int) c.n;
}

struct identities_ctx {
        uint8_t (*sks)[AGE_KEY_LEN];
        size_t n, cap;
};

static int add_identity(void *ud, const char *line) {
        struct identities_ctx *c = ud;

        if (c->n >= c->cap)
                return -E2BIG;
        if (age_identity_parse(line, c->sks[c->n]) < 0)
                return -EINVAL;
        c->n++;
        return 0;
}

int age_identities_file_read(const char *path, uint8_t (**ret_sks)[AGE_KEY_LEN], size_t *ret_count,
                             unsigned *ret_bad_line) {
        char *data = NULL;
        struct identities_ctx c = {};
        unsigned bad = 0;
        size_t len = 0;
        int r;

        r = fs_read_file(path, KEY_FILE_MAX, &data, &len);
        if (r < 0)
                return r;
        /* An identity takes 74 characters, so len / 64 + 1 slots hold all
         * the identities the file can contain. */
        c.cap = len / 64 + 1 < IDENTITIES_MAX ? len / 64 + 1 : IDENTITIES_MAX;
        c.sks = sodium_allocarray(c.cap, AGE_KEY_LEN);
        if (!c.sks) {
                wipe_and_free(&data, len);
                return -ENOMEM;
        }
        r = for_each_key_line(data, len, add_identity, &c, &bad);
        wipe_and_free(&data, len);
        if (r == 0 && c.n == 0)
                r = -ENOKEY;
        if (r < 0) {
                sodium_free(c.sks);
                if (ret_bad_line)
                        *ret_bad_line = bad;
                return r;
        }
        *ret_sks = c.sks;
        *ret_count = c.n;
        return 0;
}
