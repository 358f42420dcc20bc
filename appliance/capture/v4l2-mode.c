/* Which of the modes a camera offers the recording asks for (probe-internal.h).
 * Pure, so that every camera's table can be tried in a test on a machine
 * without one. */
#include <errno.h>
#include <linux/videodev2.h>
#include <math.h>

#include "probe-internal.h"

static const struct {
        uint32_t fourcc;
        const char *caps;
} formats[] = {
        /* what UVC cameras and capture cards offer raw; GStreamer's names */
        {V4L2_PIX_FMT_YUYV, "video/x-raw,format=YUY2"},
        {V4L2_PIX_FMT_UYVY, "video/x-raw,format=UYVY"},
        {V4L2_PIX_FMT_YVYU, "video/x-raw,format=YVYU"},
        {V4L2_PIX_FMT_NV12, "video/x-raw,format=NV12"},
        {V4L2_PIX_FMT_NV21, "video/x-raw,format=NV21"},
        {V4L2_PIX_FMT_NV16, "video/x-raw,format=NV16"},
        {V4L2_PIX_FMT_YUV420, "video/x-raw,format=I420"},
        {V4L2_PIX_FMT_YVU420, "video/x-raw,format=YV12"},
        {V4L2_PIX_FMT_YUV422P, "video/x-raw,format=Y42B"},
        {V4L2_PIX_FMT_GREY, "video/x-raw,format=GRAY8"},
        {V4L2_PIX_FMT_RGB24, "video/x-raw,format=RGB"},
        {V4L2_PIX_FMT_BGR24, "video/x-raw,format=BGR"},
        {V4L2_PIX_FMT_XRGB32, "video/x-raw,format=BGRx"},
        {V4L2_PIX_FMT_XBGR32, "video/x-raw,format=xRGB"},
        {V4L2_PIX_FMT_RGB565, "video/x-raw,format=RGB16"},
        {V4L2_PIX_FMT_MJPEG, "image/jpeg"},
        {V4L2_PIX_FMT_JPEG, "image/jpeg"},
};

const char *capture_v4l2_format_caps(uint32_t fourcc) {
        for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
                if (formats[i].fourcc == fourcc)
                        return formats[i].caps;
        return NULL;
}

static bool is_jpeg(uint32_t fourcc) {
        return fourcc == V4L2_PIX_FMT_MJPEG || fourcc == V4L2_PIX_FMT_JPEG;
}

static bool valid(const capture_v4l2_mode *m) {
        return m->width > 0 && m->height > 0 && m->interval_num > 0 && m->interval_den > 0;
}

static double rate(const capture_v4l2_mode *m) {
        return (double) m->interval_den / m->interval_num;
}

/* Lower is better, compared field by field in this order. */
typedef struct rank {
        int slow;        /* 0: at the framerate */
        double slowness; /* only among slow modes: the faster the better */
        int size_class;  /* 0 exact, 1 larger (scaled down), 2 smaller (scaled up) */
        double distance; /* how far from the picture (see rank_of) */
        int jpeg;
        double rate_off; /* the rate nearest the profile's: less USB bandwidth */
} rank;

static rank rank_of(const capture_v4l2_mode *m, uint32_t w, uint32_t h, int fps) {
        double area = (double) m->width * m->height, want = (double) w * h;
        rank r = {.slow = rate(m) < 0.99 * fps, .jpeg = is_jpeg(m->fourcc)};

        r.slowness = r.slow ? -rate(m) : 0;
        if (m->width == w && m->height == h)
                r.size_class = 0;
        else if (m->width >= w && m->height >= h)
                r.size_class = 1;
        else
                r.size_class = 2;
        /* larger: the extra pixels to scale away; smaller: how far the
         * tighter side falls short (1920x480 has the area of 1280x720, but
         * is two thirds of its height) */
        if (r.size_class == 1)
                r.distance = (area - want) / want;
        else if (r.size_class == 2)
                r.distance = 1 - fmin((double) m->width / w, (double) m->height / h);
        r.rate_off = fabs(rate(m) - fps);
        return r;
}

static int rank_cmp(const rank *a, const rank *b) {
        if (a->slow != b->slow)
                return a->slow - b->slow;
        if (a->slowness != b->slowness)
                return a->slowness < b->slowness ? -1 : 1;
        if (a->size_class != b->size_class)
                return a->size_class - b->size_class;
        if (a->distance != b->distance)
                return a->distance < b->distance ? -1 : 1;
        if (a->jpeg != b->jpeg)
                return a->jpeg - b->jpeg;
        if (a->rate_off != b->rate_off)
                return a->rate_off < b->rate_off ? -1 : 1;
        return 0;
}

/* "YUYV", or the code in hex when the driver's letters are not printable. */
static void append_fourcc(GString *s, uint32_t fourcc) {
        char c[4] = {fourcc & 0xff, (fourcc >> 8) & 0xff, (fourcc >> 16) & 0xff, (fourcc >> 24) & 0xff};

        for (size_t i = 0; i < 4; i++)
                if (!g_ascii_isalnum(c[i]) && c[i] != ' ' && c[i] != '_') {
                        g_string_append_printf(s, "0x%08x", fourcc);
                        return;
                }
        g_string_append_len(s, c, 4);
        while (s->len > 0 && s->str[s->len - 1] == ' ')
                g_string_truncate(s, s->len - 1);
}

/* "offers no picture format GStreamer can record (it offers H264, S920)" */
static gchar *no_format_message(const capture_v4l2_mode *modes, size_t n) {
        GString *s = g_string_new("offers no picture format the recording can take (it offers ");
        uint32_t seen[8];
        size_t k = 0;

        for (size_t i = 0; i < n && k < G_N_ELEMENTS(seen); i++) {
                bool dup = false;
                for (size_t j = 0; j < k; j++)
                        dup = dup || seen[j] == modes[i].fourcc;
                if (dup)
                        continue;
                if (k)
                        g_string_append(s, ", ");
                append_fourcc(s, modes[i].fourcc);
                seen[k++] = modes[i].fourcc;
        }
        g_string_append(s, "; it needs YUYV, NV12, I420 or MJPEG)");
        return g_string_free(s, FALSE);
}

int capture_v4l2_choose_mode(const capture_v4l2_mode *modes, size_t n, int width, int height, int fps,
                             capture_v4l2_mode *ret, gchar **ret_message) {
        const capture_v4l2_mode *best = NULL;
        rank best_rank = {0};
        size_t sized = 0;

        if (width <= 0 || height <= 0 || fps <= 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                rank r;
                if (!valid(&modes[i]))
                        continue;
                sized++;
                if (!capture_v4l2_format_caps(modes[i].fourcc))
                        continue;
                r = rank_of(&modes[i], width, height, fps);
                if (!best || rank_cmp(&r, &best_rank) < 0) {
                        best = &modes[i];
                        best_rank = r;
                }
        }
        if (best) {
                *ret = *best;
                return 0;
        }
        if (ret_message)
                *ret_message = sized ? no_format_message(modes, n)
                                     : g_strdup("offers no picture size or frame rate at all");
        return -ENOTSUP;
}

gchar *capture_v4l2_mode_caps(const capture_v4l2_mode *m) {
        const char *caps = capture_v4l2_format_caps(m->fourcc);
        uint32_t a = m->interval_den, b = m->interval_num;

        if (!caps || !valid(m))
                return NULL;
        /* the frame rate is the interval upside down: 1001/30000 s is
         * 30000/1001 fps; reduced, so that 2/60 reads 30/1 */
        uint32_t x = a, y = b;
        while (y) {
                uint32_t t = x % y;
                x = y;
                y = t;
        }
        a /= x;
        b /= x;
        return g_strdup_printf("%s,width=%u,height=%u,framerate=%u/%u", caps, m->width, m->height, a, b);
}
