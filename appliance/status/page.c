/* The status page: one large line of words on a colour, readable across a
 * corridor, in the configured language: for staff only (free, in session,
 * on a break, attention with the number to call); police IT's warnings on
 * one small line below. The words are in the HTML itself
 * (works without JavaScript); the one inline script only swaps <main> for
 * a fresh copy every 5 s, so the words live only here. */
#include <math.h>
#include <string.h>

#include "escape.h"
#include "room-reasons.h"
#include "status.h"

typedef struct words {
        const char *lang, *title, *free, *session, *brk, *attention, *attention_no_phone, *fault,
                *fault_no_phone, *session_since, *in_use_since, *break_since, *for_it, *hours,
                *hours_unknown, *hours_below_one, *hours_unit, *transfer, *never, *unknown, *unreachable;
} words;

/* The headline is one of four, for staff only: free, in session, on a
 * break, or attention with the number to call. "%s" in attention is the
 * phone number; in fault the blocking reasons, then the number; in the
 * *_since lines the time; in for_it the police-IT warnings. */
static const words EN = {
        .lang = "en",
        .title = "Studio status",
        .free = "Free",
        .session = "In session — do not enter",
        .brk = "On a break — do not enter",
        .attention = "Attention — call police IT on %s",
        .attention_no_phone = "Attention — call police IT",
        .fault = "Attention: %s — call police IT on %s",
        .fault_no_phone = "Attention: %s — call police IT",
        .session_since = "In session since %s",
        .in_use_since = "In use since %s",
        .break_since = "On a break since %s",
        .for_it = "For police IT: %s",
        .hours = "Recording time left: ",
        .hours_unknown = "unknown",
        .hours_below_one = "less than 1 h",
        .hours_unit = " h",
        .transfer = "Last transfer to the vault: ",
        .never = "never",
        .unknown = "unknown",
        .unreachable = "status page not reachable",
};

static const words NL = {
        .lang = "nl",
        .title = "Status studio",
        .free = "Vrij",
        .session = "In gesprek — niet binnengaan",
        .brk = "Pauze — niet binnengaan",
        .attention = "Let op — bel de politie-ICT op %s",
        .attention_no_phone = "Let op — bel de politie-ICT",
        .fault = "Let op: %s — bel de politie-ICT op %s",
        .fault_no_phone = "Let op: %s — bel de politie-ICT",
        .session_since = "In gesprek sinds %s",
        .in_use_since = "In gebruik sinds %s",
        .break_since = "Pauze sinds %s",
        .for_it = "Voor de politie-ICT: %s",
        .hours = "Opnametijd over: ",
        .hours_unknown = "onbekend",
        .hours_below_one = "minder dan 1 uur",
        .hours_unit = " uur",
        .transfer = "Laatste overdracht naar de kluis: ",
        .never = "nooit",
        .unknown = "onbekend",
        .unreachable = "statuspagina niet bereikbaar",
};

static const words *words_for(const char *language) {
        return language && strcmp(language, "nl") == 0 ? &NL : &EN;
}

static bool in_session(room_state s) {
        return s == ROOM_RECORDING || s == ROOM_STOPPING || s == ROOM_IDENTIFYING || s == ROOM_READY;
}

/* The CSS class (colour) of each state. */
static const char *state_class(room_state s, bool blocked) {
        if (in_session(s))
                return "s-busy";
        if (s == ROOM_BREAK)
                return "s-break";
        if (s == ROOM_FREE && !blocked)
                return "s-free";
        return "s-attention";
}

/* HH:MM in the appliance's time zone, or the date when not today. */
static gchar *local_time(int64_t us, int64_t now_us, bool date_if_not_today) {
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(us / G_USEC_PER_SEC);
        g_autoptr(GDateTime) now = g_date_time_new_from_unix_local(now_us / G_USEC_PER_SEC);

        if (!t || !now)
                return g_strdup("--:--");
        if (date_if_not_today && (g_date_time_get_year(t) != g_date_time_get_year(now) ||
                                  g_date_time_get_day_of_year(t) != g_date_time_get_day_of_year(now)))
                return g_date_time_format(t, "%Y-%m-%d");
        return g_date_time_format(t, "%H:%M");
}

/* The reasons of one kind (police-IT warnings or not) in the language,
 * joined; unknown ones as they are (never IT warnings: nothing is hidden
 * from the headline), with controls and bidi overrides made visible. */
static gchar *reasons_text(char *const *attention, const char *language, bool it) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (char *const *p = attention; p && *p; p++) {
                if (room_reason_is_it_warning(*p) != it)
                        continue;
                g_autofree gchar *shown = escape_text(room_reason_translate(*p, language));
                g_string_append_printf(s, "%s%s", s->len ? ", " : "", shown);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static const char *phone(const status_page_settings *ps) {
        return ps && ps->contact_phone && *ps->contact_phone ? ps->contact_phone : NULL;
}

static const char *lang(const status_page_settings *ps) {
        return ps ? ps->language : NULL;
}

/* Whether the room needs police IT before it can record: its state says
 * so, or a reason that is not an IT warning stands outside a session. */
static bool needs_attention(const status_view *v, const char *blocking) {
        if (v->state == ROOM_FREE)
                return *blocking != '\0';
        return !in_session(v->state) && v->state != ROOM_BREAK;
}

gchar *status_page_headline(const status_view *v, const status_page_settings *ps) {
        const words *w = words_for(lang(ps));
        g_autofree gchar *blocking = reasons_text(v->attention, w->lang, false);
        g_autofree gchar *number = phone(ps) ? escape_text(phone(ps)) : NULL;

        if (needs_attention(v, blocking))
                return number ? g_strdup_printf(w->attention, number) : g_strdup(w->attention_no_phone);
        if (v->state == ROOM_BREAK)
                return g_strdup(w->brk);
        if (v->state == ROOM_FREE)
                return g_strdup(w->free);
        return g_strdup(w->session);
}

gchar *status_page_alert(const status_view *v, const status_page_settings *ps) {
        const words *w = words_for(lang(ps));
        g_autofree gchar *blocking = reasons_text(v->attention, w->lang, false);
        g_autofree gchar *number = phone(ps) ? escape_text(phone(ps)) : NULL;

        /* one wording for a room that is not provisioned, whatever it lacks
         * (what it lacks is on the police-IT line) */
        if (v->state == ROOM_UNPROVISIONED)
                return escape_text(room_reason_words(REASON_NOT_PROVISIONED, w->lang));
        if (!*blocking)
                return NULL;
        if (needs_attention(v, blocking))
                return g_steal_pointer(&blocking);
        /* a fault in a session: staff must not enter, and police IT is needed */
        return number ? g_strdup_printf(w->fault, blocking, number)
                      : g_strdup_printf(w->fault_no_phone, blocking);
}

gchar *status_page_since(const status_view *v, const status_page_settings *ps) {
        const words *w = words_for(lang(ps));
        int64_t session = v->session_since_us > 0 ? v->session_since_us : v->since_us;
        g_autofree gchar *since = local_time(v->since_us, v->updated_us, false);
        g_autofree gchar *start = local_time(session, v->updated_us, false);

        switch (v->state) {
        case ROOM_RECORDING:
        case ROOM_STOPPING:
                return g_strdup_printf(w->session_since, start);
        case ROOM_IDENTIFYING:
        case ROOM_READY:
                return g_strdup_printf(w->in_use_since, since);
        case ROOM_BREAK: {
                g_autofree gchar *brk = g_strdup_printf(w->break_since, since);
                g_autofree gchar *ses = g_strdup_printf(w->session_since, start);
                /* the session's start too: a break does not begin a session */
                return v->session_since_us > 0 ? g_strdup_printf("%s · %s", brk, ses)
                                               : g_steal_pointer(&brk);
        }
        default:
                return NULL;
        }
}

gchar *status_page_it_line(const status_view *v, const status_page_settings *ps) {
        const words *w = words_for(lang(ps));
        g_autofree gchar *it = reasons_text(v->attention, w->lang, true);

        return *it ? g_strdup_printf(w->for_it, it) : NULL;
}

static gchar *hours_text(double hours, const words *w) {
        if (hours < 0)
                return g_strdup(w->hours_unknown);
        if (hours < 1)
                return g_strdup(w->hours_below_one);
        /* Rounded down: staff plan by it, so never promise more. */
        return g_strdup_printf("%.0f%s", floor(hours), w->hours_unit);
}

static gchar *transfer_text(int64_t us, int64_t now_us, const words *w) {
        if (us == STATUS_LAST_TRANSFER_UNKNOWN)
                return g_strdup(w->unknown);
        if (us == STATUS_LAST_TRANSFER_NEVER)
                return g_strdup(w->never);
        return local_time(us, now_us, true);
}

/* Kept exactly as served: the CSP allows them by their SHA-256. After 15 s
 * without an answer the last state is no longer shown (it may be wrong). */
static const char SCRIPT[] =
        "(function(){var ok=Date.now();"
        "function down(){if(Date.now()-ok<15000)return;var m=document.querySelector('main');"
        "var h=document.createElement('h1');h.textContent=document.body.dataset.down;"
        "m.className='s-down';m.replaceChildren(h);}"
        "setInterval(function(){fetch('/',{cache:'no-store'}).then(function(r){if(!r.ok)throw 0;"
        "return r.text();}).then(function(t){var n=new DOMParser().parseFromString(t,'text/html')"
        ".querySelector('main');if(!n)throw 0;document.querySelector('main').replaceWith("
        "document.adoptNode(n));ok=Date.now();}).catch(down);},5000);})();";

static const char STYLE[] =
        "html,body{margin:0;height:100%;font-family:sans-serif}"
        "main{box-sizing:border-box;min-height:100vh;padding:4vh 5vw;display:flex;flex-direction:column;"
        "justify-content:center;color:#fff}"
        "h1{font-size:clamp(2rem,8vw,7rem);line-height:1.15;margin:0 0 4vh;overflow-wrap:anywhere}"
        "h2{font-size:clamp(1.5rem,5vw,4rem);line-height:1.15;margin:0 0 3vh;overflow-wrap:anywhere}"
        "p{font-size:clamp(1rem,3.2vw,2.4rem);margin:0.4em 0}p.room,p.it{font-size:clamp(0.8rem,2vw,1.4rem)}"
        ".s-free{background:#17693a}.s-busy{background:#b3261e}.s-break{background:#1f4e9c}"
        ".s-attention{background:#f0a500;color:#000}.s-down{background:#555}";

const char *status_page_script(void) {
        return SCRIPT;
}

const char *status_page_style(void) {
        return STYLE;
}

/* "<p class=CLASS>TEXT</p>" with TEXT HTML-escaped, or "" for NULL. */
static gchar *para(const char *cls, const char *text) {
        g_autofree gchar *h = text ? g_markup_escape_text(text, -1) : NULL;

        return h ? g_strdup_printf("<p class=\"%s\">%s</p>", cls, h) : g_strdup("");
}

gchar *status_page_render(const status_view *v, const status_page_settings *ps, int64_t now_us) {
        const words *w = words_for(lang(ps));
        g_autofree gchar *headline = status_page_headline(v, ps);
        g_autofree gchar *h = g_markup_escape_text(headline, -1);
        g_autofree gchar *alert = status_page_alert(v, ps);
        g_autofree gchar *alert_html = alert ? g_markup_escape_text(alert, -1) : NULL;
        g_autofree gchar *since = status_page_since(v, ps);
        g_autofree gchar *it = status_page_it_line(v, ps);
        g_autofree gchar *label = ps && ps->room_label ? escape_text(ps->room_label) : NULL;
        g_autofree gchar *room = para("room", label);
        g_autofree gchar *since_p = para("since", since);
        g_autofree gchar *it_p = para("it", it);
        g_autofree gchar *title = label ? g_strdup_printf("%s — %s", w->title, label) : g_strdup(w->title);
        g_autofree gchar *title_html = g_markup_escape_text(title, -1);
        g_autofree gchar *hours = hours_text(v->hours_left, w);
        g_autofree gchar *transfer = transfer_text(v->last_transfer_us, now_us, w);
        g_autofree gchar *blocking = reasons_text(v->attention, w->lang, false);
        const char *state = room_state_to_string(v->state);

        /* Every string below is ours or escaped here. */
        return g_strdup_printf("<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                               "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                               "<title>%s</title><style>%s</style></head>"
                               "<body data-down=\"%s\"><main class=\"%s\" data-state=\"%s\">%s<h1>%s</h1>"
                               "%s%s%s%s<p>%s%s</p><p>%s%s</p>%s</main><script>%s</script></body></html>\n",
                               w->lang, title_html, STYLE, w->unreachable, state_class(v->state, *blocking),
                               state ? state : "attention", room, h, alert_html ? "<h2>" : "",
                               alert_html ? alert_html : "", alert_html ? "</h2>" : "", since_p, w->hours,
                               hours, w->transfer, transfer, it_p, SCRIPT);
}
