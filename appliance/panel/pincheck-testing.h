/* Test seam of pincheck.c: how many Argon2id verifications ran. */
#pragma once

unsigned pincheck_kdf_runs(void);
