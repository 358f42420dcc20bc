/* The status page: one large line of words on a colour, readable across a
 * corridor, in the configured language. The words are in the HTML itself
 * (works without JavaScript); the one inline script only swaps <main> for
 * a fresh copy every 5 s, so the words live only here. */
#include <math.h>
#include <string.h>

#include "escape.h"
#include "room-reasons.h"
#include "status.h"

typedef struct words {
        const char *lang, *title, *free, *session, *in_use, *brk, *attention, *attention_none, *suffix,
                *hours, *hours_unknown, *hours_below_one, *hours_unit, *transfer, *never, *unknown,
                *unreachable;
} words;

/* "%s" in session/in_use/brk is the time; in attention the reasons. */
static const words EN = {
        .lang = "en",
        .title = "Studio status",
        .free = "Free",
        .session = "In session since %s",
        .in_use = "In use since %s",
        .brk = "On a break since %s",
        .attention = "Attention: %s — call police IT",
        .attention_none = "Attention — call police IT",
        .suffix = " — attention: %s",
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
        .session = "In gesprek sinds %s",
        .in_use = "In gebruik sinds %s",
        .brk = "Pauze sinds %s",
        .attention = "Let op: %s — bel de politie-ICT",
        .attention_none = "Let op — bel de politie-ICT",
        .suffix = " — let op: %s",
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

/* The CSS class (colour) of each state. */
static const char *state_class(room_state s) {
        switch (s) {
        case ROOM_FREE:
                return "s-free";
        case ROOM_RECORDING:
        case ROOM_STOPPING:
        case ROOM_IDENTIFYING:
        case ROOM_READY:
                return "s-busy";
        case ROOM_BREAK:
                return "s-break";
        default:
                return "s-attention";
        }
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

/* The reasons in the language, joined; unknown ones as they are, with
 * controls and bidi overrides made visible (escape_text). */
static gchar *reasons_text(char *const *attention, const char *language) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (char *const *p = attention; p && *p; p++) {
                g_autofree gchar *shown = escape_text(room_reason_translate(*p, language));
                g_string_append_printf(s, "%s%s", s->len ? ", " : "", shown);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}

gchar *status_page_headline(const status_view *v, const char *language) {
        const words *w = words_for(language);
        g_autofree gchar *since = local_time(v->since_us, v->updated_us, false);
        g_autofree gchar *reasons = reasons_text(v->attention, w->lang);
        g_autofree gchar *base = NULL;
        bool has_reasons = v->attention && v->attention[0];

        switch (v->state) {
        case ROOM_FREE:
                base = g_strdup(w->free);
                break;
        case ROOM_RECORDING:
        case ROOM_STOPPING:
                base = g_strdup_printf(w->session, since);
                break;
        case ROOM_IDENTIFYING:
        case ROOM_READY:
                base = g_strdup_printf(w->in_use, since);
                break;
        case ROOM_BREAK:
                base = g_strdup_printf(w->brk, since);
                break;
        case ROOM_UNPROVISIONED:
                if (!has_reasons) {
                        g_autofree gchar *np =
                                escape_text(room_reason_translate(REASON_NOT_PROVISIONED, w->lang));
                        return g_strdup_printf(w->attention, np);
                }
                return g_strdup_printf(w->attention, reasons);
        default:
                return has_reasons ? g_strdup_printf(w->attention, reasons) : g_strdup(w->attention_none);
        }
        if (!has_reasons)
                return g_steal_pointer(&base);
        g_autofree gchar *suffix = g_strdup_printf(w->suffix, reasons);
        return g_strconcat(base, suffix, NULL);
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
        "p{font-size:clamp(1rem,3.2vw,2.4rem);margin:0.4em 0}"
        ".s-free{background:#17693a}.s-busy{background:#b3261e}.s-break{background:#1f4e9c}"
        ".s-attention{background:#f0a500;color:#000}.s-down{background:#555}";

const char *status_page_script(void) {
        return SCRIPT;
}

const char *status_page_style(void) {
        return STYLE;
}

gchar *status_page_render(const status_view *v, const char *language, int64_t now_us) {
        const words *w = words_for(language);
        g_autofree gchar *headline = status_page_headline(v, w->lang);
        g_autofree gchar *h = g_markup_escape_text(headline, -1);
        g_autofree gchar *hours = hours_text(v->hours_left, w);
        g_autofree gchar *transfer = transfer_text(v->last_transfer_us, now_us, w);

        /* Every string below is ours or already escaped (h). */
        return g_strdup_printf("<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                               "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                               "<title>%s</title><style>%s</style></head>"
                               "<body data-down=\"%s\"><main class=\"%s\" data-state=\"%s\"><h1>%s</h1>"
                               "<p>%s%s</p><p>%s%s</p></main><script>%s</script></body></html>\n",
                               w->lang, w->title, STYLE, w->unreachable, state_class(v->state),
                               room_state_to_string(v->state), h, w->hours, hours, w->transfer, transfer,
                               SCRIPT);
}
