/* Panel and door lights (see lights.h).
 *
 * An LED is LEDS_DIR/NAME/{brightness,max_brightness,trigger}. On a real
 * /sys, NAME is itself a link into /sys/devices, so NAME is opened as a
 * folder (following that one link) and every file in it is opened relative
 * to it with O_NOFOLLOW: nothing planted inside an LED's folder sends a
 * write elsewhere. A file is written only when its value changes. */
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "lights.h"
#include "util.h"

#define LIGHTS_DEFAULT_DIR "/sys/class/leds"
#define LIGHTS_CONSUMER "studio-recorder"
#define LIGHTS_BLINK_MS 500 /* on, then off: one blink a second */
#define LIGHTS_ACK_BLINK_MS 125
#define LIGHTS_ACK_MS 1000
#define LIGHTS_ATTR_MAX 4096 /* a sysfs attribute is at most a page */

typedef struct light {
        const char *what; /* "door" …, for messages */
        /* LED class */
        int dirfd; /* LEDS_DIR/NAME; -EBADF: none */
        unsigned max;
        bool has_timer; /* the kernel can blink it */
        int brightness; /* last written; -1: not yet */
        bool hw_blink;  /* the "timer" trigger is set */
        /* GPIO */
        struct gpiod_line *line;
        int gpio_value; /* last set; -1: not yet */

        light_mode mode;
        unsigned half_ms;
        guint blink_source;
        bool blink_on;
} light;

struct lights {
        light l[_LIGHT_MAX];
        struct gpiod_chip *chip;
        guint ack_source;
};

static const char *const light_names[_LIGHT_MAX] = {
        [LIGHT_DOOR] = "door",           [LIGHT_READY] = "ready", [LIGHT_RECORDING] = "recording",
        [LIGHT_ATTENTION] = "attention", [LIGHT_ACK] = "ack",
};

static int attr_write(int dirfd, const char *name, const char *value) {
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return fs_write_all(fd, value, strlen(value));
}

static void led_brightness(light *li, bool on) {
        int v = on ? (int) li->max : 0;
        char buf[16];

        if (li->dirfd < 0 || v == li->brightness)
                return;
        (void) snprintf(buf, sizeof(buf), "%d\n", v);
        /* A failed write is tried again next time rather than remembered. */
        li->brightness = attr_write(li->dirfd, "brightness", buf) < 0 ? -1 : v;
}

static void gpio_value(light *li, bool on) {
        if (!li->line || (int) on == li->gpio_value)
                return;
        li->gpio_value = gpiod_line_set_value(li->line, on) < 0 ? -1 : (int) on;
}

static void light_output(light *li, bool on) {
        led_brightness(li, on);
        gpio_value(li, on);
}

static void led_trigger_none(light *li) {
        if (li->dirfd < 0 || !li->hw_blink)
                return;
        (void) attr_write(li->dirfd, "trigger", "none\n");
        li->hw_blink = false;
        li->brightness = -1; /* the trigger left it in either state */
}

/* The kernel's "timer" trigger, when the LED has it. */
static bool led_hw_blink(light *li) {
        char buf[16];

        if (li->dirfd < 0 || !li->has_timer)
                return false;
        if (attr_write(li->dirfd, "trigger", "timer\n") < 0)
                return false;
        li->hw_blink = true;
        (void) snprintf(buf, sizeof(buf), "%u\n", li->half_ms);
        if (attr_write(li->dirfd, "delay_on", buf) < 0 || attr_write(li->dirfd, "delay_off", buf) < 0) {
                led_trigger_none(li);
                return false;
        }
        return true;
}

static gboolean on_blink(gpointer userdata) {
        light *li = userdata;

        li->blink_on = !li->blink_on;
        if (!li->hw_blink)
                led_brightness(li, li->blink_on);
        gpio_value(li, li->blink_on);
        return G_SOURCE_CONTINUE;
}

void lights_set(lights *l, light_id id, light_mode mode) {
        light *li;

        if (!l || id < 0 || id >= _LIGHT_MAX || mode < 0 || mode >= _LIGHT_MODE_MAX)
                return;
        li = &l->l[id];
        if (li->mode == mode)
                return;
        li->mode = mode;
        if (li->blink_source)
                g_source_remove(li->blink_source);
        li->blink_source = 0;
        led_trigger_none(li);

        if (mode != LIGHT_BLINK) {
                light_output(li, mode == LIGHT_ON);
                return;
        }
        /* Blinking starts lit, so that it is seen at once. */
        bool hw = led_hw_blink(li);
        if (hw)
                gpio_value(li, true);
        else
                light_output(li, true);
        li->blink_on = true;
        if (!hw || li->line)
                li->blink_source = g_timeout_add(li->half_ms, on_blink, li);
}

void lights_show(lights *l, room_state state, bool attention) {
        bool session = state == ROOM_RECORDING || state == ROOM_BREAK || state == ROOM_STOPPING;

        lights_set(l, LIGHT_DOOR, session ? LIGHT_ON : LIGHT_OFF);
        lights_set(l, LIGHT_READY,
                   state == ROOM_READY         ? LIGHT_ON
                   : state == ROOM_IDENTIFYING ? LIGHT_BLINK
                                               : LIGHT_OFF);
        lights_set(l, LIGHT_RECORDING,
                   state == ROOM_RECORDING ? LIGHT_ON
                   : state == ROOM_BREAK   ? LIGHT_BLINK
                                           : LIGHT_OFF);
        lights_set(l, LIGHT_ATTENTION,
                   attention || state == ROOM_ATTENTION || state == ROOM_UNPROVISIONED ? LIGHT_ON
                                                                                       : LIGHT_OFF);
}

static gboolean on_ack_done(gpointer userdata) {
        lights *l = userdata;

        l->ack_source = 0;
        lights_set(l, LIGHT_ACK, LIGHT_OFF);
        return G_SOURCE_REMOVE;
}

void lights_ack(lights *l) {
        if (!l)
                return;
        lights_set(l, LIGHT_ACK, LIGHT_BLINK);
        if (l->ack_source)
                g_source_remove(l->ack_source);
        l->ack_source = g_timeout_add(LIGHTS_ACK_MS, on_ack_done, l);
}

/* Whether a trigger file ("none [timer] heartbeat") offers "timer". */
static bool trigger_has_timer(const char *text) {
        g_auto(GStrv) words = g_strsplit_set(text, " \n[]", -1);
        for (char **w = words; *w; w++)
                if (g_str_equal(*w, "timer"))
                        return true;
        return false;
}

static int led_open(light *li, int leds_fd, const char *leds_dir, const char *name, gchar **ret_message) {
        g_autofree char *shown = escape_text(name), *shown_dir = escape_text(leds_dir);
        g_autofree char *text = NULL;
        g_auto(fd_owned) fd = -EBADF;
        uint64_t max = 1;
        int r;

        if (!fs_name_valid(name)) {
                *ret_message = g_strdup_printf("[lights] %s \"%s\" is not an LED name (expected one of the "
                                               "names in %s)",
                                               li->what, shown, shown_dir);
                return -EINVAL;
        }
        /* NAME may be a link (it is on /sys); nothing below it may be. */
        fd = openat(leds_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                *ret_message =
                        g_strdup_printf("[lights] %s LED \"%s\" not found in %s: %s (expected one of the "
                                        "names listed there)",
                                        li->what, shown, shown_dir, g_strerror(-r));
                return r == -ENOTDIR ? -ENOENT : r;
        }
        r = fs_read_fileat(fd, "max_brightness", LIGHTS_ATTR_MAX, &text, NULL);
        if (r >= 0) {
                g_strstrip(text);
                if (util_parse_u64(text, 1, 1000000, &max) < 0) {
                        *ret_message = g_strdup_printf("[lights] %s LED \"%s\" in %s has an unreadable "
                                                       "max_brightness",
                                                       li->what, shown, shown_dir);
                        return -EBADMSG;
                }
                free(TAKE_PTR(text));
        } else if (r != -ENOENT) {
                *ret_message = g_strdup_printf("[lights] %s LED \"%s\" in %s: max_brightness: %s", li->what,
                                               shown, shown_dir, g_strerror(-r));
                return r;
        }
        mode_t mode;
        r = fs_kindat(fd, "brightness", &mode);
        if (r >= 0 && !S_ISREG(mode)) {
                *ret_message = g_strdup_printf("[lights] %s LED \"%s\" in %s: brightness is %s, not a file",
                                               li->what, shown, shown_dir, fs_kind_name(mode));
                return -ELOOP;
        }
        if (r < 0 || faccessat(fd, "brightness", W_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                r = r < 0 ? r : -errno;
                *ret_message =
                        g_strdup_printf("[lights] %s LED \"%s\" in %s: brightness cannot be written: %s "
                                        "(the recorder's user needs write access, e.g. a udev rule)",
                                        li->what, shown, shown_dir, g_strerror(-r));
                return r;
        }
        if (fs_read_fileat(fd, "trigger", LIGHTS_ATTR_MAX, &text, NULL) >= 0)
                li->has_timer = trigger_has_timer(text);
        li->max = (unsigned) max;
        li->dirfd = TAKE_FD(fd);
        return 0;
}

static int gpio_open(lights *l, light *li, const char *chip, int offset, gchar **ret_message) {
        g_autofree char *shown = escape_text(chip);

        if (!l->chip) {
                l->chip = gpiod_chip_open_lookup(chip);
                if (!l->chip) {
                        int r = errno > 0 ? -errno : -ENOENT;
                        *ret_message =
                                g_strdup_printf("[lights] gpio_chip \"%s\" cannot be opened: %s (expected "
                                                "a chip name such as gpiochip0, as gpiodetect lists)",
                                                shown, g_strerror(-r));
                        return r == -ENODEV || r == -ENOTTY ? -ENOENT : r;
                }
        }
        li->line = gpiod_chip_get_line(l->chip, (unsigned) offset);
        if (!li->line || gpiod_line_request_output(li->line, LIGHTS_CONSUMER, 0) < 0) {
                int r = errno > 0 ? -errno : -EBUSY;
                li->line = NULL;
                *ret_message = g_strdup_printf("[lights] gpio_%s line %d of \"%s\" cannot be requested: %s "
                                               "(gpioinfo shows who holds it)",
                                               li->what, offset, shown, g_strerror(-r));
                return r == -EINVAL ? -ENOENT : -EBUSY;
        }
        li->gpio_value = 0;
        return 0;
}

int lights_open(const studio_lights_conf *conf, lights **ret, gchar **ret_message) {
        const char *dir = conf->leds_dir ? conf->leds_dir : LIGHTS_DEFAULT_DIR;
        const char *names[_LIGHT_MAX] = {conf->door, conf->ready, conf->recording, conf->attention,
                                         conf->ack};
        const int lines[_LIGHT_MAX] = {conf->gpio_door, conf->gpio_ready, conf->gpio_recording,
                                       conf->gpio_attention, conf->gpio_ack};
        g_auto(fd_owned) leds_fd = -EBADF;
        lights *l = g_new0(lights, 1);
        int r = 0;

        for (int i = 0; i < _LIGHT_MAX; i++)
                l->l[i] = (light){.what = light_names[i],
                                  .dirfd = -EBADF,
                                  .brightness = -1,
                                  .gpio_value = -1,
                                  .mode = _LIGHT_MODE_INVALID,
                                  .half_ms = i == LIGHT_ACK ? LIGHTS_ACK_BLINK_MS : LIGHTS_BLINK_MS};
        for (int i = 0; i < _LIGHT_MAX && r >= 0; i++) {
                if (!names[i])
                        continue;
                if (leds_fd < 0) {
                        leds_fd = fs_open_dir(dir);
                        if (leds_fd < 0) {
                                g_autofree char *shown = escape_text(dir);
                                r = leds_fd;
                                *ret_message =
                                        g_strdup_printf("[lights] leds_dir %s cannot be opened: %s "
                                                        "(expected the LED class folder, /sys/class/leds)",
                                                        shown, g_strerror(-r));
                                break;
                        }
                }
                r = led_open(&l->l[i], leds_fd, dir, names[i], ret_message);
        }
        for (int i = 0; i < _LIGHT_MAX && r >= 0 && conf->gpio_chip; i++)
                if (lines[i] >= 0)
                        r = gpio_open(l, &l->l[i], conf->gpio_chip, lines[i], ret_message);
        if (r < 0) {
                lights_free(l);
                return r;
        }
        /* A known start: everything off. */
        for (int i = 0; i < _LIGHT_MAX; i++)
                lights_set(l, (light_id) i, LIGHT_OFF);
        *ret = l;
        return 0;
}

lights *lights_free(lights *l) {
        if (!l)
                return NULL;
        if (l->ack_source)
                g_source_remove(l->ack_source);
        for (int i = 0; i < _LIGHT_MAX; i++) {
                light *li = &l->l[i];
                /* Nothing records once we are gone: no light may say so. */
                lights_set(l, (light_id) i, LIGHT_OFF);
                if (li->blink_source)
                        g_source_remove(li->blink_source);
                if (li->dirfd >= 0)
                        (void) close(li->dirfd);
                if (li->line)
                        gpiod_line_release(li->line);
        }
        if (l->chip)
                gpiod_chip_close(l->chip);
        g_free(l);
        return NULL;
}
