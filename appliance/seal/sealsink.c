/* studiosealsink: see seal.h for what it posts. */
#include "sealsink.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "age.h"
#include "fsutil.h"
#include "recipients.h"
#include "seal.h"
#include "sha256.h"

/* group read only: the uploader reads it, nobody alters it (docs/security.md) */
#define SEAL_FILE_MODE 0640

GST_DEBUG_CATEGORY_STATIC(seal_sink_debug);
#define GST_CAT_DEFAULT seal_sink_debug

enum {
        PROP_0,
        PROP_LOCATION,
        PROP_RECIPIENTS,
        PROP_CHECKPOINT_INTERVAL,
        PROP_SYNC_INTERVAL,
};

#define DEFAULT_LOCATION NULL
#define DEFAULT_RECIPIENTS NULL

struct _StudioSealSink {
        GstBaseSink parent;

        /* properties */
        gchar *location;
        gchar *recipients;
        guint64 checkpoint_interval;
        guint64 sync_interval;

        /* per file */
        int fd;
        age_writer *writer;
        sha256_ctx *plain_hash;
        sha256_ctx *sealed_hash;
        guint64 sealed_bytes;
        guint64 synced_bytes; /* last offset known to be on disk */
        /* The clock the two below are read from: the pipeline's (or the
         * one a test gives the element); NULL: the monotonic system time. */
        GstClock *timing_clock;
        GstClockTime last_sync;  /* timing_clock's time of the last fdatasync */
        guint64 checkpoint_slot; /* timing_clock's time / interval at the last checkpoint */
        GstClockTime first_pts;
        GstClockTime end_pts;
        GDateTime *wall_start;
        gboolean finished;
        int write_error;
};

G_DEFINE_TYPE(StudioSealSink, studio_seal_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE(studiosealsink, "studiosealsink", GST_RANK_NONE, STUDIO_TYPE_SEAL_SINK);

static GstStaticPadTemplate sink_template =
        GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

/* Checkpoints fall on multiples of the interval on the pipeline's clock,
 * not on times counted from each segment's start, so that a segment
 * boundary never stretches the gap between two checkpoints. */
static guint64 checkpoint_slot(StudioSealSink *self, GstClockTime now) {
        return now / MAX(self->checkpoint_interval, 1);
}

/* The time on the element's clock: the pipeline's, or the one a test
 * gives it (a GstTestClock), so that checkpoints and syncs follow the
 * clock they are given; the monotonic system time only while the sink has
 * no clock at all. *ret_clock gets the clock read (NULL: none). */
static GstClockTime clock_now(StudioSealSink *self, GstClock **ret_clock) {
        GstClock *clock = gst_element_get_clock(GST_ELEMENT(self));

        *ret_clock = clock;
        return clock ? gst_clock_get_time(clock) : gst_util_get_timestamp();
}

/* At start: the intervals count from the file's start, as its first
 * checkpoint falls due at the first slot boundary after it. */
static void timing_start(StudioSealSink *self) {
        GstClock *clock = NULL;
        GstClockTime now = clock_now(self, &clock);

        gst_clear_object(&self->timing_clock);
        self->timing_clock = clock;
        self->last_sync = now;
        self->checkpoint_slot = checkpoint_slot(self, now);
}

/* A clock other than the one the intervals were counted on (the pipeline
 * gave the sink its clock after start) says nothing about the old one's
 * times: a checkpoint is due at once, and the intervals go on from it. */
static GstClockTime seal_now(StudioSealSink *self) {
        g_autoptr(GstClock) clock = NULL;
        GstClockTime now = clock_now(self, &clock);

        if (clock != self->timing_clock) {
                gst_object_replace((GstObject **) &self->timing_clock, (GstObject *) clock);
                self->last_sync = now;
                self->checkpoint_slot = G_MAXUINT64;
        }
        return now;
}

static gchar *segment_name(StudioSealSink *self) {
        return g_path_get_basename(self->location ? self->location : "");
}

static gchar *sealed_sha256_hex(StudioSealSink *self) {
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];

        if (sha256_peek(self->sealed_hash, digest) < 0)
                return g_strdup("");
        sha256_hex(digest, hex);
        return g_strdup(hex);
}

static GstClockTime media_duration(StudioSealSink *self) {
        if (!GST_CLOCK_TIME_IS_VALID(self->first_pts) || !GST_CLOCK_TIME_IS_VALID(self->end_pts))
                return 0;
        return self->end_pts > self->first_pts ? self->end_pts - self->first_pts : 0;
}

static void post(StudioSealSink *self, GstStructure *s) {
        gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

/* The age writer's output: every sealed byte is counted and hashed exactly
 * as it goes to disk. A short write is cut back to the last whole write so
 * the file never ends in a torn chunk. */
static int seal_output(void *userdata, const uint8_t *buf, size_t len) {
        StudioSealSink *self = userdata;
        int r = fs_write_all(self->fd, buf, len);

        if (r < 0) {
                /* Best effort: the write has failed already and is reported. */
                if (ftruncate(self->fd, (off_t) self->sealed_bytes) < 0)
                        GST_WARNING_OBJECT(self, "could not cut back the torn write");
                self->write_error = -r;
                return r;
        }
        sha256_update(self->sealed_hash, buf, len);
        self->sealed_bytes += len;
        return 0;
}

static void post_opened(StudioSealSink *self) {
        g_autofree gchar *segment = segment_name(self);
        post(self, gst_structure_new(SEAL_MSG_OPENED, "location", G_TYPE_STRING, self->location, "segment",
                                     G_TYPE_STRING, segment, NULL));
}

/* Everything one file holds; start calls it when it fails part way. */
static void seal_release(StudioSealSink *self) {
        self->writer = age_writer_free(self->writer);
        self->plain_hash = sha256_free(self->plain_hash);
        self->sealed_hash = sha256_free(self->sealed_hash);
        g_clear_pointer(&self->wall_start, g_date_time_unref);
        gst_clear_object(&self->timing_clock);
        if (self->fd >= 0) {
                (void) close(self->fd);
                self->fd = -1;
        }
}

/* A start that failed after creating its file: the file holds no evidence
 * yet (at most part of the age header), and a zero-length or headless
 * segment file would only stand in the session as an unaccounted one. */
static void seal_undo_start(StudioSealSink *self) {
        seal_release(self);
        (void) unlink(self->location);
}

/* The location and the recipients properties, checked before any file is
 * made; on failure the element error is posted. */
static gboolean seal_take_recipients(StudioSealSink *self, uint8_t (**ret_pks)[AGE_KEY_LEN], size_t *ret_n) {
        g_autofree gchar *bad = NULL;
        int r;

        if (!self->location || !*self->location)
                goto no_location;
        r = seal_recipients_parse(self->recipients, ret_pks, ret_n, &bad);
        if (r == -EKEYREJECTED || r == -EPERM)
                goto refused_recipient;
        if (r < 0)
                goto bad_recipients;
        return TRUE;

        /* ERRORS */
no_location:
        GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No file name given to seal into."),
                          ("set the location property"));
        return FALSE;
refused_recipient: /* age_recipient_shown: a secret key given by mistake is never printed */
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("Recipient '%s' of the recipients property %s.", age_recipient_shown(bad),
                           age_recipient_refusal(r)),
                          ("recipients='%s'", age_recipient_shown(self->recipients)));
        return FALSE;
bad_recipients:
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("The recipients property is not a list of age recipients (expected age1…)."),
                          ("recipients='%s' (%s)",
                           age_recipient_shown(self->recipients ? self->recipients : ""), g_strerror(-r)));
        return FALSE;
}

/* The segment file, new and mode 0640; on failure nothing is left behind
 * and the element error is posted. */
static gboolean seal_create_file(StudioSealSink *self) {
        int r;

        /* O_EXCL: evidence is never overwritten. 0640 whatever the umask:
         * the uploader reads it through the spool's group, and nobody but
         * the recorder may write it (docs/security.md). */
        self->fd = open(self->location, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, SEAL_FILE_MODE);
        if (self->fd < 0)
                goto open_failed;
        if (fchmod(self->fd, SEAL_FILE_MODE) < 0)
                goto chmod_failed;
        return TRUE;

        /* ERRORS */
open_failed:
        GST_ELEMENT_ERROR(
                self, RESOURCE, OPEN_WRITE,
                ("Could not create sealed file '%s': %s.", self->location, g_strerror(errno)),
                ("check that the folder exists and is writable, and that the file does not exist"));
        return FALSE;
chmod_failed:
        r = -errno;
        seal_undo_start(self);
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                          ("Could not make sealed file '%s' group-readable only (mode 0640): %s.",
                           self->location, g_strerror(-r)),
                          ("the spool must be on a filesystem that keeps file modes (ext4, xfs), not "
                           "vfat or a network share"));
        return FALSE;
}

/* Fresh hashes, counters and clocks for the new file, and its age header
 * written; on failure the file is removed and the element error posted. */
static gboolean seal_begin_segment(StudioSealSink *self, const uint8_t (*pks)[AGE_KEY_LEN], size_t n) {
        int r;

        self->plain_hash = sha256_new();
        self->sealed_hash = sha256_new();
        if (!self->plain_hash || !self->sealed_hash)
                goto no_memory;
        self->sealed_bytes = self->synced_bytes = 0;
        self->first_pts = self->end_pts = GST_CLOCK_TIME_NONE;
        self->finished = FALSE;
        self->write_error = 0;
        timing_start(self);
        self->wall_start = g_date_time_new_now_utc();
        r = age_writer_new(pks, n, seal_output, self, &self->writer);
        if (r == -ENOSPC)
                goto no_space;
        if (r < 0)
                goto write_failed;
        return TRUE;

        /* ERRORS */
no_memory:
        seal_undo_start(self);
        GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Out of memory starting '%s'.", self->location), (NULL));
        return FALSE;
no_space:
        seal_undo_start(self);
        GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
                          ("The disk is full: no room for a new sealed file '%s'.", self->location),
                          ("free space on the spool disk"));
        return FALSE;
write_failed:
        seal_undo_start(self);
        GST_ELEMENT_ERROR(self, RESOURCE, WRITE,
                          ("Could not write the age header to '%s': %s.", self->location, g_strerror(-r)),
                          (NULL));
        return FALSE;
}

static gboolean seal_start(GstBaseSink *sink) {
        StudioSealSink *self = STUDIO_SEAL_SINK(sink);
        g_autofree uint8_t(*pks)[AGE_KEY_LEN] = NULL;
        size_t n = 0;

        if (!seal_take_recipients(self, &pks, &n) || !seal_create_file(self) ||
            !seal_begin_segment(self, (const uint8_t(*)[AGE_KEY_LEN]) pks, n))
                return FALSE;
        (void) fs_fsync_parent(self->location);
        post_opened(self);
        return TRUE;
}

/* fdatasync, then remember what is durable. */
static int sync_now(StudioSealSink *self) {
        if (fdatasync(self->fd) < 0)
                return -errno;
        self->synced_bytes = self->sealed_bytes;
        self->last_sync = seal_now(self);
        return 0;
}

static void post_checkpoint(StudioSealSink *self) {
        g_autofree gchar *segment = segment_name(self);
        g_autofree gchar *hex = sealed_sha256_hex(self);

        post(self,
             gst_structure_new(SEAL_MSG_CHECKPOINT, "location", G_TYPE_STRING, self->location, "segment",
                               G_TYPE_STRING, segment, "sealed-bytes", G_TYPE_UINT64, self->sealed_bytes,
                               "sealed-sha256", G_TYPE_STRING, hex, "plaintext-bytes", G_TYPE_UINT64,
                               (guint64) age_writer_plaintext_bytes(self->writer), "media-duration",
                               G_TYPE_UINT64, (guint64) media_duration(self), NULL));
}

static void track_time(StudioSealSink *self, GstBuffer *buf) {
        GstClockTime pts = GST_BUFFER_PTS(buf), end;

        /* The muxer stamps a new file's headers with time 0 or none: only
         * media buffers place the segment on the session's timeline. */
        if (!GST_CLOCK_TIME_IS_VALID(pts) || GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_HEADER))
                return;
        if (!GST_CLOCK_TIME_IS_VALID(self->first_pts) || pts < self->first_pts)
                self->first_pts = pts;
        end = pts + (GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : 0);
        if (!GST_CLOCK_TIME_IS_VALID(self->end_pts) || end > self->end_pts)
                self->end_pts = end;
}

static GstFlowReturn seal_render(GstBaseSink *sink, GstBuffer *buf) {
        StudioSealSink *self = STUDIO_SEAL_SINK(sink);
        GstMapInfo map;
        GstClockTime now;
        int r;

        if (self->finished || !self->writer)
                goto not_open;
        if (!gst_buffer_map(buf, &map, GST_MAP_READ))
                goto map_failed;
        sha256_update(self->plain_hash, map.data, map.size);
        r = age_writer_write(self->writer, map.data, map.size);
        gst_buffer_unmap(buf, &map);
        if (r < 0)
                goto write_failed;
        track_time(self, buf);

        now = seal_now(self);
        if (checkpoint_slot(self, now) != self->checkpoint_slot) {
                r = sync_now(self);
                if (r < 0)
                        goto write_failed;
                self->checkpoint_slot = checkpoint_slot(self, now);
                post_checkpoint(self);
        } else if (now < self->last_sync || now - self->last_sync >= self->sync_interval) {
                r = sync_now(self);
                if (r < 0)
                        goto write_failed;
        }
        return GST_FLOW_OK;

        /* ERRORS */
not_open:
        GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Data arrived after '%s' was closed.", self->location),
                          (NULL));
        return GST_FLOW_ERROR;
map_failed:
        GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("Could not read a buffer to seal."), (NULL));
        return GST_FLOW_ERROR;
write_failed:
        if (r == -ENOSPC)
                GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
                                  ("The disk is full while sealing '%s'; everything up to %" G_GUINT64_FORMAT
                                   " sealed bytes is kept.",
                                   self->location, self->sealed_bytes),
                                  ("free space on the spool disk"));
        else
                GST_ELEMENT_ERROR(self, RESOURCE, WRITE,
                                  ("Could not write sealed file '%s': %s.", self->location, g_strerror(-r)),
                                  (NULL));
        return GST_FLOW_ERROR;
}

static gchar *iso_utc(GDateTime *t) {
        return g_date_time_format(t, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void post_closed(StudioSealSink *self, const uint8_t plain[SHA256_LEN],
                        const uint8_t sealed[SHA256_LEN]) {
        g_autofree gchar *segment = segment_name(self);
        g_autoptr(GDateTime) wall_end = g_date_time_new_now_utc();
        g_autofree gchar *start = iso_utc(self->wall_start), *end = iso_utc(wall_end);
        char plain_hex[SHA256_HEX_LEN + 1], sealed_hex[SHA256_HEX_LEN + 1];

        sha256_hex(plain, plain_hex);
        sha256_hex(sealed, sealed_hex);
        post(self, gst_structure_new(SEAL_MSG_CLOSED, "location", G_TYPE_STRING, self->location, "segment",
                                     G_TYPE_STRING, segment, "plaintext-sha256", G_TYPE_STRING, plain_hex,
                                     "sealed-sha256", G_TYPE_STRING, sealed_hex, "plaintext-bytes",
                                     G_TYPE_UINT64, (guint64) age_writer_plaintext_bytes(self->writer),
                                     "sealed-bytes", G_TYPE_UINT64, self->sealed_bytes, "media-duration",
                                     G_TYPE_UINT64, (guint64) media_duration(self), "wall-start",
                                     G_TYPE_STRING, start, "wall-end", G_TYPE_STRING, end, NULL));
}

/* EOS closes the file properly: last chunk, sync, then the closed message,
 * which is what the custody log signs. */
static int seal_finish(StudioSealSink *self) {
        uint8_t plain[SHA256_LEN], sealed[SHA256_LEN];
        int r;

        r = age_writer_finish(self->writer);
        if (r < 0)
                return r;
        r = sync_now(self);
        if (r < 0)
                return r;
        self->finished = TRUE;
        if (sha256_final(self->plain_hash, plain) < 0 || sha256_final(self->sealed_hash, sealed) < 0)
                return -EIO;
        post_closed(self, plain, sealed);
        return 0;
}

static gboolean seal_event(GstBaseSink *sink, GstEvent *event) {
        StudioSealSink *self = STUDIO_SEAL_SINK(sink);

        if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && self->writer && !self->finished) {
                int r = seal_finish(self);
                if (r == -ENOSPC) {
                        GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
                                          ("The disk is full: the last chunk of '%s' could not be written; "
                                           "everything up to %" G_GUINT64_FORMAT " sealed bytes is kept.",
                                           self->location, self->sealed_bytes),
                                          ("the file reads as truncated; free space on the spool disk"));
                } else if (r < 0) {
                        GST_ELEMENT_ERROR(
                                self, RESOURCE, WRITE,
                                ("Could not finish sealed file '%s': %s.", self->location, g_strerror(-r)),
                                ("the file is kept; it reads as truncated"));
                }
        }
        /* A sealed stream cannot be rewritten: a muxer that seeks back to
         * patch its header (a byte segment not at the current end) must run
         * streamable instead, so refuse rather than write a corrupt file. */
        if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT && self->writer) {
                const GstSegment *segment;
                gst_event_parse_segment(event, &segment);
                if (segment->format == GST_FORMAT_BYTES &&
                    segment->start != age_writer_plaintext_bytes(self->writer)) {
                        GST_ELEMENT_ERROR(
                                self, STREAM, FAILED,
                                ("The muxer tried to rewrite data already sealed in '%s'.", self->location),
                                ("run the muxer in streamable mode (e.g. matroskamux streamable=true)"));
                        gst_event_unref(event);
                        return FALSE;
                }
        }
        return GST_BASE_SINK_CLASS(studio_seal_sink_parent_class)->event(sink, event);
}

static void post_aborted(StudioSealSink *self, const char *reason) {
        g_autofree gchar *segment = segment_name(self);
        g_autofree gchar *hex = sealed_sha256_hex(self);

        post(self,
             gst_structure_new(SEAL_MSG_ABORTED, "location", G_TYPE_STRING, self->location, "segment",
                               G_TYPE_STRING, segment, "sealed-bytes", G_TYPE_UINT64, self->sealed_bytes,
                               "sealed-sha256", G_TYPE_STRING, hex, "reason", G_TYPE_STRING, reason, NULL));
}

static gboolean seal_stop(GstBaseSink *sink) {
        StudioSealSink *self = STUDIO_SEAL_SINK(sink);

        if (self->writer && !self->finished) {
                /* No EOS: leave the file without its last chunk, so that it
                 * reads as truncated and never as whole. */
                (void) fdatasync(self->fd);
                post_aborted(self, self->write_error ? g_strerror(self->write_error)
                                                     : "stopped before end of stream");
        }
        seal_release(self);
        return TRUE;
}

static void seal_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
        StudioSealSink *self = STUDIO_SEAL_SINK(object);

        switch (prop_id) {
        case PROP_LOCATION:
                g_free(self->location);
                self->location = g_value_dup_string(value);
                break;
        case PROP_RECIPIENTS:
                g_free(self->recipients);
                self->recipients = g_value_dup_string(value);
                break;
        case PROP_CHECKPOINT_INTERVAL:
                self->checkpoint_interval = g_value_get_uint64(value);
                break;
        case PROP_SYNC_INTERVAL:
                self->sync_interval = g_value_get_uint64(value);
                break;
        default:
                G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
                break;
        }
}

static void seal_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
        StudioSealSink *self = STUDIO_SEAL_SINK(object);

        switch (prop_id) {
        case PROP_LOCATION:
                g_value_set_string(value, self->location);
                break;
        case PROP_RECIPIENTS:
                g_value_set_string(value, self->recipients);
                break;
        case PROP_CHECKPOINT_INTERVAL:
                g_value_set_uint64(value, self->checkpoint_interval);
                break;
        case PROP_SYNC_INTERVAL:
                g_value_set_uint64(value, self->sync_interval);
                break;
        default:
                G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
                break;
        }
}

static void seal_finalize(GObject *object) {
        StudioSealSink *self = STUDIO_SEAL_SINK(object);

        g_free(self->location);
        g_free(self->recipients);
        G_OBJECT_CLASS(studio_seal_sink_parent_class)->finalize(object);
}

static void studio_seal_sink_class_init(StudioSealSinkClass *klass) {
        GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
        GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
        GstBaseSinkClass *basesink_class = GST_BASE_SINK_CLASS(klass);
        const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;

        GST_DEBUG_CATEGORY_INIT(seal_sink_debug, "studiosealsink", 0, "age sealing sink");
        gobject_class->set_property = seal_set_property;
        gobject_class->get_property = seal_get_property;
        gobject_class->finalize = seal_finalize;

        g_object_class_install_property(gobject_class, PROP_LOCATION,
                                        g_param_spec_string("location", "Location",
                                                            "Sealed file to create (never overwritten)",
                                                            DEFAULT_LOCATION, rw));
        g_object_class_install_property(
                gobject_class, PROP_RECIPIENTS,
                g_param_spec_string("recipients", "Recipients",
                                    "age1… recipients, separated by commas or spaces", DEFAULT_RECIPIENTS,
                                    rw));
        g_object_class_install_property(gobject_class, PROP_CHECKPOINT_INTERVAL,
                                        g_param_spec_uint64("checkpoint-interval", "Checkpoint interval",
                                                            "Nanoseconds between checkpoint messages",
                                                            GST_MSECOND * 100, G_MAXUINT64,
                                                            SEAL_DEFAULT_CHECKPOINT_INTERVAL, rw));
        g_object_class_install_property(
                gobject_class, PROP_SYNC_INTERVAL,
                g_param_spec_uint64("sync-interval", "Sync interval",
                                    "Longest time between fdatasync calls, in nanoseconds", GST_MSECOND * 10,
                                    GST_SECOND, SEAL_DEFAULT_SYNC_INTERVAL, rw));

        gst_element_class_set_static_metadata(
                element_class, "age sealing sink", "Sink/File",
                "Writes its input as an age v1 file for the given recipients and reports its hashes",
                "Interview studio appliance");
        gst_element_class_add_static_pad_template(element_class, &sink_template);

        basesink_class->start = GST_DEBUG_FUNCPTR(seal_start);
        basesink_class->stop = GST_DEBUG_FUNCPTR(seal_stop);
        basesink_class->render = GST_DEBUG_FUNCPTR(seal_render);
        basesink_class->event = GST_DEBUG_FUNCPTR(seal_event);
}

static void studio_seal_sink_init(StudioSealSink *self) {
        self->fd = -1;
        self->checkpoint_interval = SEAL_DEFAULT_CHECKPOINT_INTERVAL;
        self->sync_interval = SEAL_DEFAULT_SYNC_INTERVAL;
        gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
        gst_base_sink_set_async_enabled(GST_BASE_SINK(self), FALSE);
}

gboolean seal_register(void) {
        return GST_ELEMENT_REGISTER(studiosealsink, NULL);
}
