/* The age writer's test-only seam, kept out of age.h so that no production
 * code can reach it by accident: only the known-answer tests include this.
 * It fixes the file key, the payload nonce and each recipient stanza's
 * ephemeral secret instead of drawing them at random. */
#pragma once

#include "age.h"

struct age_writer_fixed {
        uint8_t file_key[AGE_FILE_KEY_LEN];
        uint8_t nonce[AGE_PAYLOAD_NONCE_LEN];
        uint8_t ephemeral[AGE_RECIPIENT_MAX][AGE_KEY_LEN];
};
int age_writer_new_fixed(const uint8_t (*recipients)[AGE_KEY_LEN], size_t n,
                         const struct age_writer_fixed *fixed, age_output_fn out, void *userdata,
                         age_writer **ret);
