#include "keygen.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "fsutil.h"
#include "key-files.h"
#include "minisign.h"
#include "util.h"

/* Builds the identity file text in locked memory. */
static int vault_text(const uint8_t sk[AGE_KEY_LEN], char **ret_text, char **ret_recipient) {
        uint8_t pk[AGE_KEY_LEN];
        char created[32], *identity, *text;
        _cleanup_free_ char *recipient = NULL;
        size_t size;
        int r;

        r = age_identity_to_recipient(sk, pk);
        if (r < 0)
                return r;
        recipient = age_recipient_format(pk);
        identity = age_identity_format(sk);
        if (!recipient || !identity) {
                sodium_free(identity);
                return -ENOMEM;
        }
        keys_time_rfc3339(time(NULL), false, created);
        size = strlen(created) + strlen(recipient) + strlen(identity) + 64;
        text = sodium_malloc(size);
        if (text)
                snprintf(text, size, "# created: %s\n# public key: %s\n%s\n", created, recipient, identity);
        sodium_free(identity);
        if (!text)
                return -ENOMEM;
        *ret_text = text;
        *ret_recipient = TAKE_PTR(recipient);
        return 0;
}

static int vault_write(const char *out, const char *text) {
        _cleanup_close_ int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        int r;

        if (fd < 0)
                return -errno;
        r = fs_write_all(fd, text, strlen(text));
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0)
                r = fs_fsync_parent(out);
        if (r < 0)
                (void) unlink(out);
        return r;
}

int keys_vault_identity_generate(const char *out, char **ret_recipient) {
        _cleanup_free_ char *recipient = NULL;
        uint8_t *sk;
        char *text = NULL;
        int r;

        if (keys_exists(out))
                return -EEXIST;
        if (sodium_init() < 0 || !(sk = sodium_malloc(AGE_KEY_LEN)))
                return -ENOMEM;
        randombytes_buf(sk, AGE_KEY_LEN);
        r = vault_text(sk, &text, &recipient);
        sodium_free(sk);
        if (r < 0)
                return r;
        r = vault_write(out, text);
        sodium_free(text);
        if (r < 0)
                return r;
        *ret_recipient = TAKE_PTR(recipient);
        return 0;
}

static void default_device_id(const minisign_public *pk, char *out, size_t size) {
        char host[65] = "", hex[2 * MINISIGN_KEY_ID_LEN + 1];

        if (gethostname(host, sizeof host - 1) < 0 || host[0] == '\0')
                snprintf(host, sizeof host, "unknown");
        for (char *c = host; *c; c++)
                *c = isalnum((unsigned char) *c) ? (char) tolower((unsigned char) *c) : '-';
        minisign_key_id_hex(pk->key_id, hex);
        for (char *c = hex; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        (void) snprintf(out, size, "studio-%.40s-%.8s", host, hex);
}

int keys_device_generate(const char *key_path, const char *pub_path, const char *const *id_paths,
                         const char *device_id) {
        minisign_secret *sk = NULL;
        minisign_public pk;
        char id[128];
        int r;

        if (device_id && !keys_device_id_valid(device_id))
                return -EINVAL;
        if (keys_exists(key_path) || keys_exists(pub_path))
                return -EEXIST;
        for (size_t i = 0; id_paths[i]; i++)
                if (keys_exists(id_paths[i]))
                        return -EEXIST;
        r = minisign_secret_generate(&sk);
        if (r < 0)
                return r;
        minisign_secret_public(sk, &pk);
        r = minisign_secret_save(sk, key_path, pub_path);
        sk = minisign_secret_free(sk);
        if (r < 0)
                return r;
        if (device_id)
                snprintf(id, sizeof id, "%s\n", device_id);
        else {
                default_device_id(&pk, id, sizeof id - 1);
                strncat(id, "\n", sizeof id - strlen(id) - 1);
        }
        for (size_t i = 0; id_paths[i]; i++) {
                r = fs_write_atomic(id_paths[i], id, strlen(id), 0644);
                if (r < 0)
                        return r;
        }
        return 0;
}
