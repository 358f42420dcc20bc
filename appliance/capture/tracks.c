/* A profile's audio tracks: [audio] channels and mix, and one
 * [audio.track.N] group per speaker's microphone (capture.h). */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "profile-internal.h"

const char *const capture_track_roles[] = {"interviewee",        "interviewer", "interpreter",
                                           "second-interviewer", "room",        NULL};
static const char *const role_labels[] = {"Interviewee microphone", "Interviewer microphone",
                                          "Interpreter microphone", "Second interviewer microphone",
                                          "Room microphone"};
_Static_assert(G_N_ELEMENTS(role_labels) + 1 == G_N_ELEMENTS(capture_track_roles), "a label for every role");

const char *const capture_track_groups[] = {"audio.track.1", "audio.track.2", "audio.track.3",
                                            "audio.track.4", "audio.track.5", "audio.track.6",
                                            "audio.track.7", "audio.track.8", NULL};
_Static_assert(G_N_ELEMENTS(capture_track_groups) == CAPTURE_MAX_TRACKS + 1, "a group for every track");

/* The fields are const for readers; the profile owns them. */
static void track_clear(capture_track *t) {
        g_free((gchar *) t->role);
        g_free((gchar *) t->label);
        g_free((gchar *) t->language);
        g_free((gchar *) t->source);
        memset(t, 0, sizeof(*t));
}

void capture_profile_free_tracks(capture_profile *p) {
        for (size_t i = 0; i < p->n_tracks; i++)
                track_clear(&p->tracks[i]);
        p->n_tracks = 0;
}

static int refuse(const config_file *c, const char *group, const char *key, const char *why, gchar **msg) {
        g_autofree gchar *file = escape_text(config_file_path(c));
        unsigned line = config_file_line(c, group, key);
        g_autofree gchar *where = line ? g_strdup_printf(" line %u", line) : g_strdup("");

        *msg = g_strdup_printf("%s%s: [%s]%s%s %s", file, where, group, key ? " " : "", key ? key : "", why);
        return -EINVAL;
}

/* ISO 639-2: three lower-case letters, as Matroska stores a language. */
static bool language_ok(const char *s) {
        return strlen(s) == 3 && g_ascii_islower(s[0]) && g_ascii_islower(s[1]) && g_ascii_islower(s[2]);
}

static int read_identity(const config_file *c, const char *g, capture_track *t, gchar **msg) {
        g_autofree gchar *label = NULL, *language = NULL;
        int role = -1, r;

        r = config_get_choice(c, g, "role", NULL, capture_track_roles, &role, msg);
        if (r < 0)
                return r;
        if (role < 0)
                return refuse(c, g, NULL,
                              "needs a role (one of interviewee, interviewer, interpreter, "
                              "second-interviewer, room)",
                              msg);
        r = config_get_string(c, g, "label", role_labels[role], &label, msg);
        r = r ?: config_get_string(c, g, "language", NULL, &language, msg);
        if (r < 0)
                return r;
        if (language && !language_ok(language))
                return refuse(c, g, "language",
                              "must be an ISO 639-2 code of three lower-case letters "
                              "(nld, eng, ara, …)",
                              msg);
        t->role = g_strdup(capture_track_roles[role]);
        t->label = g_steal_pointer(&label);
        t->language = g_steal_pointer(&language);
        return config_get_bool(c, g, "required", g_str_equal(t->role, "interviewee"), &t->required, msg);
}

/* Either a channel of [audio] source or a source of its own. */
static int read_origin(const config_file *c, const capture_profile *p, const char *g, capture_track *t,
                       gchar **msg) {
        g_autofree gchar *source = NULL;
        int64_t channel = 0;
        int r = config_get_string(c, g, "source", NULL, &source, msg);

        r = r ?: config_get_int(c, g, "channel", 0, 1, CAPTURE_MAX_CHANNELS, &channel, msg);
        if (r < 0)
                return r;
        if (source && channel)
                return refuse(c, g, "channel",
                              "and source are both given: a track is either a channel of "
                              "[audio] source or a source of its own",
                              msg);
        if (!source && !channel)
                return refuse(c, g, NULL,
                              "needs a channel of [audio] source (channel = N) or a source "
                              "of its own (source = …)",
                              msg);
        if (channel && (!p->audio_source || !p->audio_channels))
                return refuse(c, g, "channel", "needs [audio] source and [audio] channels", msg);
        if (channel > p->audio_channels)
                return refuse(c, g, "channel", "is beyond [audio] channels", msg);
        t->channel = (int) channel;
        t->source = source ? g_steal_pointer(&source) : g_strdup(p->audio_source);
        return 0;
}

static int check_distinct(const config_file *c, const capture_profile *p, const char *g, gchar **msg) {
        const capture_track *t = &p->tracks[p->n_tracks];

        for (size_t i = 0; i < p->n_tracks; i++) {
                if (g_str_equal(p->tracks[i].role, t->role))
                        return refuse(c, g, "role",
                                      "is already another track's: give each speaker one "
                                      "track",
                                      msg);
                if (t->channel && p->tracks[i].channel == t->channel)
                        return refuse(c, g, "channel", "is already another track's", msg);
        }
        return 0;
}

static int read_track(const config_file *c, capture_profile *p, const char *g, gchar **msg) {
        capture_track *t = &p->tracks[p->n_tracks];
        int r = read_identity(c, g, t, msg);

        r = r ?: read_origin(c, p, g, t, msg);
        r = r ?: check_distinct(c, p, g, msg);
        if (r < 0) {
                track_clear(t);
                return r;
        }
        p->n_tracks++;
        return 0;
}

/* The single-source profiles: one track, the room's microphone. */
static int room_track(const config_file *c, capture_profile *p, gchar **msg) {
        capture_track *t = &p->tracks[0];

        if (!p->audio_source)
                return refuse(c, "audio", NULL,
                              "source is required (or [audio.track.N] groups with sources of their own)",
                              msg);
        if (p->audio_channels)
                return refuse(c, "audio", "channels",
                              "needs [audio.track.N] groups saying which channel is whose microphone", msg);
        t->role = g_strdup("room");
        t->label = g_strdup(role_labels[G_N_ELEMENTS(role_labels) - 1]); /* "room" is last */
        t->source = g_strdup(p->audio_source);
        t->required = true;
        p->n_tracks = 1;
        return 0;
}

int capture_profile_read_tracks(const config_file *c, capture_profile *p, gchar **msg) {
        int64_t channels = 0;
        size_t n = 0;
        int r;

        r = config_get_int(c, "audio", "channels", 0, 1, CAPTURE_MAX_CHANNELS, &channels, msg);
        r = r ?: config_get_bool(c, "audio", "mix", false, &p->mix, msg);
        if (r < 0)
                return r;
        p->audio_channels = (int) channels;
        while (n < CAPTURE_MAX_TRACKS && config_file_has_group(c, capture_track_groups[n]))
                n++;
        for (size_t i = n; i < CAPTURE_MAX_TRACKS; i++)
                if (config_file_has_group(c, capture_track_groups[i]))
                        return refuse(c, capture_track_groups[i], NULL,
                                      "comes after a missing track: number the tracks 1, 2, 3 … in order",
                                      msg);
        if (n == 0)
                return room_track(c, p, msg);
        for (size_t i = 0; i < n; i++)
                if ((r = read_track(c, p, capture_track_groups[i], msg)) < 0)
                        return r;
        return 0;
}

const capture_track *capture_profile_tracks(const capture_profile *p, size_t *ret_n) {
        *ret_n = p->n_tracks;
        return p->tracks;
}

bool capture_profile_mix(const capture_profile *p) {
        return p->mix;
}
