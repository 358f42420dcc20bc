/* Decryption into an output file, hashing the plaintext on the way, so the
 * copy is checked against the signed manifest without being read again. */
#include <string.h>

#include "export.h"
#include "fsutil.h"

typedef struct sink {
        int fd;
        sha256_ctx *h;
} sink;

static int write_plain(void *userdata, const uint8_t *buf, size_t len) {
        sink *s = userdata;
        int r = fs_write_all(s->fd, buf, len);

        if (r < 0)
                return r;
        sha256_update(s->h, buf, len);
        return 0;
}

int export_decrypt_fd(const export_keys *k, int in_fd, int out_fd, age_read_result *res,
                      char ret_plaintext_sha256[SHA256_HEX_LEN + 1]) {
        sink s = {.fd = out_fd, .h = sha256_new()};
        uint8_t d[SHA256_LEN];
        int r;

        if (!s.h)
                return -ENOMEM;
        r = age_decrypt_fd(in_fd, (const uint8_t(*)[AGE_KEY_LEN]) k->sks, k->n, write_plain, &s, res);
        if (r >= 0)
                r = sha256_final(s.h, d);
        sha256_free(s.h);
        if (r < 0)
                return r;
        sha256_hex(d, ret_plaintext_sha256);
        return 0;
}

char *export_output_name(const char *sealed_name, bool salvaged) {
        g_autofree char *base = g_strdup(sealed_name);
        char *dot;

        if (g_str_has_suffix(base, ".age"))
                base[strlen(base) - 4] = '\0';
        if (!salvaged)
                return g_steal_pointer(&base);
        /* seg-000003.mkv -> seg-000003.salvaged.mkv: never mistaken for the whole file */
        dot = strrchr(base, '.');
        if (!dot || dot == base)
                return g_strconcat(base, ".salvaged", NULL);
        *dot = '\0';
        return g_strconcat(base, ".salvaged.", dot + 1, NULL);
}
