/* Pre-roll: the whole pipeline runs (sources, overlay, encoders) while the
 * room is ready, and nothing reaches the segment muxer until Start. Then the
 * recording begins on a keyframe the encoder is asked for, with its running
 * time moved to 0, so that Start costs about one frame instead of building
 * and starting a pipeline.
 *
 * A gate is a pad probe on an encoder's output. Closed, it drops buffers and
 * downstream events; a dropped sticky event stays pending on the pad
 * (gstpad.c push_sticky), so stream-start, caps and segment reach the muxer
 * once the gate is armed. Armed, events pass and buffers are dropped until
 * the first one at or after the start time (a keyframe, for video); from
 * then on the gate is open. splitmuxsink is kept in NULL (locked state)
 * until open, so it creates no file and its pads are never pushed to.
 *
 * Sources that are not live (a file, as the benchmark and tests use) are
 * not dropped but held: a blocking probe stops each stream at its gate
 * until Start, the recording starts at the stream's first keyframe (media
 * time 0), and audio is let through once that keyframe has passed, so that
 * every frame of the input is recorded. Dropping them lost the whole first
 * keyframe interval (840 of 900 frames in bench/recorder-vs-ffmpeg.sh). */
#include <errno.h>
#include <gst/base/gstbasesrc.h>
#include <gst/video/video.h>

#include "capture.h"
#include "preroll-internal.h"

#define PREROLL_KEY "studio-capture-preroll"
/* The sealing sink writes whole 64 KiB chunks (the age STREAM's), so the
 * first, short keyframe interval must hold at least that much: half as
 * long again as 64 KiB takes at the video bitrate, and never under 100 ms. */
#define PREROLL_FIRST_CHUNK_BITS (65536ULL * 8)
#define PREROLL_SECOND_KEYFRAME_MIN_NS (100 * GST_MSECOND)

typedef enum gate_state {
        GATE_CLOSED,
        GATE_ARMED,
        GATE_OPEN,
} gate_state;

typedef struct preroll preroll;

typedef struct gate {
        preroll *owner;
        GstPad *pad; /* borrowed: the pipeline owns it */
        gboolean video;
        gint state;  /* gate_state, atomic */
        gulong hold; /* the blocking probe of a pipeline that is not live; 0: none */
} gate;

struct preroll {
        GstElement *mux; /* borrowed */
        gate video;
        gate audio[CAPTURE_MAX_AUDIO_GATES]; /* one per audio track */
        size_t n_audio;
        /* Running time (pipeline clock) of Start; written before the gates
         * are armed, read by the probes after. */
        GstClockTime requested;
        /* Running time of the first keyframe at or after it: media time 0.
         * Set by the video probe before it opens its gate; the audio gate
         * opens only after that (atomic state), so it reads it safely. */
        GstClockTime start;
        GstClockTime second_keyframe; /* media time of the keyframe that ends the first interval */
        /* Media time at the end of the last picture let through (atomic):
         * what the recording holds, where the clock says what it should. */
        guint64 recorded;
        gboolean opened;
        gboolean live; /* FALSE: no source is live; the gates hold instead of dropping */
};

static void preroll_release(gpointer p) {
        g_rc_box_release(p);
}

/* A probe's data is its gate; the gate lives in the preroll it holds. */
static gate *gate_ref(gate *g) {
        g_rc_box_acquire(g->owner);
        return g;
}

static void gate_unref(gpointer p) {
        g_rc_box_release(((gate *) p)->owner);
}

/* Lets a held stream go (a no-op on a gate that does not hold). Each
 * gate's hold is let go from one place only: video's by open, audio's by
 * the video gate as it opens. */
static void release_hold(gate *g) {
        if (g->hold) {
                gst_pad_remove_probe(g->pad, g->hold);
                g->hold = 0;
        }
}

/* The blocking probe's callback: the data waits in the pad until the probe
 * is removed (or the pad flushes, when the pipeline stops). */
static GstPadProbeReturn on_hold(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        (void) pad;
        (void) info;
        (void) data;
        return GST_PAD_PROBE_OK;
}

static GstClockTime buffer_running_time(GstPad *pad, GstBuffer *buf) {
        g_autoptr(GstEvent) ev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
        const GstSegment *segment;

        if (!ev || !GST_BUFFER_PTS_IS_VALID(buf))
                return GST_CLOCK_TIME_NONE;
        gst_event_parse_segment(ev, &segment);
        return gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
}

/* Armed: video opens on the first keyframe at or after Start (a segment
 * must be playable on its own), and that keyframe is media time 0 for both
 * streams; audio opens after it, from the first buffer at or after it, so
 * that the two streams start together and the segment's media times hold
 * for its pictures too. */
static gboolean first_buffer(gate *g, GstBuffer *buf) {
        preroll *pr = g->owner;
        GstClockTime rt = buffer_running_time(g->pad, buf);

        if (!GST_CLOCK_TIME_IS_VALID(rt))
                return FALSE;
        if (!g->video)
                return g_atomic_int_get(&pr->video.state) == GATE_OPEN && rt >= pr->start;
        if (rt < pr->requested || GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
                return FALSE;
        /* everything downstream of the gates runs on the media timeline:
         * the muxer, the segment boundaries and the seal sink's times (the
         * offset goes out with the segment event, re-sent before this
         * buffer and the first audio one) */
        pr->start = rt;
        gst_pad_set_offset(pr->video.pad, -(gint64) rt);
        for (size_t i = 0; i < pr->n_audio; i++) {
                gst_pad_set_offset(pr->audio[i].pad, -(gint64) rt);
                release_hold(&pr->audio[i]);
        }
        return TRUE;
}

static GstBuffer *probe_buffer(GstPadProbeInfo *info) {
        return (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
                       ? gst_buffer_list_get(GST_PAD_PROBE_INFO_BUFFER_LIST(info), 0)
                       : GST_PAD_PROBE_INFO_BUFFER(info);
}

/* Only the video gate's thread writes it, and only once its gate is open. */
static void note_recorded(gate *g, GstPadProbeInfo *info) {
        GstBuffer *buf = (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) ? NULL : probe_buffer(info);
        GstClockTime rt = buf ? buffer_running_time(g->pad, buf) : GST_CLOCK_TIME_NONE;

        if (!GST_CLOCK_TIME_IS_VALID(rt) || rt < g->owner->start)
                return;
        rt += GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : 0;
        __atomic_store_n(&g->owner->recorded, rt - g->owner->start, __ATOMIC_RELAXED);
}

static GstPadProbeReturn on_data(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        gate *g = data;
        gint state = g_atomic_int_get(&g->state);
        GstBuffer *buf;

        (void) pad;
        if (state == GATE_OPEN && g->video)
                note_recorded(g, info);
        if (state == GATE_OPEN)
                return GST_PAD_PROBE_OK;
        if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
                return state == GATE_ARMED ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
        if (state == GATE_CLOSED)
                return GST_PAD_PROBE_DROP;
        buf = probe_buffer(info);
        if (!buf || !first_buffer(g, buf))
                return GST_PAD_PROBE_DROP;
        /* a Stop on the loop may have closed the gate meanwhile
         * (capture_pipeline_cancel_unopened): then nothing passes */
        if (!g_atomic_int_compare_and_exchange(&g->state, GATE_ARMED, GATE_OPEN))
                return GST_PAD_PROBE_DROP;
        return GST_PAD_PROBE_OK;
}

/* splitmuxsink asks for the keyframes that start later segments, in its
 * running time, which is the media time; the encoder and the parser read
 * the event's running time as their own (they ignore the pad offset). */
static GstPadProbeReturn on_upstream(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
        gate *g = data;
        GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
        GstClockTime rt;
        gboolean all_headers;
        guint count;
        GstEvent *moved;

        (void) pad;
        if (g_atomic_int_get(&g->state) == GATE_CLOSED || !gst_video_event_is_force_key_unit(ev) ||
            !gst_video_event_parse_upstream_force_key_unit(ev, &rt, &all_headers, &count) ||
            !GST_CLOCK_TIME_IS_VALID(rt))
                return GST_PAD_PROBE_OK;
        moved = gst_video_event_new_upstream_force_key_unit(
                rt + (GST_CLOCK_TIME_IS_VALID(g->owner->start) ? g->owner->start : g->owner->requested),
                all_headers, count);
        gst_event_set_seqnum(moved, gst_event_get_seqnum(ev));
        gst_event_unref(ev);
        GST_PAD_PROBE_INFO_DATA(info) = moved;
        return GST_PAD_PROBE_OK;
}

static int gate_install(preroll *pr, gate *g, GstElement *element, gboolean video) {
        g_autoptr(GstPad) pad = gst_element_get_static_pad(element, "src");

        if (!pad)
                return -EINVAL;
        g->owner = pr;
        g->pad = pad;
        g->video = video;
        g->state = GATE_CLOSED;
        /* added first: it holds the data before the gate sees it */
        if (!pr->live)
                g->hold =
                        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
                                          on_hold, NULL, NULL);
        gst_pad_add_probe(pad,
                          GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                                  GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                          on_data, gate_ref(g), gate_unref);
        if (video)
                gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream, gate_ref(g),
                                  gate_unref);
        return 0;
}

gboolean capture_any_live_source(GstElement *pipeline) {
        /* the sources are bins (gst_parse_bin_from_description): look inside */
        g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
        g_auto(GValue) item = G_VALUE_INIT;
        gboolean live = FALSE;

        while (!live && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
                GstElement *e = g_value_get_object(&item);
                live = GST_IS_BASE_SRC(e) && gst_base_src_is_live(GST_BASE_SRC(e));
                g_value_reset(&item);
        }
        return live;
}

int capture_preroll_install(GstElement *pipeline, GstElement *mux, GstElement *video_out,
                            GstElement *const *audio_out, size_t n_audio, int video_kbps) {
        preroll *pr = g_rc_box_new0(preroll);
        int r;

        pr->live = capture_any_live_source(pipeline);

        pr->second_keyframe = video_kbps > 0
                                      ? PREROLL_FIRST_CHUNK_BITS * 3 / 2 * GST_MSECOND / (guint64) video_kbps
                                      : PREROLL_SECOND_KEYFRAME_MIN_NS;
        pr->second_keyframe = MAX(pr->second_keyframe, PREROLL_SECOND_KEYFRAME_MIN_NS);

        pr->mux = mux;
        pr->start = GST_CLOCK_TIME_NONE;
        pr->requested = GST_CLOCK_TIME_NONE;
        r = n_audio <= CAPTURE_MAX_AUDIO_GATES ? gate_install(pr, &pr->video, video_out, TRUE) : -E2BIG;
        for (size_t i = 0; r == 0 && i < n_audio; i++, pr->n_audio++)
                r = gate_install(pr, &pr->audio[i], audio_out[i], FALSE);
        g_object_set_data_full(G_OBJECT(pipeline), PREROLL_KEY, pr, preroll_release);
        if (r < 0)
                return r;
        gst_element_set_locked_state(mux, TRUE);
        return 0;
}

static preroll *preroll_of(GstElement *pipeline) {
        return pipeline ? g_object_get_data(G_OBJECT(pipeline), PREROLL_KEY) : NULL;
}

static int open_failed(int r, gchar *message, gchar **ret_message) {
        if (ret_message)
                *ret_message = message;
        else
                g_free(message);
        return r;
}

static void set_audio_gates(preroll *pr, gate_state state) {
        for (size_t i = 0; i < pr->n_audio; i++)
                g_atomic_int_set(&pr->audio[i].state, state);
}

/* The gates open at START (running time): a live source asks its encoder
 * for a keyframe now and a second soon after; a file, held since its
 * start, begins at its first keyframe. */
static void arm_gates(preroll *pr, GstClockTime start) {
        if (!pr->live) {
                /* held since the start of the input: it starts at its first keyframe */
                pr->requested = 0;
                set_audio_gates(pr, GATE_ARMED);
                g_atomic_int_set(&pr->video.state, GATE_ARMED);
                release_hold(&pr->video);
                return;
        }
        pr->requested = start;
        set_audio_gates(pr, GATE_ARMED);
        g_atomic_int_set(&pr->video.state, GATE_ARMED);
        /* Media time 0; the upstream probe moves it to the encoder's time.
         * Without it the recording still starts, on the next regular keyframe. */
        (void) gst_pad_send_event(pr->video.pad, gst_video_event_new_upstream_force_key_unit(0, TRUE, 0));
        /* splitmuxsink holds each keyframe interval until the next keyframe
         * before it writes it: a second keyframe soon after the first puts
         * the first pictures on disk in a fraction of a second instead of
         * a whole interval (one extra keyframe, once per session) */
        (void) gst_pad_send_event(pr->video.pad,
                                  gst_video_event_new_upstream_force_key_unit(pr->second_keyframe, TRUE, 0));
}

/* The segment muxer, held since the pipeline was built, writing into
 * SESSION_DIR; false, with the muxer stopped again, when it cannot. */
static gboolean start_muxer(preroll *pr, const char *session_dir, gchar **ret_message) {
        g_autofree gchar *location = g_build_filename(session_dir, "seg-%06d.mkv.age", NULL);

        g_object_set(pr->mux, "location", location, NULL);
        gst_element_set_locked_state(pr->mux, FALSE);
        if (gst_element_sync_state_with_parent(pr->mux))
                return TRUE;
        gst_element_set_locked_state(pr->mux, TRUE);
        (void) gst_element_set_state(pr->mux, GST_STATE_NULL);
        (void) open_failed(-EIO,
                           g_strdup_printf("the segment muxer could not start writing into %s "
                                           "(the pipeline's error message says why)",
                                           session_dir),
                           ret_message);
        return FALSE;
}

int capture_pipeline_open(GstElement *pipeline, const char *session_dir, gchar **ret_message) {
        preroll *pr = preroll_of(pipeline);
        GstState state = GST_STATE_NULL;
        GstClockTime start;

        if (!pr)
                return open_failed(-EINVAL,
                                   g_strdup("the pipeline was not built pre-rolled (it was given a session "
                                            "folder when it was built)"),
                                   ret_message);
        if (pr->opened)
                return open_failed(-EALREADY, g_strdup("the recording has already started"), ret_message);
        if (!session_dir || !g_file_test(session_dir, G_FILE_TEST_IS_DIR))
                return open_failed(-ENOTDIR,
                                   g_strdup_printf("the session folder %s does not exist",
                                                   session_dir ? session_dir : "(none)"),
                                   ret_message);
        (void) gst_element_get_state(pipeline, &state, NULL, 0);
        start = gst_element_get_current_running_time(pipeline);
        if (state != GST_STATE_PLAYING || !GST_CLOCK_TIME_IS_VALID(start))
                return open_failed(-EAGAIN,
                                   g_strdup("the pre-rolled pipeline is not running yet (set it to "
                                            "PLAYING and wait for it before Start)"),
                                   ret_message);

        if (!start_muxer(pr, session_dir, ret_message))
                return -EIO;
        pr->opened = TRUE;
        arm_gates(pr, start);
        return 0;
}

gboolean capture_pipeline_cancel_unopened(GstElement *pipeline) {
        preroll *pr = preroll_of(pipeline);

        if (!pr || !pr->opened ||
            !g_atomic_int_compare_and_exchange(&pr->video.state, GATE_ARMED, GATE_CLOSED))
                return FALSE;
        /* audio opens only after video, which now never does */
        set_audio_gates(pr, GATE_CLOSED);
        return TRUE;
}

GstClockTime capture_pipeline_media_time(GstElement *pipeline) {
        preroll *pr = preroll_of(pipeline);
        GstClockTime start;
        GstClockTime now = pipeline ? gst_element_get_current_running_time(pipeline) : GST_CLOCK_TIME_NONE;

        if (!pr)
                return now;
        if (!pr->opened || !GST_CLOCK_TIME_IS_VALID(now))
                return GST_CLOCK_TIME_NONE;
        /* between Start and the first keyframe: the recording's first moment */
        start = g_atomic_int_get(&pr->video.state) == GATE_OPEN ? pr->start : GST_CLOCK_TIME_NONE;
        if (!GST_CLOCK_TIME_IS_VALID(start))
                return 0;
        return now > start ? now - start : 0;
}

GstClockTime capture_pipeline_recorded_time(GstElement *pipeline) {
        preroll *pr = preroll_of(pipeline);

        if (!pr || !pr->opened || g_atomic_int_get(&pr->video.state) != GATE_OPEN)
                return GST_CLOCK_TIME_NONE;
        return __atomic_load_n(&pr->recorded, __ATOMIC_RELAXED);
}
