/* A test-only command line around the age library, to check it against the
 * stock age tools:
 *   studio-age-tool encrypt -r age1… [-r …] [-R file] < in > out
 *   studio-age-tool decrypt -i keyfile < in > out
 *   studio-age-tool keygen > keyfile
 *   studio-age-tool recipient -i keyfile
 * decrypt exits 0 only when the whole file is authentic; otherwise it prints
 * the verdict on stderr and exits with 10 + the verdict number. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "fsutil.h"
#include "util.h"

#define READ_BLOCK (128 * 1024) /* two chunks: stays in cache, and lets the writer seal straight from it */

static int usage(void) {
        fprintf(stderr, "usage: studio-age-tool encrypt -r RECIPIENT [-r …] [-R FILE] < in > out\n"
                        "       studio-age-tool decrypt -i KEYFILE < in > out\n"
                        "       studio-age-tool keygen > keyfile\n"
                        "       studio-age-tool recipient -i KEYFILE\n");
        return 1;
}

static int write_out(void *userdata, const uint8_t *buf, size_t len) {
        return fs_write_all(*(int *) userdata, buf, len);
}

static int cmd_encrypt(int argc, char **argv) {
        static uint8_t pks[AGE_RECIPIENT_MAX][AGE_KEY_LEN];
        age_writer *w = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0;
        int out_fd = STDOUT_FILENO, r;

        for (int i = 2; i < argc; i++) {
                if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
                        if (n >= AGE_RECIPIENT_MAX) {
                                fprintf(stderr, "studio-age-tool: too many recipients\n");
                                return 1;
                        }
                        if (age_recipient_parse(argv[++i], pks[n]) < 0) {
                                fprintf(stderr,
                                        "studio-age-tool: '%s' is not an age recipient (expected age1…)\n",
                                        argv[i]);
                                return 1;
                        }
                        n++;
                } else if (strcmp(argv[i], "-R") == 0 && i + 1 < argc) {
                        size_t got = 0;
                        unsigned bad = 0;
                        r = age_recipients_file_read(argv[++i], pks + n, AGE_RECIPIENT_MAX - n, &got, &bad);
                        if (r < 0) {
                                fprintf(stderr, "studio-age-tool: recipients file %s line %u: %s\n", argv[i],
                                        bad, strerror(-r));
                                return 1;
                        }
                        n += got;
                } else
                        return usage();
        }
        if (n == 0)
                return usage();
        buf = malloc(READ_BLOCK);
        if (!buf)
                return 1;
        r = age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pks, n, write_out, &out_fd, &w);
        if (r < 0) {
                fprintf(stderr, "studio-age-tool: cannot start the file: %s\n", strerror(-r));
                return 1;
        }
        for (;;) {
                ssize_t got = read(STDIN_FILENO, buf, READ_BLOCK);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0) {
                        r = -errno;
                        break;
                }
                if (got == 0) {
                        r = age_writer_finish(w);
                        break;
                }
                r = age_writer_write(w, buf, (size_t) got);
                if (r < 0)
                        break;
        }
        age_writer_free(w);
        if (r < 0) {
                fprintf(stderr, "studio-age-tool: encryption failed: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}

static int read_identities(int argc, char **argv, uint8_t (**ret_sks)[AGE_KEY_LEN], size_t *ret_n) {
        unsigned bad = 0;
        int r;

        if (argc != 4 || strcmp(argv[2], "-i") != 0)
                return usage();
        r = age_identities_file_read(argv[3], ret_sks, ret_n, &bad);
        if (r < 0) {
                fprintf(stderr, "studio-age-tool: identity file %s line %u: %s\n", argv[3], bad,
                        strerror(-r));
                return 1;
        }
        return 0;
}

static int cmd_decrypt(int argc, char **argv) {
        uint8_t(*sks)[AGE_KEY_LEN] = NULL;
        age_read_result res;
        size_t n = 0;
        int out_fd = STDOUT_FILENO, r;

        r = read_identities(argc, argv, &sks, &n);
        if (r != 0)
                return r;
        r = age_decrypt_fd(STDIN_FILENO, (const uint8_t(*)[AGE_KEY_LEN]) sks, n, write_out, &out_fd, &res);
        sodium_free(sks);
        if (r < 0) {
                fprintf(stderr, "studio-age-tool: decryption failed: %s\n", strerror(-r));
                return 1;
        }
        if (res.verdict != AGE_OK) {
                fprintf(stderr,
                        "studio-age-tool: %s: %s (intact_chunks=%llu bad_offset=%llu "
                        "unverifiable_bytes=%llu)\n",
                        age_verdict_to_string(res.verdict), res.detail,
                        (unsigned long long) res.intact_chunks, (unsigned long long) res.bad_offset,
                        (unsigned long long) res.unverifiable_bytes);
                return 10 + (int) res.verdict;
        }
        return 0;
}

static int cmd_keygen(void) {
        uint8_t *sk = sodium_malloc(AGE_KEY_LEN);
        uint8_t pk[AGE_KEY_LEN];
        _cleanup_free_ char *rcpt = NULL;
        char *id = NULL, when[64] = "";
        time_t now = time(NULL);
        struct tm tm;

        if (!sk)
                return 1;
        randombytes_buf(sk, AGE_KEY_LEN);
        if (age_identity_to_recipient(sk, pk) < 0 || !(rcpt = age_recipient_format(pk)) ||
            !(id = age_identity_format(sk))) {
                sodium_free(sk);
                return 1;
        }
        if (gmtime_r(&now, &tm))
                (void) strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        printf("# created: %s\n# public key: %s\n%s\n", when, rcpt, id);
        sodium_free(id);
        sodium_free(sk);
        return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_recipient(int argc, char **argv) {
        uint8_t(*sks)[AGE_KEY_LEN] = NULL;
        size_t n = 0;
        int r;

        r = read_identities(argc, argv, &sks, &n);
        if (r != 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                uint8_t pk[AGE_KEY_LEN];
                _cleanup_free_ char *s = NULL;
                if (age_identity_to_recipient(sks[i], pk) < 0 || !(s = age_recipient_format(pk))) {
                        r = 1;
                        break;
                }
                printf("%s\n", s);
        }
        sodium_free(sks);
        return r;
}

int main(int argc, char **argv) {
        if (sodium_init() < 0)
                return 1;
        if (argc < 2)
                return usage();
        if (strcmp(argv[1], "encrypt") == 0)
                return cmd_encrypt(argc, argv);
        if (strcmp(argv[1], "decrypt") == 0)
                return cmd_decrypt(argc, argv);
        if (strcmp(argv[1], "keygen") == 0 && argc == 2)
                return cmd_keygen();
        if (strcmp(argv[1], "recipient") == 0)
                return cmd_recipient(argc, argv);
        return usage();
}
