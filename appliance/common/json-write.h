/* Writing the small JSON documents the daemons publish (room state,
 * backlog, status.json) with json-glib, in the forms those documents
 * promise. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdint.h>

/* member = "2026-12-01T10:32:00Z" for a g_get_real_time() value; null when
 * real_us <= 0 (never, unknown). */
void json_write_time(JsonBuilder *b, const char *member, int64_t real_us);

/* member = value kept to one decimal (rounded down), or null when value is
 * below 0 or above max. json-glib writes every double with 17 digits (42.9
 * as 42.899999999999999), so this adds a placeholder that json_write_text
 * replaces with the decimal. */
void json_write_tenths(JsonBuilder *b, const char *member, double value, double max);

/* member = v; null when v is NULL. A v that is not UTF-8 (a file name, a
 * field from outside) cannot be a JSON string: it is written escaped
 * (escape_text). */
void json_write_string(JsonBuilder *b, const char *member, const char *v);
void json_write_int(JsonBuilder *b, const char *member, int64_t v);

/* The text of b's document (one line), the placeholders replaced. */
gchar *json_write_text(JsonBuilder *b);
