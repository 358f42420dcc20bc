/* verification.txt and verification.json beside the working copy: the
 * verifier's own reports, then what export made of each segment; with
 * --no-verify a report whose first line says that custody was not checked. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "session.h"

static const char not_verified[] = "NOT VERIFIED: decrypted with the vault identity, but custody was not "
                                   "checked (studio-export --no-verify)";

static const char *result_text(int code) {
        switch (code) {
        case EXPORT_EXIT_WHOLE:
                return "every segment decrypted whole";
        case EXPORT_EXIT_SALVAGED:
                return "salvaged: complete segments whole, the authentic prefix of a cut one as "
                       "NAME.salvaged.mkv";
        default:
                return "no media was kept";
        }
}

static const char *item_state(const export_item *it) {
        return it->whole ? "whole" : it->salvaged ? "salvaged" : "FAILED";
}

static void item_text(GString *t, const export_session *s, const export_item *it) {
        g_string_append_printf(t, "  %-20s %-9s", it->name, item_state(it));
        if (it->whole)
                g_string_append_printf(t, "%s  plaintext %s%s\n", it->output, it->sha,
                                       it->want_sha ? " (as the manifest says)" : "");
        else if (it->salvaged) {
                g_autofree char *after = export_unverifiable_words(s, it);
                g_string_append_printf(t, "%s  %" G_GUINT64_FORMAT " authentic bytes, plaintext %s; %s\n",
                                       it->output, it->res.plaintext_bytes, it->sha, after);
        } else
                g_string_append_printf(t, "%s\n", it->problem ? it->problem : "not decrypted");
}

char *export_unverifiable_words(const export_session *s, const export_item *it) {
        /* the verifier's sentence, from the signed checkpoints: the count
         * studio-verify prints for this session, worked out in one place */
        if (s->verified && s->c.truncated_summary)
                return g_strdup(s->c.truncated_summary);
        return g_strdup_printf("%" G_GUINT64_FORMAT " bytes after them unverifiable (custody not checked: "
                               "the signed checkpoints were not read)",
                               it->res.unverifiable_bytes);
}

char *export_verifier_text(const verify_ctx *c) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        g_autofree char *copy = NULL;

        if (!f)
                return g_strdup("(the verifier's report could not be rendered)\n");
        verify_report_text(c, f);
        (void) fclose(f);
        copy = g_strndup(buf, len);
        free(buf);
        return g_steal_pointer(&copy);
}

char *export_report_text(const export_session *s, size_t *ret_len) {
        GString *t = g_string_new(NULL);
        g_autofree char *dir = export_escape(s->dir),
                        *refused = s->refused ? export_escape(s->refused) : NULL;

        if (s->verified)
                g_string_append(t, s->verifier_text ? s->verifier_text : "");
        else if (s->refused && !s->opt->no_verify)
                g_string_append_printf(
                        t, "REFUSED: %s: nothing was verified or decrypted\n\nSession folder  %s\n", refused,
                        dir);
        else
                g_string_append_printf(t, "%s\n\nSession folder  %s\nSegments from   %s\n", not_verified,
                                       dir, s->source ? s->source : "-");
        if (s->refused)
                g_string_append_printf(
                        t,
                        "Refused         %s: studio-export reads only the session's own regular "
                        "files; fetch the vault copy of the session again\n",
                        refused);
        g_string_append(t, "\nWorking copy (studio-export)\n");
        if (s->n_items == 0)
                g_string_append_printf(t, "  nothing decrypted%s\n",
                                       s->verified && s->c.verdict != VERIFY_INTACT &&
                                                       !(s->c.verdict == VERIFY_TRUNCATED && s->opt->salvage)
                                               ? ": the verdict does not allow it"
                                               : "");
        for (size_t i = 0; i < s->n_items; i++)
                item_text(t, s, &s->items[i]);
        if (s->sums_problem)
                g_string_append_printf(t, "  %s\n", s->sums_problem);
        g_string_append_printf(t, "Result    exit %d: %s\n", s->exit_code, result_text(s->exit_code));
        *ret_len = t->len;
        return g_string_free(t, FALSE);
}

static char *verifier_json(const verify_ctx *c, size_t *ret_len) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        g_autofree char *copy = NULL;

        if (!f)
                return NULL;
        verify_report_json(c, f);
        (void) fclose(f);
        copy = g_strndup(buf, len);
        free(buf);
        *ret_len = len;
        return g_steal_pointer(&copy);
}

/* One segment of the working copy: its output and plaintext hash, or why
 * it was not decrypted. */
static void item_json(JsonBuilder *b, const export_item *it) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, it->name);
        json_builder_set_member_name(b, "result");
        json_builder_add_string_value(b, item_state(it));
        if (it->whole || it->salvaged) {
                json_builder_set_member_name(b, "output");
                json_builder_add_string_value(b, it->output);
                json_builder_set_member_name(b, "plaintext_sha256");
                json_builder_add_string_value(b, it->sha);
                json_builder_set_member_name(b, "plaintext_bytes");
                json_builder_add_int_value(b, (gint64) it->res.plaintext_bytes);
        } else {
                json_builder_set_member_name(b, "problem");
                json_builder_add_string_value(b, it->problem ? it->problem : "not decrypted");
        }
        json_builder_end_object(b);
}

char *export_report_json(const export_session *s, size_t *ret_len) {
        g_autoptr(JsonBuilder) b = NULL;
        g_autoptr(JsonGenerator) gen = NULL;
        g_autoptr(JsonNode) root = NULL;
        char *text;
        gsize len = 0;

        if (s->verified && (text = verifier_json(&s->c, ret_len)))
                return text;
        b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "verdict");
        json_builder_add_string_value(b, s->opt->no_verify ? "NOT VERIFIED" : "REFUSED");
        json_builder_set_member_name(b, "custody_checked");
        json_builder_add_boolean_value(b, FALSE);
        json_builder_set_member_name(b, "summary");
        json_builder_add_string_value(b, s->opt->no_verify ? not_verified
                                                           : "nothing was verified or decrypted");
        if (s->refused) {
                g_autofree char *refused = export_escape(s->refused);
                json_builder_set_member_name(b, "refused");
                json_builder_add_string_value(b, refused);
        }
        json_builder_set_member_name(b, "segments_from");
        json_builder_add_string_value(b, s->source ? s->source : "");
        json_builder_set_member_name(b, "segments");
        json_builder_begin_array(b);
        for (size_t i = 0; i < s->n_items; i++)
                item_json(b, &s->items[i]);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "exit");
        json_builder_add_int_value(b, s->exit_code);
        json_builder_end_object(b);
        gen = json_generator_new();
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, TRUE);
        text = json_generator_to_data(gen, &len);
        g_autofree char *withnl = g_strconcat(text, "\n", NULL);
        g_free(text);
        *ret_len = len + 1;
        return g_steal_pointer(&withnl);
}
