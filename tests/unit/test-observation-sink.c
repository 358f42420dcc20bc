/* The observation output's allow-list: the local forms the docs show pass;
 * every form that would let plaintext out (a file, a host, a dump) is
 * refused, and so is any property not known to stay local. */
#include <errno.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "observation-sink.h"

typedef struct sink_case {
        bool video;
        const char *description;
        const char *needle; /* in the refusal */
} sink_case;

static const sink_case good[] = {
        {true, "kmssink connector-id=32", NULL},
        {true, "kmssink connector-id=32 plane-id=31 driver-name=vc4 sync=true", NULL},
        {true, "glimagesink", NULL},
        {true, "autovideosink", NULL},
        {true, "fakesink sync=true ts-offset=3600000000000", NULL},
        {true, "fakesink", NULL},
        {false, "alsasink device=hw:1,0", NULL},
        {false, "alsasink device=plughw:CARD=USB,DEV=0", NULL},
        {false, "alsasink device=default sync=false", NULL},
        {false, "alsasink device=sysdefault:CARD=Headphones", NULL},
        {false, "pulsesink device=alsa_output.usb-Speaker.analog-stereo", NULL},
        {false, "pipewiresink target-object=speaker", NULL},
        {false, "fakesink sync=true ts-offset=3600000000000", NULL},
        {false, "autoaudiosink", NULL},
};

static const sink_case bad[] = {
        /* a file or a host behind a device string */
        {false, "alsasink device=file:/var/tmp/x.pcm,raw", "device=file:/var/tmp/x.pcm,raw"},
        {false, "alsasink device=file:'/tmp/x'", "not name=value"},
        {false, "alsasink device=tee:hw:0,/tmp/x,raw", "device=tee"},
        {false, "alsasink device=hw:0,0,0,/tmp/x", "not a local value"},
        {false, "alsasink device=pipe", "not a local value"},
        {false, "alsasink device=default:/tmp/x", "not a local value"},
        {false, "pulsesink server=tcp:evil.example:4713", "the property server"},
        {false, "pulsesink server=127.0.0.1", "the property server"},
        {false, "pulsesink device=tcp:evil:4713", "not a local value"},
        {false, "pipewiresink target-object=/tmp/x", "not a local value"},
        {false, "pipewiresink fd=3", "the property fd"},
        /* a dumping sink */
        {true, "fakesink dump=true", "the property dump"},
        {false, "fakesink dump=1", "the property dump"},
        {false, "fakesink silent=false signal-handoffs=true", "the property silent"},
        /* another machine's display */
        {true, "ximagesink display=evil.example:0", "the property display"},
        {true, "xvimagesink display=:0", "the property display"},
        {true, "waylandsink display=wayland-1", "the property display"},
        /* elements that are no local sink, and smuggling */
        {true, "filesink location=/tmp/x", "is not one of the local sinks"},
        {false, "udpsink host=10.0.0.1", "is not one of the local sinks"},
        {false, "alsasink ! filesink location=/tmp/x", "not name=value"},
        {false, "alsasink device=hw:1,0 device=file:/tmp/x,raw", "twice"},
        {false, "alsasink device_name=x", "not name=value"},
        {false, "alsasink\tdevice=file:/tmp/x", "is not one of the local sinks"},
        {false, "", "is not one of the local sinks"},
        {true, "alsasink", "is not one of the local sinks"},
        {false, "kmssink", "is not one of the local sinks"},
        {true, "kmssink connector-id=abc", "not a local value"},
        {false, "alsasink sync=maybe", "not a local value"},
};

static void test_local_forms_pass(void **state) {
        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
                g_autofree char *why = NULL;
                if (observation_sink_check(good[i].description, good[i].video, &why) != 0)
                        fail_msg("'%s' was refused: %s", good[i].description, why);
        }
}

static void test_leaks_refused(void **state) {
        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *why = NULL;
                if (observation_sink_check(bad[i].description, bad[i].video, &why) != -EINVAL)
                        fail_msg("'%s' was accepted", bad[i].description);
                if (!why || !strstr(why, bad[i].needle))
                        fail_msg("'%s': '%s' lacks '%s'", bad[i].description, why, bad[i].needle);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_local_forms_pass),
                cmocka_unit_test(test_leaks_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
