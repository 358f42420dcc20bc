/* Microphones through alsa-lib (probe-internal.h): the card an alsasrc
 * device string names exists and has a capture PCM. Only the card's control
 * device is opened, and closed at once: a PCM opened to look would take the
 * microphone from the pipeline that records from it. */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <string.h>

#include "probe-internal.h"

#define ALSA_MAX_CARDS 32 /* alsa-lib's SND_MAX_CARDS */
#define ALSA_MAX_DEVICES 32

/* What a device string names: a card (NULL: any card, for "default") and a
 * PCM device on it (-1: any). */
typedef struct alsa_target {
        gchar *card;
        int dev;
} alsa_target;

static void alsa_target_clear(alsa_target *t) {
        g_clear_pointer(&t->card, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(alsa_target, alsa_target_clear)

/* A card number 0..31 or an ALSA card id (up to 15 letters, digits, _ or
 * -, starting with a letter: the kernel makes them so). */
static bool card_ok(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 15)
                return false;
        if (g_ascii_isdigit(s[0]))
                return g_ascii_string_to_unsigned(s, 10, 0, ALSA_MAX_CARDS - 1, NULL, NULL);
        if (!g_ascii_isalpha(s[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(s[i]) && s[i] != '_' && s[i] != '-')
                        return false;
        return true;
}

static bool dev_ok(const char *s, int *ret) {
        guint64 v;

        if (!g_ascii_string_to_unsigned(s, 10, 0, ALSA_MAX_DEVICES - 1, &v, NULL))
                return false;
        *ret = (int) v;
        return true;
}

/* One argument of "hw:…": positional (card, then device) or CARD=/DEV=. */
static bool parse_arg(alsa_target *t, const char *arg, int position) {
        g_autofree gchar *value = NULL;
        const char *eq = strchr(arg, '=');
        const char *key = eq ? NULL : position == 0 ? "CARD" : position == 1 ? "DEV" : NULL;
        g_autofree gchar *named = eq ? g_strndup(arg, eq - arg) : NULL;

        if (!key && !named)
                return false;
        value = g_strdup(eq ? eq + 1 : arg);
        if (strlen(value) >= 2 && value[0] == '"' && value[strlen(value) - 1] == '"') {
                gchar *inner = g_strndup(value + 1, strlen(value) - 2);
                g_free(value);
                value = inner;
        }
        key = named ? named : key;
        if (g_str_equal(key, "CARD") && !t->card && card_ok(value)) {
                t->card = g_steal_pointer(&value);
                return true;
        }
        if (g_str_equal(key, "DEV") && t->dev < 0)
                return dev_ok(value, &t->dev);
        return g_str_equal(key, "SUBDEV") && dev_ok(value, &(int){0});
}

/* 1: a PCM name alsa-lib defines elsewhere, which cannot be looked up here;
 * 0: *t filled; -ENOTSUP: a hw-style name that names no card. */
static int parse(const char *device, alsa_target *t) {
        static const char *const prefixes[] = {"hw", "plughw", "sysdefault", "front", "dsnoop"};
        const char *colon = device ? strchr(device, ':') : NULL;
        g_autofree gchar *prefix = NULL;
        g_auto(GStrv) args = NULL;

        t->dev = -1;
        if (!device || g_str_equal(device, "default") || g_str_equal(device, "sysdefault"))
                return 0;
        prefix = colon ? g_strndup(device, colon - device) : g_strdup(device);
        if (!g_strv_contains(prefixes, prefix))
                return 1;
        args = g_strsplit(colon ? colon + 1 : "", ",", -1);
        for (int i = 0; args[i]; i++)
                if (!parse_arg(t, args[i], i))
                        return -ENOTSUP;
        return t->card ? 0 : -ENOTSUP;
}

/* 0: card has a capture PCM (device dev, or any when -1); 1: it has none;
 * <0: the error opening its control device. */
static int card_captures(int card, int dev) {
        char name[16];
        snd_ctl_t *ctl = NULL;
        snd_pcm_info_t *info;
        int r, d = -1, found = 1;

        snprintf(name, sizeof(name), "hw:%d", card);
        r = snd_ctl_open(&ctl, name, SND_CTL_NONBLOCK);
        if (r < 0)
                return r;
        snd_pcm_info_alloca(&info);
        for (int n = 0; n < ALSA_MAX_DEVICES && found; n++) {
                if (snd_ctl_pcm_next_device(ctl, &d) < 0 || d < 0)
                        break;
                if (dev >= 0 && d != dev)
                        continue;
                snd_pcm_info_set_device(info, (unsigned) d);
                snd_pcm_info_set_subdevice(info, 0);
                snd_pcm_info_set_stream(info, SND_PCM_STREAM_CAPTURE);
                if (snd_ctl_pcm_info(ctl, info) == 0)
                        found = 0;
        }
        snd_ctl_close(ctl);
        return found;
}

static int say(int r, gchar **ret_message, const char *fmt, const char *shown) {
        if (ret_message)
                *ret_message = g_strdup_printf(fmt, shown);
        return r;
}

/* "default": any card that can capture. */
static int any_card(const char *shown, gchar **ret_message) {
        int card = -1, r, last = -ENOENT;

        for (int n = 0; n < ALSA_MAX_CARDS; n++) {
                if (snd_card_next(&card) < 0 || card < 0)
                        break;
                r = card_captures(card, -1);
                if (r == 0)
                        return 0;
                if (r < 0)
                        last = r;
        }
        if (last == -EACCES || last == -EPERM)
                return say(-EACCES, ret_message,
                           "the microphone %s cannot be opened by this user: add the user to the 'audio' "
                           "group",
                           shown);
        return say(-ENODEV, ret_message,
                   "the microphone %s is not present: no sound card with a microphone input is "
                   "connected; check the microphone's cable and plug it in again",
                   shown);
}

int capture_alsa_probe(const char *device, gchar **ret_message) {
        g_autofree gchar *shown = capture_device_shown(device ? device : "default");
        g_auto(alsa_target) t = {0};
        int card, r;

        r = parse(device, &t);
        if (r > 0)
                return 0;
        if (r < 0)
                return say(-ENOTSUP, ret_message,
                           "the microphone device %s names no sound card (write e.g. hw:1, hw:1,0 or "
                           "hw:CARD=Name,DEV=0): fix the audio source in the room profile",
                           shown);
        if (!t.card)
                return any_card(shown, ret_message);
        card = snd_card_get_index(t.card);
        r = card < 0 ? card : card_captures(card, t.dev);
        if (r == -EACCES || r == -EPERM)
                return say(-EACCES, ret_message,
                           "the microphone %s cannot be opened by this user: add the user to the 'audio' "
                           "group",
                           shown);
        if (r > 0)
                return say(-ENOTSUP, ret_message,
                           "the sound card of %s has no microphone input there: connect the microphone, "
                           "or fix the audio source in the room profile (arecord -l lists the inputs)",
                           shown);
        if (r < 0)
                return say(-ENODEV, ret_message,
                           "the microphone %s is not present: check its cable and plug it in again (or "
                           "fix the audio source in the room profile)",
                           shown);
        return 0;
}
