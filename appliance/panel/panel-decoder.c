/* The panel decoder: input events in, panel events out (see panel.h).
 *
 * Invariants the fuzzer checks: every PANEL_STOP_PRESSED is followed by
 * exactly one PANEL_STOP or PANEL_STOP_SHORT, and the typed officer number
 * and PIN never exceed PANEL_OFFICER_MAX / PANEL_PIN_MAX digits. Odd input
 * (a release without a press, a press twice, repeats of a key that is not
 * down, unknown codes, other event types, time going backwards) is ignored
 * rather than trusted. */
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"

/* The entry, in guarded, locked memory that is wiped whenever it ends. */
typedef struct panel_entry {
        char officer[PANEL_OFFICER_MAX + 1];
        char pin[PANEL_PIN_MAX + 1];
        size_t officer_len, pin_len;
} panel_entry;

typedef enum entry_phase {
        ENTRY_NONE,
        ENTRY_OFFICER,
        ENTRY_PIN,
} entry_phase;

struct panel_decoder {
        panel_keymap map;
        uint64_t stop_hold_ns, entry_timeout_ns;
        panel_event_fn fn;
        void *userdata;

        panel_entry *entry; /* sodium_malloc */
        entry_phase phase;
        uint64_t entry_last_ns; /* the last key of the entry, for the timeout */

        bool stop_down, stop_done;
        uint64_t stop_down_ns;

        uint64_t now_ns; /* the latest time seen; never goes back */
        unsigned long down[(KEY_MAX + 1 + sizeof(unsigned long) * CHAR_BIT - 1) /
                           (sizeof(unsigned long) * CHAR_BIT)];
};

static const char *const action_names[_PANEL_ACTION_MAX] = {
        [PANEL_ENTRY_STARTED] = "entry-started",
        [PANEL_ENTRY_PIN] = "entry-pin",
        [PANEL_ENTRY_CLEARED] = "entry-cleared",
        [PANEL_IDENTIFY] = "identify",
        [PANEL_START] = "start",
        [PANEL_MARK] = "mark",
        [PANEL_BREAK] = "break",
        [PANEL_STOP_PRESSED] = "stop-pressed",
        [PANEL_STOP_SHORT] = "stop-short",
        [PANEL_STOP] = "stop",
};

const char *panel_action_to_string(panel_action a) {
        if (a < 0 || a >= _PANEL_ACTION_MAX)
                return NULL;
        return action_names[a];
}

#define BITS_PER_LONG (sizeof(unsigned long) * CHAR_BIT)

static bool key_is_down(const panel_decoder *d, unsigned code) {
        return d->down[code / BITS_PER_LONG] & (1UL << (code % BITS_PER_LONG));
}

static void key_set_down(panel_decoder *d, unsigned code, bool down) {
        if (down)
                d->down[code / BITS_PER_LONG] |= 1UL << (code % BITS_PER_LONG);
        else
                d->down[code / BITS_PER_LONG] &= ~(1UL << (code % BITS_PER_LONG));
}

/* '0'..'9' for a digit key of either the keypad or the main rows, else 0. */
static char key_digit(unsigned code) {
        switch (code) {
        case KEY_KP0:
        case KEY_0:
                return '0';
        case KEY_KP1:
        case KEY_1:
                return '1';
        case KEY_KP2:
        case KEY_2:
                return '2';
        case KEY_KP3:
        case KEY_3:
                return '3';
        case KEY_KP4:
        case KEY_4:
                return '4';
        case KEY_KP5:
        case KEY_5:
                return '5';
        case KEY_KP6:
        case KEY_6:
                return '6';
        case KEY_KP7:
        case KEY_7:
                return '7';
        case KEY_KP8:
        case KEY_8:
                return '8';
        case KEY_KP9:
        case KEY_9:
                return '9';
        default:
                return 0;
        }
}

static void emit(panel_decoder *d, panel_action a) {
        panel_event ev = {.action = a};
        d->fn(&ev, d->userdata);
}

static void entry_wipe(panel_decoder *d) {
        sodium_memzero(d->entry, sizeof(*d->entry));
        d->phase = ENTRY_NONE;
}

static void entry_clear(panel_decoder *d) {
        entry_wipe(d);
        emit(d, PANEL_ENTRY_CLEARED);
}

/* Ends a hold that did not complete (a release, or a reset): the light cue
 * stops and nothing is stopped. */
static void stop_cancel(panel_decoder *d) {
        bool pending = d->stop_down && !d->stop_done;

        d->stop_down = d->stop_done = false;
        if (pending)
                emit(d, PANEL_STOP_SHORT);
}

static bool elapsed(uint64_t now, uint64_t since, uint64_t span) {
        return now >= since && now - since >= span;
}

static void check_deadlines(panel_decoder *d) {
        if (d->stop_down && !d->stop_done && elapsed(d->now_ns, d->stop_down_ns, d->stop_hold_ns)) {
                d->stop_done = true; /* once per press, however long it is held */
                emit(d, PANEL_STOP);
        }
        if (d->phase != ENTRY_NONE && d->entry_timeout_ns > 0 &&
            elapsed(d->now_ns, d->entry_last_ns, d->entry_timeout_ns))
                entry_clear(d);
}

static void on_digit(panel_decoder *d, char c) {
        panel_entry *e = d->entry;

        d->entry_last_ns = d->now_ns;
        switch (d->phase) {
        case ENTRY_NONE:
                e->officer[0] = c;
                e->officer_len = 1;
                d->phase = ENTRY_OFFICER;
                emit(d, PANEL_ENTRY_STARTED);
                return;
        case ENTRY_OFFICER:
                if (e->officer_len >= PANEL_OFFICER_MAX)
                        return entry_clear(d); /* too long: start over */
                e->officer[e->officer_len++] = c;
                return;
        case ENTRY_PIN:
                if (e->pin_len >= PANEL_PIN_MAX)
                        return entry_clear(d);
                e->pin[e->pin_len++] = c;
                return;
        }
}

static void on_enter(panel_decoder *d) {
        panel_entry *e = d->entry;

        switch (d->phase) {
        case ENTRY_NONE:
                return; /* nothing typed: nothing to confirm */
        case ENTRY_OFFICER:
                d->entry_last_ns = d->now_ns;
                d->phase = ENTRY_PIN;
                emit(d, PANEL_ENTRY_PIN);
                return;
        case ENTRY_PIN:
                if (e->pin_len == 0)
                        return;
                e->officer[e->officer_len] = 0;
                e->pin[e->pin_len] = 0;
                /* The entry is over before the callback runs, so that a
                 * callback that resets the decoder finds nothing half-done;
                 * the digits are wiped when it returns. */
                d->phase = ENTRY_NONE;
                panel_event ev = {.action = PANEL_IDENTIFY, .officer = e->officer, .pin = e->pin};
                d->fn(&ev, d->userdata);
                sodium_memzero(e, sizeof(*e));
                return;
        }
}

static void on_press(panel_decoder *d, unsigned code) {
        const panel_keymap *m = &d->map;
        char c;

        if (code == m->stop) {
                d->stop_down = true;
                d->stop_done = false;
                d->stop_down_ns = d->now_ns;
                emit(d, PANEL_STOP_PRESSED);
        } else if (code == m->start)
                emit(d, PANEL_START);
        else if (code == m->mark)
                emit(d, PANEL_MARK);
        else if (code == m->brk)
                emit(d, PANEL_BREAK);
        else if (code == m->clear) {
                /* Also with nothing typed, so that Clear cancels a ready room. */
                entry_clear(d);
        } else if (code == m->enter || code == KEY_ENTER || code == KEY_KPENTER)
                on_enter(d);
        else if ((c = key_digit(code)))
                on_digit(d, c);
}

static uint64_t event_time_ns(const struct input_event *ev) {
        long long sec = ev->input_event_sec;
        long long usec = ev->input_event_usec;

        if (sec < 0)
                return 0;
        if ((unsigned long long) sec >= UINT64_MAX / 1000000000ULL - 1)
                return UINT64_MAX - 1000000000ULL;
        if (usec < 0 || usec > 999999)
                usec = 0;
        return (uint64_t) sec * 1000000000ULL + (uint64_t) usec * 1000ULL;
}

static void advance(panel_decoder *d, uint64_t now_ns) {
        if (now_ns > d->now_ns)
                d->now_ns = now_ns;
}

void panel_decoder_feed(panel_decoder *d, const struct input_event *ev) {
        if (ev->type == EV_SYN && ev->code == SYN_DROPPED) {
                /* Events were lost: what is held and what was typed can no
                 * longer be trusted. */
                panel_decoder_reset(d);
                return;
        }
        if (ev->type != EV_KEY || ev->code > KEY_MAX)
                return;
        advance(d, event_time_ns(ev));
        check_deadlines(d);

        switch (ev->value) {
        case 1:
                if (key_is_down(d, ev->code))
                        return; /* a second press without a release */
                key_set_down(d, ev->code, true);
                on_press(d, ev->code);
                check_deadlines(d); /* a stop_hold of 0 stops at the press */
                break;
        case 0:
                if (!key_is_down(d, ev->code))
                        return;
                key_set_down(d, ev->code, false);
                if (ev->code == d->map.stop && d->stop_down)
                        stop_cancel(d); /* after check_deadlines: a full hold already stopped */
                break;
        default:
                /* Repeats (2) only tell that time passed. */
                break;
        }
}

void panel_decoder_tick(panel_decoder *d, uint64_t now_ns) {
        advance(d, now_ns);
        check_deadlines(d);
}

uint64_t panel_decoder_next_deadline(const panel_decoder *d) {
        uint64_t next = UINT64_MAX;

        if (d->stop_down && !d->stop_done)
                next = d->stop_down_ns >= UINT64_MAX - d->stop_hold_ns ? UINT64_MAX - 1
                                                                       : d->stop_down_ns + d->stop_hold_ns;
        if (d->phase != ENTRY_NONE && d->entry_timeout_ns > 0) {
                uint64_t t = d->entry_last_ns >= UINT64_MAX - d->entry_timeout_ns
                                     ? UINT64_MAX - 1
                                     : d->entry_last_ns + d->entry_timeout_ns;
                if (t < next)
                        next = t;
        }
        return next;
}

void panel_decoder_reset(panel_decoder *d) {
        bool typing = d->phase != ENTRY_NONE;

        memset(d->down, 0, sizeof(d->down));
        stop_cancel(d);
        entry_wipe(d);
        if (typing)
                emit(d, PANEL_ENTRY_CLEARED);
}

panel_decoder *panel_decoder_new(const panel_keymap *map, uint64_t stop_hold_ns, uint64_t entry_timeout_ns,
                                 panel_event_fn fn, void *userdata) {
        panel_decoder *d;

        if (!map || !fn || sodium_init() < 0)
                return NULL;
        d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        d->entry = sodium_malloc(sizeof(*d->entry));
        if (!d->entry) {
                free(d);
                return NULL;
        }
        sodium_memzero(d->entry, sizeof(*d->entry));
        d->map = *map;
        d->stop_hold_ns = stop_hold_ns;
        d->entry_timeout_ns = entry_timeout_ns;
        d->fn = fn;
        d->userdata = userdata;
        return d;
}

panel_decoder *panel_decoder_free(panel_decoder *d) {
        if (!d)
                return NULL;
        sodium_free(d->entry); /* wipes it */
        free(d);
        return NULL;
}
