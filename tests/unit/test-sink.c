#include "test-sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int test_sink_append(void *userdata, const uint8_t *buf, size_t len) {
        test_sink *s = userdata;

        if (len > SIZE_MAX / 2 - s->len)
                return -ENOMEM;
        if (s->max && s->len + len > s->max)
                return -EFBIG;
        if (s->len + len > s->cap) {
                size_t cap = (s->len + len) * 2;
                uint8_t *p = realloc(s->data, cap);
                if (!p)
                        return -ENOMEM;
                s->data = p;
                s->cap = cap;
        }
        if (len > 0)
                memcpy(s->data + s->len, buf, len);
        s->len += len;
        return 0;
}

void test_sink_done(test_sink *s) {
        free(s->data);
        *s = (test_sink){0};
}
