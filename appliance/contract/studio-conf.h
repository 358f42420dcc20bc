/* /etc/studio/studio.conf: one GKeyFile, a section per daemon. Every
 * daemon and studioctl load the whole file through here, so that each key
 * is defined (name, type, range, default) once, and a typo anywhere is
 * refused by every program alike. docs/configuration.md documents each key.
 *
 *   [recorder]  the recorder daemon (profile, room, spool, keys, recipients …)
 *   [panel]     the hardware keypad
 *   [lights]    panel and door lights (LED class, GPIO)
 *   [health]    the recorder's health monitor (microphone, picture, disk, clock)
 *   [observation] the local monitor for the colleague in the next room
 *   [status]    the room-status page
 *   [uploader]  custody transfer to the vault
 *
 * studio_conf_load() returns 0 or -errno with *ret_message naming the file,
 * line, group, key and the expected form. Paths in the result are
 * absolute (relative ones are resolved against the file's folder). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define STUDIO_CONF_DEFAULT_PATH "/etc/studio/studio.conf"
/* A secret path ([recorder] device_key and officers, [uploader]
 * credentials_file) may be written credential:NAME: the file NAME in
 * $CREDENTIALS_DIRECTORY, where systemd's LoadCredential= puts it. */
#define STUDIO_CONF_CREDENTIAL_PREFIX "credential:"

typedef struct studio_recorder_conf {
        gchar *profile;     /* built-in name or path; default "usb-1cam" */
        gchar *room;        /* NULL: the profile's */
        gchar *spool;       /* default /var/spool/studio */
        gchar *state_dir;   /* chain head etc.; default /var/lib/studio/state */
        gchar *state_file;  /* published room state; default /run/studio-recorder/state.json */
        gchar *socket;      /* control socket; default /run/studio-recorder/recorder.sock */
        gchar *device_key;  /* default /var/lib/studio/keys/device.key; or credential:NAME */
        gchar *officers;    /* default /etc/studio/officers; or credential:NAME */
        gchar **recipients; /* age1…, NULL-terminated; may be empty when recipients_file is set */
        gchar *recipients_file;
        unsigned recipients_line; /* the line of recipients in the file (0: absent), for messages */
        unsigned profile_line;
        /* may use studioctl besides root and the recorder's user; default "studio-admin" */
        gchar *admin_group;
        uint64_t checkpoint_interval_ns; /* default 2 s; 100ms..1min */
        uint64_t segment_time_ns;        /* default 5 min; 1s..1h */
        uint64_t segment_bytes;          /* default 1 GiB; 64KiB..4GiB */
        uint64_t ready_timeout_ns;       /* ready -> free without Start; default 2 min */
        uint64_t eos_timeout_ns;         /* bound on the wait for end of stream; default 10 s */
        int log_level;                   /* LOG_*; default LOG_INFO */
} studio_recorder_conf;

typedef struct studio_panel_conf {
        gchar *device;             /* NULL: no panel (studioctl drives the room) */
        gchar *key_start;          /* evdev key names; defaults KEY_KPPLUS … */
        gchar *key_mark;           /* KEY_KPASTERISK */
        gchar *key_break;          /* KEY_KPSLASH (Break, and Resume on a break) */
        gchar *key_stop;           /* KEY_KPMINUS, held */
        gchar *key_enter;          /* KEY_KPENTER */
        gchar *key_clear;          /* KEY_BACKSPACE */
        uint64_t stop_hold_ns;     /* default 2 s */
        uint64_t entry_timeout_ns; /* typing officer/PIN, then back to free; default 30 s */
} studio_panel_conf;

typedef struct studio_lights_conf {
        gchar *leds_dir; /* default /sys/class/leds */
        gchar *door;     /* LED names in leds_dir; NULL: none */
        gchar *ready;
        gchar *recording;
        gchar *attention;
        gchar *ack;
        gchar *gpio_chip; /* e.g. gpiochip0; NULL: no GPIO */
        int gpio_door;    /* line offsets; -1: none */
        int gpio_ready;
        int gpio_recording;
        int gpio_attention;
        int gpio_ack;
} studio_lights_conf;

/* The health monitor: its windows and thresholds (docs/health.md). */
typedef struct studio_health_conf {
        bool enabled;               /* default true; false only for the CPU benchmark */
        bool preflight;             /* check picture and sound before ready; default true */
        uint64_t preflight_ns;      /* how much of the pre-rolled pipeline it looks at; default 1.5 s */
        int dead_below_db;          /* digital silence, dBFS; default -90 */
        uint64_t dead_after_ns;     /* default 5 s */
        int silent_below_db;        /* default -60 */
        uint64_t silent_after_ns;   /* default 30 s */
        int black_below;            /* mean luma 0..255; default 24 (video black is 16) */
        uint64_t black_after_ns;    /* default 10 s */
        uint64_t frozen_after_ns;   /* default 10 s */
        uint64_t start_min_left_ns; /* Start refused below this much recording time; default 1 h */
        uint64_t low_left_ns;       /* warning below this; default 4 h */
        uint64_t disk_reserve;      /* bytes; a session stops as Stop does below it; default 256 MiB */
        uint64_t check_interval_ns; /* disk, clock, devices, backlog; default 5 s */
        gchar *timesync_file;       /* default /run/systemd/timesync/synchronized */
} studio_health_conf;

/* The observation output: a local display and speaker fed from the
 * recording through leaky queues (docs/observation.md). */
typedef struct studio_observation_conf {
        gchar *video_sink; /* a GStreamer sink description, e.g. kmssink; NULL: none */
        gchar *audio_sink; /* e.g. alsasink device=hw:1; NULL: none */
} studio_observation_conf;

typedef struct studio_status_conf {
        gchar *listen;        /* address to bind; default 127.0.0.1 */
        int port;             /* default 8080 */
        gchar **allow;        /* addresses and networks (CIDR); default 127.0.0.0/8, ::1 */
        gchar *language;      /* "en" (default) or "nl" */
        gchar *state_file;    /* default: [recorder] state_file */
        gchar *backlog_file;  /* default: [uploader] backlog_file */
        gchar *contact_phone; /* police IT's number on the page; NULL: none */
        gchar *room_label;    /* the room's name on the page; default: [recorder] room */
        gchar **hostnames;    /* Host names the page answers besides its address */
        gchar *state_owner;   /* the user the state file must belong to; default studio-recorder */
} studio_status_conf;

typedef struct studio_uploader_conf {
        gchar *vault;                   /* "dir:/path" or "s3://bucket/prefix"; NULL: not configured */
        gchar *backlog_file;            /* default /run/studio-uploader/backlog.json */
        gchar *spool;                   /* default: [recorder] spool */
        gchar *endpoint;                /* s3: https://host[:port] (http:// for a loopback test server) */
        gchar *region;                  /* s3: default us-east-1 */
        gchar *credentials_file;        /* s3: two lines, access key then secret key; or credential:NAME */
        gchar *ca_file;                 /* s3: CA bundle for the endpoint */
        gchar *pinned_key;              /* s3: sha256//base64 public key pin (CURLOPT_PINNEDPUBLICKEY) */
        int retention_days;             /* Object Lock COMPLIANCE retention; default 3650 */
        uint64_t local_retention_ns;    /* keep local copies this long after confirmation; default 0 */
        uint64_t max_rate;              /* bytes/s; 0: no cap */
        uint64_t scan_interval_ns;      /* the periodic scan besides inotify; default 30 s */
        uint64_t heartbeat_interval_ns; /* while a session records; default 3 min */
        uint64_t status_interval_ns;    /* while idle; default 15 min */
        uint64_t retry_max_ns;          /* the longest backoff; default 10 min */
        int log_level;
        gchar *wipe_after;     /* "receipts" (default) or "verified": also the intake's record (wipe.c) */
        gchar *intake_records; /* where the intake's records are; default: studio_conf_intake_records() */
        gchar *intake_key; /* the intake's public key(s) from the bundle; default /etc/studio/intake.pub */
} studio_uploader_conf;

typedef struct studio_conf {
        gchar *path;
        studio_recorder_conf recorder;
        studio_panel_conf panel;
        studio_lights_conf lights;
        studio_health_conf health;
        studio_observation_conf observation;
        studio_status_conf status;
        studio_uploader_conf uploader;
} studio_conf;

/* path NULL: STUDIO_CONF_DEFAULT_PATH. A missing file is -ENOENT with a
 * message that says to give --config or run studioctl init. */
int studio_conf_load(const char *path, studio_conf **ret, gchar **ret_message);
/* The same from memory (studioctl init checks what it writes); path is
 * used in messages and relative paths are resolved against its folder. */
int studio_conf_load_data(const char *path, const char *data, size_t len, studio_conf **ret,
                          gchar **ret_message);
/* Whether the recorder can seal: [recorder] recipients or recipients_file
 * is given (-ENOKEY and a message otherwise). Checked by the programs that
 * record, not at load, so that the status page still starts on an
 * appliance that is not provisioned yet. */
int studio_conf_check_recording(const studio_conf *c, gchar **ret_message);
/* Every credential:NAME among group's keys resolved: 0, or -ENOKEY and a
 * message naming the key, the credential and CREDENTIALS_DIRECTORY (unset,
 * or without that file). Called by each daemon for its own group after
 * loading; a resolved key holds the absolute path of the credential. */
int studio_conf_check_credentials(const studio_conf *c, const char *group, gchar **ret_message);
/* Defaults only (what an empty file gives). */
studio_conf *studio_conf_new_defaults(void);
/* The i-th key of conf_keys[] (its group and name); false past the end. For
 * the test that every key is in systemd/studio.conf and the docs. */
bool studio_conf_key_at(size_t i, const char **ret_group, const char **ret_key);
studio_conf *studio_conf_free(studio_conf *c);
/* Where the intake's verification records are for the uploader u:
 * [uploader] intake_records, or the intake's own default for its vault
 * (docs/intake.md): the vault itself for dir:, s3://BUCKET/intake/PREFIX
 * for s3://BUCKET/PREFIX (caller frees; NULL without a vault). */
gchar *studio_conf_intake_records(const studio_uploader_conf *u);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(studio_conf, studio_conf_free)
