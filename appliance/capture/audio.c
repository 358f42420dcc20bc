/* The audio tracks (capture.h), each speaker's microphone encoded on its
 * own and named by its role:
 *
 *   [audio] source -> convert/resample -> N channels -> deinterleave
 *       src_K -> queue -> convert -> [level] -> Opus|AAC -> tags   (channel K+1's track)
 *   a track's own source -> convert/resample -> [level] -> queue -> Opus|AAC -> tags
 *   every track before its encoder -> tee -> audiomixer -> stereo -> Opus|AAC (with mix)
 *
 * One multichannel source has one clock for all its channels, so the
 * tracks stay sample-aligned; separate sources each run on their own. */
#include <errno.h>

#include "build-internal.h"
#include "measure-internal.h"
#include "preroll-internal.h"

#define SPLIT_KEY "studio-capture-split"

static GstElement *encoder(build *b, const char *name) {
        gboolean opus = g_str_equal(b->p->audio_codec, "opus");
        GstElement *enc = make(b, opus ? "opusenc" : "voaacenc", name);

        if (enc)
                g_object_set(enc, "bitrate", b->p->audio_bitrate * 1000, NULL);
        return enc;
}

/* The track's role and language as stream tags, which the muxer writes
 * into the segment: players list the tracks by them. A role is one word
 * from a fixed list (a label with spaces would come out quoted). */
static GstElement *tags(build *b, const char *role, const char *language) {
        GstElement *inject = make(b, "taginject", NULL);
        g_autofree gchar *text = NULL;

        if (!inject)
                return NULL;
        text = g_strdup_printf("title=%s,language-code=%s", role, language ? language : "und");
        g_object_set(inject, "tags", text, NULL);
        return inject;
}

/* A live source of its own that stops (a USB microphone pulled, a driver
 * that hangs) would hold the segment muxer, which waits for every track:
 * its track goes through a mixer with live silence beside it, so that
 * silence stands in and the recording goes on. The level is measured
 * before it, so the health monitor still sees the microphone go. */
static size_t silence_stand_in(build *b, size_t i, GstElement **chain, size_t n) {
        g_autofree gchar *name = g_strdup_printf("audio-stand-in-%zu", i + 1);
        g_autoptr(GstCaps) mono = gst_caps_new_simple("audio/x-raw", "rate", G_TYPE_INT, 48000, "channels",
                                                      G_TYPE_INT, 1, NULL);
        GstElement *silence[] = {make(b, "audiotestsrc", NULL), make(b, "audioconvert", NULL)};
        GstElement *mixer = make(b, "audiomixer", name);

        if (!link_chain(b, silence, G_N_ELEMENTS(silence)) || !mixer)
                return n;
        g_object_set(silence[0], "is-live", TRUE, "wave", 4 /* silence */, NULL);
        gst_util_set_object_arg(G_OBJECT(mixer), "start-time-selection", "first");
        if (!gst_element_link_pads(silence[1], "src", mixer, "sink_%u")) {
                b->msg = g_strdup("could not link the stand-in silence into its track");
                return n;
        }
        chain[n++] = make(b, "queue", NULL);
        chain[n++] = mixer;
        chain[n] = make(b, "capsfilter", NULL);
        if (chain[n])
                g_object_set(chain[n], "caps", mono, NULL);
        return n + 1;
}

/* The tail every track shares: [level] [stand-in] [observation] [mix tee]
 * queue encoder tags. chain holds the head's elements (n of them). */
static GstElement *track_tail(build *b, size_t i, GstElement **chain, size_t n, GstElement **ret_mix_tee) {
        const capture_track *t = &b->p->tracks[i];
        g_autofree gchar *enc_name = g_strdup_printf("audio-encoder-%zu", i + 1);

        if (b->o->measure && !(chain[n++] = capture_measure_level(b->bin, (int) i + 1)) && !b->msg)
                b->msg = g_strdup("the GStreamer element 'level' is not installed on this machine "
                                  "(gstreamer1.0-plugins-good)");
        if (!t->channel && b->p->n_tracks > 1 && chain[0] && capture_any_live_source(chain[0]))
                n = silence_stand_in(b, i, chain, n);
        if (i == 0 && b->o->observation_audio)
                chain[n++] = observation(b, b->o->observation_audio, false);
        if (b->p->mix)
                chain[n++] = *ret_mix_tee = make(b, "tee", NULL);
        chain[n++] = make(b, "queue", NULL);
        chain[n++] = encoder(b, enc_name);
        chain[n++] = tags(b, t->role, t->language);
        return link_chain(b, chain, n) ? chain[n - 1] : NULL;
}

/* A track with a source of its own. */
static GstElement *own_source_track(build *b, size_t i, GstElement **ret_mix_tee) {
        g_autofree gchar *name = i == 0 ? g_strdup("audio") : g_strdup_printf("audio-%zu", i + 1);
        GstElement *chain[12] = {
                make_source(b, b->p->tracks[i].source, name),
                make(b, "audioconvert", NULL),
                make(b, "audioresample", NULL),
        };

        return track_tail(b, i, chain, 3, ret_mix_tee);
}

/* ---- one multichannel source, split ------------------------------------- */

/* The element each of deinterleave's channel pads goes to: a track's
 * queue, or a fakesink for a channel no track records. */
typedef struct split {
        GstElement *to[CAPTURE_MAX_CHANNELS];
        int channels;
} split;

/* deinterleave makes its pads once it knows the caps, in its own thread. */
static void on_split_pad(GstElement *deinterleave, GstPad *pad, gpointer data) {
        split *s = data;
        const char *name = GST_PAD_NAME(pad);
        guint64 k;
        g_autoptr(GstPad) sink = NULL;

        (void) deinterleave;
        if (!g_str_has_prefix(name, "src_") ||
            !g_ascii_string_to_unsigned(name + 4, 10, 0, (guint64) s->channels - 1, &k, NULL) || !s->to[k])
                return;
        sink = gst_element_get_static_pad(s->to[k], "sink");
        if (sink && !gst_pad_is_linked(sink))
                (void) gst_pad_link(pad, sink);
}

static GstElement *splitter(build *b, split **ret) {
        /* the encoders' caps do not reach back through deinterleave: the
         * rate both Opus and AAC take is set before it */
        g_autoptr(GstCaps) caps = gst_caps_new_simple("audio/x-raw", "channels", G_TYPE_INT,
                                                      b->p->audio_channels, "rate", G_TYPE_INT, 48000, NULL);
        GstElement *chain[] = {
                make_source(b, b->p->audio_source, "audio"),
                make(b, "audioconvert", NULL),
                make(b, "audioresample", NULL),
                make(b, "capsfilter", "audio-channels"),
                make(b, "deinterleave", "audio-split"),
        };
        split *s;

        if (!link_chain(b, chain, G_N_ELEMENTS(chain)))
                return NULL;
        g_object_set(chain[3], "caps", caps, NULL);
        s = g_new0(split, 1);
        s->channels = b->p->audio_channels;
        g_object_set_data_full(G_OBJECT(chain[4]), SPLIT_KEY, s, g_free);
        g_signal_connect(chain[4], "pad-added", G_CALLBACK(on_split_pad), s);
        *ret = s;
        return chain[4];
}

static GstElement *channel_track(build *b, size_t i, split *s, GstElement **ret_mix_tee) {
        GstElement *chain[12] = {make(b, "queue", NULL), make(b, "audioconvert", NULL)};

        if (chain[0])
                s->to[b->p->tracks[i].channel - 1] = chain[0];
        return track_tail(b, i, chain, 2, ret_mix_tee);
}

/* Channels nobody records still have to go somewhere. */
static int unused_channels(build *b, split *s) {
        for (int k = 0; k < s->channels; k++) {
                GstElement *sink;
                if (s->to[k])
                        continue;
                sink = make(b, "fakesink", NULL);
                if (!sink)
                        return -ENOENT;
                g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
                s->to[k] = sink;
        }
        return 0;
}

/* ---- the mix ------------------------------------------------------------ */

static GstElement *mix_track(build *b, GstElement **tees, size_t n) {
        g_autoptr(GstCaps) stereo = gst_caps_new_simple("audio/x-raw", "channels", G_TYPE_INT, 2, NULL);
        GstElement *mixer = make(b, "audiomixer", "audio-mix");
        GstElement *chain[] = {
                mixer,
                make(b, "audioconvert", NULL),
                make(b, "capsfilter", NULL),
                make(b, "queue", NULL),
                encoder(b, "audio-encoder-mix"),
                tags(b, "mix", NULL),
        };

        if (!link_chain(b, chain, G_N_ELEMENTS(chain)))
                return NULL;
        g_object_set(chain[2], "caps", stereo, NULL);
        for (size_t i = 0; i < n; i++) {
                GstElement *q = make(b, "queue", NULL);
                if (!q || !gst_element_link(tees[i], q) ||
                    !gst_element_link_pads(q, "src", mixer, "sink_%u")) {
                        if (!b->msg)
                                b->msg = g_strdup("could not link a track into the mix");
                        return NULL;
                }
        }
        return chain[G_N_ELEMENTS(chain) - 1];
}

int capture_audio_build(build *b, GstElement **ret_outputs, size_t *ret_n) {
        const capture_profile *p = b->p;
        GstElement *tees[CAPTURE_MAX_TRACKS] = {0};
        split *s = NULL;
        size_t n = 0;

        if (p->audio_channels && !splitter(b, &s))
                return -EINVAL;
        for (size_t i = 0; i < p->n_tracks; i++) {
                const capture_track *t = &p->tracks[i];
                GstElement *out =
                        t->channel ? channel_track(b, i, s, &tees[i]) : own_source_track(b, i, &tees[i]);
                if (!out)
                        return -EINVAL;
                ret_outputs[n++] = out;
        }
        if (s && unused_channels(b, s) < 0)
                return -EINVAL;
        if (p->mix && !(ret_outputs[n++] = mix_track(b, tees, p->n_tracks)))
                return -EINVAL;
        *ret_n = n;
        return 0;
}
