/* A PIN check that costs the same whether the officer number exists or
 * not: an unknown number is verified against a dummy Argon2id hash made at
 * start with the parameters officers' hashes have, so that the time a
 * refusal takes does not tell someone at the keypad which numbers exist. */
#pragma once

#include "officers.h"

typedef struct pincheck pincheck;

/* Makes the dummy hash (one Argon2id run): 0, -ENOMEM or -EIO. */
int pincheck_new(pincheck **ret);
pincheck *pincheck_free(pincheck *p);
/* 0 when number and pin match, -ENOENT for an unknown number, -EACCES for a
 * wrong PIN: in every case after one Argon2id verification. */
int pincheck_verify(const pincheck *p, const officers *o, const char *number, const char *pin);
