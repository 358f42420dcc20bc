/* The lights, on a fake LED folder laid out like /sys/class/leds: the
 * state-to-light table, hardware and software blinking, the ack blink,
 * writes only on change, and the errors for a missing or planted LED. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <glib/gstdio.h>

#include "lights.h"

typedef struct fake {
        char *root;   /* temp folder */
        char *leds;   /* root/leds: the LEDS_DIR */
        char *remote; /* root/devices: where a linked LED lives, as on /sys */
        studio_lights_conf conf;
} fake;

static void put(const char *dir, const char *name, const char *text) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        assert_true(g_file_set_contents(p, text, -1, NULL));
}

static char *get(const fake *f, const char *led, const char *name) {
        g_autofree char *p = g_build_filename(f->leds, led, name, NULL);
        char *text = NULL;
        assert_true(g_file_get_contents(p, &text, NULL, NULL));
        return g_strstrip(text);
}

/* One LED: max_brightness, and a trigger list with or without "timer". */
static void add_led(fake *f, const char *name, const char *max, bool timer, bool linked) {
        g_autofree char *dir = g_build_filename(linked ? f->remote : f->leds, name, NULL);
        assert_int_equal(g_mkdir_with_parents(dir, 0755), 0);
        put(dir, "brightness", "7\n");
        put(dir, "max_brightness", max);
        put(dir, "trigger",
            timer ? "none kbd-numlock [timer] heartbeat\n" : "[none] kbd-numlock heartbeat\n");
        if (timer) {
                put(dir, "delay_on", "0\n");
                put(dir, "delay_off", "0\n");
        }
        if (linked) {
                g_autofree char *link = g_build_filename(f->leds, name, NULL);
                assert_int_equal(symlink(dir, link), 0);
        }
}

static int setup(void **state) {
        fake *f = g_new0(fake, 1);
        f->root = test_tmpdir_new("test-lights");
        assert_non_null(f->root);
        f->leds = g_build_filename(f->root, "leds", NULL);
        f->remote = g_build_filename(f->root, "devices", NULL);
        assert_int_equal(g_mkdir(f->leds, 0755), 0);
        assert_int_equal(g_mkdir(f->remote, 0755), 0);
        add_led(f, "door:red", "255\n", true, true); /* a link, as /sys/class/leds entries are */
        add_led(f, "panel:green:ready", "255\n", false, false);
        add_led(f, "panel:red:recording", "255\n", true, false);
        add_led(f, "panel:amber:attention", "1\n", false, false);
        add_led(f, "panel:blue:ack", "100\n", false, false);
        f->conf = (studio_lights_conf){.leds_dir = f->leds,
                                       .door = "door:red",
                                       .ready = "panel:green:ready",
                                       .recording = "panel:red:recording",
                                       .attention = "panel:amber:attention",
                                       .ack = "panel:blue:ack",
                                       .gpio_door = -1,
                                       .gpio_ready = -1,
                                       .gpio_recording = -1,
                                       .gpio_attention = -1,
                                       .gpio_ack = -1};
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fake *f = *state;
        assert_int_equal(test_tmpdir_remove(f->root), 0);
        g_free(f->leds);
        g_free(f->remote);
        g_free(f);
        return 0;
}

static lights *open_lights(const fake *f) {
        g_autofree gchar *msg = NULL;
        lights *l = NULL;
        assert_int_equal(lights_open(&f->conf, &l, &msg), 0);
        assert_null(msg);
        return l;
}

static gboolean on_stop(gpointer userdata) {
        *(bool *) userdata = true;
        return G_SOURCE_REMOVE;
}

static void run_for(unsigned ms) {
        bool done = false;
        g_timeout_add(ms, on_stop, &done);
        while (!done)
                g_main_context_iteration(NULL, TRUE);
}

/* "on", "off" or "blink" as the LED's files show it: hardware blinking is
 * the timer trigger; software blinking starts lit and is told apart from
 * "on" by the caller. */
static const char *shown(const fake *f, const char *led) {
        g_autofree char *b = get(f, led, "brightness");
        g_autofree char *max = get(f, led, "max_brightness");
        g_autofree char *trig = get(f, led, "trigger");

        if (g_str_equal(trig, "timer"))
                return "blink";
        if (g_str_equal(b, "0"))
                return "off";
        if (g_str_equal(b, max))
                return "on";
        return "?";
}

static void test_table(void **state) {
        fake *f = *state;
        lights *l = open_lights(f);
        static const struct {
                room_state s;
                bool attention;
                const char *door, *ready, *recording, *attn;
        } table[] = {
                {ROOM_FREE, false, "off", "off", "off", "off"},
                {ROOM_IDENTIFYING, false, "off", "on" /* software blink, lit first */, "off", "off"},
                {ROOM_READY, false, "off", "on", "off", "off"},
                {ROOM_RECORDING, false, "on", "off", "on", "off"},
                {ROOM_BREAK, false, "on", "off", "blink", "off"},
                {ROOM_STOPPING, false, "on", "off", "off", "off"},
                {ROOM_ATTENTION, false, "off", "off", "off", "on"},
                {ROOM_UNPROVISIONED, false, "off", "off", "off", "on"},
                /* A fault during a session keeps the session's lights. */
                {ROOM_RECORDING, true, "on", "off", "on", "on"},
                {ROOM_BREAK, true, "on", "off", "blink", "on"},
                {ROOM_FREE, true, "off", "off", "off", "on"},
                {ROOM_FREE, false, "off", "off", "off", "off"},
        };

        /* Opening starts from everything off (the files said 7). */
        assert_string_equal(shown(f, "door:red"), "off");
        assert_string_equal(shown(f, "panel:blue:ack"), "off");
        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                lights_show(l, table[i].s, table[i].attention);
                assert_string_equal(shown(f, "door:red"), table[i].door);
                assert_string_equal(shown(f, "panel:green:ready"), table[i].ready);
                assert_string_equal(shown(f, "panel:red:recording"), table[i].recording);
                assert_string_equal(shown(f, "panel:amber:attention"), table[i].attn);
                assert_string_equal(shown(f, "panel:blue:ack"), "off");
        }
        /* on is max_brightness, whatever it is */
        lights_show(l, ROOM_ATTENTION, false);
        g_autofree char *a = get(f, "panel:amber:attention", "brightness");
        assert_string_equal(a, "1");
        /* The door light was written through the NAME link, into its target. */
        lights_show(l, ROOM_RECORDING, false);
        g_autofree char *remote = g_build_filename(f->remote, "door:red", "brightness", NULL);
        g_autofree char *text = NULL;
        assert_true(g_file_get_contents(remote, &text, NULL, NULL));
        assert_string_equal(g_strstrip(text), "255");
        /* Gone: nothing says "recording" any more. */
        lights_free(l);
        assert_string_equal(shown(f, "door:red"), "off");
        assert_string_equal(shown(f, "panel:red:recording"), "off");
}

static void test_writes_only_on_change(void **state) {
        fake *f = *state;
        lights *l = open_lights(f);
        g_autofree char *door = g_build_filename(f->leds, "door:red", NULL);

        lights_show(l, ROOM_RECORDING, false);
        put(door, "brightness", "untouched\n");
        lights_show(l, ROOM_RECORDING, false);
        lights_show(l, ROOM_BREAK, false); /* the door stays on: not rewritten */
        lights_set(l, LIGHT_DOOR, LIGHT_ON);
        g_autofree char *b = get(f, "door:red", "brightness");
        assert_string_equal(b, "untouched");
        lights_show(l, ROOM_FREE, false);
        g_autofree char *b2 = get(f, "door:red", "brightness");
        assert_string_equal(b2, "0");
        lights_free(l);
}

static void test_hardware_blink(void **state) {
        fake *f = *state;
        lights *l = open_lights(f);

        lights_show(l, ROOM_BREAK, false);
        g_autofree char *trig = get(f, "panel:red:recording", "trigger");
        g_autofree char *on = get(f, "panel:red:recording", "delay_on");
        g_autofree char *off = get(f, "panel:red:recording", "delay_off");
        assert_string_equal(trig, "timer");
        assert_string_equal(on, "500");
        assert_string_equal(off, "500");
        /* The kernel blinks it: no brightness writes of ours meanwhile. */
        g_autofree char *led = g_build_filename(f->leds, "panel:red:recording", NULL);
        put(led, "brightness", "kernel\n");
        run_for(1200);
        g_autofree char *b = get(f, "panel:red:recording", "brightness");
        assert_string_equal(b, "kernel");
        /* Resume: the trigger goes back to none and the light is on. */
        lights_show(l, ROOM_RECORDING, false);
        g_autofree char *trig2 = get(f, "panel:red:recording", "trigger");
        g_autofree char *b2 = get(f, "panel:red:recording", "brightness");
        assert_string_equal(trig2, "none");
        assert_string_equal(b2, "255");
        lights_free(l);
}

static void test_software_blink_and_ack(void **state) {
        fake *f = *state;
        lights *l = open_lights(f);
        bool saw_off = false, saw_on_again = false;

        /* No "timer" trigger on the ready LED: a GLib timer toggles it. */
        lights_show(l, ROOM_IDENTIFYING, false);
        for (int i = 0; i < 30 && !saw_on_again; i++) {
                run_for(100);
                g_autofree char *b = get(f, "panel:green:ready", "brightness");
                if (g_str_equal(b, "0"))
                        saw_off = true;
                else if (saw_off && g_str_equal(b, "255"))
                        saw_on_again = true;
        }
        assert_true(saw_off);
        assert_true(saw_on_again);
        g_autofree char *trig = get(f, "panel:green:ready", "trigger");
        assert_string_equal(trig, "[none] kbd-numlock heartbeat"); /* never written */
        /* Ready: steady on, the timer is gone. */
        lights_show(l, ROOM_READY, false);
        run_for(700);
        g_autofree char *b = get(f, "panel:green:ready", "brightness");
        assert_string_equal(b, "255");

        /* The ack blinks for about a second, then is off. */
        lights_ack(l);
        g_autofree char *a1 = get(f, "panel:blue:ack", "brightness");
        assert_string_equal(a1, "100");
        run_for(1300);
        g_autofree char *a2 = get(f, "panel:blue:ack", "brightness");
        assert_string_equal(a2, "0");
        run_for(300);
        g_autofree char *a3 = get(f, "panel:blue:ack", "brightness");
        assert_string_equal(a3, "0");
        lights_free(l);
}

static void expect_refused(const studio_lights_conf *conf, int r, const char *in1, const char *in2) {
        g_autofree gchar *msg = NULL;
        lights *l = NULL;

        assert_int_equal(lights_open(conf, &l, &msg), r);
        assert_null(l);
        assert_non_null(msg);
        if (!strstr(msg, in1) || (in2 && !strstr(msg, in2)))
                fail_msg("message \"%s\" lacks \"%s\"/\"%s\"", msg, in1, in2 ? in2 : "");
}

static void test_refused(void **state) {
        fake *f = *state;
        studio_lights_conf c;

        c = f->conf;
        c.recording = "panel:red:nosuch";
        expect_refused(&c, -ENOENT, "recording LED \"panel:red:nosuch\" not found", f->leds);
        c = f->conf;
        c.door = "../devices/door:red";
        expect_refused(&c, -EINVAL, "door", "not an LED name");
        c = f->conf;
        c.leds_dir = "/nonexistent/leds";
        expect_refused(&c, -ENOENT, "/nonexistent/leds", NULL);
        c = f->conf;
        c.ack = "bad\x1b[2Jname";
        expect_refused(&c, -ENOENT, "\\u001b", NULL);

        /* A link planted inside an LED's folder is refused, never followed. */
        g_autofree char *evil = g_build_filename(f->root, "evil", NULL);
        put(f->root, "evil", "precious\n");
        g_autofree char *dir = g_build_filename(f->leds, "planted", NULL);
        g_autofree char *link = g_build_filename(dir, "brightness", NULL);
        assert_int_equal(g_mkdir(dir, 0755), 0);
        assert_int_equal(symlink(evil, link), 0);
        c = f->conf;
        c.attention = "planted";
        expect_refused(&c, -ELOOP, "brightness is a symbolic link", "attention");
        g_autofree char *text = NULL;
        assert_true(g_file_get_contents(evil, &text, NULL, NULL));
        assert_string_equal(text, "precious\n");

        /* A GPIO chip that is not there names itself. */
        c = f->conf;
        c.gpio_chip = "gpiochip-none";
        c.gpio_door = 3;
        expect_refused(&c, -ENOENT, "gpio_chip \"gpiochip-none\"", NULL);
        /* A chip without lines asked for is not opened at all. */
        c.gpio_door = -1;
        lights *l = NULL;
        g_autofree gchar *msg = NULL;
        assert_int_equal(lights_open(&c, &l, &msg), 0);
        lights_free(l);
        /* Nothing configured: nothing to open, and every call is harmless. */
        studio_lights_conf none = {.gpio_door = -1,
                                   .gpio_ready = -1,
                                   .gpio_recording = -1,
                                   .gpio_attention = -1,
                                   .gpio_ack = -1};
        assert_int_equal(lights_open(&none, &l, &msg), 0);
        lights_show(l, ROOM_RECORDING, true);
        lights_ack(l);
        lights_set(l, _LIGHT_INVALID, LIGHT_ON);
        lights_set(l, LIGHT_DOOR, _LIGHT_MODE_INVALID);
        lights_free(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_table, setup, teardown),
                cmocka_unit_test_setup_teardown(test_writes_only_on_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hardware_blink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_software_blink_and_ack, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
