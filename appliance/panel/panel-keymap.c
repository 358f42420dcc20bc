/* The key map: [panel] key_* names (libevdev's, as in
 * linux/input-event-codes.h) to key codes. Digits and Enter are fixed
 * (both the keypad and the main rows, and KEY_ENTER/KEY_KPENTER always
 * confirm), so an action key may not be a digit or an Enter key, and no
 * two actions may share a key. */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <string.h>

#include "escape.h"
#include "panel.h"

static bool code_is_digit(unsigned code) {
        return (code >= KEY_1 && code <= KEY_0) || (code >= KEY_KP7 && code <= KEY_KP9) ||
               (code >= KEY_KP4 && code <= KEY_KP6) || (code >= KEY_KP1 && code <= KEY_KP0);
}

static int key_from_name(const char *conf_key, const char *name, const char *fallback, unsigned *ret,
                         gchar **ret_message) {
        const char *n = name ? name : fallback;
        int code = libevdev_event_code_from_name(EV_KEY, n);

        if (code < 0 || (strncmp(n, "KEY_", 4) != 0 && strncmp(n, "BTN_", 4) != 0)) {
                g_autofree char *shown = escape_text(n);
                if (ret_message)
                        *ret_message = g_strdup_printf("[panel] %s \"%s\" is not a key name (expected an "
                                                       "evdev name such as %s, as listed by evtest)",
                                                       conf_key, shown, fallback);
                return -EINVAL;
        }
        if (code_is_digit((unsigned) code)) {
                if (ret_message)
                        *ret_message =
                                g_strdup_printf("[panel] %s %s is a digit key, which types the "
                                                "officer number and PIN (choose another key, e.g. %s)",
                                                conf_key, n, fallback);
                return -EINVAL;
        }
        *ret = (unsigned) code;
        return 0;
}

int panel_keymap_from_conf(const studio_panel_conf *conf, panel_keymap *ret, gchar **ret_message) {
        panel_keymap m = {0};
        const struct {
                const char *conf_key, *name, *fallback;
                unsigned *code;
        } keys[] = {
                {"key_start", conf->key_start, "KEY_KPPLUS", &m.start},
                {"key_mark", conf->key_mark, "KEY_KPASTERISK", &m.mark},
                {"key_break", conf->key_break, "KEY_KPSLASH", &m.brk},
                {"key_stop", conf->key_stop, "KEY_KPMINUS", &m.stop},
                {"key_enter", conf->key_enter, "KEY_KPENTER", &m.enter},
                {"key_clear", conf->key_clear, "KEY_BACKSPACE", &m.clear},
        };
        int r;

        for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
                r = key_from_name(keys[i].conf_key, keys[i].name, keys[i].fallback, keys[i].code,
                                  ret_message);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
                if (keys[i].code != &m.enter &&
                    (*keys[i].code == KEY_ENTER || *keys[i].code == KEY_KPENTER)) {
                        if (ret_message)
                                *ret_message = g_strdup_printf("[panel] %s is an Enter key, which always "
                                                               "confirms the officer number and PIN "
                                                               "(choose another key, e.g. %s)",
                                                               keys[i].conf_key, keys[i].fallback);
                        return -EINVAL;
                }
        for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
                for (size_t j = i + 1; j < G_N_ELEMENTS(keys); j++)
                        if (*keys[i].code == *keys[j].code) {
                                if (ret_message)
                                        *ret_message = g_strdup_printf(
                                                "[panel] %s and %s are the same key (%s); each action "
                                                "needs a key of its own",
                                                keys[i].conf_key, keys[j].conf_key,
                                                libevdev_event_code_get_name(EV_KEY, *keys[i].code));
                                return -EINVAL;
                        }
        *ret = m;
        return 0;
}
