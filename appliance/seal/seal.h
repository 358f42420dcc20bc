/* studiosealsink: a GStreamer sink that writes everything it receives as an
 * age v1 file for the configured recipients, and tells the application on
 * the bus what it sealed, so that the custody log can sign it.
 *
 * Element messages it posts (structure names and fields):
 *
 *   studio-seal-opened      location (string), segment (string, base name)
 *   studio-seal-checkpoint  location, segment, sealed-bytes (guint64),
 *                           sealed-sha256 (hex string), plaintext-bytes (guint64),
 *                           media-duration (guint64 ns, so far)
 *                           — posted every checkpoint-interval, after the
 *                           sealed bytes it counts are fdatasync'd. The
 *                           interval (and sync-interval) is on the
 *                           element's clock: the pipeline's, or a test's
 *                           GstTestClock; the monotonic system time only
 *                           while the element has none.
 *   studio-seal-closed      location, segment, plaintext-sha256, sealed-sha256,
 *                           plaintext-bytes, sealed-bytes, media-duration,
 *                           wall-start, wall-end (ISO 8601 UTC strings)
 *                           — posted at EOS after the last chunk is written
 *                           and synced.
 *   studio-seal-aborted     location, segment, sealed-bytes, sealed-sha256, reason
 *                           — the element stopped without EOS: the file has
 *                           no last chunk and reads as truncated.
 */
#pragma once

#include <gst/gst.h>

#define SEAL_MSG_OPENED "studio-seal-opened"
#define SEAL_MSG_CHECKPOINT "studio-seal-checkpoint"
#define SEAL_MSG_CLOSED "studio-seal-closed"
#define SEAL_MSG_ABORTED "studio-seal-aborted"

#define SEAL_DEFAULT_CHECKPOINT_INTERVAL (2 * GST_SECOND)
#define SEAL_DEFAULT_SYNC_INTERVAL (1 * GST_SECOND)

/* Registers "studiosealsink" with the application (static registration). */
gboolean seal_register(void);
