/* status.json: the room's state for other programs, and nothing else (no
 * officer, session or file: they are not in the inputs either). */
#include <json-glib/json-glib.h>

#include "escape.h"
#include "json-write.h"
#include "status.h"

gchar *status_json_render(const status_view *v) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree gchar *text = NULL;
        const char *state = room_state_to_string(v->state);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, state ? state : "attention");
        json_write_time(b, "since", v->since_us);
        json_write_time(b, "session_since", v->session_since_us);
        json_builder_set_member_name(b, "attention");
        json_builder_begin_array(b);
        for (char *const *p = v->attention; p && *p; p++)
                json_builder_add_string_value(b, *p);
        json_builder_end_array(b);
        json_write_tenths(b, "hours_left", v->hours_left, ROOM_HOURS_LEFT_MAX);
        json_write_time(b, "last_transfer", v->last_transfer_us);
        json_write_time(b, "updated", v->updated_us);
        json_builder_end_object(b);
        text = json_write_text(b);
        /* Bidi overrides and separators JSON allows raw become \uXXXX. */
        return escape_json_text(text);
}
