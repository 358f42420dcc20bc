/* capture_probe_devices (capture.h): the devices a profile names, looked at
 * without a pipeline, for the health monitor to run every few seconds while
 * the room is free. Cameras in v4l2.c, microphones in alsa.c. */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "probe-internal.h"
#include "profile-internal.h"
#include "room-reasons.h"

/* A device string from a profile is shown at most this long: a 4 KiB name
 * must not become a 4 KiB log line or attention text. */
#define SHOWN_MAX_CHARS 120

gchar *capture_device_shown(const char *device) {
        g_autofree gchar *escaped = escape_text(device ? device : "");

        /* escaped text is valid UTF-8, so it can be cut by characters */
        if (g_utf8_strlen(escaped, -1) <= SHOWN_MAX_CHARS)
                return g_steal_pointer(&escaped);
        g_autofree gchar *cut = g_utf8_substring(escaped, 0, SHOWN_MAX_CHARS);
        return g_strconcat(cut, "…", NULL);
}

static gchar *unquote(const char *v) {
        size_t n = strlen(v);

        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
                return g_strndup(v + 1, n - 2);
        return g_strdup(v);
}

void capture_source_parse(const char *description, gchar **ret_factory, gchar **ret_device, bool *ret_more) {
        const char *d = description ? description : "";
        size_t first = strcspn(d, "!");
        g_autofree gchar *head = g_strndup(d, first);
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(head), " \t", -1);
        gchar *device = NULL;

        for (gchar **w = words[0] ? words + 1 : words; *w; w++)
                if (!device && g_str_has_prefix(*w, "device="))
                        device = unquote(*w + strlen("device="));
        *ret_factory = g_strdup(words[0] ? words[0] : "");
        *ret_device = device;
        *ret_more = d[first] == '!';
}

static int probe_camera(const capture_profile *p, const char *source, int camera, room_reason *ret_reason,
                        gchar **ret_message) {
        g_autofree gchar *factory = NULL, *device = NULL;
        bool more;
        int r;

        capture_source_parse(source, &factory, &device, &more);
        if (!g_str_equal(factory, "v4l2src"))
                return 0;
        r = capture_v4l2_probe(device ? device : "/dev/video0", camera == 1 ? "camera" : "second camera",
                               p->width, p->height, p->framerate, NULL, ret_message);
        if (r == -ENODEV)
                *ret_reason = camera == 1 ? REASON_CAMERA_DISCONNECTED : REASON_CAMERA2_DISCONNECTED;
        else if (r < 0)
                *ret_reason = REASON_DEVICES_UNUSABLE;
        return r;
}

static int probe_microphone(const char *source, room_reason *ret_reason, gchar **ret_message) {
        g_autofree gchar *factory = NULL, *device = NULL;
        bool more;
        int r;

        capture_source_parse(source, &factory, &device, &more);
        if (!g_str_equal(factory, "alsasrc"))
                return 0;
        r = capture_alsa_probe(device, ret_message);
        if (r == -ENODEV)
                *ret_reason = REASON_MIC_DISCONNECTED;
        else if (r < 0)
                *ret_reason = REASON_DEVICES_UNUSABLE;
        return r;
}

/* Only a track the profile marks required refuses a Start; a shared
 * multichannel source is probed once. */
static int probe_required_microphones(const capture_profile *p, room_reason *ret_reason,
                                      gchar **ret_message) {
        size_t n;
        const capture_track *t = capture_profile_tracks(p, &n);
        bool shared_probed = false;
        int r = 0;

        for (size_t i = 0; r == 0 && i < n; i++) {
                g_autofree gchar *msg = NULL;
                if (!t[i].required || (t[i].channel && shared_probed))
                        continue;
                shared_probed = shared_probed || t[i].channel;
                r = probe_microphone(t[i].source, ret_reason, &msg);
                if (r < 0)
                        *ret_message =
                                n > 1 ? g_strdup_printf("%s: %s", t[i].label, msg) : g_steal_pointer(&msg);
        }
        return r;
}

int capture_probe_devices(const capture_profile *p, room_reason *ret_reason, gchar **ret_message) {
        room_reason reason = _ROOM_REASON_INVALID;
        g_autofree gchar *msg = NULL;
        int r;

        r = probe_camera(p, p->video_source, 1, &reason, &msg);
        if (r == 0 && p->video_source2)
                r = probe_camera(p, p->video_source2, 2, &reason, &msg);
        if (r == 0)
                r = probe_required_microphones(p, &reason, &msg);
        if (r == 0)
                return 0;
        if (ret_reason)
                *ret_reason = reason;
        if (ret_message)
                *ret_message = g_steal_pointer(&msg);
        return r;
}
