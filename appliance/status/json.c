/* status.json: the room's state for other programs, and nothing else (no
 * officer, session or file: they are not in the inputs either). */
#include <json-glib/json-glib.h>
#include <math.h>

#include "escape.h"
#include "status.h"

static void add_time(JsonBuilder *b, const char *member, int64_t us) {
        json_builder_set_member_name(b, member);
        if (us > 0) {
                g_autofree gchar *t = room_state_format_time(us);
                json_builder_add_string_value(b, t);
        } else {
                json_builder_add_null_value(b);
        }
}

gchar *status_json_render(const status_view *v) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        g_autofree gchar *text = NULL;
        const char *state = room_state_to_string(v->state);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, state ? state : "attention");
        add_time(b, "since", v->since_us);
        json_builder_set_member_name(b, "attention");
        json_builder_begin_array(b);
        for (char *const *p = v->attention; p && *p; p++)
                json_builder_add_string_value(b, *p);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "hours_left");
        if (v->hours_left >= 0)
                json_builder_add_double_value(b, round(v->hours_left * 10) / 10);
        else
                json_builder_add_null_value(b);
        add_time(b, "last_transfer", v->last_transfer_us);
        add_time(b, "updated", v->updated_us);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        text = json_generator_to_data(gen, NULL);
        /* Bidi overrides and separators JSON allows raw become \uXXXX. */
        return escape_json_text(text);
}
