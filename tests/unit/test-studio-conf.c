/* appliance/contract/studio-conf: the defaults, a complete file, the shipped
 * systemd/studio.conf, and one malformed key per case, each refused with a
 * message naming the file, the line and the key. */
#include "testutil.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "log.h"
#include "conf-check.h"
#include "studio-conf.h"

#define F "/etc/studio/studio.conf"

static studio_conf *load_text(const char *path, const char *text) {
        studio_conf *c = NULL;
        g_autofree gchar *msg = NULL;

        if (studio_conf_load_data(path, text, strlen(text), &c, &msg) < 0)
                fail_msg("refused: %s", msg);
        return c;
}

static void assert_defaults(const studio_conf *c) {
        assert_string_equal(c->recorder.profile, "usb-1cam");
        assert_null(c->recorder.room);
        assert_string_equal(c->recorder.spool, "/var/spool/studio");
        assert_string_equal(c->recorder.state_dir, "/var/lib/studio/state");
        assert_string_equal(c->recorder.state_file, "/run/studio-recorder/state.json");
        assert_string_equal(c->recorder.socket, "/run/studio-recorder/recorder.sock");
        assert_string_equal(c->recorder.device_key, "/var/lib/studio/keys/device.key");
        assert_string_equal(c->recorder.officers, "/etc/studio/officers");
        assert_null(c->recorder.recipients);
        assert_null(c->recorder.recipients_file);
        assert_string_equal(c->recorder.admin_group, "studio-admin");
        assert_true(c->recorder.checkpoint_interval_ns == 2000000000ULL);
        assert_true(c->recorder.segment_time_ns == 300000000000ULL);
        assert_true(c->recorder.segment_bytes == 1ULL << 30);
        assert_true(c->recorder.ready_timeout_ns == 120000000000ULL);
        assert_true(c->recorder.eos_timeout_ns == 10000000000ULL);
        assert_int_equal(c->recorder.log_level, LOG_INFO);
        assert_null(c->panel.device);
        assert_string_equal(c->panel.key_start, "KEY_KPPLUS");
        assert_string_equal(c->panel.key_mark, "KEY_KPASTERISK");
        assert_string_equal(c->panel.key_break, "KEY_KPSLASH");
        assert_string_equal(c->panel.key_stop, "KEY_KPMINUS");
        assert_string_equal(c->panel.key_enter, "KEY_KPENTER");
        assert_string_equal(c->panel.key_clear, "KEY_BACKSPACE");
        assert_true(c->panel.stop_hold_ns == 2000000000ULL);
        assert_true(c->panel.entry_timeout_ns == 30000000000ULL);
        assert_string_equal(c->lights.leds_dir, "/sys/class/leds");
        assert_null(c->lights.door);
        assert_null(c->lights.ready);
        assert_null(c->lights.recording);
        assert_null(c->lights.attention);
        assert_null(c->lights.ack);
        assert_null(c->lights.gpio_chip);
        assert_int_equal(c->lights.gpio_door, -1);
        assert_int_equal(c->lights.gpio_ready, -1);
        assert_int_equal(c->lights.gpio_recording, -1);
        assert_int_equal(c->lights.gpio_attention, -1);
        assert_int_equal(c->lights.gpio_ack, -1);
        assert_string_equal(c->status.listen, "127.0.0.1");
        assert_int_equal(c->status.port, 8080);
        assert_int_equal(g_strv_length(c->status.allow), 2);
        assert_string_equal(c->status.allow[0], "127.0.0.0/8");
        assert_string_equal(c->status.allow[1], "::1");
        assert_string_equal(c->status.language, "en");
        assert_string_equal(c->uploader.wipe_after, "receipts");
        assert_null(c->uploader.intake_records);
        assert_string_equal(c->uploader.intake_key, "/etc/studio/intake.pub");
        assert_string_equal(c->status.state_file, "/run/studio-recorder/state.json");
        assert_string_equal(c->status.backlog_file, "/run/studio-uploader/backlog.json");
        assert_null(c->status.contact_phone);
        assert_null(c->status.room_label); /* no [recorder] room either */
        assert_null(c->status.hostnames);
        assert_string_equal(c->status.state_owner, "studio-recorder");
        assert_null(c->uploader.vault);
        assert_string_equal(c->uploader.backlog_file, "/run/studio-uploader/backlog.json");
}

static void test_defaults(void **state) {
        g_autoptr(studio_conf) d = studio_conf_new_defaults();
        g_autoptr(studio_conf) e = load_text(F, "");
        g_autofree gchar *msg = NULL;

        (void) state;
        assert_defaults(d);
        assert_defaults(e);
        assert_string_equal(d->path, F);
        /* Defaults do not name a recipient: the recorder refuses to record. */
        assert_int_equal(studio_conf_check_recording(d, &msg), -ENOKEY);
        assert_contains(msg, "[recorder]");
        assert_contains(msg, "recipients");
}

/* The shipped file is all comments: it gives the defaults. Every example
 * in it, uncommented, is a valid value too. */
static void test_shipped_file(void **state) {
        g_autofree gchar *path = g_build_filename(STUDIO_SOURCE_DIR, "systemd", "studio.conf", NULL);
        g_autofree gchar *text = NULL, *msg = NULL;
        g_autoptr(studio_conf) c = NULL, u = NULL;
        g_autoptr(GRegex) re = g_regex_new("^#([a-z_0-9]+ = )", G_REGEX_MULTILINE, 0, NULL);
        g_autofree gchar *uncommented = NULL;

        (void) state;
        assert_int_equal(studio_conf_load(path, &c, &msg), 0);
        assert_defaults(c);
        assert_true(g_file_get_contents(path, &text, NULL, NULL));
        uncommented = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
        assert_non_null(strstr(uncommented, "\nprofile = usb-1cam\n"));
        u = load_text(F, uncommented);
        assert_string_equal(u->uploader.vault, "dir:/srv/vault");
        assert_int_equal(u->lights.gpio_ack, 24);
        assert_int_equal(studio_conf_check_recording(u, &msg), 0);
}

/* The text of section "[group]" in a studio.conf (up to the next header),
 * or of "## `[group]`" in docs/configuration.md (up to the next "## "). */
static gchar *section_of(const char *text, const char *header, const char *next) {
        const char *start = strstr(text, header), *end;

        if (!start)
                return NULL;
        start += strlen(header) - 1; /* from the header's newline: each line starts with one */
        end = strstr(start + 1, next);
        return g_strndup(start, end ? (size_t) (end - start) : strlen(start));
}

/* conf_keys[] is the one table: each of its keys is in the shipped file,
 * commented out in its own section ("#key = default"), and has its row in
 * its section of docs/configuration.md, so a new key cannot be forgotten. */
static void test_every_key_shipped_and_documented(void **state) {
        g_autofree gchar *conf_path = g_build_filename(STUDIO_SOURCE_DIR, "systemd", "studio.conf", NULL);
        g_autofree gchar *doc_path = g_build_filename(STUDIO_SOURCE_DIR, "docs", "configuration.md", NULL);
        g_autofree gchar *conf = NULL, *doc = NULL;
        const char *group, *key;
        unsigned missing = 0;

        (void) state;
        assert_true(g_file_get_contents(conf_path, &conf, NULL, NULL));
        assert_true(g_file_get_contents(doc_path, &doc, NULL, NULL));
        for (size_t i = 0; studio_conf_key_at(i, &group, &key); i++) {
                g_autofree gchar *h = g_strdup_printf("\n[%s]\n", group);
                g_autofree gchar *dh = g_strdup_printf("\n## `[%s]`", group);
                g_autofree gchar *in_conf = section_of(conf, h, "\n[");
                g_autofree gchar *in_doc = section_of(doc, dh, "\n## ");
                g_autofree gchar *line = g_strdup_printf("\n#%s = ", key);
                g_autofree gchar *row = g_strdup_printf("\n| `%s` |", key);
                if (!in_conf || !strstr(in_conf, line)) {
                        fprintf(stderr, "systemd/studio.conf: [%s] has no line \"#%s = …\"\n", group, key);
                        missing++;
                }
                if (!in_doc || !strstr(in_doc, row)) {
                        fprintf(stderr, "docs/configuration.md: [%s] has no row for `%s`\n", group, key);
                        missing++;
                }
        }
        assert_int_equal(missing, 0);
}

/* The complete example in docs/configuration.md loads as printed. */
static void test_documented_example(void **state) {
        g_autofree gchar *path = g_build_filename(STUDIO_SOURCE_DIR, "docs", "configuration.md", NULL);
        g_autofree gchar *text = NULL;
        g_autoptr(studio_conf) c = NULL;
        char *start, *end;

        (void) state;
        assert_true(g_file_get_contents(path, &text, NULL, NULL));
        start = strstr(text, "```ini\n");
        assert_non_null(start);
        start += strlen("```ini\n");
        end = strstr(start, "\n```");
        assert_non_null(end);
        end[1] = '\0';
        c = load_text(F, start);
        assert_string_equal(c->uploader.vault, "s3://evidence/room3");
        /* an S3 vault names its store and its credentials */
        assert_string_equal(c->uploader.endpoint, "https://vault.police.example");
        assert_string_equal(c->uploader.credentials_file, "credential:vault-s3");
        assert_int_equal(c->lights.gpio_door, 17);
        assert_string_equal(c->status.language, "nl");
        assert_string_equal(c->status.contact_phone, "+31 88 123 4567");
        assert_string_equal(c->status.hostnames[0], "studio.shelter.lan");
}

static void test_full_file(void **state) {
        static const char text[] =
                "[recorder]\n"
                "profile = test\n"
                "room = Kamer 2\n"
                "spool = spool\n"
                "state_dir = /var/lib/x/state\n"
                "state_file = run/state.json\n"
                "socket = run/recorder.sock\n"
                "device_key = keys/device.key\n"
                "officers = officers\n"
                "recipients = age1aaa;age1bbb\n"
                "recipients_file = recipients.txt\n"
                "admin_group = wheel\n"
                "checkpoint_interval = 500ms\n"
                "segment_time = 1min\n"
                "segment_bytes = 256MiB\n"
                "ready_timeout = 30s\n"
                "eos_timeout = 5s\n"
                "log_level = debug\n"
                "[panel]\n"
                "device = /dev/input/by-id/usb-kp-event-kbd\n"
                "key_start = KEY_ENTER\n"
                "key_mark = KEY_M\n"
                "key_break = KEY_B\n"
                "key_stop = KEY_S\n"
                "key_enter = KEY_KPENTER\n"
                "key_clear = KEY_DELETE\n"
                "stop_hold = 3s\n"
                "entry_timeout = 1min\n"
                "[lights]\n"
                "leds_dir = leds\n"
                "door = studio:red:door\n"
                "ready = r\nrecording = rec\nattention = att\nack = ack\n"
                "gpio_chip = gpiochip0\n"
                "gpio_door = 17\ngpio_ready = 0\ngpio_recording = 22\ngpio_attention = 23\n"
                "gpio_ack = 1023\n"
                "[status]\n"
                "listen = 192.168.1.20\n"
                "port = 65535\n"
                "allow = 192.168.1.0/24, 10.0.0.5; fe80::/10\n"
                "language = nl\n"
                "[uploader]\n"
                "vault = dir:vault\n"
                "backlog_file = run/backlog.json\n";
        g_autoptr(studio_conf) c = load_text("/srv/demo/studio.conf", text);

        (void) state;
        assert_string_equal(c->path, "/srv/demo/studio.conf");
        assert_string_equal(c->recorder.profile, "test");
        assert_string_equal(c->recorder.room, "Kamer 2");
        /* Relative paths are taken from the file's folder. */
        assert_string_equal(c->recorder.spool, "/srv/demo/spool");
        assert_string_equal(c->recorder.state_dir, "/var/lib/x/state");
        assert_string_equal(c->recorder.state_file, "/srv/demo/run/state.json");
        assert_string_equal(c->recorder.socket, "/srv/demo/run/recorder.sock");
        assert_string_equal(c->recorder.device_key, "/srv/demo/keys/device.key");
        assert_string_equal(c->recorder.officers, "/srv/demo/officers");
        assert_int_equal(g_strv_length(c->recorder.recipients), 2);
        assert_string_equal(c->recorder.recipients[1], "age1bbb");
        assert_string_equal(c->recorder.recipients_file, "/srv/demo/recipients.txt");
        assert_string_equal(c->recorder.admin_group, "wheel");
        assert_true(c->recorder.checkpoint_interval_ns == 500000000ULL);
        assert_true(c->recorder.segment_time_ns == 60000000000ULL);
        assert_true(c->recorder.segment_bytes == 256ULL << 20);
        assert_true(c->recorder.ready_timeout_ns == 30000000000ULL);
        assert_true(c->recorder.eos_timeout_ns == 5000000000ULL);
        assert_int_equal(c->recorder.log_level, LOG_DEBUG);
        assert_string_equal(c->panel.device, "/dev/input/by-id/usb-kp-event-kbd");
        assert_string_equal(c->panel.key_clear, "KEY_DELETE");
        assert_true(c->panel.stop_hold_ns == 3000000000ULL);
        assert_true(c->panel.entry_timeout_ns == 60000000000ULL);
        assert_string_equal(c->lights.leds_dir, "/srv/demo/leds");
        assert_string_equal(c->lights.door, "studio:red:door");
        assert_string_equal(c->lights.gpio_chip, "gpiochip0");
        assert_int_equal(c->lights.gpio_ready, 0);
        assert_int_equal(c->lights.gpio_ack, 1023);
        assert_string_equal(c->status.listen, "192.168.1.20");
        assert_int_equal(c->status.port, 65535);
        assert_int_equal(g_strv_length(c->status.allow), 3);
        assert_string_equal(c->status.allow[2], "fe80::/10");
        assert_string_equal(c->status.language, "nl");
        /* The status page's files follow the recorder's and the uploader's. */
        assert_string_equal(c->status.state_file, "/srv/demo/run/state.json");
        assert_string_equal(c->status.backlog_file, "/srv/demo/run/backlog.json");
        assert_string_equal(c->uploader.vault, "dir:/srv/demo/vault");
}

/* One bad key per case: the line it is on and what the message must say. */
static const struct bad_case {
        const char *text;
        unsigned line;
        const char *needle;
} bad_cases[] = {
        {"[recorder]\nchekpoint_interval = 2s\n", 2,
         "unknown key \"chekpoint_interval\" in [recorder] (the keys of [recorder] are: profile, room"},
        {"[recorder]\n[recordr]\n", 2, "unknown group [recordr] (the groups are: [recorder], [panel]"},
        {"[status]\nport=80\n[status]\n", 3, "group [status] is given twice"},
        {"[status]\nport=80\nport=81\n", 3, "[status] port is given twice"},
        {"[recorder]\ncheckpoint_interval = 2 s\n", 2,
         "[recorder] checkpoint_interval = \"2 s\" is not a duration of 100ms to 1min (write e.g. 2s or "
         "1500ms)"},
        {"[recorder]\ncheckpoint_interval = 5min\n", 2, "checkpoint_interval = \"5min\" is not a duration"},
        {"[recorder]\nsegment_time = 2h\n", 2, "segment_time = \"2h\" is not a duration of 1s to 1h"},
        {"[recorder]\nsegment_bytes = 10KiB\n", 2,
         "segment_bytes = \"10KiB\" is not a size of 64KiB to 4GiB"},
        {"[recorder]\nsegment_time = 10s\ncheckpoint_interval=10s\n", 3,
         "[recorder] checkpoint_interval must be shorter than [recorder] segment_time (line 2)"},
        /* against a default, the sentence keeps its meaning */
        {"[recorder]\nsegment_time = 2s\n", 2,
         "[recorder] checkpoint_interval (at its default) must be shorter than [recorder] segment_time"},
        {"[recorder]\nlog_level = verbose\n", 2,
         "log_level = \"verbose\" is not one of error, warning, notice, info or debug"},
        {"[recorder]\nprofile = Usb Cam\n", 2, "is not a profile name or path"},
        {"[recorder]\nroom = A\\tB\\nC\n", 2, "room = \"A\\u0009B\\u000aC\" holds a control character"},
        {"[recorder]\nspool =\n", 2, "[recorder] spool = \"\" is empty"},
        {"[recorder]\nrecipients = age1a;;age1b\n", 2, "has an empty item"},
        {"[recorder]\nadmin_group = Studio Admins\n", 2, "is not a Unix group name"},
        {"[recorder]\nsocket = /run/x\nstate_file = /run/x\n", 2,
         "[recorder] socket is the same path as [recorder] state_file (line 3)"},
        {"[panel]\nkey_start = +\n", 2, "key_start = \"+\" is not an evdev key name"},
        {"[panel]\nkey_mark = KEY_KPPLUS\n", 2, "[panel] key_mark is the same key as [panel] key_start"},
        {"[panel]\nstop_hold = 100ms\n", 2, "stop_hold = \"100ms\" is not a duration of 500ms to 10s"},
        {"[lights]\ndoor = ../door\n", 2, "door = \"../door\" is not an LED name"},
        {"[lights]\ngpio_chip = gpiochip0\ngpio_door = 2000\n", 3,
         "gpio_door = \"2000\" is not a whole number from 0 to 1023"},
        {"[lights]\ngpio_door = 4\n", 2, "[lights] gpio_door needs [lights] gpio_chip"},
        {"[lights]\ngpio_chip = c\ngpio_door = 4\ngpio_ack = 4\n", 4,
         "[lights] gpio_ack is the same GPIO line as [lights] gpio_door (line 3)"},
        {"[status]\nport = 0\n", 2, "port = \"0\" is not a whole number from 1 to 65535"},
        {"[status]\nport = 65536\n", 2, "port = \"65536\""},
        {"[status]\nport = 80x\n", 2, "port = \"80x\""},
        {"[status]\nlisten = localhost\n", 2, "listen = \"localhost\" is not an IP address"},
        {"[status]\nallow = 10.0.0.0/8;10.1.2.300\n", 2,
         "has \"10.1.2.300\", which is not an address or a network"},
        {"[status]\nallow = 10.0.0.0/33\n", 2, "which is not an address or a network"},
        {"[status]\nlanguage = fr\n", 2, "language = \"fr\" is not one of en or nl"},
        {"[uploader]\nwipe_after = never\n", 2, "wipe_after = \"never\" is not one of receipts or verified"},
        {"[uploader]\nintake_records = ftp://x\n", 2, "intake_records"},
        {"[status]\ncontact_phone = call Bob\n", 2,
         "contact_phone = \"call Bob\" is not a telephone number"},
        {"[status]\ncontact_phone = 088<script>\n", 2, "is not a telephone number"},
        {"[status]\nroom_label = A\\tB\n", 2, "room_label = \"A\\u0009B\" holds a control character"},
        {"[status]\nhostnames = studio.lan;evil/x\n", 2,
         "has \"evil/x\", which is not a host name or an address"},
        {"[status]\nhostnames = studio.lan:8080\n", 2, "without a port"},
        {"[status]\nstate_owner = Studio Recorder\n", 2, "is not a Unix user name"},
        {"[uploader]\nvault = /srv/vault\n", 2, "vault = \"/srv/vault\" is not a vault address"},
        {"[uploader]\nvault = dir:\n", 2, "is not a vault address"},
        {"[recorder]\nroom = caf\xe9\n", 2, "not UTF-8"},
        {"[recorder\n", 1, "is not a group header"},
        /* credential:NAME (a systemd credential): NAME is one file name */
        {"[recorder]\ndevice_key = credential:\n", 2, "does not name a credential"},
        {"[recorder]\ndevice_key = credential:keys/device.key\n", 2, "does not name a credential"},
        {"[recorder]\nofficers = credential:..\n", 2, "does not name a credential"},
        {"[recorder]\nofficers = credential:.\n", 2, "does not name a credential"},
        {"[uploader]\ncredentials_file = credential:../../etc/shadow\n", 2, "does not name a credential"},
        {"[uploader]\ncredentials_file = credential:/s3\n", 2, "does not name a credential"},
        {"[uploader]\ncredentials_file = credential:s3\x01x\n", 2, "holds a control character"},
        {"[uploader]\ncredentials_file = credential:\xff\xfe\n", 2, "is not UTF-8 text"},
        {"room = A\n", 1, "comes before any [group]"},
        /* the observation output never names a file or a host */
        {"[observation]\naudio_sink = alsasink device=file:/tmp/x.pcm,raw\n", 2,
         "[observation] audio_sink = \"alsasink device=file:/tmp/x.pcm,raw\" gives alsasink device="},
        {"[observation]\nvideo_sink = fakesink dump=true\n", 2, "the property dump"},
        /* the rules a provisioning bundle is held to too (conf-check.h) */
        {"[uploader]\nendpoint = http://127.evil.example:7480\n", 2, "is plain http to a machine"},
        {"[uploader]\nendpoint = http://evil.example\n", 2, "is plain http to a machine"},
        {"[uploader]\nendpoint = https://user:pw@vault.example\n", 2, "user name or password"},
        {"[uploader]\nendpoint = https://vault.example/x?y\n", 2, "holds a query"},
        {"[uploader]\nendpoint = https://vault.example#f\n", 2, "holds a query or a fragment"},
        {"[uploader]\nendpoint = https://vault.example:99999\n", 2, "a port from 1 to 65535"},
        {"[uploader]\nregion = US_East\n", 2, "is not a region name"},
        {"[uploader]\nvault = s3://b/../x\n", 2, "is not s3://bucket[/prefix]"},
        {"[recorder]\nroom = R\u2060x\n", 2, "invisible"},
        {"[observation]\naudio_sink = pulsesink server=tcp:10.0.0.1\n", 2, "the property server"},
};

/* [status] room_label follows [recorder] room unless given; the other
 * new keys as written. */
static void test_status_page_keys(void **state) {
        g_autoptr(studio_conf) a = load_text(F, "[recorder]\nroom = Studio Haven\n");
        g_autoptr(studio_conf) b = load_text(F, "[recorder]\nroom = Studio Haven\n[status]\nroom_label = "
                                                "Kamer 2\ncontact_phone = +31 (0)88 123-4567\nhostnames = "
                                                "studio.shelter.lan;192.168.1.20\nstate_owner = rec\n");

        (void) state;
        assert_string_equal(a->status.room_label, "Studio Haven");
        assert_string_equal(b->status.room_label, "Kamer 2");
        assert_string_equal(b->status.contact_phone, "+31 (0)88 123-4567");
        assert_int_equal(g_strv_length(b->status.hostnames), 2);
        assert_string_equal(b->status.hostnames[1], "192.168.1.20");
        assert_string_equal(b->status.state_owner, "rec");
}

static void test_malformed(void **state) {
        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
                const struct bad_case *b = &bad_cases[i];
                studio_conf *c = NULL;
                g_autofree gchar *msg = NULL;
                g_autofree gchar *where = g_strdup_printf(F " line %u: ", b->line);

                if (studio_conf_load_data(F, b->text, strlen(b->text), &c, &msg) >= 0)
                        fail_msg("case %zu was accepted: %s", i, b->text);
                assert_null(c);
                assert_non_null(msg);
                if (!g_str_has_prefix(msg, where) || !strstr(msg, b->needle))
                        fail_msg("case %zu: message '%s' lacks '%s' or '%s'", i, msg, where, b->needle);
        }
}

/* The shared rules accept what a real deployment writes. */
static void test_shared_checks(void **state) {
        static const char *const endpoints[] = {"https://vault.police.example",
                                                "https://vault.example:7480/",
                                                "https://10.0.0.5:443",
                                                "https://[2001:db8::1]:7480",
                                                "http://127.0.0.1:7480",
                                                "http://[::1]:8000",
                                                "http://127.1.2.3"};
        static const char *const bad_endpoints[] = {"http://localhost:7480",
                                                    "http://127.evil.example",
                                                    "http://[::2]",
                                                    "https://",
                                                    "https://h:",
                                                    "https://[::1",
                                                    "ftp://h",
                                                    "https://h h",
                                                    "https://-h"};
        static const char *const ids[] = {"studio-room3", "a", "studio.r3_x-1"};
        static const char *const bad_ids[] = {".", "..", ".hidden", "-x", "a/b", "Room3", "", "a b"};

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(endpoints); i++)
                if (conf_check_endpoint(endpoints[i], NULL) != 0)
                        fail_msg("%s was refused", endpoints[i]);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_endpoints); i++)
                if (conf_check_endpoint(bad_endpoints[i], NULL) != -EINVAL)
                        fail_msg("%s was accepted", bad_endpoints[i]);
        for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
                assert_int_equal(conf_check_device_id(ids[i], NULL), 0);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_ids); i++)
                if (conf_check_device_id(bad_ids[i], NULL) != -EINVAL)
                        fail_msg("device id '%s' was accepted", bad_ids[i]);
        /* a NUL is refused, never cut at */
        assert_int_equal(conf_check_room("R\0x", 3, NULL), -EINVAL);
        assert_int_equal(conf_check_room("Kamer 2", 7, NULL), 0);
        assert_int_equal(conf_check_s3_vault("s3://evidence/room3/", NULL), 0);
        assert_int_equal(conf_check_s3_vault("s3://evidence", NULL), 0);
        assert_int_equal(conf_check_s3_vault("s3:///x", NULL), -EINVAL);
}

static void test_files(void **state) {
        g_autofree gchar *dir = g_dir_make_tmp("test-studio-conf.XXXXXX", NULL);
        g_autofree gchar *path = g_build_filename(dir, "studio.conf", NULL);
        g_autofree gchar *missing = g_build_filename(dir, "nope.conf", NULL);
        g_autofree gchar *msg = NULL, *msg2 = NULL, *spool = NULL;
        studio_conf *c = NULL;

        (void) state;
        assert_non_null(dir);
        assert_int_equal(studio_conf_load(missing, &c, &msg), -ENOENT);
        assert_null(c);
        assert_contains(msg, missing);
        assert_contains(msg, "studioctl init --dir DIR");
        assert_true(
                g_file_set_contents(path, "[recorder]\nspool = spool\n[uploader]\nbogus = 1\n", -1, NULL));
        assert_int_equal(studio_conf_load(path, &c, &msg2), -EBADMSG);
        assert_contains(msg2, " line 4: unknown key \"bogus\" in [uploader]");
        assert_contains(msg2, "see docs/configuration.md");
        assert_true(g_file_set_contents(path, "[recorder]\nspool = spool\n", -1, NULL));
        assert_int_equal(studio_conf_load(path, &c, &msg2), 0);
        spool = g_build_filename(dir, "spool", NULL);
        assert_string_equal(c->recorder.spool, spool);
        studio_conf_free(c);
        (void) g_unlink(path);
        (void) g_rmdir(dir);
}

/* credential:NAME resolves to $CREDENTIALS_DIRECTORY/NAME when systemd put
 * it there; otherwise the daemon that uses the key refuses it by name,
 * while the others (which load the same file) are not concerned. */
static void test_credentials(void **state) {
        static const char text[] = "[recorder]\ndevice_key = credential:device.key\n"
                                   "[uploader]\ncredentials_file = credential:vault-s3\n";
        g_autofree gchar *dir = g_dir_make_tmp("test-studio-conf-cred.XXXXXX", NULL);
        g_autofree gchar *key = g_build_filename(dir, "device.key", NULL);
        g_autofree gchar *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
        studio_conf *c;

        (void) state;
        assert_non_null(dir);
        assert_true(g_file_set_contents(key, "k", -1, NULL));
        /* no CREDENTIALS_DIRECTORY: kept as written, refused by its daemon */
        g_unsetenv("CREDENTIALS_DIRECTORY");
        c = load_text(F, text);
        assert_string_equal(c->recorder.device_key, "credential:device.key");
        assert_int_equal(studio_conf_check_credentials(c, "recorder", &m1), -ENOKEY);
        assert_contains(m1, F ": [recorder] device_key names the systemd credential \"device.key\"");
        assert_contains(m1, "CREDENTIALS_DIRECTORY is not set");
        assert_contains(m1, "LoadCredential=device.key:");
        assert_int_equal(studio_conf_check_credentials(c, "status", &m2), 0);
        assert_null(m2);
        studio_conf_free(c);
        /* the directory holds device.key but not vault-s3 */
        g_setenv("CREDENTIALS_DIRECTORY", dir, TRUE);
        c = load_text(F, text);
        assert_string_equal(c->recorder.device_key, key);
        assert_int_equal(studio_conf_check_credentials(c, "recorder", &m3), 0);
        assert_int_equal(studio_conf_check_credentials(c, "uploader", &m3), -ENOKEY);
        assert_contains(m3, "[uploader] credentials_file names the systemd credential \"vault-s3\"");
        assert_contains(m3, dir);
        assert_contains(m3, "/vault-s3");
        studio_conf_free(c);
        /* a relative CREDENTIALS_DIRECTORY is not systemd's: refused */
        g_setenv("CREDENTIALS_DIRECTORY", "creds", TRUE);
        c = load_text(F, text);
        assert_int_equal(studio_conf_check_credentials(c, "recorder", &m4), -ENOKEY);
        assert_contains(m4, "not set to an absolute path");
        studio_conf_free(c);
        /* a plain path is untouched by any of this */
        c = load_text(F, "[recorder]\ndevice_key = /k/device.key\n");
        assert_string_equal(c->recorder.device_key, "/k/device.key");
        studio_conf_free(c);
        g_unsetenv("CREDENTIALS_DIRECTORY");
        (void) g_unlink(key);
        (void) g_rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_shipped_file),
                cmocka_unit_test(test_every_key_shipped_and_documented),
                cmocka_unit_test(test_full_file),
                cmocka_unit_test(test_documented_example),
                cmocka_unit_test(test_status_page_keys),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_files),
                cmocka_unit_test(test_credentials),
                cmocka_unit_test(test_shared_checks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
