/* The panel device: finds the keypad, grabs it, feeds the decoder from the
 * GMainLoop and follows unplug and re-plug (see panel.h).
 *
 * [panel] device is either an absolute path (a stable
 * /dev/input/by-id/…-event-kbd link, or /dev/input/eventN) or a device
 * name as the kernel reports it (evtest lists them), looked for among the
 * event* nodes of /dev/input (PANEL_INPUT_DIR_ENV overrides the folder).
 *
 * The device's folder is watched with inotify (the nearest folder that
 * exists, e.g. /dev/input until udev creates by-id), so a re-plug is
 * noticed when it happens, never by polling. A node appears before udev
 * gives it its group, so IN_ATTRIB retries a node we could not open yet. */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <libevdev/libevdev.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "panel.h"
#include "util.h"

#define PANEL_DEFAULT_INPUT_DIR "/dev/input"
#define PANEL_HINT "set [panel] device to the keypad's /dev/input/by-id/…-event-kbd path or its name"

struct panel {
        gchar *device;    /* as configured */
        gchar *watch_dir; /* the folder the device appears in */
        bool by_path;
        unsigned stop_code; /* a device found by name must have the Stop key */
        panel_decoder *dec;
        panel_presence_fn presence;
        void *userdata;

        int fd;
        struct libevdev *evdev;
        guint fd_source, timer_source;
        bool connected;
        gchar *reported; /* the last presence(false) sentence, so that it is said once */

        int inotify_fd, wd;
        guint inotify_source;
};

typedef struct evdev_handle {
        int fd;
        struct libevdev *dev;
} evdev_handle;

static void evdev_handle_clear(evdev_handle *h) {
        if (h->dev)
                libevdev_free(h->dev);
        if (h->fd >= 0)
                (void) close(h->fd);
        *h = (evdev_handle){.fd = -EBADF};
}

static void report(panel *p, bool connected, const char *message) {
        if (!connected) {
                if (p->reported && g_str_equal(p->reported, message))
                        return;
                g_free(p->reported);
                p->reported = g_strdup(message);
        } else
                g_clear_pointer(&p->reported, g_free);
        if (p->presence)
                p->presence(connected, message, p->userdata);
}

/* An evdev device on fd, or -ENOTTY when fd is something else. */
static int evdev_from_fd(int fd, const char *shown, struct libevdev **ret, gchar **ret_message) {
        struct libevdev *dev = NULL;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode)) {
                *ret_message = g_strdup_printf(
                        "panel device %s is %s, not an input device (%s)", shown,
                        S_ISREG(st.st_mode) ? "a regular file" : fs_kind_name(st.st_mode), PANEL_HINT);
                return -ENOTTY;
        }
        if (libevdev_new_from_fd(fd, &dev) < 0) {
                *ret_message = g_strdup_printf(
                        "panel device %s is a device but not an input event device (%s)", shown, PANEL_HINT);
                return -ENOTTY;
        }
        if (!libevdev_has_event_type(dev, EV_KEY)) {
                g_autofree char *name = escape_text(libevdev_get_name(dev));
                *ret_message = g_strdup_printf("panel device %s (\"%s\") has no keys (%s)", shown, name,
                                               PANEL_HINT);
                libevdev_free(dev);
                return -ENOTTY;
        }
        *ret = dev;
        return 0;
}

static int open_by_path(panel *p, evdev_handle *ret, gchar **ret_message) {
        g_autofree char *shown = escape_text(p->device);
        evdev_handle h = {.fd = -EBADF};
        int r;

        /* The by-id entry is a link to ../eventN: it is followed on purpose. */
        h.fd = open(p->device, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (h.fd < 0) {
                r = -errno;
                if (r == -ENOENT || r == -ENOTDIR) {
                        *ret_message = g_strdup_printf("panel %s not found; waiting for it to be plugged in",
                                                       shown);
                        return -ENOENT;
                }
                *ret_message = g_strdup_printf("panel %s cannot be opened: %s (the recorder's user needs "
                                               "read access, e.g. the input group)",
                                               shown, g_strerror(-r));
                return r;
        }
        r = evdev_from_fd(h.fd, shown, &h.dev, ret_message);
        if (r < 0) {
                evdev_handle_clear(&h);
                return r;
        }
        *ret = h;
        return 0;
}

/* /dev/input holds a few dozen nodes; a folder stuffed with more is not one. */
#define PANEL_INPUT_NAMES_MAX 4096

/* The event* node name in dirfd whose device has this name and the Stop
 * key: 0 and *ret, -ENOENT, or the -errno a node could not be opened with. */
static int first_matching(panel *p, int dirfd, char **names, evdev_handle *ret) {
        int denied = -ENOENT;

        for (char **n = names; *n; n++) {
                evdev_handle h = {.fd = -EBADF};
                struct stat st;

                if (!g_str_has_prefix(*n, "event"))
                        continue;
                h.fd = openat(dirfd, *n, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
                if (h.fd < 0) {
                        if (errno == EACCES || errno == EPERM)
                                denied = -errno;
                        continue;
                }
                if (fstat(h.fd, &st) == 0 && S_ISCHR(st.st_mode) &&
                    libevdev_new_from_fd(h.fd, &h.dev) == 0 &&
                    g_strcmp0(libevdev_get_name(h.dev), p->device) == 0 &&
                    libevdev_has_event_code(h.dev, EV_KEY, p->stop_code)) {
                        *ret = h;
                        return 0;
                }
                evdev_handle_clear(&h);
        }
        return denied;
}

/* The first event* node, in name order, whose device has this name and
 * the Stop key (a keypad often has a second node of the same name for its
 * media keys). */
static int open_by_name(panel *p, evdev_handle *ret, gchar **ret_message) {
        g_autofree char *shown = escape_text(p->device);
        g_autofree char *shown_dir = escape_text(p->watch_dir);
        g_auto(fd_owned) dfd = open(p->watch_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_auto(GStrv) names = NULL;
        int r;

        if (dfd < 0 || fs_list_namesat(dfd, PANEL_INPUT_NAMES_MAX, &names) < 0) {
                *ret_message = g_strdup_printf("panel \"%s\" not found: no %s yet; waiting for it to be "
                                               "plugged in",
                                               shown, shown_dir);
                return -ENOENT;
        }
        r = first_matching(p, dfd, names, ret);
        if (r == 0)
                return 0;
        if (r != -ENOENT) {
                *ret_message =
                        g_strdup_printf("panel \"%s\" not found; some devices in %s could not be opened "
                                        "(%s: the recorder's user needs the input group)",
                                        shown, shown_dir, g_strerror(-r));
                return r;
        }
        *ret_message = g_strdup_printf("panel \"%s\" not found in %s (evtest lists the names); waiting for "
                                       "it to be plugged in",
                                       shown, shown_dir);
        return -ENOENT;
}

static gboolean on_timer(gpointer userdata);
static gboolean on_readable(gint fd, GIOCondition cond, gpointer userdata);

static void schedule_timer(panel *p) {
        uint64_t deadline = panel_decoder_next_deadline(p->dec), now, ms;

        if (p->timer_source)
                g_source_remove(p->timer_source);
        p->timer_source = 0;
        if (deadline == UINT64_MAX)
                return;
        now = (uint64_t) g_get_monotonic_time() * 1000;
        ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;
        p->timer_source = g_timeout_add((guint) MIN(ms, (uint64_t) G_MAXUINT), on_timer, p);
}

static gboolean on_timer(gpointer userdata) {
        panel *p = userdata;

        p->timer_source = 0;
        panel_decoder_tick(p->dec, (uint64_t) g_get_monotonic_time() * 1000);
        schedule_timer(p);
        return G_SOURCE_REMOVE;
}

static void watch_arm(panel *p) {
        g_autofree char *dir = g_strdup(p->watch_dir);
        struct stat st;
        int wd;

        if (p->inotify_fd < 0)
                return;
        /* The nearest folder that exists: its IN_CREATE tells when the next
         * one down appears, and then the watch moves down. */
        while ((stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) && strcmp(dir, "/") != 0) {
                char *up = g_path_get_dirname(dir);
                g_free(dir);
                dir = up;
        }
        wd = inotify_add_watch(p->inotify_fd, dir,
                               IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                       IN_ONLYDIR);
        if (p->wd >= 0 && p->wd != wd)
                (void) inotify_rm_watch(p->inotify_fd, p->wd);
        p->wd = wd;
}

static void disconnect(panel *p, const char *why) {
        g_autofree char *shown = escape_text(p->device);
        g_autofree char *message = NULL;

        if (p->fd_source)
                g_source_remove(p->fd_source);
        p->fd_source = 0;
        if (p->evdev)
                libevdev_free(p->evdev);
        p->evdev = NULL;
        if (p->fd >= 0)
                (void) close(p->fd);
        p->fd = -EBADF;
        p->connected = false;
        panel_decoder_reset(p->dec);
        schedule_timer(p);
        watch_arm(p);
        message = g_strdup_printf("panel disconnected (%s: %s); waiting for it to be plugged in again",
                                  shown, why);
        report(p, false, message);
}

/* 0 when connected, else -errno and the sentence that says why. */
static int try_connect(panel *p, gchar **ret_message) {
        evdev_handle h = {.fd = -EBADF};
        int r;

        r = p->by_path ? open_by_path(p, &h, ret_message) : open_by_name(p, &h, ret_message);
        if (r < 0)
                return r;
        g_autofree char *shown = escape_text(p->device);
        g_autofree char *name = escape_text(libevdev_get_name(h.dev));
        /* The decoder compares event times with g_get_monotonic_time(). */
        r = libevdev_set_clock_id(h.dev, CLOCK_MONOTONIC);
        if (r < 0) {
                *ret_message = g_strdup_printf("panel %s (\"%s\") refused the monotonic clock: %s", shown,
                                               name, g_strerror(-r));
                evdev_handle_clear(&h);
                return r;
        }
        r = libevdev_grab(h.dev, LIBEVDEV_GRAB);
        if (r < 0) {
                *ret_message =
                        g_strdup_printf("panel %s (\"%s\") is held by another program (EVIOCGRAB: %s); "
                                        "stop it, e.g. a second studio-recorder",
                                        shown, name, g_strerror(-r));
                evdev_handle_clear(&h);
                return r;
        }
        p->fd = h.fd;
        p->evdev = h.dev;
        p->fd_source = g_unix_fd_add(p->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, p);
        p->connected = true;
        g_autofree char *message = g_strdup_printf("panel %s (\"%s\") connected", shown, name);
        report(p, true, message);
        return 0;
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer userdata) {
        panel *p = userdata;
        struct input_event ev;
        int rc;

        (void) fd;
        for (;;) {
                rc = libevdev_next_event(p->evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev);
                if (rc == LIBEVDEV_READ_STATUS_SUCCESS)
                        panel_decoder_feed(p->dec, &ev);
                else if (rc == LIBEVDEV_READ_STATUS_SYNC) {
                        /* The decoder forgets everything at SYN_DROPPED; the
                         * state libevdev resynchronises (keys held during the
                         * gap) is read and dropped, so no action comes from
                         * a press we did not see. */
                        panel_decoder_feed(p->dec, &ev);
                        do
                                rc = libevdev_next_event(p->evdev, LIBEVDEV_READ_FLAG_SYNC, &ev);
                        while (rc == LIBEVDEV_READ_STATUS_SYNC);
                        if (rc < 0 && rc != -EAGAIN)
                                break;
                } else
                        break;
        }
        if (rc != -EAGAIN || (cond & (G_IO_HUP | G_IO_ERR))) {
                p->fd_source = 0; /* removed by the return below */
                disconnect(p, rc < 0 && rc != -EAGAIN ? g_strerror(-rc) : "the device hung up");
                return G_SOURCE_REMOVE;
        }
        schedule_timer(p);
        return G_SOURCE_CONTINUE;
}

static gboolean on_inotify(gint fd, GIOCondition cond, gpointer userdata) {
        panel *p = userdata;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        g_autofree char *message = NULL;

        (void) cond;
        while (read(fd, buf, sizeof(buf)) > 0)
                ; /* what changed does not matter: the folder is looked at again */
        if (p->connected)
                return G_SOURCE_CONTINUE;
        watch_arm(p);
        if (try_connect(p, &message) < 0)
                report(p, false, message);
        return G_SOURCE_CONTINUE;
}

int panel_open(const studio_panel_conf *conf, panel_event_fn fn, panel_presence_fn presence, void *userdata,
               panel **ret, gchar **ret_message) {
        g_autofree char *message = NULL;
        panel_keymap map;
        panel *p;
        int r;

        if (!conf->device || !*conf->device) {
                *ret_message = g_strdup("no panel device configured ([panel] device)");
                return -EINVAL;
        }
        r = panel_keymap_from_conf(conf, &map, ret_message);
        if (r < 0)
                return r;

        p = g_new0(panel, 1);
        p->fd = p->inotify_fd = -EBADF;
        p->wd = -1;
        p->device = g_strdup(conf->device);
        p->by_path = conf->device[0] == '/';
        if (p->by_path)
                p->watch_dir = g_path_get_dirname(conf->device);
        else {
                const char *dir = g_getenv(PANEL_INPUT_DIR_ENV);
                p->watch_dir = g_strdup(dir && *dir ? dir : PANEL_DEFAULT_INPUT_DIR);
        }
        p->stop_code = map.stop;
        p->presence = presence;
        p->userdata = userdata;
        p->dec = panel_decoder_new(&map, conf->stop_hold_ns, conf->entry_timeout_ns, fn, userdata);
        if (!p->dec) {
                panel_free(p);
                *ret_message = g_strdup("panel: out of memory");
                return -ENOMEM;
        }
        p->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (p->inotify_fd < 0) {
                r = -errno;
                panel_free(p);
                *ret_message =
                        g_strdup_printf("panel: cannot watch for the keypad (inotify: %s)", g_strerror(-r));
                return r;
        }
        p->inotify_source = g_unix_fd_add(p->inotify_fd, G_IO_IN, on_inotify, p);
        watch_arm(p); /* before the first look, so that nothing appears unseen */

        r = try_connect(p, &message);
        if (r == -ENOENT)
                report(p, false, message); /* absent is not an error: it may be plugged in later */
        else if (r < 0) {
                panel_free(p);
                *ret_message = TAKE_PTR(message);
                return r;
        }
        *ret = p;
        return 0;
}

panel *panel_free(panel *p) {
        if (!p)
                return NULL;
        if (p->fd_source)
                g_source_remove(p->fd_source);
        if (p->timer_source)
                g_source_remove(p->timer_source);
        if (p->inotify_source)
                g_source_remove(p->inotify_source);
        if (p->evdev)
                libevdev_free(p->evdev);
        if (p->fd >= 0)
                (void) close(p->fd); /* also ends the grab */
        if (p->inotify_fd >= 0)
                (void) close(p->inotify_fd);
        panel_decoder_free(p->dec);
        g_free(p->device);
        g_free(p->watch_dir);
        g_free(p->reported);
        g_free(p);
        return NULL;
}

bool panel_connected(const panel *p) {
        return p && p->connected;
}
