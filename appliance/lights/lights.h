/* Panel and door lights, through the Linux LED class
 * (LEDS_DIR/NAME/brightness, trigger) and optionally GPIO lines
 * (libgpiod 1.6). Blinking uses the LED "timer" trigger where the LED has
 * it, else a GLib timer.
 *
 * The state-to-light table (docs/detective.md) lives here, in
 * lights_show(): the door light is on exactly while a session is
 * recording, on a break or stopping (sealing); ready, recording and
 * attention each have a panel light; the ack light blinks briefly for a
 * key that was taken (and for a short Stop press). */
#pragma once

#include <errno.h>

#include <glib.h>
#include <stdbool.h>

#include "room-state.h"
#include "studio-conf.h"

typedef enum light_id {
        LIGHT_DOOR,
        LIGHT_READY,
        LIGHT_RECORDING,
        LIGHT_ATTENTION,
        LIGHT_ACK,
        _LIGHT_MAX,
        _LIGHT_INVALID = -EINVAL,
} light_id;

typedef enum light_mode {
        LIGHT_OFF,
        LIGHT_ON,
        LIGHT_BLINK,
        _LIGHT_MODE_MAX,
        _LIGHT_MODE_INVALID = -EINVAL,
} light_mode;

typedef struct lights lights;

/* Opens the configured lights; a light not configured is skipped. An LED
 * name that does not exist in leds_dir, or a GPIO line that cannot be
 * requested, is -ENOENT/-EBUSY with a message naming it. */
int lights_open(const studio_lights_conf *conf, lights **ret, gchar **ret_message);
lights *lights_free(lights *l);
void lights_set(lights *l, light_id id, light_mode mode);
/* The table: the lights for state, with attention set when the room has a
 * reason listed (a fault during a session keeps the session's lights). */
void lights_show(lights *l, room_state state, bool attention);
/* A brief acknowledgement blink (about 1 s). */
void lights_ack(lights *l);
