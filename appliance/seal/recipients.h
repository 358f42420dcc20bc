/* The seal sink's recipients property, parsed (private to appliance/seal). */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "age.h"

/* TEXT's recipients into a new array of *ret_n public keys (g_free it):
 * -ENOKEY for none, -E2BIG for more than AGE_RECIPIENT_MAX, or for a word
 * age_recipient_parse refuses its error, with that word in *ret_bad. */
int seal_recipients_parse(const gchar *text, uint8_t (**ret)[AGE_KEY_LEN], size_t *ret_n, gchar **ret_bad);
