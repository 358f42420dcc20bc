/* studio-verify --chain DIR…: a device's sessions checked as one chain.
 * Each session is verified on its own; then, in the order they were
 * recorded, each one's first custody entry must link to the last entry of
 * the one before (the device chain, docs/session-format.md). A session
 * that links to nothing in the set is a gap (a session is missing: the
 * chain is INCOMPLETE); two sessions that link to the same entry are a fork
 * (one of them does not belong in this device's history: TAMPERED). */
#include <string.h>

#include "custody.h"
#include "escape.h"
#include "verify.h"

typedef struct member {
        char *dir, *session, *started, *summary;
        verify_verdict verdict;
        bool has_log;
        char first_prev[SHA256_HEX_LEN + 1], last_hash[SHA256_HEX_LEN + 1];
} member;

typedef struct link_finding {
        verify_verdict verdict;
        bool warning;
        char *text;
} link_finding;

static void member_clear(gpointer p) {
        member *m = p;
        g_free(m->dir), g_free(m->session), g_free(m->started), g_free(m->summary);
}

static void finding_clear(gpointer p) {
        g_free(((link_finding *) p)->text);
}

/* One session, verified as studio-verify DIR would; -errno and the
 * verifier's message on a usage error. */
static int check_member(const verify_options *o, const char *dir, member *ret, char **ret_message) {
        verify_options one = *o;
        verify_ctx c;
        int r;

        one.dir = dir;
        one.media = NULL, one.n_media = 0;
        verify_ctx_init(&c, &one);
        r = verify_run(&c);
        if (r < 0) {
                *ret_message = g_strdup(c.error ? c.error : g_strerror(-r));
                verify_ctx_done(&c);
                return r;
        }
        *ret = (member){.dir = g_strdup(dir), .verdict = c.verdict, .summary = verify_summary(&c)};
        ret->session = g_strdup(c.m ? c.m->session : "?");
        ret->started = g_strdup(c.m && *c.m->started_utc ? c.m->started_utc
                                : c.start_utc            ? c.start_utc
                                                         : "");
        ret->has_log = c.log.entries > 0;
        memcpy(ret->first_prev, c.log.first_prev, sizeof(ret->first_prev));
        memcpy(ret->last_hash, c.log.last_hash, sizeof(ret->last_hash));
        verify_ctx_done(&c);
        return 0;
}

static gint by_start(gconstpointer a, gconstpointer b) {
        const member *x = a, *y = b;
        int r = strcmp(x->started, y->started);
        return r ? r : strcmp(x->session, y->session);
}

static void add_finding(GArray *f, verify_verdict v, bool warning, char *text) {
        link_finding x = {.verdict = v, .warning = warning, .text = text};
        g_array_append_val(f, x);
}

static void check_forks(GArray *m, GArray *f) {
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        for (guint i = 0; i < m->len; i++) {
                member *x = &g_array_index(m, member, i);
                member *y = x->has_log ? g_hash_table_lookup(seen, x->first_prev) : NULL;
                if (y)
                        add_finding(f, VERIFY_TAMPERED, false,
                                    g_strdup_printf("sessions %s and %s both follow custody entry %s: the "
                                                    "device chain forks, so one of them is not part of this "
                                                    "device's history as recorded",
                                                    y->session, x->session, x->first_prev));
                else if (x->has_log)
                        g_hash_table_insert(seen, x->first_prev, x);
        }
}

static void check_links(GArray *m, GArray *f) {
        for (guint i = 0; i < m->len; i++) {
                member *x = &g_array_index(m, member, i);
                if (!x->has_log)
                        continue;
                if (i == 0) {
                        bool first_ever = strspn(x->first_prev, "0") == SHA256_HEX_LEN;
                        add_finding(f, VERIFY_INTACT, true,
                                    first_ever
                                            ? g_strdup_printf("%s is the device's first session", x->session)
                                            : g_strdup_printf("the chain continues from a session before %s "
                                                              "(its entry %s), which was not given",
                                                              x->session, x->first_prev));
                        continue;
                }
                member *p = &g_array_index(m, member, i - 1);
                if (p->has_log && strcmp(x->first_prev, p->last_hash) == 0)
                        continue;
                add_finding(
                        f, VERIFY_INCOMPLETE, false,
                        g_strdup_printf("%s does not follow %s, the session recorded before it: its first "
                                        "entry links to %s, but %s ends with %s; a session is missing "
                                        "between them",
                                        x->session, p->session, x->first_prev, p->session, p->last_hash));
        }
}

static verify_verdict overall(GArray *m, GArray *f, char **ret_summary) {
        verify_verdict v = VERIFY_INTACT;
        const char *why = NULL;

        for (guint i = 0; i < f->len; i++)
                v = MAX(v, g_array_index(f, link_finding, i).verdict);
        for (guint i = 0; i < m->len; i++)
                v = MAX(v, g_array_index(m, member, i).verdict);
        for (guint i = 0; i < f->len && !why; i++)
                if (g_array_index(f, link_finding, i).verdict == v &&
                    !g_array_index(f, link_finding, i).warning)
                        why = g_array_index(f, link_finding, i).text;
        for (guint i = 0; i < m->len && !why; i++) {
                member *x = &g_array_index(m, member, i);
                if (x->verdict == v && v != VERIFY_INTACT) {
                        *ret_summary = g_strdup_printf("session %s: %s", x->session, x->summary);
                        return v;
                }
        }
        *ret_summary =
                why ? g_strdup(why)
                    : g_strdup_printf("%u sessions, each intact and following the one before", m->len);
        return v;
}

static void chain_text(GArray *m, GArray *f, verify_verdict v, const char *summary) {
        g_autofree char *s = escape_text(summary);

        printf("%s: %s\n\nSessions, in recording order\n", verify_verdict_to_string(v), s);
        for (guint i = 0; i < m->len; i++) {
                member *x = &g_array_index(m, member, i);
                g_autofree char *dir = escape_text(x->dir), *sum = escape_text(x->summary);
                g_autofree char *id = escape_text(x->session), *at = escape_text(x->started);
                printf("  %-13s %s  started %s  (%s)\n  %-13s %s\n", verify_verdict_to_string(x->verdict),
                       id, *at ? at : "-", dir, "", sum);
        }
        printf("\nChain\n");
        for (guint i = 0; i < f->len; i++) {
                link_finding *x = &g_array_index(f, link_finding, i);
                g_autofree char *t = escape_text(x->text);
                printf("  %-13s %s\n", x->warning ? "note" : verify_verdict_to_string(x->verdict), t);
        }
        if (f->len == 0)
                printf("  every session follows the one before\n");
        printf("\nstudio-verify %s\n", STUDIO_VERSION);
}

static void chain_json(GArray *m, GArray *f, verify_verdict v, const char *summary) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "verdict");
        json_builder_add_string_value(b, verify_verdict_to_string(v));
        json_builder_set_member_name(b, "exit_code");
        json_builder_add_int_value(b, verify_verdict_exit_code(v));
        json_builder_set_member_name(b, "summary");
        json_builder_add_string_value(b, summary);
        json_builder_set_member_name(b, "sessions");
        json_builder_begin_array(b);
        for (guint i = 0; i < m->len; i++) {
                member *x = &g_array_index(m, member, i);
                const char *kv[][2] = {{"folder", x->dir},
                                       {"session", x->session},
                                       {"started_utc", x->started},
                                       {"verdict", verify_verdict_to_string(x->verdict)},
                                       {"summary", x->summary},
                                       {"first_prev", x->first_prev},
                                       {"last_line_sha256", x->last_hash}};
                json_builder_begin_object(b);
                for (size_t k = 0; k < G_N_ELEMENTS(kv); k++) {
                        g_autofree char *safe =
                                g_utf8_validate(kv[k][1], -1, NULL) ? NULL : escape_text(kv[k][1]);
                        json_builder_set_member_name(b, kv[k][0]);
                        json_builder_add_string_value(b, safe ? safe : kv[k][1]);
                }
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_set_member_name(b, "chain_findings");
        json_builder_begin_array(b);
        for (guint i = 0; i < f->len; i++) {
                link_finding *x = &g_array_index(f, link_finding, i);
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "verdict");
                json_builder_add_string_value(b, x->warning ? "NOTE" : verify_verdict_to_string(x->verdict));
                json_builder_set_member_name(b, "text");
                json_builder_add_string_value(b, x->text);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, TRUE);
        g_autofree char *text = json_generator_to_data(gen, NULL);
        g_autofree char *safe = escape_json_text(text);
        printf("%s\n", safe);
}

int verify_chain_main(const verify_options *o, char **dirs, size_t n, char **ret_message) {
        g_autoptr(GArray) m = g_array_new(FALSE, TRUE, sizeof(member));
        g_autoptr(GArray) f = g_array_new(FALSE, TRUE, sizeof(link_finding));
        g_autofree char *summary = NULL;
        verify_verdict v;

        g_array_set_clear_func(m, member_clear);
        g_array_set_clear_func(f, finding_clear);
        for (size_t i = 0; i < n; i++) {
                member x;
                int r = check_member(o, dirs[i], &x, ret_message);
                if (r < 0)
                        return r;
                g_array_append_val(m, x);
        }
        g_array_sort(m, by_start);
        check_forks(m, f);
        check_links(m, f);
        v = overall(m, f, &summary);
        if (o->json)
                chain_json(m, f, v, summary);
        else
                chain_text(m, f, v, summary);
        return verify_verdict_exit_code(v);
}
