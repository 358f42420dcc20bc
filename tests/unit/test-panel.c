/* The panel: struct input_event sequences through the decoder the device
 * layer uses (entry, wrong PINs with the guard and the officers file,
 * Start/Mark/Break, hold-to-Stop, repeats, odd sequences, unplug), the key
 * map, and the device layer as far as it goes without a real evdev device
 * (absent, wrong kind of file, waiting for a re-plug). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <glib/gstdio.h>

#include "officers.h"
#include "panel.h"
#include "pinguard.h"

#define MS 1000000ULL
#define S 1000000000ULL
#define HOLD (2 * S)
#define TIMEOUT (30 * S)

/* ---- what the decoder said ---------------------------------------------- */

typedef struct seen {
        panel_action a[256];
        size_t n;
        char officer[PANEL_OFFICER_MAX + 2];
        char pin[PANEL_PIN_MAX + 2];
        const char *pin_ptr; /* where the decoder kept it, to check the wipe */
        /* the wrong-PIN flow */
        const officers *officers;
        pinguard guard;
        uint64_t now;
        int last_check; /* 0, -EACCES, -EAGAIN, -ENOLCK */
        unsigned checks;
} seen;

static void on_event(const panel_event *ev, void *userdata) {
        seen *s = userdata;

        assert_true(s->n < G_N_ELEMENTS(s->a));
        s->a[s->n++] = ev->action;
        if (ev->action != PANEL_IDENTIFY) {
                assert_null(ev->officer);
                assert_null(ev->pin);
                return;
        }
        assert_true(strlen(ev->officer) <= PANEL_OFFICER_MAX);
        assert_true(strlen(ev->pin) <= PANEL_PIN_MAX);
        g_strlcpy(s->officer, ev->officer, sizeof(s->officer));
        g_strlcpy(s->pin, ev->pin, sizeof(s->pin));
        s->pin_ptr = ev->pin;
        if (!s->officers)
                return;
        s->last_check = pinguard_may_try(&s->guard, s->now, NULL);
        if (s->last_check < 0)
                return;
        s->checks++;
        s->last_check = officers_check_pin(s->officers, ev->officer, ev->pin);
        if (s->last_check == 0)
                pinguard_succeeded(&s->guard);
        else
                pinguard_failed(&s->guard, s->now);
}

static panel_keymap default_map(void) {
        studio_panel_conf conf = {0};
        panel_keymap m;
        g_autofree gchar *msg = NULL;

        assert_int_equal(panel_keymap_from_conf(&conf, &m, &msg), 0);
        return m;
}

static panel_decoder *decoder(seen *s) {
        panel_keymap m = default_map();
        memset(s, 0, sizeof(*s));
        panel_decoder *d = panel_decoder_new(&m, HOLD, TIMEOUT, on_event, s);
        assert_non_null(d);
        return d;
}

static void ev(panel_decoder *d, uint16_t type, uint16_t code, int32_t value, uint64_t t) {
        struct input_event e = {.type = type, .code = code, .value = value};
        e.input_event_sec = (time_t) (t / S);
        e.input_event_usec = (suseconds_t) (t % S / 1000);
        panel_decoder_feed(d, &e);
}

/* A press and a release as a keyboard reports them: scan code, key, SYN. */
static void tap(panel_decoder *d, uint16_t code, uint64_t t) {
        ev(d, EV_MSC, MSC_SCAN, 0x70000 + code, t);
        ev(d, EV_KEY, code, 1, t);
        ev(d, EV_SYN, SYN_REPORT, 0, t);
        ev(d, EV_KEY, code, 0, t + 50 * MS);
        ev(d, EV_SYN, SYN_REPORT, 0, t + 50 * MS);
}

static const uint16_t kp_digit[10] = {KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
                                      KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9};
static const uint16_t row_digit[10] = {KEY_0, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9};

/* Types digits on the keypad, one every 200 ms from *t. */
static void type(panel_decoder *d, const char *digits, uint64_t *t) {
        for (const char *c = digits; *c; c++) {
                tap(d, kp_digit[*c - '0'], *t);
                *t += 200 * MS;
        }
}

static void enter(panel_decoder *d, uint64_t *t) {
        tap(d, KEY_KPENTER, *t);
        *t += 200 * MS;
}

#define assert_seen(s, ...)                                                                                 \
        do {                                                                                                \
                const panel_action _want[] = {__VA_ARGS__};                                                 \
                assert_int_equal((s)->n, G_N_ELEMENTS(_want));                                              \
                for (size_t _i = 0; _i < G_N_ELEMENTS(_want); _i++)                                         \
                        assert_string_equal(panel_action_to_string((s)->a[_i]),                             \
                                            panel_action_to_string(_want[_i]));                             \
        } while (0)
#define assert_nothing(s) assert_int_equal((s)->n, 0)

/* ---- key map -------------------------------------------------------------- */

static void test_keymap(void **state) {
        panel_keymap m = default_map();
        (void) state;

        assert_int_equal(m.start, KEY_KPPLUS);
        assert_int_equal(m.mark, KEY_KPASTERISK);
        assert_int_equal(m.brk, KEY_KPSLASH);
        assert_int_equal(m.stop, KEY_KPMINUS);
        assert_int_equal(m.enter, KEY_KPENTER);
        assert_int_equal(m.clear, KEY_BACKSPACE);

        studio_panel_conf conf = {.key_start = "KEY_F1", .key_stop = "KEY_ESC"};
        assert_int_equal(panel_keymap_from_conf(&conf, &m, NULL), 0);
        assert_int_equal(m.start, KEY_F1);
        assert_int_equal(m.stop, KEY_ESC);

        static const struct {
                studio_panel_conf conf;
                const char *in_message;
        } bad[] = {
                {{.key_start = "KEY_NOSUCH"}, "key_start \"KEY_NOSUCH\" is not a key name"},
                {{.key_mark = "kpplus"}, "key_mark"},
                {{.key_mark = ""}, "key_mark"},
                {{.key_break = "REL_X"}, "key_break"},
                {{.key_stop = "KEY_KP5"}, "key_stop KEY_KP5 is a digit key"},
                {{.key_clear = "KEY_0"}, "digit key"},
                {{.key_start = "KEY_ENTER"}, "key_start is an Enter key"},
                {{.key_mark = "KEY_KPPLUS"}, "key_start and key_mark are the same key (KEY_KPPLUS)"},
                {{.key_start = "KEY_F1\x1b[2J"}, "\\u001b"}, /* escaped when shown */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree gchar *msg = NULL;
                panel_keymap untouched = {.start = 4242};
                assert_int_equal(panel_keymap_from_conf(&bad[i].conf, &untouched, &msg), -EINVAL);
                assert_non_null(msg);
                if (!strstr(msg, bad[i].in_message))
                        fail_msg("message \"%s\" lacks \"%s\"", msg, bad[i].in_message);
                assert_null(strchr(msg, '\x1b'));
                assert_int_equal(untouched.start, 4242);
        }
}

/* ---- entry ---------------------------------------------------------------- */

static void test_pin_entry(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 10 * S;
        (void) state;

        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);
        type(d, "4711", &t);
        assert_seen(&s, PANEL_ENTRY_STARTED);
        assert_int_equal(panel_decoder_next_deadline(d), t - 200 * MS + TIMEOUT);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN);
        type(d, "13579", &t);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_IDENTIFY);
        assert_string_equal(s.officer, "4711");
        assert_string_equal(s.pin, "13579");
        /* Wiped once the callback returned, and no timeout left pending. */
        for (size_t i = 0; i <= PANEL_PIN_MAX; i++)
                assert_int_equal(s.pin_ptr[i], 0);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);

        /* The main rows and KEY_ENTER type the same. */
        s.n = 0;
        for (const char *c = "0815"; *c; c++, t += S)
                tap(d, row_digit[*c - '0'], t);
        tap(d, KEY_ENTER, t);
        for (const char *c = "24680"; *c; c++, t += S)
                tap(d, row_digit[*c - '0'], t);
        tap(d, KEY_ENTER, t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_IDENTIFY);
        assert_string_equal(s.officer, "0815");
        assert_string_equal(s.pin, "24680");
        panel_decoder_free(d);
}

static void test_enter_with_nothing_typed(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = S;
        (void) state;

        enter(d, &t);
        enter(d, &t);
        assert_nothing(&s);
        type(d, "42", &t);
        enter(d, &t);
        enter(d, &t); /* an empty PIN is not sent */
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN);
        type(d, "97531", &t);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_IDENTIFY);
        assert_string_equal(s.officer, "42");
        panel_decoder_free(d);
}

static void test_overlong_entry(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = S;
        char digits[PANEL_PIN_MAX + 2];
        (void) state;

        /* 12 digits are an officer number, the 13th clears the entry. */
        type(d, "123456789012", &t);
        enter(d, &t);
        memset(digits, '7', PANEL_PIN_MAX);
        digits[PANEL_PIN_MAX] = 0;
        type(d, digits, &t);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_IDENTIFY);
        assert_string_equal(s.officer, "123456789012");
        assert_int_equal(strlen(s.pin), PANEL_PIN_MAX);

        s.n = 0;
        type(d, "1234567890123", &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_CLEARED);
        enter(d, &t); /* nothing left to confirm */
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_CLEARED);

        s.n = 0;
        type(d, "9", &t);
        enter(d, &t);
        memset(digits, '3', PANEL_PIN_MAX + 1);
        digits[PANEL_PIN_MAX + 1] = 0;
        type(d, digits, &t);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_ENTRY_CLEARED);
        /* The next digit starts a new entry. */
        type(d, "5", &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_ENTRY_CLEARED, PANEL_ENTRY_STARTED);
        panel_decoder_free(d);
}

static void test_clear_and_timeout(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 100 * S;
        (void) state;

        type(d, "4711", &t);
        enter(d, &t);
        type(d, "135", &t);
        tap(d, KEY_BACKSPACE, t);
        t += S;
        enter(d, &t); /* the PIN is gone: nothing to confirm */
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_ENTRY_CLEARED);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);

        /* Clear with nothing typed is still told (it cancels a ready room). */
        s.n = 0;
        tap(d, KEY_BACKSPACE, t);
        assert_seen(&s, PANEL_ENTRY_CLEARED);

        /* entry_timeout after the last key, by tick. */
        s.n = 0;
        t += S;
        type(d, "4711", &t);
        uint64_t last = t - 200 * MS;
        assert_int_equal(panel_decoder_next_deadline(d), last + TIMEOUT);
        panel_decoder_tick(d, last + TIMEOUT - 1);
        assert_seen(&s, PANEL_ENTRY_STARTED);
        panel_decoder_tick(d, last + TIMEOUT);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_CLEARED);
        panel_decoder_tick(d, last + 2 * TIMEOUT);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_CLEARED);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);

        /* A key that comes after the timeout, with no tick between: the old
         * entry times out first, and the key starts a new one. */
        s.n = 0;
        t = last + 3 * TIMEOUT;
        type(d, "12", &t);
        enter(d, &t);
        t += TIMEOUT;
        type(d, "3", &t);
        enter(d, &t);
        type(d, "86420", &t);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_ENTRY_CLEARED, PANEL_ENTRY_STARTED,
                    PANEL_ENTRY_PIN, PANEL_IDENTIFY);
        assert_string_equal(s.officer, "3");
        panel_decoder_free(d);
}

/* ---- wrong PINs, with the guard and a real officers file -------------------- */

static void identify(panel_decoder *d, seen *s, const char *officer, const char *pin, uint64_t at) {
        uint64_t t = at;
        s->now = at;
        type(d, officer, &t);
        enter(d, &t);
        type(d, pin, &t);
        enter(d, &t); /* the guard is asked at `at` */
}

static void test_wrong_pin_flow(void **state) {
        char path[] = "/tmp/test-panel-officers-XXXXXX";
        int fd = mkstemp(path);
        officers *o = officers_new(), *loaded = NULL;
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 1000 * S;
        (void) state;

        assert_true(fd >= 0);
        assert_int_equal(officers_add(o, "4711", "13579"), 0);
        assert_int_equal(officers_save(o, path), 0);
        assert_int_equal(officers_load(path, &loaded, NULL), 0);
        s.officers = loaded;

        /* Three wrong PINs are free: each is checked at once. */
        for (int i = 0; i < PINGUARD_FREE_TRIES; i++) {
                identify(d, &s, "4711", "97531", t);
                assert_int_equal(s.last_check, -EACCES);
                t += 5 * S;
        }
        /* The fourth is checked, and the next try must wait 2 s. */
        identify(d, &s, "4711", "97531", t);
        assert_int_equal(s.last_check, -EACCES);
        assert_int_equal(s.checks, 4);
        uint64_t refused_at = s.now;
        /* The right PIN inside the 2 s is not even checked. */
        identify(d, &s, "4711", "13579", refused_at + 100 * MS);
        assert_true(s.now < refused_at + 2 * S);
        assert_int_equal(s.last_check, -EAGAIN);
        assert_int_equal(s.checks, 4);
        /* After the wait it is, and it resets the count. */
        identify(d, &s, "4711", "13579", refused_at + 2 * S);
        assert_int_equal(s.last_check, 0);
        assert_int_equal(s.checks, 5);
        assert_int_equal(s.guard.failures, 0);
        assert_string_equal(s.officer, "4711");
        /* An unknown officer counts as a refusal too. */
        identify(d, &s, "999", "13579", refused_at + 10 * S);
        assert_int_equal(s.last_check, -ENOENT);
        assert_int_equal(s.guard.failures, 1);

        panel_decoder_free(d);
        officers_free(o);
        officers_free(loaded);
        (void) unlink(path);
        (void) close(fd);
}

static void test_lockout_timing(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        officers *o = officers_new();
        uint64_t t = 50 * S, wait = 0;
        (void) state;

        /* Unknown officers fail without an Argon2id hash each, so the ten
         * refusals are quick; the timing is the guard's. */
        s.officers = o;
        for (unsigned i = 1; i < PINGUARD_LOCK_AFTER; i++) {
                identify(d, &s, "12", "24680", t);
                assert_int_equal(s.last_check, -ENOENT);
                if (i > PINGUARD_FREE_TRIES) {
                        uint64_t at = s.now;
                        assert_int_equal(pinguard_may_try(&s.guard, at, &wait), -EAGAIN);
                        assert_int_equal(wait, (2 * S) << (i - PINGUARD_FREE_TRIES - 1));
                        identify(d, &s, "12", "24680", at + wait - S);
                        assert_int_equal(s.last_check, -EAGAIN);
                        t = at + wait;
                } else
                        t = s.now;
        }
        identify(d, &s, "12", "24680", t);
        assert_int_equal(s.last_check, -ENOENT);
        identify(d, &s, "12", "24680", t + 1000 * S);
        assert_int_equal(s.last_check, -ENOLCK);
        assert_int_equal(s.checks, PINGUARD_LOCK_AFTER);
        pinguard_unlock(&s.guard);
        identify(d, &s, "12", "24680", t + 1001 * S);
        assert_int_equal(s.last_check, -ENOENT);
        assert_int_equal(s.checks, PINGUARD_LOCK_AFTER + 1);
        officers_free(o);
        panel_decoder_free(d);
}

/* ---- actions ---------------------------------------------------------------- */

static void test_actions_and_repeat(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 5 * S;
        (void) state;

        tap(d, KEY_KPPLUS, t);
        tap(d, KEY_KPASTERISK, t + S);
        tap(d, KEY_KPSLASH, t + 2 * S);
        tap(d, KEY_KPSLASH, t + 3 * S);
        assert_seen(&s, PANEL_START, PANEL_MARK, PANEL_BREAK, PANEL_BREAK);

        /* A held key repeats (value 2): one action, however long. */
        s.n = 0;
        t += 10 * S;
        ev(d, EV_KEY, KEY_KPASTERISK, 1, t);
        for (int i = 1; i < 50; i++)
                ev(d, EV_KEY, KEY_KPASTERISK, 2, t + 250 * MS + (uint64_t) i * 33 * MS);
        ev(d, EV_KEY, KEY_KPASTERISK, 0, t + 3 * S);
        assert_seen(&s, PANEL_MARK);

        /* A held digit types one digit. */
        s.n = 0;
        t += 10 * S;
        ev(d, EV_KEY, KEY_KP4, 1, t);
        for (int i = 1; i < 20; i++)
                ev(d, EV_KEY, KEY_KP4, 2, t + (uint64_t) i * 33 * MS);
        ev(d, EV_KEY, KEY_KP4, 0, t + S);
        t += 2 * S;
        enter(d, &t);
        type(d, "97531", &t);
        enter(d, &t);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_IDENTIFY);
        assert_string_equal(s.officer, "4");
        panel_decoder_free(d);
}

/* A hold that began so late that its deadline is the last instant still
 * has a deadline: UINT64_MAX means "none" to the caller. */
static void test_deadline_at_end_of_time(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = UINT64_MAX - HOLD;
        (void) state;

        panel_decoder_tick(d, t);
        ev(d, EV_KEY, KEY_KPMINUS, 1, 20 * S); /* time never goes back */
        assert_seen(&s, PANEL_STOP_PRESSED);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX - 1);
        panel_decoder_tick(d, UINT64_MAX);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);
        panel_decoder_free(d);
}

static void test_stop_hold_and_short(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 20 * S;
        (void) state;

        /* Held for stop_hold: one Stop, at the tick that reaches it. */
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        assert_seen(&s, PANEL_STOP_PRESSED);
        assert_int_equal(panel_decoder_next_deadline(d), t + HOLD);
        panel_decoder_tick(d, t + HOLD - 1);
        assert_seen(&s, PANEL_STOP_PRESSED);
        panel_decoder_tick(d, t + HOLD);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);
        for (int i = 0; i < 30; i++)
                ev(d, EV_KEY, KEY_KPMINUS, 2, t + HOLD + (uint64_t) i * 100 * MS);
        panel_decoder_tick(d, t + 10 * HOLD);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + 10 * HOLD);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);

        /* Released too soon: a short press, and nothing stops later. */
        s.n = 0;
        t += 100 * S;
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        ev(d, EV_KEY, KEY_KPMINUS, 2, t + 500 * MS);
        panel_decoder_tick(d, t + 1 * S);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + HOLD - MS);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP_SHORT);
        panel_decoder_tick(d, t + 5 * HOLD);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP_SHORT);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);

        /* Released at stop_hold before any tick: the hold was long enough. */
        s.n = 0;
        t += 100 * S;
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + HOLD);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);

        /* Repeats alone carry the time: the Stop comes without a tick. */
        s.n = 0;
        t += 100 * S;
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        for (uint64_t r = 250 * MS; r <= 3 * S; r += 33 * MS)
                ev(d, EV_KEY, KEY_KPMINUS, 2, t + r);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + 3 * S);

        /* A second press without a release does not restart the hold. */
        s.n = 0;
        t += 100 * S;
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        ev(d, EV_KEY, KEY_KPMINUS, 1, t + 1 * S);
        panel_decoder_tick(d, t + HOLD);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + 3 * S);
        panel_decoder_free(d);
}

static void test_odd_sequences(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 30 * S;
        (void) state;

        ev(d, EV_KEY, KEY_KPPLUS, 0, t);  /* release without press */
        ev(d, EV_KEY, KEY_KPMINUS, 0, t); /* release without press */
        ev(d, EV_KEY, KEY_KPMINUS, 2, t); /* repeat without press */
        ev(d, EV_KEY, KEY_KP1, 2, t);
        ev(d, EV_KEY, KEY_MAX, 1, t);
        ev(d, EV_KEY, KEY_MAX + 1, 1, t);
        ev(d, EV_KEY, 0xffff, 1, t);
        ev(d, EV_KEY, KEY_A, 1, t);
        ev(d, EV_KEY, KEY_KPPLUS, 7, t);
        ev(d, EV_KEY, KEY_KPPLUS, -1, t);
        ev(d, EV_REL, REL_X, 1, t);
        ev(d, EV_ABS, ABS_X, 1, t);
        ev(d, EV_MSC, MSC_SCAN, 1, t);
        ev(d, EV_LED, LED_NUML, 1, t);
        ev(d, 0xffff, KEY_KPPLUS, 1, t);
        ev(d, EV_SYN, SYN_REPORT, 0, t);
        assert_nothing(&s);

        /* Press twice without a release: once. */
        ev(d, EV_KEY, KEY_KPPLUS, 1, t);
        ev(d, EV_KEY, KEY_KPPLUS, 1, t + S);
        ev(d, EV_KEY, KEY_KPPLUS, 0, t + 2 * S);
        ev(d, EV_KEY, KEY_KPPLUS, 0, t + 2 * S);
        assert_seen(&s, PANEL_START);

        /* Time that goes back does not shorten or lengthen a hold. */
        s.n = 0;
        t += 100 * S;
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        ev(d, EV_KEY, KEY_KPMINUS, 2, 1 * S);
        panel_decoder_tick(d, 0);
        assert_seen(&s, PANEL_STOP_PRESSED);
        panel_decoder_tick(d, t + HOLD);
        assert_seen(&s, PANEL_STOP_PRESSED, PANEL_STOP);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + HOLD);

        /* Absurd timestamps are clamped, not overflowed. */
        struct input_event e = {.type = EV_KEY, .code = KEY_KPMINUS, .value = 1};
        e.input_event_sec = (time_t) -5;
        e.input_event_usec = -3;
        panel_decoder_feed(d, &e);
        e.value = 0;
        e.input_event_sec = (time_t) INT64_MAX;
        e.input_event_usec = 99999999;
        panel_decoder_feed(d, &e);
        assert_int_equal(s.n, 4);
        assert_int_equal(s.a[2], PANEL_STOP_PRESSED);
        assert_int_equal(s.a[3], PANEL_STOP); /* the clock jumped far ahead */
        panel_decoder_free(d);
}

static void test_syn_dropped(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 40 * S;
        (void) state;

        /* A dropped report ends a hold without a Stop and forgets a half entry. */
        type(d, "47", &t);
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        ev(d, EV_SYN, SYN_DROPPED, 0, t + 100 * MS);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_STOP_PRESSED, PANEL_STOP_SHORT, PANEL_ENTRY_CLEARED);
        panel_decoder_tick(d, t + 10 * HOLD);
        ev(d, EV_KEY, KEY_KPMINUS, 0, t + 10 * HOLD); /* its release, after the resync */
        assert_int_equal(s.n, 4);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);

        /* A key down across the drop can be pressed again afterwards. */
        s.n = 0;
        t += 100 * S;
        ev(d, EV_KEY, KEY_KPPLUS, 1, t);
        ev(d, EV_SYN, SYN_DROPPED, 0, t);
        ev(d, EV_KEY, KEY_KPPLUS, 1, t + S);
        ev(d, EV_KEY, KEY_KPPLUS, 0, t + S);
        assert_seen(&s, PANEL_START, PANEL_START);
        panel_decoder_free(d);
}

static void test_unplug_and_replug(void **state) {
        seen s;
        panel_decoder *d = decoder(&s);
        uint64_t t = 60 * S;
        (void) state;

        type(d, "4711", &t);
        enter(d, &t);
        type(d, "135", &t);
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        panel_decoder_reset(d); /* unplugged, Stop held, PIN half typed */
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_STOP_PRESSED, PANEL_STOP_SHORT,
                    PANEL_ENTRY_CLEARED);
        assert_int_equal(panel_decoder_next_deadline(d), UINT64_MAX);
        panel_decoder_tick(d, t + 10 * HOLD);
        panel_decoder_reset(d); /* nothing left to forget: quiet */
        assert_int_equal(s.n, 5);

        /* Re-plugged: a new device has no keys down and typing starts over. */
        s.n = 0;
        t += 100 * S;
        type(d, "4711", &t);
        enter(d, &t);
        type(d, "13579", &t);
        enter(d, &t);
        ev(d, EV_KEY, KEY_KPMINUS, 1, t);
        panel_decoder_tick(d, t + HOLD);
        assert_seen(&s, PANEL_ENTRY_STARTED, PANEL_ENTRY_PIN, PANEL_IDENTIFY, PANEL_STOP_PRESSED,
                    PANEL_STOP);
        assert_string_equal(s.pin, "13579");
        panel_decoder_free(d);
}

static void test_action_names(void **state) {
        (void) state;
        for (int a = 0; a < _PANEL_ACTION_MAX; a++)
                assert_non_null(panel_action_to_string((panel_action) a));
        assert_null(panel_action_to_string(_PANEL_ACTION_MAX));
        assert_null(panel_action_to_string(_PANEL_ACTION_INVALID));
}

/* ---- device layer ------------------------------------------------------------ */

typedef struct presence_log {
        unsigned calls;
        bool connected;
        char message[1024];
} presence_log;

static void on_presence(bool connected, const char *message, void *userdata) {
        presence_log *p = userdata;

        p->calls++;
        p->connected = connected;
        assert_non_null(message);
        g_strlcpy(p->message, message, sizeof(p->message));
}

static void on_event_unused(const panel_event *e, void *userdata) {
        (void) e;
        (void) userdata;
        fail_msg("no device, no events");
}

static char *tmpdir(void) {
        char *d = test_tmpdir_new("test-panel");
        assert_non_null(d);
        return d;
}

static void rm_rf(const char *path) {
        assert_int_equal(test_rmtree(path), 0);
}

/* Runs the default context until the presence callback has been called
 * `calls` times (the watch is inotify: this waits for an event, not a poll). */
static gboolean on_give_up(gpointer userdata) {
        *(bool *) userdata = true;
        return G_SOURCE_REMOVE;
}

static void run_until(presence_log *log, unsigned calls) {
        bool given_up = false;
        guint guard = g_timeout_add(5000, on_give_up, &given_up);

        while (log->calls < calls && !given_up)
                g_main_context_iteration(NULL, TRUE);
        if (!given_up)
                g_source_remove(guard);
        assert_int_equal(log->calls, calls);
}

static void test_device_refused(void **state) {
        g_autofree char *dir = tmpdir();
        g_autofree char *file = g_build_filename(dir, "usb-keypad-event-kbd", NULL);
        presence_log log = {0};
        panel *p = NULL;
        (void) state;

        assert_true(g_file_set_contents(file, "not a device", -1, NULL));
        const struct {
                const char *device, *in_message;
                int r;
        } cases[] = {
                {file, "is a regular file, not an input device", -ENOTTY},
                {dir, "is a folder, not an input device", -ENOTTY},
                {"/dev/null", "is a device but not an input event device", -ENOTTY},
                {"", "no panel device configured", -EINVAL},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                studio_panel_conf conf = {.device = (char *) cases[i].device, .stop_hold_ns = HOLD};
                g_autofree gchar *msg = NULL;
                struct stat st;

                if (g_str_equal(cases[i].device, "/dev/null") &&
                    (stat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode)))
                        continue;
                assert_int_equal(panel_open(&conf, on_event_unused, on_presence, &log, &p, &msg),
                                 cases[i].r);
                assert_null(p);
                assert_non_null(msg);
                if (!strstr(msg, cases[i].in_message) || !strstr(msg, cases[i].device))
                        fail_msg("message \"%s\"", msg);
                if (cases[i].r == -ENOTTY && !strstr(msg, "[panel] device"))
                        fail_msg("message \"%s\" does not say what to configure", msg);
        }
        /* A bad key name is refused before any device is looked at. */
        studio_panel_conf conf = {.device = file, .key_mark = "KEY_NOPE"};
        g_autofree gchar *msg = NULL;
        assert_int_equal(panel_open(&conf, on_event_unused, on_presence, &log, &p, &msg), -EINVAL);
        assert_non_null(strstr(msg, "key_mark"));
        assert_int_equal(log.calls, 0);
        rm_rf(dir);
}

static void test_device_absent_then_appears(void **state) {
        g_autofree char *dir = tmpdir();
        g_autofree char *byid = g_build_filename(dir, "by-id", NULL);
        g_autofree char *path = g_build_filename(byid, "usb-keypad-event-kbd", NULL);
        studio_panel_conf conf = {.device = path, .stop_hold_ns = HOLD};
        presence_log log = {0};
        g_autofree gchar *msg = NULL;
        panel *p = NULL;
        (void) state;

        /* Absent (even its folder): not an error, presence(false) says so. */
        assert_int_equal(panel_open(&conf, on_event_unused, on_presence, &log, &p, &msg), 0);
        assert_non_null(p);
        assert_null(msg);
        assert_false(panel_connected(p));
        assert_int_equal(log.calls, 1);
        assert_false(log.connected);
        assert_non_null(strstr(log.message, path));
        assert_non_null(strstr(log.message, "not found"));

        /* The folder appears (the watch moves down into it), then something
         * at the path: it is looked at when it appears, and this one is not
         * a keypad, so presence(false) says so (once). */
        assert_int_equal(g_mkdir(byid, 0755), 0);
        for (int i = 0; i < 20; i++)
                g_main_context_iteration(NULL, FALSE);
        assert_int_equal(log.calls, 1); /* still the same sentence: not repeated */
        assert_true(g_file_set_contents(path, "x", -1, NULL));
        run_until(&log, 2);
        assert_false(log.connected);
        assert_non_null(strstr(log.message, "not an input device"));
        assert_false(panel_connected(p));
        panel_free(p);
        rm_rf(dir);
}

static void test_device_by_name(void **state) {
        g_autofree char *dir = tmpdir();
        g_autofree char *ev0 = g_build_filename(dir, "event0", NULL);
        g_autofree char *ev1 = g_build_filename(dir, "event1", NULL);
        studio_panel_conf conf = {.device = "HID 04d9:1203", .stop_hold_ns = HOLD};
        presence_log log = {0};
        g_autofree gchar *msg = NULL;
        panel *p = NULL;
        (void) state;

        /* Files that are not devices are passed over, never an error. */
        assert_true(g_file_set_contents(ev0, "x", -1, NULL));
        assert_int_equal(mkfifo(ev1, 0600), 0);
        g_setenv(PANEL_INPUT_DIR_ENV, dir, TRUE);
        assert_int_equal(panel_open(&conf, on_event_unused, on_presence, &log, &p, &msg), 0);
        assert_false(panel_connected(p));
        assert_int_equal(log.calls, 1);
        assert_non_null(strstr(log.message, "\"HID 04d9:1203\" not found in"));
        assert_non_null(strstr(log.message, dir));
        panel_free(p);

        /* A folder that does not exist yet is waited for as well. */
        g_autofree char *missing = g_build_filename(dir, "input", NULL);
        g_setenv(PANEL_INPUT_DIR_ENV, missing, TRUE);
        log = (presence_log){0};
        assert_int_equal(panel_open(&conf, on_event_unused, on_presence, &log, &p, &msg), 0);
        assert_int_equal(log.calls, 1);
        assert_non_null(strstr(log.message, missing));
        panel_free(p);
        g_unsetenv(PANEL_INPUT_DIR_ENV);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keymap),
                cmocka_unit_test(test_pin_entry),
                cmocka_unit_test(test_enter_with_nothing_typed),
                cmocka_unit_test(test_overlong_entry),
                cmocka_unit_test(test_clear_and_timeout),
                cmocka_unit_test(test_wrong_pin_flow),
                cmocka_unit_test(test_lockout_timing),
                cmocka_unit_test(test_actions_and_repeat),
                cmocka_unit_test(test_stop_hold_and_short),
                cmocka_unit_test(test_odd_sequences),
                cmocka_unit_test(test_syn_dropped),
                cmocka_unit_test(test_unplug_and_replug),
                cmocka_unit_test(test_deadline_at_end_of_time),
                cmocka_unit_test(test_action_names),
                cmocka_unit_test(test_device_refused),
                cmocka_unit_test(test_device_absent_then_appears),
                cmocka_unit_test(test_device_by_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
