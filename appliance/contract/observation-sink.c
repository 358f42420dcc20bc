/* The observation output's allow-list (observation-sink.h): elements, and
 * for each the properties it may be given with the form of their values. */
#include "observation-sink.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

typedef struct sink_property {
        const char *name;
        const char *value; /* a regular expression the whole value must match */
} sink_property;

typedef struct sink_rule {
        const char *element;
        bool video;
        const sink_property *properties; /* besides the base sink's (below) */
} sink_rule;

#define BOOL "^(true|false|0|1)$"
#define NUMBER "^-?[0-9]{1,19}$"
/* an ALSA PCM on a local card: hw:1,0, plughw:CARD=USB,DEV=0, default,
 * sysdefault:CARD=Device; never a plugin that names a file, a pipe or a
 * host (file:, tee:, pipe, tcp …) */
#define ALSA_DEVICE                                                                                         \
        "^((plug)?hw:([0-9]{1,2}|CARD=[A-Za-z0-9_]{1,32})(,(DEV=)?[0-9]{1,2}(,(SUBDEV=)?[0-9]{1,2})?)?|"    \
        "default|"                                                                                          \
        "(sysdefault|front|dmix|dsnoop|iec958|hdmi):(CARD=)?[A-Za-z0-9_]{1,32}(,(DEV=)?[0-9]{1,2})?)$"
/* a local sink's name as pactl/pw-cli list it */
#define LOCAL_NAME "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"

static const sink_property base_properties[] = {
        {"sync", BOOL}, {"ts-offset", NUMBER},    {"max-lateness", NUMBER},
        {"qos", BOOL},  {"render-delay", NUMBER}, {NULL, NULL},
};
static const sink_property no_properties[] = {{NULL, NULL}};
static const sink_property kmssink_properties[] = {
        {"connector-id", NUMBER},
        {"plane-id", NUMBER},
        {"driver-name", "^[a-z0-9_-]{1,32}$"},
        {"bus-id", "^[A-Za-z0-9:._-]{1,64}$"},
        {"force-modesetting", BOOL},
        {"can-scale", BOOL},
        {NULL, NULL},
};
static const sink_property gl_properties[] = {{"force-aspect-ratio", BOOL}, {NULL, NULL}};
static const sink_property alsasink_properties[] = {
        {"device", ALSA_DEVICE},
        {"buffer-time", NUMBER},
        {"latency-time", NUMBER},
        {NULL, NULL},
};
static const sink_property pulsesink_properties[] = {
        /* a local sink by name; never server= (a host) */
        {"device", LOCAL_NAME},
        {"buffer-time", NUMBER},
        {"latency-time", NUMBER},
        {NULL, NULL},
};
static const sink_property pipewiresink_properties[] = {{"target-object", LOCAL_NAME}, {NULL, NULL}};

static const sink_rule rules[] = {
        {"kmssink", true, kmssink_properties},
        {"glimagesink", true, gl_properties},
        {"autovideosink", true, no_properties},
        /* display= could name another machine's X server: not allowed */
        {"xvimagesink", true, gl_properties},
        {"ximagesink", true, gl_properties},
        {"waylandsink", true, no_properties},
        /* no dump=, no location: the tests' sink shows nothing */
        {"fakesink", true, no_properties},
        {"alsasink", false, alsasink_properties},
        {"pulsesink", false, pulsesink_properties},
        {"pipewiresink", false, pipewiresink_properties},
        {"autoaudiosink", false, no_properties},
        {"fakesink", false, no_properties},
};

static const char *const video_names[] = {"kmssink",    "glimagesink", "autovideosink", "xvimagesink",
                                          "ximagesink", "waylandsink", "fakesink",      NULL};
static const char *const audio_names[] = {"alsasink",      "pulsesink", "pipewiresink",
                                          "autoaudiosink", "fakesink",  NULL};

const char *const *observation_sink_names(bool video) {
        return video ? video_names : audio_names;
}

static const sink_rule *rule_for(const char *element, bool video) {
        for (size_t i = 0; i < G_N_ELEMENTS(rules); i++)
                if (rules[i].video == video && strcmp(rules[i].element, element) == 0)
                        return &rules[i];
        return NULL;
}

static const sink_property *find(const sink_property *list, const char *name) {
        for (; list->name; list++)
                if (strcmp(list->name, name) == 0)
                        return list;
        return NULL;
}

static int check_property(const sink_rule *rule, const char *word, char **ret_why) {
        const char *eq = strchr(word, '=');
        g_autofree char *name = eq ? g_strndup(word, (gsize) (eq - word)) : NULL;
        const sink_property *p = name ? find(base_properties, name) : NULL;

        if (!eq || !g_regex_match_simple("^[a-z][a-z0-9-]*=[A-Za-z0-9_./:,=+-]+$", word, 0, 0)) {
                *ret_why = g_strdup_printf("has \"%s\", which is not name=value of plain characters (write "
                                           "e.g. kmssink connector-id=32)",
                                           word);
                return -EINVAL;
        }
        if (!p)
                p = find(rule->properties, name);
        if (!p) {
                *ret_why =
                        g_strdup_printf("gives %s the property %s, which is not known to keep the output on "
                                        "this machine (see docs/observation.md for the properties allowed)",
                                        rule->element, name);
                return -EINVAL;
        }
        if (!g_regex_match_simple(p->value, eq + 1, G_REGEX_DOLLAR_ENDONLY, 0)) {
                *ret_why =
                        g_strdup_printf("gives %s %s=%s, which is not a local value of that property (the "
                                        "observation output never goes to a file or the network; see "
                                        "docs/observation.md)",
                                        rule->element, name, eq + 1);
                return -EINVAL;
        }
        return 0;
}

int observation_sink_check(const char *description, bool video, char **ret_why) {
        g_auto(GStrv) words = g_strsplit(description ? description : "", " ", -1);
        const sink_rule *rule = words[0] ? rule_for(words[0], video) : NULL;

        if (!rule) {
                g_autofree char *names = g_strjoinv(", ", (gchar **) observation_sink_names(video));
                *ret_why = g_strdup_printf("is not one of the local sinks %s (the observation output never "
                                           "goes to a file or the network; see docs/observation.md)",
                                           names);
                return -EINVAL;
        }
        for (gchar **w = words + 1; *w; w++) {
                if (!**w)
                        continue;
                for (gchar **seen = words + 1; seen < w; seen++)
                        if (**seen && strncmp(*seen, *w, strcspn(*w, "=") + 1) == 0) {
                                *ret_why = g_strdup_printf("gives a property twice (%s)", *w);
                                return -EINVAL;
                        }
                int r = check_property(rule, *w, ret_why);
                if (r < 0)
                        return r;
        }
        return 0;
}
