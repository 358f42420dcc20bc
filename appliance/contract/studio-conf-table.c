/* studio.conf's key table (studio-conf-table.h): every key the file may
 * hold, once. Loading (studio-conf.c), the unknown-key check, the defaults
 * and freeing all walk it, so a key cannot be read in one place and
 * forgotten in another. */
#include "studio-conf-table.h"

#include <glib.h>
#include <string.h>

#include "util.h"

#define K(g, k, t, field, ...)                                                                              \
        { .group = g, .key = k, .type = t, .offset = offsetof(studio_conf, field), __VA_ARGS__ }
#define MS 1000000ULL
#define S 1000000000ULL
#define MINUTE (60 * S)

const conf_key conf_keys[] = {
        K("recorder", "profile", CONF_PROFILE, recorder.profile, .def = "usb-1cam"),
        K("recorder", "room", CONF_ROOM, recorder.room),
        K("recorder", "spool", CONF_PATH, recorder.spool, .def = "/var/spool/studio"),
        K("recorder", "state_dir", CONF_PATH, recorder.state_dir, .def = "/var/lib/studio/state"),
        K("recorder", "state_file", CONF_PATH, recorder.state_file,
          .def = "/run/studio-recorder/state.json"),
        K("recorder", "socket", CONF_PATH, recorder.socket, .def = "/run/studio-recorder/recorder.sock"),
        K("recorder", "device_key", CONF_SECRET_PATH, recorder.device_key,
          .def = "/var/lib/studio/keys/device.key"),
        K("recorder", "officers", CONF_SECRET_PATH, recorder.officers, .def = "/etc/studio/officers"),
        K("recorder", "recipients", CONF_STRV, recorder.recipients),
        K("recorder", "recipients_file", CONF_PATH, recorder.recipients_file),
        K("recorder", "admin_group", CONF_GROUP_NAME, recorder.admin_group, .def = "studio-admin"),
        K("recorder", "checkpoint_interval", CONF_DURATION, recorder.checkpoint_interval_ns, .def_n = 2 * S,
          .min = 100 * MS, .max = MINUTE),
        K("recorder", "segment_time", CONF_DURATION, recorder.segment_time_ns, .def_n = 5 * MINUTE, .min = S,
          .max = 60 * MINUTE),
        K("recorder", "segment_bytes", CONF_SIZE, recorder.segment_bytes, .def_n = 1ULL << 30,
          .min = 64ULL << 10, .max = 4ULL << 30),
        K("recorder", "ready_timeout", CONF_DURATION, recorder.ready_timeout_ns, .def_n = 2 * MINUTE,
          .min = 10 * S, .max = 60 * MINUTE),
        K("recorder", "eos_timeout", CONF_DURATION, recorder.eos_timeout_ns, .def_n = 10 * S, .min = S,
          .max = 5 * MINUTE),
        K("recorder", "log_level", CONF_LOG_LEVEL, recorder.log_level, .def = "info"),

        K("panel", "device", CONF_NAME_OR_PATH, panel.device),
        K("panel", "key_start", CONF_KEY_NAME, panel.key_start, .def = "KEY_KPPLUS"),
        K("panel", "key_mark", CONF_KEY_NAME, panel.key_mark, .def = "KEY_KPASTERISK"),
        K("panel", "key_break", CONF_KEY_NAME, panel.key_break, .def = "KEY_KPSLASH"),
        K("panel", "key_stop", CONF_KEY_NAME, panel.key_stop, .def = "KEY_KPMINUS"),
        K("panel", "key_enter", CONF_KEY_NAME, panel.key_enter, .def = "KEY_KPENTER"),
        K("panel", "key_clear", CONF_KEY_NAME, panel.key_clear, .def = "KEY_BACKSPACE"),
        K("panel", "stop_hold", CONF_DURATION, panel.stop_hold_ns, .def_n = 2 * S, .min = 500 * MS,
          .max = 10 * S),
        K("panel", "entry_timeout", CONF_DURATION, panel.entry_timeout_ns, .def_n = 30 * S, .min = 5 * S,
          .max = 10 * MINUTE),

        K("lights", "leds_dir", CONF_PATH, lights.leds_dir, .def = "/sys/class/leds"),
        K("lights", "door", CONF_LED_NAME, lights.door),
        K("lights", "ready", CONF_LED_NAME, lights.ready),
        K("lights", "recording", CONF_LED_NAME, lights.recording),
        K("lights", "attention", CONF_LED_NAME, lights.attention),
        K("lights", "ack", CONF_LED_NAME, lights.ack),
        K("lights", "gpio_chip", CONF_NAME_OR_PATH, lights.gpio_chip),
        K("lights", "gpio_door", CONF_INT, lights.gpio_door, .def_i = -1, .imin = 0, .imax = 1023),
        K("lights", "gpio_ready", CONF_INT, lights.gpio_ready, .def_i = -1, .imin = 0, .imax = 1023),
        K("lights", "gpio_recording", CONF_INT, lights.gpio_recording, .def_i = -1, .imin = 0, .imax = 1023),
        K("lights", "gpio_attention", CONF_INT, lights.gpio_attention, .def_i = -1, .imin = 0, .imax = 1023),
        K("lights", "gpio_ack", CONF_INT, lights.gpio_ack, .def_i = -1, .imin = 0, .imax = 1023),

        K("health", "enabled", CONF_BOOL, health.enabled, .def_i = 1),
        K("health", "preflight", CONF_BOOL, health.preflight, .def_i = 1),
        K("health", "preflight_time", CONF_DURATION, health.preflight_ns, .def_n = 1500 * MS,
          .min = 500 * MS, .max = 10 * S),
        K("health", "dead_below", CONF_INT, health.dead_below_db, .def_i = -90, .imin = -140, .imax = -20),
        K("health", "dead_after", CONF_DURATION, health.dead_after_ns, .def_n = 5 * S, .min = S,
          .max = 10 * MINUTE),
        K("health", "silent_below", CONF_INT, health.silent_below_db, .def_i = -60, .imin = -120,
          .imax = -10),
        K("health", "silent_after", CONF_DURATION, health.silent_after_ns, .def_n = 30 * S, .min = S,
          .max = 60 * MINUTE),
        K("health", "black_below", CONF_INT, health.black_below, .def_i = 24, .imin = 0, .imax = 128),
        K("health", "black_after", CONF_DURATION, health.black_after_ns, .def_n = 10 * S, .min = S,
          .max = 10 * MINUTE),
        K("health", "frozen_after", CONF_DURATION, health.frozen_after_ns, .def_n = 10 * S, .min = S,
          .max = 10 * MINUTE),
        K("health", "start_min_left", CONF_DURATION, health.start_min_left_ns, .def_n = 60 * MINUTE,
          .min = 0, .max = 1000 * 60 * MINUTE),
        K("health", "low_left", CONF_DURATION, health.low_left_ns, .def_n = 4 * 60 * MINUTE, .min = 0,
          .max = 1000 * 60 * MINUTE),
        K("health", "disk_reserve", CONF_SIZE, health.disk_reserve, .def_n = 256ULL << 20, .min = 0,
          .max = 1ULL << 40),
        K("health", "check_interval", CONF_DURATION, health.check_interval_ns, .def_n = 5 * S,
          .min = 500 * MS, .max = MINUTE),
        K("health", "timesync_file", CONF_PATH, health.timesync_file,
          .def = "/run/systemd/timesync/synchronized"),

        K("observation", "video_sink", CONF_VIDEO_SINK, observation.video_sink),
        K("observation", "audio_sink", CONF_AUDIO_SINK, observation.audio_sink),

        K("status", "listen", CONF_ADDRESS, status.listen, .def = "127.0.0.1"),
        K("status", "port", CONF_INT, status.port, .def_i = 8080, .imin = 1, .imax = 65535),
        K("status", "allow", CONF_NETWORKS, status.allow, .def = "127.0.0.0/8;::1"),
        K("status", "language", CONF_LANGUAGE, status.language, .def = "en"),
        K("status", "state_file", CONF_PATH, status.state_file),     /* default: [recorder] state_file */
        K("status", "backlog_file", CONF_PATH, status.backlog_file), /* default: [uploader] backlog_file */
        K("status", "contact_phone", CONF_PHONE, status.contact_phone),
        K("status", "room_label", CONF_ROOM, status.room_label), /* default: [recorder] room */
        K("status", "hostnames", CONF_HOSTNAMES, status.hostnames),
        K("status", "state_owner", CONF_USER_NAME, status.state_owner, .def = "studio-recorder"),

        K("uploader", "vault", CONF_VAULT, uploader.vault),
        K("uploader", "backlog_file", CONF_PATH, uploader.backlog_file,
          .def = "/run/studio-uploader/backlog.json"),
        K("uploader", "spool", CONF_PATH, uploader.spool), /* default: [recorder] spool */
        K("uploader", "endpoint", CONF_ENDPOINT, uploader.endpoint),
        K("uploader", "region", CONF_REGION, uploader.region, .def = "us-east-1"),
        K("uploader", "credentials_file", CONF_SECRET_PATH, uploader.credentials_file),
        K("uploader", "ca_file", CONF_PATH, uploader.ca_file),
        K("uploader", "pinned_key", CONF_STRING, uploader.pinned_key),
        K("uploader", "retention_days", CONF_INT, uploader.retention_days, .def_i = 3650, .imin = 1,
          .imax = 36500),
        K("uploader", "local_retention", CONF_DURATION, uploader.local_retention_ns, .def_n = 0, .min = 0,
          .max = 365 * 24 * 60 * MINUTE),
        K("uploader", "max_rate", CONF_SIZE, uploader.max_rate, .def_n = 0, .min = 0, .max = 1ULL << 40),
        K("uploader", "scan_interval", CONF_DURATION, uploader.scan_interval_ns, .def_n = 30 * S, .min = S,
          .max = 60 * MINUTE),
        K("uploader", "heartbeat_interval", CONF_DURATION, uploader.heartbeat_interval_ns,
          .def_n = 3 * MINUTE, .min = 10 * S, .max = 60 * MINUTE),
        K("uploader", "status_interval", CONF_DURATION, uploader.status_interval_ns, .def_n = 15 * MINUTE,
          .min = 10 * S, .max = 24 * 60 * MINUTE),
        K("uploader", "retry_max", CONF_DURATION, uploader.retry_max_ns, .def_n = 10 * MINUTE, .min = S,
          .max = 24 * 60 * MINUTE),
        K("uploader", "log_level", CONF_LOG_LEVEL, uploader.log_level, .def = "info"),
        K("uploader", "wipe_after", CONF_WIPE_AFTER, uploader.wipe_after, .def = "receipts"),
        /* default: the intake's own records default for [uploader] vault */
        K("uploader", "intake_records", CONF_VAULT, uploader.intake_records),
        K("uploader", "intake_key", CONF_PATH, uploader.intake_key, .def = "/etc/studio/intake.pub"),
};

const char *const conf_groups[] = {"recorder",    "panel",  "lights",   "health",
                                   "observation", "status", "uploader", NULL};
const char *const conf_languages[] = {"en", "nl", NULL};
const char *const conf_log_levels[] = {"error", "warning", "notice", "info", "debug", NULL};
const char *const conf_wipe_afters[] = {"receipts", "verified", NULL};

const size_t conf_keys_n = ELEMENTSOF(conf_keys);

const conf_key *conf_key_find(const char *group, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(conf_keys); i++)
                if (strcmp(conf_keys[i].group, group) == 0 && strcmp(conf_keys[i].key, key) == 0)
                        return &conf_keys[i];
        g_assert_not_reached();
}

studio_conf *studio_conf_free(studio_conf *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(conf_keys); i++) {
                const conf_key *k = &conf_keys[i];
                if (conf_type_is_strv(k->type))
                        g_strfreev(*FIELD(c, k, gchar **));
                else if (conf_type_is_string(k->type))
                        g_free(*FIELD(c, k, gchar *));
        }
        g_free(c->path);
        g_free(c);
        return NULL;
}

bool studio_conf_key_at(size_t i, const char **ret_group, const char **ret_key) {
        if (i >= ELEMENTSOF(conf_keys))
                return false;
        *ret_group = conf_keys[i].group;
        *ret_key = conf_keys[i].key;
        return true;
}
