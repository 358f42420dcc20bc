/* Secrets in sodium_malloc'd memory (guarded pages, mlocked, wiped by
 * sodium_free) released at the end of their scope, in either cleanup
 * style:
 *
 *         _cleanup_sodium_free_ char *pin = sodium_malloc(size);    plain C
 *         g_auto(sodium_ptr) pin = sodium_malloc(size);              GLib code
 *
 * sodium_free accepts NULL. Header-only: including it needs libsodium,
 * which studio_common itself does not link. */
#pragma once

#include <glib.h>
#include <sodium.h>

#include "util.h"

static inline void sodium_freep(void *p) {
        sodium_free(*(void **) p);
}
#define _cleanup_sodium_free_ _cleanup_(sodium_freep)

/* sodium_malloc'd memory of any type under g_auto(); NULL holds nothing. */
typedef void *sodium_ptr;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC(sodium_ptr, sodium_free, NULL)
