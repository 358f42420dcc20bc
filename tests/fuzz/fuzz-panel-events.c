/* libFuzzer: arbitrary input_event arrays and ticks through the panel
 * decoder. Oracles: every PANEL_STOP_PRESSED ends in exactly one PANEL_STOP
 * or PANEL_STOP_SHORT (never two Stops for one press, never a Stop without
 * a press), an identify carries at most PANEL_OFFICER_MAX and
 * PANEL_PIN_MAX digits, and only the documented fields are set.
 *
 * Input: records of 1 + sizeof(struct input_event) bytes; a record whose
 * first byte is odd is a tick at the time in the event's timestamp, else
 * the event is fed. The keys are folded onto the keypad's range half the
 * time, so that the interesting codes come up often. */
#include <stdlib.h>
#include <string.h>

#include "panel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct oracle {
        bool holding; /* a STOP_PRESSED not yet ended */
} oracle;

static bool digits_only(const char *s, size_t max) {
        size_t n = strnlen(s, max + 1);
        if (n == 0 || n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static void on_event(const panel_event *ev, void *userdata) {
        oracle *o = userdata;

        if (!panel_action_to_string(ev->action))
                abort();
        if (ev->action == PANEL_IDENTIFY) {
                if (!ev->officer || !ev->pin || !digits_only(ev->officer, PANEL_OFFICER_MAX) ||
                    !digits_only(ev->pin, PANEL_PIN_MAX))
                        abort();
        } else if (ev->officer || ev->pin)
                abort();
        switch (ev->action) {
        case PANEL_STOP_PRESSED:
                if (o->holding)
                        abort(); /* a second hold without the first ending */
                o->holding = true;
                break;
        case PANEL_STOP:
        case PANEL_STOP_SHORT:
                if (!o->holding)
                        abort(); /* a second Stop for one press, or one without a press */
                o->holding = false;
                break;
        default:
                break;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const size_t rec = 1 + sizeof(struct input_event);
        studio_panel_conf conf = {0};
        panel_keymap map;
        oracle o = {0};
        panel_decoder *d;

        if (panel_keymap_from_conf(&conf, &map, NULL) < 0)
                abort();
        d = panel_decoder_new(&map, 2000000000ULL, 30000000000ULL, on_event, &o);
        if (!d)
                abort();
        for (size_t off = 0; off + rec <= size; off += rec) {
                struct input_event ev;
                memcpy(&ev, data + off + 1, sizeof(ev));
                if (data[off] & 1) {
                        uint64_t t = (uint64_t) ev.input_event_sec * 1000000000ULL +
                                     (uint64_t) ev.input_event_usec;
                        panel_decoder_tick(d, t);
                        continue;
                }
                if (data[off] & 2) {
                        ev.type = (data[off] & 4) ? EV_SYN : EV_KEY;
                        ev.code = ev.type == EV_SYN ? (ev.code & 3) : (uint16_t) (ev.code % 128);
                        ev.value = ev.value & 3;
                }
                panel_decoder_feed(d, &ev);
                if (data[off] & 8) {
                        panel_decoder_reset(d);
                        if (o.holding)
                                abort(); /* a reset ends any hold */
                }
                if (o.holding && panel_decoder_next_deadline(d) == UINT64_MAX)
                        abort(); /* a hold in progress always has its deadline */
        }
        panel_decoder_free(d);
        return 0;
}
