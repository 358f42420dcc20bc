/* Showing strings that came from outside (a session folder, a request, a
 * config) without letting them act on the screen or the page: terminal
 * escape codes could redraw a TAMPERED line as "INTACT", and bidirectional
 * overrides could reorder what a court reads. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* C0 and C1 controls, DEL, bidirectional controls (U+061C, U+200E/F,
 * U+202A–U+202E, U+2066–U+2069), zero-width and line/paragraph separators
 * (U+200B–U+200D, U+2028/9, U+FEFF), and what draws nothing: the soft
 * hyphen U+00AD, the word joiner and invisible operators U+2060–U+2064,
 * variation selectors, Hangul fillers, tags U+E0000–U+E007F and the like
 * (escape.c lists them). */
bool escape_code_point_unsafe(uint32_t cp);

/* s with every unsafe code point shown as \uXXXX (\UXXXXXXXX beyond U+FFFF), every byte that is not
 * UTF-8 as \xNN and a backslash as \\, so the result is printable and
 * unambiguous (caller g_frees; NULL gives NULL). */
char *escape_text(const char *s);

/* A generated JSON text with the unsafe code points that JSON allows raw
 * inside strings (DEL, C1, bidi, separators) written as \uXXXX escapes:
 * the same JSON value, nothing raw on a terminal (caller g_frees). Its
 * input must be valid UTF-8 whose C0 controls are already escaped. */
char *escape_json_text(const char *json);
