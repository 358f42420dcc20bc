/* bench-sigs-only: the floor for checking a custody log, its Ed25519
 * signatures alone on one core. Reads the log through a fixed buffer (as
 * the verifier should: memory independent of the log's length) and for
 * each line takes custody_line_signed_bytes and minisign_verify_detached,
 * nothing else: no JSON, no chain, no files.
 *
 *   bench-sigs-only DEVICE.pub custody.jsonl
 *
 * Prints "LINES signatures in WALL s wall, CPU s cpu (US us each)"; exits 1
 * when a line does not verify (a benchmark of a failing check measures
 * nothing). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "custody.h"
#include "fdutil.h"
#include "minisign.h"
#include "util.h"

static double seconds(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int check_line(const minisign_public *pk, const char *line, size_t len) {
        g_autofree char *msg = NULL;
        uint8_t sig[MINISIGN_SIG_LEN];
        size_t msg_len = 0;
        int r = custody_line_signed_bytes(line, len, &msg, &msg_len, sig);

        if (r < 0)
                return r;
        return minisign_verify_detached(pk, (const uint8_t *) msg, msg_len, sig);
}

int main(int argc, char **argv) {
        g_auto(fd_owned) fd = -EBADF;
        g_autofree char *buf = NULL;
        minisign_public pk;
        size_t have = 0, cap = 2 * CUSTODY_LINE_MAX;
        uint64_t lines = 0;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: bench-sigs-only DEVICE.pub custody.jsonl\n");
                return 1;
        }
        if (sodium_init() < 0 || minisign_public_load(argv[1], &pk) < 0) {
                fprintf(stderr, "bench-sigs-only: %s is not a minisign public key\n", argv[1]);
                return 1;
        }
        fd = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "bench-sigs-only: cannot open %s: %s\n", argv[2], strerror(errno));
                return 1;
        }
        buf = g_malloc(cap);
        double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (;;) {
                ssize_t n = read(fd, buf + have, cap - have);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        fprintf(stderr, "bench-sigs-only: reading %s: %s\n", argv[2], strerror(errno));
                        return 1;
                }
                have += (size_t) n;
                char *p = buf, *end = buf + have, *nl;
                while ((nl = memchr(p, '\n', (size_t) (end - p)))) {
                        r = check_line(&pk, p, (size_t) (nl - p));
                        lines++;
                        if (r < 0) {
                                fprintf(stderr, "bench-sigs-only: line %" PRIu64 " does not verify: %s\n",
                                        lines, strerror(-r));
                                return 1;
                        }
                        p = nl + 1;
                }
                have = (size_t) (end - p);
                memmove(buf, p, have);
                if (n == 0)
                        break;
                if (have == cap) {
                        fprintf(stderr, "bench-sigs-only: line %" PRIu64 " is longer than %d bytes\n",
                                lines + 1, CUSTODY_LINE_MAX);
                        return 1;
                }
        }
        double wall = seconds(CLOCK_MONOTONIC) - wall0, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        if (have > 0) {
                fprintf(stderr, "bench-sigs-only: %zu bytes after the last line\n", have);
                return 1;
        }
        printf("%" PRIu64 " signatures in %.3f s wall, %.3f s cpu (%.2f us each)\n", lines, wall, cpu,
               lines ? cpu * 1e6 / (double) lines : 0.0);
        return 0;
}
