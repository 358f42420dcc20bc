/* The S3 credentials file ([uploader] credentials_file, or the intake's):
 * the access key and the secret key on two lines, read once into locked
 * memory, refused when others can read it. */
#pragma once

#include <glib.h>

#define S3_CREDS_MAX 512

/* The credentials live only here: sodium_malloc'd, locked, wiped on free. */
typedef struct s3_creds {
        char userpwd[S3_CREDS_MAX + 2]; /* "ACCESS:SECRET" as CURLOPT_USERPWD wants */
} s3_creds;

/* Needs sodium_init() done. */
int s3_creds_load(const char *path, s3_creds **ret, gchar **ret_message);
s3_creds *s3_creds_free(s3_creds *c);
