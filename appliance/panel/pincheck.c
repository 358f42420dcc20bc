/* Equal-cost PIN checks (see pincheck.h). */
#include <errno.h>
#include <glib.h>
#include <sodium.h>
#include <string.h>

#include "pincheck-testing.h"
#include "pincheck.h"

/* the parameters officers_add() hashes with */
#define PINCHECK_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PINCHECK_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

struct pincheck {
        char dummy[crypto_pwhash_STRBYTES];
};

static gint kdf_runs;

unsigned pincheck_kdf_runs(void) {
        return (unsigned) g_atomic_int_get(&kdf_runs);
}

int pincheck_new(pincheck **ret) {
        unsigned char secret[32];
        pincheck *p;

        if (sodium_init() < 0)
                return -EIO;
        p = g_new0(pincheck, 1);
        /* a PIN nobody can type: the dummy never matches */
        randombytes_buf(secret, sizeof(secret));
        if (crypto_pwhash_str(p->dummy, (const char *) secret, sizeof(secret), PINCHECK_OPSLIMIT,
                              PINCHECK_MEMLIMIT) != 0) {
                sodium_memzero(secret, sizeof(secret));
                g_free(p);
                return -ENOMEM;
        }
        sodium_memzero(secret, sizeof(secret));
        *ret = p;
        return 0;
}

pincheck *pincheck_free(pincheck *p) {
        g_free(p);
        return NULL;
}

int pincheck_verify(const pincheck *p, const officers *o, const char *number, const char *pin) {
        const char *hash = o ? officers_pin_hash(o, number) : NULL;
        size_t len = pin ? strnlen(pin, OFFICERS_PIN_MAX + 1) : 0;
        int ok;

        if (len > OFFICERS_PIN_MAX)
                len = OFFICERS_PIN_MAX; /* verified (and refused) all the same */
        g_atomic_int_inc(&kdf_runs);
        ok = crypto_pwhash_str_verify(hash ? hash : p->dummy, pin ? pin : "", len) == 0;
        if (!hash)
                return -ENOENT;
        return ok && pin && strlen(pin) == len ? 0 : -EACCES;
}
