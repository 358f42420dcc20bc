/* The health monitor's analyser (health.h): one window per fault and
 * source, a hold-off before a fault clears, and a count per reason so that
 * faults sharing a reason raise and clear it once. */
#include "health.h"

#include <glib.h>
#include <string.h>

#include "room-reasons.h"

typedef enum fault_kind {
        FAULT_DEAD,
        FAULT_SILENT,
        FAULT_NO_LEVEL,
        FAULT_BLACK,
        FAULT_FROZEN,
        FAULT_NO_PICTURE,
        _FAULT_MAX,
} fault_kind;

typedef struct fault {
        int64_t bad_since;  /* mono ns the condition began; -1: not holding */
        int64_t bad_real;   /* the same on the wall clock, for the words */
        int64_t good_since; /* while raised: the condition stopped; -1: still holds */
        bool raised;
} fault;

/* Source 0 is the first audio track, 1 and 2 the cameras, and from
 * HEALTH_CAMERAS_MAX + 1 on the other audio tracks (track_source). */
typedef struct source {
        fault f[_FAULT_MAX];
        int64_t last_seen; /* mono ns of the last measurement */
        /* since health_playing, for the pre-flight: counts, and the
         * pipeline's running time of the first and last measurement */
        unsigned n, n_bad_level, n_black, n_still;
        uint64_t first_rt, last_rt;
} source;

struct health_monitor {
        health_limits l;
        int cameras;
        health_callbacks cb;
        void *userdata;
        bool playing;
        source s[HEALTH_TRACKS_MAX + HEALTH_CAMERAS_MAX];
        int tracks;
        /* each audio source's words and whether the pre-flight needs it */
        room_reason dead[HEALTH_TRACKS_MAX + HEALTH_CAMERAS_MAX],
                silent[HEALTH_TRACKS_MAX + HEALTH_CAMERAS_MAX];
        bool required[HEALTH_TRACKS_MAX + HEALTH_CAMERAS_MAX];
        int counts[_ROOM_REASON_MAX]; /* raised faults per reason */
};

/* track: 1-based */
static int track_source(int track) {
        return track <= 1 ? 0 : HEALTH_CAMERAS_MAX + track - 1;
}

static bool is_audio(int src) {
        return src == 0 || src > HEALTH_CAMERAS_MAX;
}

/* The sources in use: the audio tracks and the cameras. */
static bool in_use(const health_monitor *h, int src) {
        if (src >= 1 && src <= HEALTH_CAMERAS_MAX)
                return src <= h->cameras;
        return src == 0 || src - HEALTH_CAMERAS_MAX + 1 <= h->tracks;
}

#define FOR_EACH_SOURCE(h, i)                                                                               \
        for (int i = 0; i < HEALTH_TRACKS_MAX + HEALTH_CAMERAS_MAX; i++)                                    \
                if (in_use(h, i))

static room_reason fault_reason(const health_monitor *h, fault_kind k, int src) {
        switch (k) {
        case FAULT_DEAD:
        case FAULT_NO_LEVEL:
                return h->dead[src];
        case FAULT_SILENT:
                return h->silent[src];
        case FAULT_BLACK:
                return src == 2 ? REASON_CAMERA2_BLACK : REASON_CAMERA_BLACK;
        default:
                return src == 2 ? REASON_CAMERA2_FROZEN : REASON_CAMERA_FROZEN;
        }
}

static uint64_t fault_window(const health_monitor *h, fault_kind k) {
        switch (k) {
        case FAULT_DEAD:
                return h->l.dead_after_ns;
        case FAULT_SILENT:
                return h->l.silent_after_ns;
        case FAULT_BLACK:
                return h->l.black_after_ns;
        case FAULT_FROZEN:
                return h->l.frozen_after_ns;
        default:
                return HEALTH_MISSING_NS;
        }
}

/* "microphone dead: below -90 dBFS since 10:32:05 (5 s)" */
static gchar *describe(const health_monitor *h, fault_kind k, int src, const fault *f, int64_t now) {
        g_autoptr(GDateTime) since = g_date_time_new_from_unix_local(f->bad_real / 1000000);
        g_autofree gchar *at = since ? g_date_time_format(since, "%H:%M:%S") : g_strdup("?");
        double secs = (double) (now - f->bad_since) / 1e9;
        const char *reason = room_reason_to_string(fault_reason(h, k, src));

        switch (k) {
        case FAULT_DEAD:
                return g_strdup_printf("%s: below %.0f dBFS since %s (%.1f s)", reason, h->l.dead_below_db,
                                       at, secs);
        case FAULT_SILENT:
                return g_strdup_printf("%s: below %.0f dBFS since %s (%.1f s)", reason, h->l.silent_below_db,
                                       at, secs);
        case FAULT_NO_LEVEL:
                return g_strdup_printf("%s: no audio level from the pipeline since %s (%.1f s)", reason, at,
                                       secs);
        case FAULT_BLACK:
                return g_strdup_printf("%s: camera %d mean luma below %.0f since %s (%.1f s)", reason, src,
                                       h->l.black_below, at, secs);
        case FAULT_FROZEN:
                return g_strdup_printf("%s: camera %d picture unchanged since %s (%.1f s)", reason, src, at,
                                       secs);
        default:
                return g_strdup_printf("%s: no pictures from camera %d since %s (%.1f s)", reason, src, at,
                                       secs);
        }
}

static void count(health_monitor *h, room_reason reason, int delta, const char *detail) {
        int n = h->counts[reason] += delta;

        if (delta > 0 && n == 1 && h->cb.raise)
                h->cb.raise(reason, detail, h->userdata);
        else if (delta < 0 && n == 0 && h->cb.clear)
                h->cb.clear(reason, detail, h->userdata);
}

/* One observation of one fault's condition at t. suppressed: the window
 * runs but the fault is not raised (silent while the microphone is dead). */
static void observe(health_monitor *h, int src, fault_kind k, bool bad, bool suppressed, health_time t) {
        fault *f = &h->s[src].f[k];

        if (bad) {
                if (f->bad_since < 0) {
                        f->bad_since = t.mono_ns;
                        f->bad_real = t.real_us;
                }
                f->good_since = -1;
                if (!f->raised && !suppressed &&
                    (uint64_t) (t.mono_ns - f->bad_since) >= fault_window(h, k)) {
                        g_autofree gchar *detail = describe(h, k, src, f, t.mono_ns);
                        f->raised = true;
                        count(h, fault_reason(h, k, src), +1, detail);
                }
                return;
        }
        if (f->raised) {
                if (f->good_since < 0)
                        f->good_since = t.mono_ns;
                if ((uint64_t) (t.mono_ns - f->good_since) >= HEALTH_CLEAR_NS) {
                        g_autofree gchar *detail = g_strdup_printf(
                                "%s: cleared, good again for %.1f s (the fault lasted %.1f s)",
                                room_reason_to_string(fault_reason(h, k, src)),
                                (double) (t.mono_ns - f->good_since) / 1e9,
                                (double) (f->good_since - f->bad_since) / 1e9);
                        f->raised = false;
                        count(h, fault_reason(h, k, src), -1, detail);
                }
        }
        if (!f->raised)
                f->bad_since = -1;
}

health_monitor *health_new(const health_limits *l, int cameras, const health_callbacks *cb, void *userdata) {
        health_monitor *h = g_new0(health_monitor, 1);

        h->l = *l;
        h->cameras = CLAMP(cameras, 1, HEALTH_CAMERAS_MAX);
        if (cb)
                h->cb = *cb;
        h->userdata = userdata;
        h->tracks = 1;
        for (size_t i = 0; i < G_N_ELEMENTS(h->s); i++) {
                for (int k = 0; k < _FAULT_MAX; k++)
                        h->s[i].f[k] = (fault){.bad_since = -1, .good_since = -1};
                h->dead[i] = REASON_MIC_DEAD;
                h->silent[i] = REASON_MIC_SILENT;
                h->required[i] = true;
        }
        return h;
}

static void role_reasons(const char *role, room_reason *dead, room_reason *silent) {
        static const struct {
                const char *role;
                room_reason dead, silent;
        } roles[] = {
                {"interviewee", REASON_INTERVIEWEE_MIC_DEAD, REASON_INTERVIEWEE_MIC_SILENT},
                {"interviewer", REASON_INTERVIEWER_MIC_DEAD, REASON_INTERVIEWER_MIC_SILENT},
                {"interpreter", REASON_INTERPRETER_MIC_DEAD, REASON_INTERPRETER_MIC_SILENT},
                {"second-interviewer", REASON_SECOND_INTERVIEWER_MIC_DEAD,
                 REASON_SECOND_INTERVIEWER_MIC_SILENT},
        };

        *dead = REASON_MIC_DEAD; /* the room's microphone */
        *silent = REASON_MIC_SILENT;
        for (size_t i = 0; i < G_N_ELEMENTS(roles); i++)
                if (role && g_str_equal(role, roles[i].role)) {
                        *dead = roles[i].dead;
                        *silent = roles[i].silent;
                }
}

void health_set_tracks(health_monitor *h, const capture_track *tracks, size_t n) {
        h->tracks = (int) CLAMP(n, 1, HEALTH_TRACKS_MAX);
        for (int t = 1; t <= h->tracks && (size_t) t <= n; t++) {
                int src = track_source(t);
                role_reasons(tracks[t - 1].role, &h->dead[src], &h->silent[src]);
                h->required[src] = tracks[t - 1].required;
        }
}

health_monitor *health_free(health_monitor *h) {
        g_free(h);
        return NULL;
}

void health_playing(health_monitor *h, health_time t) {
        h->playing = true;
        FOR_EACH_SOURCE(h, i) {
                h->s[i].last_seen = t.mono_ns;
                h->s[i].n = h->s[i].n_bad_level = h->s[i].n_black = h->s[i].n_still = 0;
                h->s[i].first_rt = h->s[i].last_rt = 0;
        }
}

void health_measure(health_monitor *h, const capture_measure *m, health_time t) {
        int src = m->kind == CAPTURE_MEASURE_AUDIO ? track_source(m->track) : m->camera;
        source *s;

        if (src < 0 || src >= (int) G_N_ELEMENTS(h->s) || !in_use(h, src) ||
            (m->kind == CAPTURE_MEASURE_AUDIO) != is_audio(src))
                return;
        s = &h->s[src];
        s->last_seen = t.mono_ns;
        if (s->n == 0 || m->running_time < s->first_rt)
                s->first_rt = m->running_time;
        s->last_rt = MAX(s->last_rt, m->running_time);
        s->n++;
        if (is_audio(src)) {
                bool dead = m->rms_db < h->l.dead_below_db;
                observe(h, src, FAULT_NO_LEVEL, false, false, t);
                observe(h, src, FAULT_DEAD, dead, false, t);
                observe(h, src, FAULT_SILENT, m->rms_db < h->l.silent_below_db,
                        dead || s->f[FAULT_DEAD].raised, t);
                s->n_bad_level += dead;
                return;
        }
        observe(h, src, FAULT_NO_PICTURE, false, false, t);
        observe(h, src, FAULT_BLACK, m->luma < h->l.black_below, false, t);
        /* a black picture is also unchanged: black says more */
        observe(h, src, FAULT_FROZEN, m->change < HEALTH_FROZEN_EPSILON, m->luma < h->l.black_below, t);
        s->n_black += m->luma < h->l.black_below;
        /* the first picture has nothing to be compared with */
        s->n_still += s->n > 1 && m->change < HEALTH_FROZEN_EPSILON;
}

void health_tick(health_monitor *h, health_time t) {
        if (!h->playing)
                return;
        FOR_EACH_SOURCE(h, i) {
                fault_kind k = is_audio(i) ? FAULT_NO_LEVEL : FAULT_NO_PICTURE;
                fault *f = &h->s[i].f[k];
                if (t.mono_ns - h->s[i].last_seen < (int64_t) HEALTH_MISSING_NS || f->raised)
                        continue;
                /* the window began at the last measurement */
                f->bad_since = h->s[i].last_seen;
                f->bad_real = t.real_us - (t.mono_ns - h->s[i].last_seen) / 1000;
                observe(h, i, k, true, false, t);
        }
}

unsigned health_measured(const health_monitor *h, int src) {
        return src >= 0 && src < (int) G_N_ELEMENTS(h->s) && in_use(h, src) ? h->s[src].n : 0;
}

uint64_t health_media_measured(const health_monitor *h, int src) {
        if (src < 0 || src >= (int) G_N_ELEMENTS(h->s) || !in_use(h, src) || h->s[src].n < 2)
                return 0;
        return h->s[src].last_rt - h->s[src].first_rt;
}

int64_t health_quiet_since(const health_monitor *h) {
        int64_t oldest = INT64_MAX;

        FOR_EACH_SOURCE(h, i) {
                oldest = MIN(oldest, h->s[i].last_seen);
        }
        return oldest;
}

bool health_preflight_ready(const health_monitor *h, uint64_t media_ns) {
        FOR_EACH_SOURCE(h, i) {
                if (health_media_measured(h, i) < media_ns)
                        return false;
        }
        return true;
}

bool health_blocks_start(const health_monitor *h, room_reason reason) {
        FOR_EACH_SOURCE(h, i) {
                if (is_audio(i) && !h->required[i] && (reason == h->dead[i] || reason == h->silent[i]))
                        return false;
        }
        return true;
}

bool health_raised(const health_monitor *h, room_reason reason) {
        return reason >= 0 && reason < _ROOM_REASON_MAX && h->counts[reason] > 0;
}

static void add(room_reason *reasons, size_t max, size_t *n, room_reason reason, GString *detail,
                const char *sentence) {
        if (*n < max)
                reasons[(*n)++] = reason;
        g_string_append_printf(detail, "%s%s", detail->len ? "; " : "", sentence);
}

/* Only a track the profile marks required refuses a Start; the others
 * are raised as they fail, while the room records. */
static void preflight_microphones(const health_monitor *h, room_reason *reasons, size_t max, size_t *n,
                                  GString *detail) {
        FOR_EACH_SOURCE(h, i) {
                const source *mic = &h->s[i];
                /* "interpreter microphone dead" names "the interpreter microphone" */
                g_autofree gchar *which = g_strdup(room_reason_to_string(h->dead[i]));
                g_autofree gchar *what = NULL;
                if (!is_audio(i) || !h->required[i])
                        continue;
                if (g_str_has_suffix(which, " dead"))
                        which[strlen(which) - strlen(" dead")] = '\0';
                if (mic->n == 0)
                        what = g_strdup_printf("no audio level came from the %s", which);
                else if (mic->n_bad_level == mic->n)
                        what = g_strdup_printf("the %s gave digital silence throughout", which);
                if (what)
                        add(reasons, max, n, h->dead[i], detail, what);
        }
}

int health_preflight(const health_monitor *h, room_reason *reasons, size_t reasons_max, GString *detail) {
        size_t n = 0;

        preflight_microphones(h, reasons, reasons_max, &n, detail);
        for (int i = 1; i <= h->cameras; i++) {
                const source *c = &h->s[i];
                g_autofree gchar *what = NULL;
                if (c->n == 0)
                        what = g_strdup_printf("camera %d delivered no pictures", i);
                else if (c->n == 1)
                        what = g_strdup_printf("camera %d delivered only one picture", i);
                else if (c->n_black == c->n)
                        what = g_strdup_printf("camera %d showed black throughout", i);
                else if (c->n_still == c->n - 1)
                        what = g_strdup_printf("camera %d showed the same picture throughout", i);
                if (what)
                        add(reasons, reasons_max, &n,
                            c->n > 0 && c->n_black == c->n ? fault_reason(h, FAULT_BLACK, i)
                                                           : fault_reason(h, FAULT_FROZEN, i),
                            detail, what);
        }
        return (int) n;
}

double health_bytes_per_second(int kbps) {
        return (double) kbps * 1000.0 / 8.0 * HEALTH_OVERHEAD;
}

double health_hours_left(uint64_t avail, uint64_t reserve, int kbps) {
        if (kbps <= 0)
                return -1;
        if (avail <= reserve)
                return 0;
        return (double) (avail - reserve) / health_bytes_per_second(kbps) / 3600.0;
}

bool health_backlog_old(const backlog_doc *b, int64_t now_us) {
        return b->sessions > 0 && b->oldest_us > 0 && now_us - b->oldest_us > HEALTH_BACKLOG_OLD_US;
}

bool health_vault_not_locking(const backlog_doc *b) {
        return b->last_error == BACKLOG_ERROR_NOT_LOCKING;
}

bool health_vault_verification_failed(const backlog_doc *b) {
        return b->verification_failed > 0;
}

bool health_vault_refused(const backlog_doc *b) {
        return b->last_error == BACKLOG_ERROR_CREDENTIALS;
}
