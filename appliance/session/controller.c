/* The session controller: one pipeline and at most one session, driven
 * from the default GMainContext (see controller.h). */
#include "controller.h"

#include <errno.h>
#include <unistd.h>

#include "custody.h"
#include "seal.h"
#include "session.h"

typedef enum ctl_phase {
        CTL_IDLE,      /* no pipeline */
        CTL_PREROLLED, /* pipeline playing, nothing written */
        CTL_RECORDING, /* session begun, recording opened */
        CTL_STOPPING,  /* EOS sent, waiting for it */
        CTL_ENDED,     /* outcome told (or about to be) */
} ctl_phase;

struct rec_controller {
        /* owned copies of the settings */
        const capture_profile *profile;
        gchar *spool, *state_dir, *room, *device_id, *recipients_csv, *timesync_file;
        gchar *observation_video, *observation_audio;
        gchar **recipients;
        const minisign_secret *key;
        capture_options copt;
        uint64_t eos_timeout_ns;

        rec_controller_callbacks cb;
        void *userdata;

        ctl_phase phase;
        GstElement *pipeline;
        GstBus *bus;
        guint bus_watch;
        guint eos_timer;
        guint ended_idle;
        rec_session *session;
        bool told_recording;
        bool started;      /* a segment file was made */
        bool open_pending; /* Start came before the pipeline was PLAYING */

        int result;
        gchar *message;
        gchar *stop_reason;
        rec_outcome outcome;
        GArray *marks; /* the session's marks so far: guint64 media time (ns) */
        gchar *outcome_dir;
        gchar *outcome_message;
};

int rec_controller_new(const rec_settings *s, const rec_controller_callbacks *cb, void *userdata,
                       rec_controller **ret, gchar **ret_message) {
        rec_controller *c;

        if (!s->profile || !s->spool || !s->recipients || !s->recipients[0]) {
                *ret_message = g_strdup("a session needs a profile, a spool folder and a recipient");
                return -EINVAL;
        }
        c = g_new0(rec_controller, 1);
        c->profile = s->profile;
        c->spool = g_strdup(s->spool);
        c->state_dir = g_strdup(s->state_dir ? s->state_dir : s->spool);
        c->timesync_file = g_strdup(s->timesync_file);
        c->room = g_strdup(s->room ? s->room : capture_profile_room(s->profile));
        c->device_id = g_strdup(s->device_id ? s->device_id : "unknown");
        c->recipients = g_strdupv((gchar **) s->recipients);
        c->recipients_csv = g_strjoinv(",", c->recipients);
        c->key = s->key;
        c->observation_video = g_strdup(s->observation_video);
        c->observation_audio = g_strdup(s->observation_audio);
        c->copt = (capture_options){
                .recipients = c->recipients_csv,
                .room = c->room,
                .segment_time_ns = s->segment_time_ns,
                .segment_bytes = s->segment_bytes,
                .checkpoint_interval_ns = s->checkpoint_interval_ns,
                .measure = s->measure,
                .observation_video = c->observation_video,
                .observation_audio = c->observation_audio,
        };
        c->eos_timeout_ns = s->eos_timeout_ns ? s->eos_timeout_ns : 10ULL * 1000000000ULL;
        if (cb)
                c->cb = *cb;
        c->userdata = userdata;
        *ret = c;
        return 0;
}

static void tell_fault(rec_controller *c, room_reason reason, const char *detail) {
        if (c->cb.fault)
                c->cb.fault(reason, detail, c->userdata);
}

static void session_fault(room_reason reason, const char *detail, void *userdata) {
        tell_fault(userdata, reason, detail);
}

static GstClockTime media_time(const rec_controller *c);

/* ---- ending ---------------------------------------------------------- */

static gboolean on_ended_idle(gpointer data) {
        rec_controller *c = data;

        c->ended_idle = 0;
        if (c->cb.ended)
                c->cb.ended(&c->outcome, c->userdata); /* may free c */
        return G_SOURCE_REMOVE;
}

static void drain_bus(rec_controller *c) {
        for (GstMessage *m; c->bus && (m = gst_bus_pop(c->bus));) {
                if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT && c->session)
                        (void) rec_session_on_element(c->session, m);
                gst_message_unref(m);
        }
}

static void teardown_pipeline(rec_controller *c) {
        if (c->eos_timer)
                g_source_remove(c->eos_timer);
        c->eos_timer = 0;
        if (!c->pipeline)
                return;
        gst_element_set_state(c->pipeline, GST_STATE_NULL);
        /* messages posted while shutting down (the last segment's seal) */
        drain_bus(c);
        if (c->bus_watch)
                gst_bus_remove_watch(c->bus);
        c->bus_watch = 0;
        gst_clear_object(&c->bus);
        gst_clear_object(&c->pipeline);
}

static const char *end_reason(const rec_controller *c, bool full) {
        if (full)
                return "disk full";
        if (!c->started) /* a Stop before the first picture is a stop */
                return c->result >= 0 && c->stop_reason ? c->stop_reason : "could not start";
        if (c->result < 0)
                return "fault";
        return c->stop_reason ? c->stop_reason : "stopped";
}

/* Closes the session's records; a session that never made a segment file
 * and has no custody log leaves no folder behind. */
static void end_session(rec_controller *c) {
        rec_outcome *o = &c->outcome;
        g_autofree gchar *msg = NULL;
        bool full = rec_session_disk_full(c->session);
        int sealed = rec_session_end(c->session, end_reason(c, full), &msg);

        o->disk_full = full;
        o->started = c->started;
        o->sealed = sealed < 0 ? (int) rec_session_segments(c->session) : sealed;
        o->closed = sealed >= 0 && c->key;
        if (!c->started && rmdir(rec_session_dir(c->session)) == 0)
                o->session_dir = NULL; /* unsigned and empty: nothing to keep */
        else
                o->session_dir = c->outcome_dir = g_strdup(rec_session_dir(c->session));
        if (sealed < 0) {
                c->outcome_message =
                        c->message ? g_strdup_printf("%s; %s", c->message, msg) : g_steal_pointer(&msg);
                if (c->result >= 0)
                        c->result = sealed;
        } else
                c->outcome_message = g_strdup(c->message);
        c->session = rec_session_free(c->session);
}

/* The one way out of a pre-roll or a session: everything is closed here,
 * then the outcome is told from an idle callback, so that the receiver
 * may free the controller. */
static void finish(rec_controller *c, int result, gchar *message) {
        GstClockTime length;

        if (c->phase == CTL_ENDED) {
                g_free(message);
                return;
        }
        c->phase = CTL_ENDED;
        c->result = result;
        g_free(c->message);
        c->message = message;
        length = c->started ? media_time(c) : GST_CLOCK_TIME_NONE; /* before the pipeline goes */
        teardown_pipeline(c);
        c->outcome = (rec_outcome){0};
        c->outcome.media_ns = GST_CLOCK_TIME_IS_VALID(length) ? length : 0;
        if (c->session)
                end_session(c);
        else
                c->outcome_message = g_strdup(c->message);
        c->outcome.result = c->result;
        c->outcome.message = c->outcome_message;
        c->ended_idle = g_idle_add(on_ended_idle, c);
}

/* ---- bus ------------------------------------------------------------- */

/* In about one non-live run in five, splitmuxsink never let EOS through
 * after it had finished every segment (measured, GStreamer 1.22; live runs
 * have not shown it): never wait forever. */
static gboolean on_eos_timeout(gpointer data) {
        rec_controller *c = data;

        c->eos_timer = 0;
        if (c->session)
                (void) rec_session_fault(c->session, "eos-timeout", "end of stream did not arrive in time");
        finish(c, -ETIMEDOUT,
               g_strdup("the pipeline did not finish in time after stop; the last segment may read as "
                        "truncated"));
        return G_SOURCE_REMOVE;
}

/* A camera or the observation output lost: the recording goes on. */
static bool survived(rec_controller *c, GstMessage *m) {
        room_reason reason = _ROOM_REASON_INVALID;
        g_autofree gchar *detail = NULL;

        if (capture_pipeline_survive_error(c->pipeline, m, &reason, &detail) != 1)
                return false;
        if (!detail) /* the same fault's later messages */
                return true;
        tell_fault(c, reason, detail);
        if (c->session)
                (void) rec_session_fault(c->session, reason >= 0 ? "camera-lost" : "observation-lost",
                                         detail);
        return true;
}

static void on_error(rec_controller *c, GstMessage *m) {
        g_autofree gchar *why = NULL;
        g_autoptr(GError) e = NULL;
        bool full;

        if (survived(c, m))
                return;
        why = capture_explain_error(m);
        gst_message_parse_error(m, &e, NULL);
        full = g_error_matches(e, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT);
        if (c->session) {
                if (full)
                        rec_session_note_disk_full(c->session);
                (void) rec_session_fault(c->session, "pipeline-error", why);
        }
        /* the outcome says -ENOSPC for a full disk, as controller.h promises */
        finish(c, full ? -ENOSPC : -EIO, g_steal_pointer(&why));
}

static void on_element(rec_controller *c, GstMessage *m) {
        capture_measure measured;

        if (capture_measure_parse(m, &measured)) {
                if (c->cb.measure)
                        c->cb.measure(&measured, c->userdata);
                return;
        }
        if (!c->session)
                return;
        (void) rec_session_on_element(c->session, m);
        if (!c->started && rec_session_segments_opened(c->session) > 0) {
                c->started = true;
                if (c->cb.recording && !c->told_recording) {
                        c->told_recording = true;
                        c->cb.recording(c->userdata);
                }
        }
        /* the custody log or the close reserve found the disk full: stop
         * now, while the close still has its room (no EOS: the last chunk
         * would not fit; the open segment is cut at its checkpoint) */
        if (rec_session_disk_full(c->session)) {
                tell_fault(c, REASON_DISK_FULL, "the disk holding the spool is full");
                finish(c, -ENOSPC, g_strdup("the disk is full (the custody log could not grow)"));
        }
}

static void on_state_changed(rec_controller *c, GstMessage *m) {
        GstState old_state, new_state;
        g_autofree gchar *msg = NULL;
        int r;

        if (!c->open_pending || GST_MESSAGE_SRC(m) != GST_OBJECT(c->pipeline))
                return;
        gst_message_parse_state_changed(m, &old_state, &new_state, NULL);
        if (new_state != GST_STATE_PLAYING)
                return;
        c->open_pending = false;
        r = capture_pipeline_open(c->pipeline, rec_session_dir(c->session), &msg);
        if (r < 0) {
                (void) rec_session_fault(c->session, "pipeline", msg);
                finish(c, r, g_steal_pointer(&msg));
        }
}

static gboolean on_bus(GstBus *bus, GstMessage *m, gpointer data) {
        rec_controller *c = data;

        (void) bus;
        switch (GST_MESSAGE_TYPE(m)) {
        case GST_MESSAGE_ELEMENT:
                on_element(c, m);
                break;
        case GST_MESSAGE_EOS:
                finish(c, 0, NULL);
                break;
        case GST_MESSAGE_ERROR:
                on_error(c, m);
                break;
        case GST_MESSAGE_STATE_CHANGED:
                on_state_changed(c, m);
                break;
        case GST_MESSAGE_WARNING: {
                g_autoptr(GError) e = NULL;
                gst_message_parse_warning(m, &e, NULL);
                tell_fault(c, _ROOM_REASON_INVALID, e->message); /* logged, not an attention reason */
                break;
        }
        default:
                break;
        }
        if (c->phase == CTL_ENDED) {
                c->bus_watch = 0; /* removed by returning G_SOURCE_REMOVE */
                return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
}

/* ---- pipeline -------------------------------------------------------- */

static int build_pipeline(rec_controller *c, const char *session_dir, gchar **ret_message) {
        g_autoptr(GstElement) pipeline = NULL;
        int r;

        c->copt.session_dir = session_dir;
        r = capture_pipeline_build(c->profile, &c->copt, &pipeline, ret_message);
        c->copt.session_dir = NULL;
        if (r < 0)
                return r;
        c->pipeline = g_steal_pointer(&pipeline);
        c->bus = gst_element_get_bus(c->pipeline);
        c->bus_watch = gst_bus_add_watch(c->bus, on_bus, c);
        return 0;
}

static int play(rec_controller *c, gchar **ret_message) {
        if (gst_element_set_state(c->pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE)
                return 0;
        /* the error message on the bus says why */
        for (GstMessage *m; (m = gst_bus_pop_filtered(c->bus, GST_MESSAGE_ERROR));) {
                if (!*ret_message)
                        *ret_message = capture_explain_error(m);
                gst_message_unref(m);
        }
        if (!*ret_message)
                *ret_message = g_strdup("the pipeline could not start (camera or microphone unavailable)");
        return -EIO;
}

int rec_controller_preroll(rec_controller *c, gchar **ret_message) {
        int r;

        if (c->phase != CTL_IDLE)
                return 0;
        r = build_pipeline(c, NULL, ret_message);
        if (r < 0)
                return r;
        r = play(c, ret_message);
        if (r < 0) {
                teardown_pipeline(c);
                return r;
        }
        c->phase = CTL_PREROLLED;
        return 0;
}

/* Opens the recording into the session folder, now or, when the pipeline
 * is still on its way to PLAYING, as soon as it gets there. */
static int open_recording(rec_controller *c, gchar **ret_message) {
        int r = capture_pipeline_open(c->pipeline, rec_session_dir(c->session), ret_message);

        if (r == -EAGAIN) {
                g_clear_pointer(ret_message, g_free);
                c->open_pending = true;
                return 0;
        }
        return r;
}

static gchar *officer_or_default(const char *officer) {
        return g_strdup(officer && *officer ? officer : "unidentified");
}

static int begin_session(rec_controller *c, const char *officer, gchar **ret_message) {
        g_autofree gchar *who = officer_or_default(officer);
        g_auto(GStrv) cameras = capture_profile_cameras(c->profile);
        g_auto(GStrv) microphones = capture_profile_microphones(c->profile);
        g_autoptr(JsonArray) tracks = rec_session_tracks_from_profile(c->profile);
        rec_session_info info = {
                .officer = who,
                .room = c->room,
                .profile = capture_profile_name(c->profile),
                .profile_sha256 = capture_profile_sha256(c->profile),
                .cameras = cameras,
                .microphones = microphones,
                .tracks = tracks,
                .recipients = c->recipients,
                .state_dir = c->state_dir,
                .key = c->key,
                .device_id = c->device_id,
                .timesync_file = c->timesync_file,
        };
        int r = rec_session_begin(c->spool, &info, &c->session, ret_message);

        if (r < 0)
                return r;
        rec_session_set_fault_hook(c->session, session_fault, c);
        return 0;
}

int rec_controller_start(rec_controller *c, const char *officer, gchar **ret_message) {
        int r;

        if (c->phase == CTL_IDLE && (r = rec_controller_preroll(c, ret_message)) < 0)
                return r;
        if (c->phase != CTL_PREROLLED) {
                *ret_message = g_strdup(c->phase == CTL_ENDED ? "the pipeline has ended"
                                                              : "a session is already recording");
                return -EBUSY;
        }
        r = begin_session(c, officer, ret_message);
        if (r < 0)
                return r;
        c->phase = CTL_RECORDING;
        r = open_recording(c, ret_message);
        if (r < 0) {
                /* the attempt stays on the custody record; the outcome follows */
                (void) rec_session_fault(c->session, "pipeline", *ret_message);
                finish(c, r, g_strdup(*ret_message));
                return r;
        }
        return 0;
}

/* ---- during a session ------------------------------------------------ */

static GstClockTime media_time(const rec_controller *c) {
        return c->pipeline ? capture_pipeline_media_time(c->pipeline) : GST_CLOCK_TIME_NONE;
}

static int need_recording(const rec_controller *c, gchar **ret_message) {
        if (c->phase == CTL_RECORDING && c->session)
                return 0;
        *ret_message = g_strdup(c->phase == CTL_STOPPING ? "the session is stopping (being sealed)"
                                                         : "no session is recording: press Start first");
        return -ENOTCONN;
}

static int log_mark(rec_controller *c, const char *event, const char *source, const char *note_age,
                    GstClockTime at, gchar **ret_message) {
        int r = rec_session_mark(c->session, event, source, note_age, at);

        if (r < 0)
                *ret_message = g_strdup_printf("the %s could not be written to the custody log: %s", event,
                                               g_strerror(-r));
        return r;
}

int rec_controller_mark(rec_controller *c, const char *source, const char *note, gchar **ret_message) {
        int r = need_recording(c, ret_message);
        g_autofree gchar *sealed = NULL;
        GstClockTime at;

        if (r < 0)
                return r;
        /* the custody log is plaintext on the appliance: a note (which may
         * hold case content) is sealed for the vault, and only its
         * ciphertext is signed */
        if (note && (r = custody_note_seal(c->recipients, note, &sealed, ret_message)) < 0)
                return r;
        at = media_time(c);
        r = log_mark(c, "mark", source, sealed, at, ret_message);
        if (r >= 0) {
                guint64 ns = GST_CLOCK_TIME_IS_VALID(at) ? at : 0;
                if (!c->marks)
                        c->marks = g_array_new(FALSE, FALSE, sizeof(guint64));
                g_array_append_val(c->marks, ns);
        }
        return r;
}

int rec_controller_break(rec_controller *c, const char *source, gchar **ret_message) {
        int r = need_recording(c, ret_message);

        return r < 0 ? r : log_mark(c, "break", source, NULL, media_time(c), ret_message);
}

int rec_controller_resume(rec_controller *c, const char *source, gchar **ret_message) {
        int r = need_recording(c, ret_message);

        return r < 0 ? r : log_mark(c, "resume", source, NULL, media_time(c), ret_message);
}

int rec_controller_note(rec_controller *c, const char *what, const char *detail) {
        return c->session ? rec_session_fault(c->session, what, detail) : 0;
}

void rec_controller_stop(rec_controller *c, const char *reason) {
        if (c->phase == CTL_ENDED || c->phase == CTL_STOPPING)
                return;
        g_free(c->stop_reason);
        c->stop_reason = g_strdup(reason);
        /* a recording never opened, or opened with no picture through its
         * gates yet, has nothing to finish, and an end of stream would
         * never come through (Start, then Stop at once) */
        if (c->phase != CTL_RECORDING || !c->pipeline || c->open_pending ||
            (!c->started && capture_pipeline_cancel_unopened(c->pipeline))) {
                finish(c, 0, NULL);
                return;
        }
        c->phase = CTL_STOPPING;
        gst_element_send_event(c->pipeline, gst_event_new_eos());
        c->eos_timer = g_timeout_add((guint) (c->eos_timeout_ns / 1000000), on_eos_timeout, c);
}

GstClockTime rec_controller_media_time(const rec_controller *c) {
        return media_time(c);
}

GstClockTime rec_controller_recorded_time(const rec_controller *c) {
        return c->pipeline ? capture_pipeline_recorded_time(c->pipeline) : GST_CLOCK_TIME_NONE;
}

const guint64 *rec_controller_marks(const rec_controller *c, guint *ret_n) {
        *ret_n = c->marks ? c->marks->len : 0;
        return c->marks ? (const guint64 *) (const void *) c->marks->data : NULL;
}

bool rec_controller_ending(const rec_controller *c) {
        return c->phase == CTL_ENDED;
}

bool rec_controller_started(const rec_controller *c) {
        return c->started;
}

const char *rec_controller_session_dir(const rec_controller *c) {
        return c->session ? rec_session_dir(c->session) : c->outcome_dir;
}

rec_controller *rec_controller_free(rec_controller *c) {
        if (!c)
                return NULL;
        if (c->phase != CTL_ENDED)
                finish(c, 0, NULL);
        if (c->ended_idle)
                g_source_remove(c->ended_idle);
        g_free(c->spool);
        g_free(c->state_dir);
        g_free(c->timesync_file);
        g_free(c->room);
        g_free(c->device_id);
        g_free(c->recipients_csv);
        g_free(c->observation_video);
        g_free(c->observation_audio);
        g_strfreev(c->recipients);
        g_free(c->message);
        g_free(c->stop_reason);
        g_free(c->outcome_dir);
        g_free(c->outcome_message);
        if (c->marks)
                g_array_unref(c->marks);
        g_free(c);
        return NULL;
}
