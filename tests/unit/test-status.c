/* appliance/status: what shelter staff see. The words of every state in
 * English and Dutch, hostile reasons escaped on the page and in the JSON,
 * exactly the JSON's fields, a stale or missing state file shown as
 * attention (never the last state), the allow-list's edges and the CSP
 * hashes. Times are local: TZ is Europe/Amsterdam (UTC+1 in December). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "backlog.h"
#include "room-reasons.h"
#include "status.h"

/* 2026-12-01T10:32:00Z, 11:32 in Amsterdam */
#define SEC INT64_C(1000000)
#define T0 (INT64_C(1796121120) * SEC)
#define HOSTILE "<script>alert(1)</script>\xe2\x80\xae"

static status_view view(room_state s, const char *const *reasons) {
        status_view v = {.state = s,
                         .since_us = T0,
                         .hours_left = 41.5,
                         .updated_us = T0 + 60 * SEC,
                         .last_transfer_us = STATUS_LAST_TRANSFER_UNKNOWN};
        v.attention = g_strdupv((char **) (reasons ? reasons : (const char *const[]){NULL}));
        return v;
}

/* The published words (the state file's), pinned here as staff see them. */
#define W_CAMERA "camera disconnected"
#define W_MIC_SILENT "microphone silent"
#define W_CLOCK "clock not synchronised"
#define W_VAULT "vault does not lock recordings"

static const char *const NONE[] = {NULL};
static const char *const CAMERA[] = {W_CAMERA, NULL};
static const char *const TWO[] = {W_CAMERA, W_MIC_SILENT, NULL};
static const char *const IT_ONLY[] = {W_CLOCK, W_VAULT, NULL};
static const char *const MIXED[] = {W_CLOCK, W_CAMERA, NULL};
static const char *const NO_OFFICERS[] = {"no officers", NULL};

static const status_page_settings EN = {"en", "088 123 4567", "Studio Haven"};
static const status_page_settings NL = {"nl", "088 123 4567", "Studio Haven"};
static const status_page_settings FR = {"fr", "088 123 4567", NULL};
static const status_page_settings NO_PHONE = {"en", NULL, NULL};

/* The headline (h1) and the line under it (h2, NULL: none), each state. */
static const struct {
        room_state state;
        const char *const *reasons;
        const char *en, *nl, *alert_en, *alert_nl;
} headlines[] = {
        {ROOM_FREE, NONE, "Free", "Vrij", NULL, NULL},
        /* police IT's warnings never reach the headline */
        {ROOM_FREE, IT_ONLY, "Free", "Vrij", NULL, NULL},
        {ROOM_IDENTIFYING, NONE, "In session — do not enter", "In gesprek — niet binnengaan", NULL, NULL},
        {ROOM_READY, NONE, "In session — do not enter", "In gesprek — niet binnengaan", NULL, NULL},
        {ROOM_RECORDING, NONE, "In session — do not enter", "In gesprek — niet binnengaan", NULL, NULL},
        {ROOM_RECORDING, IT_ONLY, "In session — do not enter", "In gesprek — niet binnengaan", NULL, NULL},
        {ROOM_STOPPING, NONE, "In session — do not enter", "In gesprek — niet binnengaan", NULL, NULL},
        {ROOM_BREAK, NONE, "On a break — do not enter", "Pauze — niet binnengaan", NULL, NULL},
        {ROOM_ATTENTION, CAMERA, "Attention — call police IT on 088 123 4567",
         "Let op — bel de politie-ICT op 088 123 4567", "camera disconnected", "camera losgekoppeld"},
        {ROOM_ATTENTION, MIXED, "Attention — call police IT on 088 123 4567",
         "Let op — bel de politie-ICT op 088 123 4567", "camera disconnected", "camera losgekoppeld"},
        {ROOM_ATTENTION, NONE, "Attention — call police IT on 088 123 4567",
         "Let op — bel de politie-ICT op 088 123 4567", NULL, NULL},
        /* one wording, whatever the room lacks */
        {ROOM_UNPROVISIONED, NONE, "Attention — call police IT on 088 123 4567",
         "Let op — bel de politie-ICT op 088 123 4567", "not set up", "niet ingericht"},
        {ROOM_UNPROVISIONED, NO_OFFICERS, "Attention — call police IT on 088 123 4567",
         "Let op — bel de politie-ICT op 088 123 4567", "not set up", "niet ingericht"},
        /* an attention that blocks recording is in the headline, even "free" */
        {ROOM_FREE, CAMERA, "Attention — call police IT on 088 123 4567",
         "Let op — bel de politie-ICT op 088 123 4567", "camera disconnected", "camera losgekoppeld"},
        {ROOM_RECORDING, CAMERA, "In session — do not enter", "In gesprek — niet binnengaan",
         "Attention: camera disconnected — call police IT on 088 123 4567",
         "Let op: camera losgekoppeld — bel de politie-ICT op 088 123 4567"},
        {ROOM_BREAK, TWO, "On a break — do not enter", "Pauze — niet binnengaan",
         "Attention: camera disconnected, microphone silent — call police IT on 088 123 4567",
         "Let op: camera losgekoppeld, microfoon neemt bijna niets op — bel de politie-ICT op 088 123 4567"},
};

static void assert_in_page(const char *page, const char *words) {
        g_autofree gchar *html = g_markup_escape_text(words, -1);

        if (!strstr(page, html))
                fail_msg("the page does not say \"%s\":\n%s", words, page);
}

static void test_headlines(void **state) {
        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(headlines); i++) {
                status_view v = view(headlines[i].state, headlines[i].reasons);
                g_autofree gchar *en = status_page_headline(&v, &EN);
                g_autofree gchar *nl = status_page_headline(&v, &NL);
                g_autofree gchar *other = status_page_headline(&v, &FR);
                g_autofree gchar *alert_en = status_page_alert(&v, &EN);
                g_autofree gchar *alert_nl = status_page_alert(&v, &NL);
                g_autofree gchar *page_en = status_page_render(&v, &EN, v.updated_us);
                g_autofree gchar *page_nl = status_page_render(&v, &NL, v.updated_us);

                assert_string_equal(en, headlines[i].en);
                assert_string_equal(nl, headlines[i].nl);
                assert_string_equal(other, headlines[i].en);
                if (headlines[i].alert_en) {
                        assert_string_equal(alert_en, headlines[i].alert_en);
                        assert_string_equal(alert_nl, headlines[i].alert_nl);
                        assert_in_page(page_en, headlines[i].alert_en);
                        assert_in_page(page_nl, headlines[i].alert_nl);
                } else {
                        assert_null(alert_en);
                        assert_null(alert_nl);
                        assert_null(strstr(page_en, "<h2>"));
                }
                /* The words are in the served HTML itself (no JavaScript needed). */
                assert_in_page(page_en, headlines[i].en);
                assert_in_page(page_nl, headlines[i].nl);
                assert_non_null(strstr(page_nl, "<html lang=\"nl\">"));
                status_view_clear(&v);
        }
}

/* Every reason's words differ between the two languages: a row copied
 * without its translation shows. */
static void test_every_reason_in_dutch(void **state) {
        (void) state;
        for (int r = 0; r < _ROOM_REASON_MAX; r++) {
                const char *en = room_reason_words(r, "en"), *nl = room_reason_words(r, "nl");
                assert_non_null(en);
                assert_non_null(nl);
                assert_string_not_equal(en, nl);
                assert_string_equal(room_reason_to_string(r), en);
                assert_int_equal(room_reason_from_string(en), r);
                assert_string_equal(room_reason_translate(en, "nl"), nl);
        }
        assert_int_equal(room_reason_from_string("party"), _ROOM_REASON_INVALID);
        assert_string_equal(room_reason_translate("party", "nl"), "party");
        assert_null(room_reason_to_string(_ROOM_REASON_MAX));
        assert_null(room_reason_to_string(_ROOM_REASON_INVALID));
}

static void test_no_phone(void **state) {
        status_view v = view(ROOM_ATTENTION, CAMERA);
        g_autofree gchar *h = status_page_headline(&v, &NO_PHONE);
        g_autofree gchar *a = NULL;

        (void) state;
        assert_string_equal(h, "Attention — call police IT");
        v.state = ROOM_RECORDING;
        a = status_page_alert(&v, &NO_PHONE);
        assert_string_equal(a, "Attention: camera disconnected — call police IT");
        status_view_clear(&v);
}

/* "In session since" is the session's start, across a break; a break says
 * its own since as well. */
static void test_since(void **state) {
        status_view v = view(ROOM_RECORDING, NONE);
        g_autofree gchar *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;

        (void) state;
        v.session_since_us = T0 - 20 * 60 * SEC; /* 11:12 */
        v.since_us = T0;                         /* resumed at 11:32 */
        a = status_page_since(&v, &EN);
        assert_string_equal(a, "In session since 11:12");
        v.state = ROOM_BREAK;
        b = status_page_since(&v, &EN);
        assert_string_equal(b, "On a break since 11:32 · In session since 11:12");
        c = status_page_since(&v, &NL);
        assert_string_equal(c, "Pauze sinds 11:32 · In gesprek sinds 11:12");
        d = status_page_render(&v, &EN, v.updated_us);
        assert_in_page(d, "On a break since 11:32 · In session since 11:12");
        v.state = ROOM_READY;
        e = status_page_since(&v, &EN);
        assert_string_equal(e, "In use since 11:32");
        v.state = ROOM_FREE;
        assert_null(status_page_since(&v, &EN));
        /* an older recorder without session_since: the state's own since */
        v.state = ROOM_RECORDING;
        v.session_since_us = 0;
        f = status_page_since(&v, &NL);
        assert_string_equal(f, "In gesprek sinds 11:32");
        status_view_clear(&v);
}

/* Police IT's warnings: one small line, in the language; never in h1/h2. */
static void test_it_line(void **state) {
        status_view v = view(ROOM_FREE, IT_ONLY);
        g_autofree gchar *en = status_page_it_line(&v, &EN);
        g_autofree gchar *nl = status_page_it_line(&v, &NL);
        g_autofree gchar *page = status_page_render(&v, &EN, v.updated_us);
        status_view u = view(ROOM_UNPROVISIONED, NO_OFFICERS);
        g_autofree gchar *lacks = status_page_it_line(&u, &NL);

        (void) state;
        assert_string_equal(en, "For police IT: clock not synchronised, vault does not lock recordings");
        assert_string_equal(nl,
                            "Voor de politie-ICT: klok niet gelijkgezet, kluis vergrendelt de opnames niet");
        assert_non_null(strstr(page, "<p class=\"it\">For police IT: clock not synchronised"));
        assert_non_null(strstr(page, "class=\"s-free\""));
        assert_string_equal(lacks, "Voor de politie-ICT: geen rechercheurs ingericht");
        status_view_clear(&v);
        status_view_clear(&u);
        v = view(ROOM_FREE, NONE);
        assert_null(status_page_it_line(&v, &EN));
        status_view_clear(&v);
}

static void test_room_label(void **state) {
        static const status_page_settings hostile = {"en", NULL, "<b>R</b>\x1b[2J"};
        status_view v = view(ROOM_FREE, NONE);
        g_autofree gchar *page = status_page_render(&v, &EN, v.updated_us);
        g_autofree gchar *bad = status_page_render(&v, &hostile, v.updated_us);

        (void) state;
        assert_non_null(strstr(page, "<title>Studio status — Studio Haven</title>"));
        assert_non_null(strstr(page, "<p class=\"room\">Studio Haven</p>"));
        assert_null(strstr(bad, "<b>R"));
        assert_null(strstr(bad, "\x1b"));
        assert_non_null(strstr(bad, "&lt;b&gt;R&lt;/b&gt;"));
        status_view_clear(&v);
}

static void test_page_lines(void **state) {
        status_view v = view(ROOM_FREE, NONE);
        g_autofree gchar *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        (void) state;
        a = status_page_render(&v, &EN, v.updated_us);
        assert_non_null(strstr(a, "Recording time left: 41 h"));
        assert_non_null(strstr(a, "Last transfer to the vault: unknown"));
        assert_non_null(strstr(a, "class=\"s-free\""));
        assert_non_null(strstr(a, "<meta name=\"viewport\""));
        assert_null(strstr(a, "http")); /* no external resource of any kind */
        v.hours_left = -1;
        v.last_transfer_us = STATUS_LAST_TRANSFER_NEVER;
        b = status_page_render(&v, &NL, v.updated_us);
        assert_non_null(strstr(b, "Opnametijd over: onbekend"));
        assert_non_null(strstr(b, "Laatste overdracht naar de kluis: nooit"));
        assert_non_null(strstr(b, "data-down=\"statuspagina niet bereikbaar\""));
        v.hours_left = 0.4;
        v.last_transfer_us = T0 - 27 * 60 * SEC; /* 10:05 local, today */
        c = status_page_render(&v, &EN, v.updated_us);
        assert_non_null(strstr(c, "Recording time left: less than 1 h"));
        assert_non_null(strstr(c, "Last transfer to the vault: 11:05"));
        v.last_transfer_us = T0 - 2 * 86400 * SEC;
        v.hours_left = 3.99; /* rounded down: never promise more */
        d = status_page_render(&v, &NL, v.updated_us);
        assert_non_null(strstr(d, "Laatste overdracht naar de kluis: 2026-11-29"));
        assert_non_null(strstr(d, "Opnametijd over: 3 uur"));
        status_view_clear(&v);
}

static void test_hostile_reason(void **state) {
        const char *const hostile[] = {HOSTILE, "a\x1b[2Jb", NULL};
        status_view v = view(ROOM_RECORDING, hostile);
        g_autofree gchar *page = status_page_render(&v, &EN, v.updated_us);
        g_autofree gchar *json = status_json_render(&v);
        g_autofree gchar *main_part = NULL;

        (void) state;
        main_part = g_strndup(strstr(page, "<main"), strstr(page, "</main>") - strstr(page, "<main"));
        assert_null(strstr(main_part, "<script"));
        assert_non_null(strstr(main_part, "&lt;script&gt;alert(1)&lt;/script&gt;\\u202e"));
        assert_null(strstr(page, "\xe2\x80\xae"));
        assert_null(strstr(page, "\x1b"));
        assert_non_null(strstr(main_part, "a\\u001b[2Jb"));
        /* The JSON keeps the reason's value, with nothing raw in it. */
        assert_null(strstr(json, "\xe2\x80\xae"));
        assert_null(strstr(json, "\x1b"));
        assert_non_null(strstr(json, "\\u202e"));
        status_view_clear(&v);
}

static void test_json_fields(void **state) {
        const char *const reasons[] = {"microphone dead", NULL};
        status_view v = view(ROOM_RECORDING, reasons);
        g_autofree gchar *json = NULL;
        g_autoptr(JsonParser) p = json_parser_new();
        g_autoptr(GList) members = NULL;
        JsonObject *o;

        (void) state;
        v.last_transfer_us = T0 - 60 * SEC;
        v.session_since_us = T0 - 20 * 60 * SEC;
        json = status_json_render(&v);
        assert_true(json_parser_load_from_data(p, json, -1, NULL));
        o = json_node_get_object(json_parser_get_root(p));
        members = json_object_get_members(o);
        assert_int_equal(g_list_length(members), 7);
        assert_string_equal(json_object_get_string_member(o, "state"), "recording");
        assert_string_equal(json_object_get_string_member(o, "since"), "2026-12-01T10:32:00Z");
        assert_string_equal(json_object_get_string_member(o, "session_since"), "2026-12-01T10:12:00Z");
        assert_string_equal(json_object_get_string_member(o, "last_transfer"), "2026-12-01T10:31:00Z");
        assert_string_equal(json_object_get_string_member(o, "updated"), "2026-12-01T10:33:00Z");
        assert_true(json_object_get_double_member(o, "hours_left") == 41.5);
        assert_string_equal(json_array_get_string_element(json_object_get_array_member(o, "attention"), 0),
                            "microphone dead");
        status_view_clear(&v);

        v = view(ROOM_FREE, NONE);
        v.hours_left = -1;
        g_free(json);
        json = status_json_render(&v);
        assert_string_equal(
                json, "{\"state\":\"free\",\"since\":\"2026-12-01T10:32:00Z\",\"session_since\":null,"
                      "\"attention\":[],"
                      "\"hours_left\":null,\"last_transfer\":null,\"updated\":\"2026-12-01T10:33:00Z\"}");
        status_view_clear(&v);
}

/* ---- the files ---- */

typedef struct files {
        gchar *dir, *state, *backlog;
} files;

static int files_setup(void **state) {
        files *f = g_new0(files, 1);
        f->dir = g_dir_make_tmp("test-status-XXXXXX", NULL);
        f->state = g_build_filename(f->dir, "state.json", NULL);
        f->backlog = g_build_filename(f->dir, "backlog.json", NULL);
        *state = f;
        return 0;
}

static int files_teardown(void **state) {
        files *f = *state;
        (void) g_unlink(f->state);
        (void) g_unlink(f->backlog);
        (void) g_rmdir(f->dir);
        g_free(f->dir);
        g_free(f->state);
        g_free(f->backlog);
        g_free(f);
        return 0;
}

static void publish_state(const files *f, room_state s, int64_t updated_us) {
        char *reasons[] = {(char *) "disk almost full", NULL};
        room_state_doc d = {.state = s,
                            .since_us = T0,
                            .updated_us = updated_us,
                            .attention = reasons,
                            .hours_left = 12};
        assert_int_equal(room_state_publish(f->state, &d), 0);
}

static void assert_recorder_down(const status_view *v) {
        assert_int_equal(v->state, ROOM_ATTENTION);
        assert_non_null(v->attention);
        assert_string_equal(v->attention[0], "recorder not running");
        assert_null(v->attention[1]);
        assert_true(v->hours_left < 0);
}

static void test_fresh_and_stale(void **state) {
        files *f = *state;
        int64_t now = T0 + 100 * SEC;
        status_view v;
        gchar *problem = NULL;

        publish_state(f, ROOM_FREE, now - 15 * SEC); /* 15 s: still fresh */
        status_view_load(f->state, (uid_t) -1, f->backlog, now, now, &v, &problem);
        assert_null(problem);
        assert_int_equal(v.state, ROOM_FREE);
        assert_string_equal(v.attention[0], "disk almost full");
        assert_true(v.hours_left == 12);
        assert_int_equal(v.last_transfer_us, STATUS_LAST_TRANSFER_UNKNOWN); /* no uploader yet */
        status_view_clear(&v);

        publish_state(f, ROOM_FREE, now - 15 * SEC - 1000000); /* 16 s: stale */
        status_view_load(f->state, (uid_t) -1, f->backlog, now, now, &v, &problem);
        assert_recorder_down(&v);
        assert_int_equal(v.since_us, now - 16 * SEC); /* its last sign of life */
        assert_non_null(strstr(problem, "last updated"));
        g_clear_pointer(&problem, g_free);
        status_view_clear(&v);

        publish_state(f, ROOM_RECORDING, now + 60 * SEC); /* from the future: not trusted either */
        status_view_load(f->state, (uid_t) -1, f->backlog, now, now, &v, NULL);
        assert_recorder_down(&v);
        status_view_clear(&v);
}

static void test_missing_and_malformed(void **state) {
        files *f = *state;
        int64_t now = T0, down = T0 - 5 * SEC;
        static const char *const bad[] = {
                "",
                "{\"state\":\"free\"}",
                ("{\"state\":\"party\",\"since\":\"2026-12-01T10:32:00Z\",\"attention\":[],"
                 "\"hours_left\":1,\"updated\":\"2026-12-01T10:32:00Z\"}"),
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                "\x01\x02garbage",
        };
        status_view v;
        gchar *problem = NULL;

        status_view_load(f->state, (uid_t) -1, f->backlog, now, down, &v, &problem);
        assert_recorder_down(&v);
        assert_int_equal(v.since_us, down);
        assert_non_null(problem);
        g_clear_pointer(&problem, g_free);
        status_view_clear(&v);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                assert_true(g_file_set_contents(f->state, bad[i], -1, NULL));
                status_view_load(f->state, (uid_t) -1, f->backlog, now, down, &v, &problem);
                assert_recorder_down(&v);
                assert_non_null(problem);
                g_clear_pointer(&problem, g_free);
                status_view_clear(&v);
        }
}

static void test_backlog_input(void **state) {
        files *f = *state;
        int64_t now = T0;
        backlog_doc b = {.vault = BACKLOG_VAULT_REACHABLE, .updated_us = now};
        status_view v;
        gchar *problem = NULL;

        publish_state(f, ROOM_FREE, now);
        assert_int_equal(backlog_publish(f->backlog, &b), 0);
        status_view_load(f->state, (uid_t) -1, f->backlog, now, now, &v, &problem);
        assert_null(problem);
        assert_int_equal(v.last_transfer_us, STATUS_LAST_TRANSFER_NEVER);
        status_view_clear(&v);
        b.last_transfer_us = T0 - G_USEC_PER_SEC;
        assert_int_equal(backlog_publish(f->backlog, &b), 0);
        status_view_load(f->state, (uid_t) -1, f->backlog, now, now, &v, NULL);
        assert_int_equal(v.last_transfer_us, T0 - G_USEC_PER_SEC);
        status_view_clear(&v);
        /* A broken backlog is "unknown" and said, but the room's state stands. */
        assert_true(g_file_set_contents(f->backlog, "{\"sessions\":-1}", -1, NULL));
        status_view_load(f->state, (uid_t) -1, f->backlog, now, now, &v, &problem);
        assert_int_equal(v.state, ROOM_FREE);
        assert_int_equal(v.last_transfer_us, STATUS_LAST_TRANSFER_UNKNOWN);
        assert_non_null(strstr(problem, "sessions"));
        g_free(problem);
        status_view_clear(&v);
}

/* The state file is read only when the recorder's user owns it: one that
 * another daemon's user planted is "recorder not running", never "Free". */
static void test_state_owner(void **state) {
        files *f = *state;
        int64_t now = T0;
        status_view v;
        gchar *problem = NULL;

        publish_state(f, ROOM_FREE, now);
        status_view_load(f->state, getuid(), f->backlog, now, now, &v, &problem);
        assert_null(problem);
        assert_int_equal(v.state, ROOM_FREE);
        status_view_clear(&v);
        status_view_load(f->state, getuid() + 1, f->backlog, now, now, &v, &problem);
        assert_recorder_down(&v);
        assert_non_null(strstr(problem, "not to the recorder's user"));
        assert_non_null(strstr(problem, "[status] state_owner"));
        g_free(problem);
        status_view_clear(&v);
}

/* ---- the Host check ---- */

static struct sockaddr_storage local_address(const char *addr) {
        struct sockaddr_storage ss = {0};
        struct sockaddr_in *in = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;

        if (inet_pton(AF_INET, addr, &in->sin_addr) == 1)
                in->sin_family = AF_INET;
        else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1)
                in6->sin6_family = AF_INET6;
        else
                fail_msg("bad test address %s", addr);
        return ss;
}

static const struct {
        const char *local, *host;
        bool allowed;
} hosts[] = {
        {"192.168.1.20", "192.168.1.20", true},
        {"192.168.1.20", "192.168.1.20:8080", true},
        {"192.168.1.20", "192.168.1.20:8081", false}, /* another port: not us */
        {"192.168.1.20", "192.168.1.21:8080", false},
        {"192.168.1.20", "studio.shelter.lan", true},
        {"192.168.1.20", "STUDIO.Shelter.LAN.:8080", true},
        {"192.168.1.20", "studio.shelter.lan:80", false},
        {"192.168.1.20", "rebind.attacker.example", false},
        {"192.168.1.20", "rebind.attacker.example:8080", false},
        {"192.168.1.20", "studio.shelter.lan.attacker.example", false},
        {"192.168.1.20", "10.0.2.15:8080", true}, /* listed in hostnames */
        {"192.168.1.20", "", false},
        {"192.168.1.20", ":8080", false},
        {"192.168.1.20", "192.168.1.20:", false},
        {"192.168.1.20", "192.168.1.20:8080x", false},
        {"192.168.1.20", "192.168.1.20:+8080", false},
        {"192.168.1.20", "[192.168.1.20]:8080", true},
        {"::ffff:127.0.0.1", "127.0.0.1:8080", true}, /* dual stack: an IPv4 client */
        {"127.0.0.1", "[::ffff:127.0.0.1]:8080", true},
        {"::1", "[::1]:8080", true},
        {"::1", "[::1]", true},
        {"::1", "::1", false}, /* not a Host form */
        {"::1", "[::1", false},
        {"::1", "[::2]:8080", false},
        {"::1", "localhost:8080", false}, /* a name only when listed */
};

static void test_host(void **state) {
        char *names[] = {"studio.shelter.lan", "10.0.2.15", NULL};

        (void) state;
        for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
                struct sockaddr_storage ss = local_address(hosts[i].local);
                if (status_host_allowed(hosts[i].host, (struct sockaddr *) &ss, 8080, names) !=
                    hosts[i].allowed)
                        fail_msg("Host: %s on %s: %s, not %s", hosts[i].host, hosts[i].local,
                                 hosts[i].allowed ? "refused" : "answered",
                                 hosts[i].allowed ? "answered" : "refused");
        }
        struct sockaddr_storage ss = local_address("127.0.0.1");
        assert_false(status_host_allowed(NULL, (struct sockaddr *) &ss, 8080, names));
        assert_true(status_host_allowed("127.0.0.1:8080", (struct sockaddr *) &ss, 8080, NULL));
        assert_false(status_host_allowed("127.0.0.1:8080", NULL, 8080, NULL));
}

/* ---- the allow-list ---- */

static bool allowed(const status_allow *a, const char *addr) {
        struct sockaddr_storage ss = {0};
        struct sockaddr_in *in = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;

        if (inet_pton(AF_INET, addr, &in->sin_addr) == 1)
                in->sin_family = AF_INET;
        else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1)
                in6->sin6_family = AF_INET6;
        else
                fail_msg("bad test address %s", addr);
        return status_allow_match(a, (struct sockaddr *) &ss);
}

static void test_allow(void **state) {
        char *entries[] = {"192.168.1.0/24", "10.0.0.5", "2001:db8:1::/48", "::1", NULL};
        g_autoptr(status_allow) a = NULL;
        struct sockaddr_un un = {.sun_family = AF_UNIX};

        (void) state;
        assert_int_equal(status_allow_new(entries, &a, NULL), 0);
        assert_true(allowed(a, "192.168.1.0"));
        assert_true(allowed(a, "192.168.1.255"));
        assert_false(allowed(a, "192.168.0.255"));
        assert_false(allowed(a, "192.168.2.0"));
        assert_true(allowed(a, "10.0.0.5"));
        assert_false(allowed(a, "10.0.0.4"));
        assert_false(allowed(a, "10.0.0.6"));
        assert_true(allowed(a, "2001:db8:1::"));
        assert_true(allowed(a, "2001:db8:1:ffff:ffff:ffff:ffff:ffff"));
        assert_false(allowed(a, "2001:db8:2::"));
        assert_false(allowed(a, "2001:db8:0:ffff:ffff:ffff:ffff:ffff"));
        assert_true(allowed(a, "::1"));
        assert_false(allowed(a, "::2"));
        /* IPv4-mapped: matched as the IPv4 address it carries. */
        assert_true(allowed(a, "::ffff:192.168.1.7"));
        assert_true(allowed(a, "::ffff:10.0.0.5"));
        assert_false(allowed(a, "::ffff:192.168.2.7"));
        assert_false(allowed(a, "127.0.0.1")); /* loopback only when listed */
        assert_false(status_allow_match(a, (struct sockaddr *) &un));
        assert_false(status_allow_match(a, NULL));
}

static void test_allow_default_and_bad(void **state) {
        char *loopback[] = {"127.0.0.0/8", "::1", NULL};
        char *bad[] = {"192.168.1.0/24", "192.168.1.0/33", NULL};
        char *garbage[] = {"\x1b[2Jnot-an-address", NULL};
        g_autoptr(status_allow) a = NULL, none = NULL, b = NULL;
        g_autofree gchar *msg = NULL, *msg2 = NULL;

        (void) state;
        assert_int_equal(status_allow_new(loopback, &a, NULL), 0);
        assert_true(allowed(a, "127.0.0.1"));
        assert_true(allowed(a, "127.255.255.255"));
        assert_true(allowed(a, "::ffff:127.0.0.1"));
        assert_false(allowed(a, "128.0.0.0"));
        assert_false(allowed(a, "192.0.2.1"));
        assert_int_equal(status_allow_new(NULL, &none, NULL), 0);
        assert_false(allowed(none, "127.0.0.1"));
        assert_int_equal(status_allow_new(bad, &b, &msg), -EINVAL);
        assert_null(b);
        assert_non_null(strstr(msg, "192.168.1.0/33"));
        assert_int_equal(status_allow_new(garbage, &b, &msg2), -EINVAL);
        assert_null(strstr(msg2, "\x1b"));
}

static void test_csp(void **state) {
        g_autofree gchar *abc = status_csp_hash("abc");
        g_autofree gchar *csp = status_csp_for_page();
        g_autofree gchar *script = status_csp_hash(status_page_script());
        g_autofree gchar *style = status_csp_hash(status_page_style());
        status_view v = view(ROOM_FREE, NONE);
        g_autofree gchar *page = status_page_render(&v, &EN, v.updated_us);
        g_autofree gchar *served_script = NULL, *served_style = NULL;

        (void) state;
        assert_string_equal(abc, "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
        assert_non_null(strstr(csp, "default-src 'none'"));
        assert_non_null(strstr(csp, "frame-ancestors 'none'"));
        assert_non_null(strstr(csp, script));
        assert_non_null(strstr(csp, style));
        assert_null(strstr(csp, "unsafe"));
        /* What is served is exactly what was hashed. */
        served_script = g_strdup_printf("<script>%s</script>", status_page_script());
        served_style = g_strdup_printf("<style>%s</style>", status_page_style());
        assert_non_null(strstr(page, served_script));
        assert_non_null(strstr(page, served_style));
        status_view_clear(&v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_headlines),
                cmocka_unit_test(test_every_reason_in_dutch),
                cmocka_unit_test(test_no_phone),
                cmocka_unit_test(test_since),
                cmocka_unit_test(test_it_line),
                cmocka_unit_test(test_room_label),
                cmocka_unit_test(test_page_lines),
                cmocka_unit_test(test_hostile_reason),
                cmocka_unit_test(test_json_fields),
                cmocka_unit_test_setup_teardown(test_fresh_and_stale, files_setup, files_teardown),
                cmocka_unit_test_setup_teardown(test_missing_and_malformed, files_setup, files_teardown),
                cmocka_unit_test_setup_teardown(test_backlog_input, files_setup, files_teardown),
                cmocka_unit_test_setup_teardown(test_state_owner, files_setup, files_teardown),
                cmocka_unit_test(test_host),
                cmocka_unit_test(test_allow),
                cmocka_unit_test(test_allow_default_and_bad),
                cmocka_unit_test(test_csp),
        };

        setenv("TZ", "Europe/Amsterdam", 1);
        tzset();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
