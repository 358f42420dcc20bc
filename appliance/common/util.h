/* Small helpers shared by every module: cleanup attributes in the style of
 * systemd's alloc-util.h, ownership transfer, and bounded parsing. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership on: returns the value and leaves NULL/-EBADF behind. */
#define TAKE_PTR(p)                                                                                         \
        ({                                                                                                  \
                __typeof__(p) _p = (p);                                                                     \
                (p) = NULL;                                                                                 \
                _p;                                                                                         \
        })
#define TAKE_FD(fd)                                                                                         \
        ({                                                                                                  \
                int _fd = (fd);                                                                             \
                (fd) = -EBADF;                                                                              \
                _fd;                                                                                        \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a whole unsigned decimal number within [min, max]; -EINVAL or -ERANGE. */
int util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* Parses "20s", "5min", "1h", "1500ms" or a plain number of seconds into
 * nanoseconds. Refuses negative, empty, overflowing and unknown units. */
int util_parse_duration_ns(const char *s, uint64_t *ret_ns);

/* Parses "1GiB", "512MiB", "64KiB", "100MB" or plain bytes. */
int util_parse_size(const char *s, uint64_t *ret_bytes);

/* Lower-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void util_hex(const uint8_t *buf, size_t len, char *out);

/* Parses exactly 2*len hex digits into out. */
int util_unhex(const char *hex, uint8_t *out, size_t len);

/* "H:MM:SS" of a media time (whole seconds, cut down: a mark at 8.9 s is
 * "0:00:08"), as studioctl and the recorder print it. */
#define UTIL_HMS_MAX 32
void util_format_hms(uint64_t ns, char out[static UTIL_HMS_MAX]);

/* Whether name has the form the recorder gives a session's folder
 * (20261201T103200Z-1a2b3c4d: UTC time, a dash, 8 lowercase hex digits). */
bool util_session_id_valid(const char *name);
