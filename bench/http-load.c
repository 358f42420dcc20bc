/* http-load PORT CONNECTIONS REQUESTS [PATH]: a bounded loopback load
 * generator for studio-status (bench/status-load.sh). Each thread holds one
 * keep-alive connection to 127.0.0.1:PORT and sends REQUESTS/CONNECTIONS
 * GETs one after another, reading each whole answer (Content-Length).
 * Prints "requests N failed F seconds S rate R/s". Never asserts timings;
 * gives up after 60 s whatever happens. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int port;
static long per_thread;
static const char *path = "/status.json";
static double deadline;

typedef struct result {
        long ok, failed;
} result;

static double now_s(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static int connect_once(void) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
        struct timeval tv = {.tv_sec = 5};
        int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -1;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *) &a, sizeof(a)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

/* Reads one answer: headers, then Content-Length bytes. 0 on a 200. */
static int read_answer(int fd, char *buf, size_t size) {
        size_t have = 0;
        char *end = NULL, *cl;
        long body;

        while (!end) {
                ssize_t n = read(fd, buf + have, size - 1 - have);
                if (n <= 0)
                        return -1;
                have += (size_t) n;
                buf[have] = 0;
                end = strstr(buf, "\r\n\r\n");
                if (!end && have >= size - 1)
                        return -1;
        }
        cl = strcasestr(buf, "\r\nContent-Length:");
        if (!cl)
                return -1;
        body = strtol(cl + 17, NULL, 10);
        if (body < 0 || body > 1 << 20)
                return -1;
        for (long left = body - (long) (have - (size_t) (end + 4 - buf)); left > 0;) {
                ssize_t n = read(fd, buf, left < (long) size ? (size_t) left : size);
                if (n <= 0)
                        return -1;
                left -= n;
        }
        return strncmp(buf, "HTTP/1.1 200", 12) == 0 || strstr(buf, "HTTP/1.1 200") ? 0 : -1;
}

static void *run(void *arg) {
        result *r = arg;
        char req[256], buf[65536];
        int len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
        int fd = -1;

        for (long i = 0; i < per_thread && now_s() < deadline; i++) {
                if (fd < 0 && (fd = connect_once()) < 0) {
                        r->failed++;
                        continue;
                }
                if (write(fd, req, (size_t) len) != len || read_answer(fd, buf, sizeof(buf)) < 0) {
                        r->failed++;
                        close(fd);
                        fd = -1;
                        continue;
                }
                r->ok++;
        }
        if (fd >= 0)
                close(fd);
        return NULL;
}

int main(int argc, char **argv) {
        long conns, total;
        pthread_t th[64];
        result res[64] = {0};
        long ok = 0, failed = 0;
        double start, secs;

        if (argc < 4) {
                fprintf(stderr, "usage: http-load PORT CONNECTIONS REQUESTS [PATH]\n");
                return 2;
        }
        port = (int) strtol(argv[1], NULL, 10);
        conns = strtol(argv[2], NULL, 10);
        total = strtol(argv[3], NULL, 10);
        if (argc > 4)
                path = argv[4];
        if (port < 1 || port > 65535 || conns < 1 || conns > 64 || total < 1 || total > 10000000) {
                fprintf(stderr, "http-load: PORT 1..65535, CONNECTIONS 1..64, REQUESTS 1..10000000\n");
                return 2;
        }
        per_thread = total / conns;
        start = now_s();
        deadline = start + 60;
        for (long i = 0; i < conns; i++)
                pthread_create(&th[i], NULL, run, &res[i]);
        for (long i = 0; i < conns; i++) {
                pthread_join(th[i], NULL);
                ok += res[i].ok;
                failed += res[i].failed;
        }
        secs = now_s() - start;
        printf("requests %ld failed %ld seconds %.2f rate %.0f/s\n", ok, failed, secs, (double) ok / secs);
        return failed ? 1 : 0;
}
