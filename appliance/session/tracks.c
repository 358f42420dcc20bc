/* The profile's audio tracks as the custody log names them (session.h). */
#include "session.h"

JsonArray *rec_session_tracks_from_profile(const capture_profile *p) {
        size_t n;
        const capture_track *t = capture_profile_tracks(p, &n);
        JsonArray *a = json_array_sized_new((guint) n);

        for (size_t i = 0; i < n; i++) {
                JsonObject *o = json_object_new();
                g_autofree gchar *device = capture_source_identity(t[i].source, "");

                json_object_set_string_member(o, "role", t[i].role);
                json_object_set_string_member(o, "label", t[i].label);
                json_object_set_string_member(o, "device", device);
                json_object_set_int_member(o, "channel", t[i].channel);
                if (t[i].language)
                        json_object_set_string_member(o, "language", t[i].language);
                json_object_set_boolean_member(o, "required", t[i].required);
                json_array_add_object_element(a, o);
        }
        return a;
}

JsonArray *rec_session_track_roles(JsonArray *tracks) {
        guint n = tracks ? json_array_get_length(tracks) : 0;
        JsonArray *roles = json_array_sized_new(n);

        for (guint i = 0; i < n; i++)
                json_array_add_string_element(
                        roles,
                        json_object_get_string_member(json_array_get_object_element(tracks, i), "role"));
        return roles;
}
