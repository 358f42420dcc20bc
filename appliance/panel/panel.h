/* The hardware panel: a USB numeric keypad read through libevdev.
 *
 * Two layers, so that tests feed struct input_event sequences through the
 * same code that reads the device:
 *   - panel_decoder turns input events into panel events: digits and Enter
 *     assemble an officer number then a PIN (PANEL_IDENTIFY); the mapped
 *     keys give Start, Mark, Break/Resume; Stop counts only when held for
 *     stop_hold (a short press gives PANEL_STOP_SHORT, a light cue, so a
 *     slip never ends an interview). Key repeats (value 2) never repeat an
 *     action. Times come from the events' timestamps and from
 *     panel_decoder_tick(), which the device layer calls from a timer.
 *   - panel (the device) finds the keypad by name or by a stable
 *     /dev/input/by-id/ path, grabs it (EVIOCGRAB) so key presses never
 *     reach a console, feeds the decoder from the GMainLoop, and reports
 *     unplug and re-plug (watched with inotify, never polled).
 *
 * The PIN is held in sodium_malloc'd memory, wiped after each event and
 * never logged. */
#pragma once

#include <errno.h>

#include <glib.h>
#include <linux/input.h>
#include <stdbool.h>
#include <stdint.h>

#include "studio-conf.h"

/* What the keypad accepts: longer entries are refused (cleared). */
#define PANEL_OFFICER_MAX 12 /* digits, as officers.h OFFICERS_NUMBER_MAX */
#define PANEL_PIN_MAX 64     /* digits, as officers.h OFFICERS_PIN_MAX */
/* The folder a device name is looked for in (default /dev/input); tests
 * point it at a temporary folder. */
#define PANEL_INPUT_DIR_ENV "STUDIO_INPUT_DIR"

typedef enum panel_action {
        PANEL_ENTRY_STARTED, /* the first digit of an officer number */
        PANEL_ENTRY_PIN,     /* officer number entered, now the PIN */
        PANEL_ENTRY_CLEARED, /* the clear key, or entry_timeout without a key */
        PANEL_IDENTIFY,      /* officer and pin are set */
        PANEL_START,
        PANEL_MARK,
        PANEL_BREAK,        /* Break, or Resume when on a break */
        PANEL_STOP_PRESSED, /* the hold began: a light cue */
        PANEL_STOP_SHORT,   /* released too soon: nothing stops */
        PANEL_STOP,         /* held for stop_hold */
        _PANEL_ACTION_MAX,
        _PANEL_ACTION_INVALID = -EINVAL,
} panel_action;

const char *panel_action_to_string(panel_action a);

typedef struct panel_event {
        panel_action action;
        const char *officer; /* PANEL_IDENTIFY only; valid during the callback */
        const char *pin;     /* PANEL_IDENTIFY only; wiped after the callback */
} panel_event;

typedef void (*panel_event_fn)(const panel_event *ev, void *userdata);

typedef struct panel_keymap {
        unsigned start, mark, brk, stop, enter, clear; /* KEY_* codes */
} panel_keymap;

/* Fills map from conf's key names ("KEY_KPPLUS", libevdev names); -EINVAL
 * with a message naming the key and the expected form. */
int panel_keymap_from_conf(const studio_panel_conf *conf, panel_keymap *ret, gchar **ret_message);

typedef struct panel_decoder panel_decoder;

panel_decoder *panel_decoder_new(const panel_keymap *map, uint64_t stop_hold_ns, uint64_t entry_timeout_ns,
                                 panel_event_fn fn, void *userdata);
panel_decoder *panel_decoder_free(panel_decoder *d);
/* One event from the device (any type; only EV_KEY matters). */
void panel_decoder_feed(panel_decoder *d, const struct input_event *ev);
/* Time passes (CLOCK_MONOTONIC ns, the events' clock): a held Stop
 * completes, an idle entry times out. */
void panel_decoder_tick(panel_decoder *d, uint64_t now_ns);
/* When the next tick is due (UINT64_MAX: none). */
uint64_t panel_decoder_next_deadline(const panel_decoder *d);
/* Forgets a half-typed entry and a held key (unplug). */
void panel_decoder_reset(panel_decoder *d);

typedef struct panel panel;

/* presence: connected or not, with a sentence for the log when not. */
typedef void (*panel_presence_fn)(bool connected, const char *message, void *userdata);

/* Opens the device conf->device names (a path, or a device name to look
 * for in /dev/input) on the default GMainContext. A device that is absent
 * is not an error: presence(false, …) is called and it is opened when it
 * appears. A path that exists and is not an input device is -ENOTTY with
 * a message. */
int panel_open(const studio_panel_conf *conf, panel_event_fn fn, panel_presence_fn presence, void *userdata,
               panel **ret, gchar **ret_message);
panel *panel_free(panel *p);
bool panel_connected(const panel *p);
