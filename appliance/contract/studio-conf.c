/* Loading /etc/studio/studio.conf (studio-conf.h): each key of the table
 * (studio-conf-table.c) read with its type's form and range, the checks
 * between keys, the defaults one key takes from another, and the checks a
 * daemon makes before it uses what it loaded. */
#include "studio-conf.h"

#include <errno.h>
#include <gio/gio.h>
#include <stddef.h>
#include <string.h>

#include "conf-check.h"
#include "config.h"
#include "escape.h"
#include "fsutil.h"
#include "log.h"
#include "observation-sink.h"
#include "studio-conf-table.h"
#include "util.h"

/* The message for a value read fine but refused here (as config.c words it). */
static int __attribute__((format(printf, 5, 6)))
refuse(const config_file *f, const conf_key *k, const char *value, gchar **ret_message, const char *format,
       ...) {
        g_autofree gchar *file = escape_text(config_file_path(f));
        g_autofree gchar *shown = escape_text(value);
        g_autofree gchar *why = NULL;
        va_list ap;

        va_start(ap, format);
        why = g_strdup_vprintf(format, ap);
        va_end(ap);
        *ret_message = g_strdup_printf("%s line %u: [%s] %s = \"%s\" %s", file,
                                       config_file_line(f, k->group, k->key), k->group, k->key, shown, why);
        return -EINVAL;
}

static bool matches(const char *pattern, const char *s) {
        return g_regex_match_simple(pattern, s, G_REGEX_DOLLAR_ENDONLY, 0);
}

/* The observation output shows the room on a local monitor and speaker and
 * nothing else (observation-sink.h: the elements and their properties). */
static int check_sink(const config_file *f, const conf_key *k, const char *v, gchar **msg) {
        g_autofree char *why = NULL;

        if (observation_sink_check(v, k->type == CONF_VIDEO_SINK, &why) < 0)
                return refuse(f, k, v, msg, "%s", why);
        return 0;
}

/* Checks a string the table types give a form to; 0 or -EINVAL. */
static int check_string(const config_file *f, const conf_key *k, const char *v, gchar **msg) {
        switch (k->type) {
        case CONF_PROFILE:
                if (!strchr(v, '/') && !g_str_has_suffix(v, ".profile") &&
                    !matches("^[a-z0-9][a-z0-9-]*$", v))
                        return refuse(f, k, v, msg,
                                      "is not a profile name or path (write e.g. usb-1cam or "
                                      "/etc/studio/room.profile)");
                return 0;
        case CONF_ROOM:
        case CONF_ENDPOINT:
        case CONF_REGION: {
                /* the rules a provisioning bundle is held to as well */
                g_autofree char *why = NULL;
                int r = k->type == CONF_ROOM       ? conf_check_room(v, strlen(v), &why)
                        : k->type == CONF_ENDPOINT ? conf_check_endpoint(v, &why)
                                                   : conf_check_region(v, &why);
                return r < 0 ? refuse(f, k, v, msg, "%s", why) : 0;
        }
        case CONF_GROUP_NAME:
                if (!matches("^[a-z_][a-z0-9_-]{0,31}$", v))
                        return refuse(f, k, v, msg, "is not a Unix group name (write e.g. studio-admin)");
                return 0;
        case CONF_USER_NAME:
                if (!matches("^[a-z_][a-z0-9_-]{0,31}$", v))
                        return refuse(f, k, v, msg, "is not a Unix user name (write e.g. studio-recorder)");
                return 0;
        case CONF_PHONE:
                if (!matches("^\\+?[0-9][0-9 ()-]{1,30}[0-9]$", v))
                        return refuse(f, k, v, msg,
                                      "is not a telephone number (write digits, spaces, dashes and "
                                      "brackets, e.g. +31 88 123 4567)");
                return 0;
        case CONF_KEY_NAME:
                if (!matches("^KEY_[A-Z0-9_]+$", v))
                        return refuse(
                                f, k, v, msg,
                                "is not an evdev key name (write e.g. KEY_KPPLUS, as evtest shows it)");
                return 0;
        case CONF_LED_NAME:
                if (!fs_name_valid(v) || v[0] == '.')
                        return refuse(f, k, v, msg,
                                      "is not an LED name (write one name from the leds_dir folder, e.g. "
                                      "studio:red:door)");
                return 0;
        case CONF_VIDEO_SINK:
        case CONF_AUDIO_SINK:
                return check_sink(f, k, v, msg);
        case CONF_ADDRESS: {
                g_autoptr(GInetAddress) a = g_inet_address_new_from_string(v);
                if (!a)
                        return refuse(f, k, v, msg,
                                      "is not an IP address (write e.g. 127.0.0.1, 192.168.1.20 or ::1)");
                return 0;
        }
        default:
                return 0;
        }
}

/* dir:PATH (a relative PATH taken from the file's folder) or s3://…. */
static int read_vault(const config_file *f, const conf_key *k, const char *dir, gchar *v, gchar **ret,
                      gchar **msg) {
        if (g_str_has_prefix(v, "dir:") && v[4]) {
                g_autofree gchar *p = g_canonicalize_filename(v + 4, dir);
                *ret = g_strconcat("dir:", p, NULL);
                return 0;
        }
        if (g_str_has_prefix(v, "s3://")) {
                g_autofree char *why = NULL;
                if (conf_check_s3_vault(v, &why) < 0)
                        return refuse(f, k, v, msg, "%s", why);
                *ret = g_strdup(v);
                return 0;
        }
        return refuse(f, k, v, msg, "is not a vault address (write dir:/path/to/vault or s3://host/bucket)");
}

/* credential:NAME names a file systemd placed in $CREDENTIALS_DIRECTORY
 * (LoadCredential=), readable by the daemon's user alone. A malformed name
 * is refused here, for every program alike; one that cannot be resolved in
 * this process (no CREDENTIALS_DIRECTORY, or no such credential) is kept as
 * written and refused by studio_conf_check_credentials(), called by the
 * daemon that uses the key: a unit passes each daemon only its own
 * credentials, and all of them load the whole file. */
static int read_secret_path(const config_file *f, const conf_key *k, studio_conf *c, gchar **msg) {
        g_autofree gchar *v = NULL;
        const char *name, *dir;
        int r;

        r = config_get_string(f, k->group, k->key, NULL, &v, msg);
        if (r < 0)
                return r;
        if (!v || !g_str_has_prefix(v, STUDIO_CONF_CREDENTIAL_PREFIX))
                return config_get_path(f, k->group, k->key, k->def, FIELD(c, k, gchar *), msg);
        name = v + strlen(STUDIO_CONF_CREDENTIAL_PREFIX);
        if (!fs_name_valid(name) || strlen(name) > 255 || !g_utf8_validate(name, -1, NULL))
                return refuse(f, k, v, msg,
                              "does not name a credential (write credential:NAME, with NAME as in the "
                              "unit's LoadCredential=NAME:…, one file name without '/')");
        for (const char *p = name; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return refuse(f, k, v, msg, "holds a control character in the credential name");
        dir = g_getenv("CREDENTIALS_DIRECTORY");
        if (dir && g_path_is_absolute(dir)) {
                g_autofree gchar *path = g_build_filename(dir, name, NULL);
                if (g_file_test(path, G_FILE_TEST_EXISTS)) {
                        *FIELD(c, k, gchar *) = TAKE_PTR(path);
                        return 0;
                }
        }
        *FIELD(c, k, gchar *) = TAKE_PTR(v);
        return 0;
}

static int read_networks(const config_file *f, const conf_key *k, gchar **v, gchar **msg) {
        for (gchar **p = v; p && *p; p++) {
                g_autoptr(GInetAddressMask) m = g_inet_address_mask_new_from_string(*p, NULL);
                if (!m) {
                        g_autofree gchar *all = g_strjoinv(";", v);
                        g_autofree gchar *item = escape_text(*p);
                        return refuse(f, k, all, msg,
                                      "has \"%s\", which is not an address or a network (write e.g. "
                                      "192.168.1.0/24, 10.0.0.5 or ::1)",
                                      item);
                }
        }
        return 0;
}

/* Names a browser may put in Host: DNS names (letters, digits, dots and
 * dashes) or IP addresses; compared without case, with any port. */
static int read_hostnames(const config_file *f, const conf_key *k, gchar **v, gchar **msg) {
        for (gchar **p = v; p && *p; p++) {
                g_autoptr(GInetAddress) a = g_inet_address_new_from_string(*p);
                if (a || (strlen(*p) <= 253 && matches("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$", *p)))
                        continue;
                g_autofree gchar *all = g_strjoinv(";", v);
                g_autofree gchar *item = escape_text(*p);
                return refuse(f, k, all, msg,
                              "has \"%s\", which is not a host name or an address (write e.g. "
                              "studio.shelter.lan;192.168.1.20, without a port)",
                              item);
        }
        return 0;
}

/* A list: separated by ';', the default when the key is not there. */
static int read_list(const config_file *f, const conf_key *k, studio_conf *c, gchar **msg) {
        g_auto(GStrv) v = NULL;
        int r = config_get_strv(f, k->group, k->key, &v, msg);

        if (r < 0)
                return r;
        if (!v && k->def)
                v = g_strsplit(k->def, ";", -1);
        if (k->type == CONF_NETWORKS && (r = read_networks(f, k, v, msg)) < 0)
                return r;
        if (k->type == CONF_HOSTNAMES && (r = read_hostnames(f, k, v, msg)) < 0)
                return r;
        *FIELD(c, k, gchar **) = TAKE_PTR(v);
        return 0;
}

/* One of a fixed set of words: a log level, a page language, when to wipe. */
static int read_choice(const config_file *f, const conf_key *k, studio_conf *c, gchar **msg) {
        const char *const *choices = k->type == CONF_LANGUAGE     ? conf_languages
                                     : k->type == CONF_WIPE_AFTER ? conf_wipe_afters
                                                                  : conf_log_levels;
        int i;
        int r = config_get_choice(f, k->group, k->key, k->def, choices, &i, msg);

        if (r < 0)
                return r;
        if (k->type == CONF_LANGUAGE || k->type == CONF_WIPE_AFTER)
                *FIELD(c, k, gchar *) = g_strdup(choices[i]);
        else
                *FIELD(c, k, int) = log_level_from_string(choices[i]);
        return 0;
}

/* Text: checked as its type says; a vault, or a profile or name given as
 * a path, made absolute against the configuration's folder. */
static int read_text(const config_file *f, const conf_key *k, const char *dir, studio_conf *c, gchar **msg) {
        g_autofree gchar *s = NULL;
        int r = config_get_string(f, k->group, k->key, k->def, &s, msg);

        if (r < 0)
                return r;
        if (!s)
                return 0;
        r = check_string(f, k, s, msg);
        if (r < 0)
                return r;
        if (k->type == CONF_VAULT)
                return read_vault(f, k, dir, s, FIELD(c, k, gchar *), msg);
        if ((k->type == CONF_PROFILE || k->type == CONF_NAME_OR_PATH) && strchr(s, '/')) {
                *FIELD(c, k, gchar *) = g_canonicalize_filename(s, dir);
                return 0;
        }
        *FIELD(c, k, gchar *) = TAKE_PTR(s);
        return 0;
}

static int read_key(const config_file *f, const conf_key *k, const char *dir, studio_conf *c, gchar **msg) {
        int64_t n;
        int r;

        switch (k->type) {
        case CONF_PATH:
                return config_get_path(f, k->group, k->key, k->def, FIELD(c, k, gchar *), msg);
        case CONF_SECRET_PATH:
                return read_secret_path(f, k, c, msg);
        case CONF_STRV:
        case CONF_NETWORKS:
        case CONF_HOSTNAMES:
                return read_list(f, k, c, msg);
        case CONF_DURATION:
                return config_get_duration(f, k->group, k->key, k->def_n, k->min, k->max,
                                           FIELD(c, k, uint64_t), msg);
        case CONF_SIZE:
                return config_get_size(f, k->group, k->key, k->def_n, k->min, k->max, FIELD(c, k, uint64_t),
                                       msg);
        case CONF_INT:
                r = config_get_int(f, k->group, k->key, k->def_i, k->imin, k->imax, &n, msg);
                if (r >= 0)
                        *FIELD(c, k, int) = (int) n;
                return r < 0 ? r : 0;
        case CONF_BOOL:
                return config_get_bool(f, k->group, k->key, k->def_i != 0, FIELD(c, k, bool), msg);
        case CONF_LOG_LEVEL:
        case CONF_LANGUAGE:
        case CONF_WIPE_AFTER:
                return read_choice(f, k, c, msg);
        default:
                return read_text(f, k, dir, c, msg);
        }
}

/* A value that conflicts with another key: names both with their lines. */
/* "FILE line 3: [recorder] checkpoint_interval must be shorter than
 * [recorder] segment_time (line 2)". The sentence keeps its order (WHY may
 * not be symmetric); the line is that of a key the file gives, and a key it
 * does not give is said to be at its default. */
static int conflict(const config_file *f, const char *group, const char *key, const char *other_group,
                    const char *other_key, const char *why, gchar **msg) {
        g_autofree gchar *file = escape_text(config_file_path(f));
        unsigned line = config_file_line(f, group, key), other = config_file_line(f, other_group, other_key);
        const char *first = line ? "" : " (at its default)";
        g_autofree gchar *second = !other ? g_strdup(" (at its default)")
                                   : line ? g_strdup_printf(" (line %u)", other)
                                          : g_strdup("");

        *msg = g_strdup_printf("%s line %u: [%s] %s%s %s [%s] %s%s", file, line ? line : other, group, key,
                               first, why, other_group, other_key, second);
        return -EINVAL;
}

static int check_panel_keys(const config_file *f, const studio_conf *c, gchar **msg) {
        static const char *const names[] = {"key_start", "key_mark",  "key_break",
                                            "key_stop",  "key_enter", "key_clear"};

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                for (size_t j = i + 1; j < ELEMENTSOF(names); j++) {
                        const char *a = *FIELD(c, conf_key_find("panel", names[i]), gchar *);
                        const char *b = *FIELD(c, conf_key_find("panel", names[j]), gchar *);
                        if (strcmp(a, b) == 0)
                                return conflict(f, "panel", names[j], "panel", names[i],
                                                "is the same key as", msg);
                }
        return 0;
}

static int check_gpio(const config_file *f, const studio_conf *c, gchar **msg) {
        static const char *const names[] = {"gpio_door", "gpio_ready", "gpio_recording", "gpio_attention",
                                            "gpio_ack"};

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                int a = *FIELD(c, conf_key_find("lights", names[i]), int);
                if (a < 0)
                        continue;
                if (!c->lights.gpio_chip)
                        return conflict(f, "lights", names[i], "lights", "gpio_chip", "needs", msg);
                for (size_t j = i + 1; j < ELEMENTSOF(names); j++)
                        if (a == *FIELD(c, conf_key_find("lights", names[j]), int))
                                return conflict(f, "lights", names[j], "lights", names[i],
                                                "is the same GPIO line as", msg);
        }
        return 0;
}

static int check_fields(const config_file *f, studio_conf *c, gchar **msg) {
        int r;

        if (c->recorder.checkpoint_interval_ns >= c->recorder.segment_time_ns)
                return conflict(f, "recorder", "checkpoint_interval", "recorder", "segment_time",
                                "must be shorter than", msg);
        if (strcmp(c->recorder.state_file, c->recorder.socket) == 0)
                return conflict(f, "recorder", "socket", "recorder", "state_file", "is the same path as",
                                msg);
        r = check_panel_keys(f, c, msg);
        if (r < 0)
                return r;
        r = check_gpio(f, c, msg);
        if (r < 0)
                return r;
        if (!c->status.state_file)
                c->status.state_file = g_strdup(c->recorder.state_file);
        if (!c->status.backlog_file)
                c->status.backlog_file = g_strdup(c->uploader.backlog_file);
        if (!c->status.room_label && c->recorder.room)
                c->status.room_label = g_strdup(c->recorder.room);
        if (!c->uploader.spool)
                c->uploader.spool = g_strdup(c->recorder.spool);
        return 0;
}

static int conf_from_file(const config_file *f, studio_conf **ret, gchar **msg) {
        g_autoptr(studio_conf) c = g_new0(studio_conf, 1);
        g_autofree gchar *abs = g_canonicalize_filename(config_file_path(f), NULL);
        g_autofree gchar *dir = g_path_get_dirname(abs);
        g_autofree const char **keys = g_new(const char *, conf_keys_n + 1);
        int r;

        r = config_file_check_groups(f, conf_groups, msg);
        for (size_t g = 0; r >= 0 && conf_groups[g]; g++) {
                size_t n = 0;
                for (size_t i = 0; i < conf_keys_n; i++)
                        if (strcmp(conf_keys[i].group, conf_groups[g]) == 0)
                                keys[n++] = conf_keys[i].key;
                keys[n] = NULL;
                r = config_file_check_keys(f, conf_groups[g], keys, msg);
        }
        for (size_t i = 0; r >= 0 && i < conf_keys_n; i++)
                r = read_key(f, &conf_keys[i], dir, c, msg);
        if (r >= 0)
                r = check_fields(f, c, msg);
        if (r < 0)
                return r;
        c->path = g_strdup(abs);
        /* the recorder checks recipients (common knows no age) and names the line */
        c->recorder.recipients_line = config_file_line(f, "recorder", "recipients");
        c->recorder.profile_line = config_file_line(f, "recorder", "profile");
        *ret = TAKE_PTR(c);
        return 0;
}

int studio_conf_load_data(const char *path, const char *data, size_t len, studio_conf **ret,
                          gchar **ret_message) {
        g_autoptr(config_file) f = NULL;
        int r;

        r = config_file_load_data(path, data, len, &f, ret_message);
        if (r < 0)
                return r;
        config_file_set_help(f, "see docs/configuration.md");
        return conf_from_file(f, ret, ret_message);
}

int studio_conf_load(const char *path, studio_conf **ret, gchar **ret_message) {
        g_autoptr(config_file) f = NULL;
        g_autofree gchar *m = NULL;
        int r;

        if (!path)
                path = STUDIO_CONF_DEFAULT_PATH;
        r = config_file_load(path, &f, &m);
        if (r == -ENOENT) {
                g_autofree gchar *file = escape_text(path);
                *ret_message =
                        g_strdup_printf("%s does not exist (give --config FILE, or write a configuration "
                                        "with studioctl init --dir DIR)",
                                        file);
                return r;
        }
        if (r < 0) {
                *ret_message = TAKE_PTR(m);
                return r;
        }
        config_file_set_help(f, "see docs/configuration.md");
        return conf_from_file(f, ret, ret_message);
}

studio_conf *studio_conf_new_defaults(void) {
        g_autofree gchar *msg = NULL;
        studio_conf *c = NULL;

        if (studio_conf_load_data(STUDIO_CONF_DEFAULT_PATH, "", 0, &c, &msg) < 0)
                g_error("the built-in defaults do not load: %s", msg);
        return c;
}

int studio_conf_check_credentials(const studio_conf *c, const char *group, gchar **ret_message) {
        for (size_t i = 0; i < conf_keys_n; i++) {
                const conf_key *k = &conf_keys[i];
                if (k->type != CONF_SECRET_PATH || strcmp(k->group, group) != 0)
                        continue;
                const char *v = *FIELD(c, k, gchar *);
                const char *dir = g_getenv("CREDENTIALS_DIRECTORY");
                if (!v || !g_str_has_prefix(v, STUDIO_CONF_CREDENTIAL_PREFIX))
                        continue;
                g_autofree gchar *file = escape_text(c->path);
                g_autofree gchar *name = escape_text(v + strlen(STUDIO_CONF_CREDENTIAL_PREFIX));
                g_autofree gchar *shown_dir = dir ? escape_text(dir) : NULL;
                if (!dir || !g_path_is_absolute(dir))
                        *ret_message = g_strdup_printf(
                                "%s: [%s] %s names the systemd credential \"%s\", but CREDENTIALS_DIRECTORY "
                                "is not set%s (start the daemon from its unit, which has "
                                "LoadCredential=%s:FILE, or set CREDENTIALS_DIRECTORY; see docs/systemd.md)",
                                file, k->group, k->key, name, dir ? " to an absolute path" : "", name);
                else
                        *ret_message = g_strdup_printf(
                                "%s: [%s] %s names the systemd credential \"%s\", but there is no %s/%s "
                                "(the unit needs LoadCredential=%s:FILE, or LoadCredentialEncrypted=; see "
                                "docs/systemd.md)",
                                file, k->group, k->key, name, shown_dir, name, name);
                return -ENOKEY;
        }
        return 0;
}

int studio_conf_check_recording(const studio_conf *c, gchar **ret_message) {
        g_autofree gchar *file = escape_text(c->path);

        if ((c->recorder.recipients && c->recorder.recipients[0]) || c->recorder.recipients_file)
                return 0;
        *ret_message = g_strdup_printf("%s: [recorder] names no vault recipient (write recipients = age1… "
                                       "or recipients_file = FILE; see docs/configuration.md)",
                                       file);
        return -ENOKEY;
}

/* As the intake's default_records (appliance/intake/conf.c): the two must
 * agree, or a device would wait for records where none are written. */
gchar *studio_conf_intake_records(const studio_uploader_conf *u) {
        if (u->intake_records)
                return g_strdup(u->intake_records);
        if (!u->vault)
                return NULL;
        if (g_str_has_prefix(u->vault, "dir:"))
                return g_strdup(u->vault);
        const char *bucket = u->vault + strlen("s3://");
        const char *slash = strchr(bucket, '/');
        if (!slash)
                return g_strdup_printf("%s/intake", u->vault);
        return g_strdup_printf("s3://%.*s/intake/%s", (int) (slash - bucket), bucket, slash + 1);
}
