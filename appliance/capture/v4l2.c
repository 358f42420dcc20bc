/* Cameras through libv4l2 (probe-internal.h): is the device there, is it a
 * video capture device, and which of its modes the recording asks for. Only
 * queries: nothing streams, so it is cheap enough to run every few seconds
 * and harmless next to a pipeline that holds the camera. */
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe-internal.h"

static int xioctl(int fd, unsigned long request, void *arg) {
        int r;

        do
                r = v4l2_ioctl(fd, request, arg);
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : 0;
}

static void add_mode(GArray *modes, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t num, uint32_t den) {
        capture_v4l2_mode m = {fourcc, w, h, num, den};

        if (modes->len < CAPTURE_V4L2_MAX_MODES)
                g_array_append_val(modes, m);
}

/* A step-wise or continuous range: the value nearest want that the range
 * holds. */
static uint32_t in_range(uint32_t want, uint32_t min, uint32_t max, uint32_t step) {
        uint32_t v = want < min ? min : want > max ? max : want;

        step = step ? step : 1;
        return min + (v - min) / step * step;
}

static void add_intervals(int fd, GArray *modes, uint32_t fourcc, uint32_t w, uint32_t h, int fps) {
        struct v4l2_frmivalenum iv = {.pixel_format = fourcc, .width = w, .height = h};

        for (iv.index = 0; iv.index < CAPTURE_V4L2_MAX_INTERVALS; iv.index++) {
                if (xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) < 0)
                        break;
                if (iv.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
                        add_mode(modes, fourcc, w, h, iv.discrete.numerator, iv.discrete.denominator);
                        continue;
                }
                /* a range: its fastest end, and 1/fps when it holds it */
                const struct v4l2_fract *lo = &iv.stepwise.min, *hi = &iv.stepwise.max;
                add_mode(modes, fourcc, w, h, lo->numerator, lo->denominator);
                if ((uint64_t) lo->numerator * fps <= lo->denominator &&
                    (uint64_t) hi->numerator * fps >= hi->denominator)
                        add_mode(modes, fourcc, w, h, 1, fps);
                return;
        }
        /* a driver that lists sizes but cannot list intervals: taken at the
         * profile's rate, which such drivers set with VIDIOC_S_PARM or
         * ignore; refusing the camera for it would be worse */
        if (iv.index == 0)
                add_mode(modes, fourcc, w, h, 1, fps);
}

static void add_sizes(int fd, GArray *modes, uint32_t fourcc, int width, int height, int fps) {
        struct v4l2_frmsizeenum fs = {.pixel_format = fourcc};

        for (fs.index = 0; fs.index < CAPTURE_V4L2_MAX_SIZES; fs.index++) {
                if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0)
                        return;
                if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                        add_intervals(fd, modes, fourcc, fs.discrete.width, fs.discrete.height, fps);
                        continue;
                }
                const struct v4l2_frmsize_stepwise *s = &fs.stepwise;
                add_intervals(fd, modes, fourcc, in_range(width, s->min_width, s->max_width, s->step_width),
                              in_range(height, s->min_height, s->max_height, s->step_height), fps);
                add_intervals(fd, modes, fourcc, s->max_width, s->max_height, fps);
                return;
        }
}

static void enumerate(int fd, GArray *modes, int width, int height, int fps) {
        struct v4l2_fmtdesc fmt = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};

        for (fmt.index = 0; fmt.index < CAPTURE_V4L2_MAX_FORMATS; fmt.index++) {
                guint before = modes->len;
                if (xioctl(fd, VIDIOC_ENUM_FMT, &fmt) < 0)
                        return;
                add_sizes(fd, modes, fmt.pixelformat, width, height, fps);
                /* a format with no sizes still counts in the message */
                if (modes->len == before)
                        add_mode(modes, fmt.pixelformat, 0, 0, 0, 0);
        }
}

static int not_there(const char *shown, const char *what, gchar **ret_message) {
        if (ret_message)
                *ret_message = g_strdup_printf(
                        "the %s %s is not present: check its cable and plug it in again (or fix the "
                        "source in the room profile)",
                        what, shown);
        return -ENODEV;
}

static int no_access(const char *shown, const char *what, gchar **ret_message) {
        if (ret_message)
                *ret_message = g_strdup_printf("the %s %s cannot be opened by this user: add the user to "
                                               "the 'video' group",
                                               what, shown);
        return -EACCES;
}

static int unusable(const char *shown, const char *what, const char *why, gchar **ret_message) {
        if (ret_message)
                *ret_message = g_strdup_printf("the %s %s %s: connect a USB (UVC) camera there, or fix "
                                               "the source in the room profile",
                                               what, shown, why);
        return -ENOTSUP;
}

static bool is_capture(int fd) {
        struct v4l2_capability cap = {0};
        uint32_t caps;

        if (ioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
                return false;
        caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
        return caps & V4L2_CAP_VIDEO_CAPTURE;
}

static int open_checked(const char *path, const char *shown, const char *what, gchar **ret_message) {
        struct stat st;
        int fd;

        /* stat first: a regular file or a FIFO at the camera's path is a
         * mistake to name, not something to open */
        if (stat(path, &st) < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return not_there(shown, what, ret_message);
                if (errno == EACCES)
                        return no_access(shown, what, ret_message);
                return unusable(shown, what, "is not a path to a device", ret_message);
        }
        if (!S_ISCHR(st.st_mode))
                return unusable(shown, what, "is not a device but a file or folder", ret_message);
        /* open() and our own VIDIOC_QUERYCAP before libv4l2 takes the fd:
         * v4l2_open on a node that is not a camera prints to stderr, every
         * five seconds into the journal */
        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                if (errno == EACCES || errno == EPERM)
                        return no_access(shown, what, ret_message);
                if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
                        return not_there(shown, what, ret_message);
                return unusable(shown, what, "cannot be opened", ret_message);
        }
        if (!is_capture(fd)) {
                close(fd);
                return unusable(shown, what, "is not a video capture device", ret_message);
        }
        /* without libv4l2's converted formats: v4l2src opens the device
         * itself (GStreamer uses libv4l2 only with GST_V4L2_USE_LIBV4L2=1),
         * so a format that exists only in libv4l2 would not negotiate */
        if (v4l2_fd_open(fd, V4L2_DISABLE_CONVERSION) < 0) {
                close(fd);
                return unusable(shown, what, "cannot be opened by libv4l2", ret_message);
        }
        return fd;
}

int capture_v4l2_probe(const char *path, const char *what, int width, int height, int fps,
                       capture_v4l2_mode *ret_mode, gchar **ret_message) {
        g_autofree gchar *shown = capture_device_shown(path);
        g_autoptr(GArray) modes = NULL;
        g_autofree gchar *why = NULL;
        capture_v4l2_mode mode;
        int fd, r;

        if (!path || !*path)
                return unusable("(no device path)", what, "is not named", ret_message);
        fd = open_checked(path, shown, what, ret_message);
        if (fd < 0)
                return fd;
        modes = g_array_new(FALSE, FALSE, sizeof(capture_v4l2_mode));
        enumerate(fd, modes, width, height, fps);
        v4l2_close(fd);
        r = capture_v4l2_choose_mode((capture_v4l2_mode *) modes->data, modes->len, width, height, fps,
                                     &mode, &why);
        if (r < 0)
                return unusable(shown, what, why ? why : "offers nothing to record", ret_message);
        if (ret_mode)
                *ret_mode = mode;
        return 0;
}

gchar *capture_v4l2_describe(const char *description, const capture_v4l2_mode *m) {
        g_autofree gchar *caps = capture_v4l2_mode_caps(m);

        if (!caps)
                return NULL;
        /* the caps right after the source, so that v4l2src asks the camera
         * for exactly this mode; MJPEG decoded before the scaler */
        /* a capsfilter, not bare caps: gst-launch syntax takes caps at the
         * end of a description for an element's name */
        return g_strdup_printf("%s ! capsfilter caps=\"%s\"%s", description, caps,
                               g_str_has_prefix(caps, "image/jpeg") ? " ! jpegdec" : "");
}

int capture_v4l2_source(const char *description, const char *what, int width, int height, int fps,
                        gchar **ret_description, gchar **ret_message) {
        g_autofree gchar *factory = NULL, *device = NULL;
        capture_v4l2_mode mode;
        bool more;
        int r;

        capture_source_parse(description, &factory, &device, &more);
        if (!g_str_equal(factory, "v4l2src") || more) {
                *ret_description = NULL;
                return 0;
        }
        r = capture_v4l2_probe(device ? device : "/dev/video0", what, width, height, fps, &mode,
                               ret_message);
        if (r < 0)
                return r;
        *ret_description = capture_v4l2_describe(description, &mode);
        return 0;
}
