/* HKDF-SHA256 (RFC 5869) built on libsodium's HMAC-SHA256. */
#include <errno.h>
#include <string.h>

#include "age-internal.h"

int age_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                    const char *info, uint8_t *out, size_t out_len) {
        static const uint8_t no_salt[1];
        crypto_auth_hmacsha256_state st;
        uint8_t prk[crypto_auth_hmacsha256_BYTES], t[crypto_auth_hmacsha256_BYTES];
        size_t info_len = strlen(info), done = 0;
        uint8_t counter = 1;

        if (out_len == 0 || out_len > 255 * sizeof(t))
                return -EINVAL;

        /* Extract: an empty salt is a zero-length HMAC key (RFC 5869 2.2). */
        crypto_auth_hmacsha256_init(&st, salt_len > 0 ? salt : no_salt, salt_len);
        crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
        crypto_auth_hmacsha256_final(&st, prk);

        /* Expand. */
        while (done < out_len) {
                size_t n = out_len - done < sizeof(t) ? out_len - done : sizeof(t);
                crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
                if (done > 0)
                        crypto_auth_hmacsha256_update(&st, t, sizeof(t));
                crypto_auth_hmacsha256_update(&st, (const uint8_t *) info, info_len);
                crypto_auth_hmacsha256_update(&st, &counter, 1);
                crypto_auth_hmacsha256_final(&st, t);
                memcpy(out + done, t, n);
                done += n;
                counter++;
        }
        sodium_memzero(prk, sizeof(prk));
        sodium_memzero(t, sizeof(t));
        sodium_memzero(&st, sizeof(st));
        return 0;
}
