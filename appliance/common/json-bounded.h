/* Loading JSON that came from outside (manifests, custody lines, registries,
 * state and backlog files) within documented bounds. json-glib's parser
 * recurses once per nesting level, so a document nested a hundred thousand
 * levels deep overflows the stack before anything is checked: the depth is
 * counted first, on the raw bytes, and the parser never sees such a text. */
#pragma once

#include <json-glib/json-glib.h>
#include <stddef.h>

/* No format of ours nests deeper than a few levels; 64 leaves room. */
#define JSON_DEPTH_MAX 64

/* 0 when no array or object in data nests deeper than max_depth (strings
 * and their escapes are skipped); -ELOOP when one does. Never recurses. */
int json_depth_check(const char *data, size_t len, unsigned max_depth);

/* 0 when no string in data holds the escape \u0000; -EBADMSG when one
 * does (json-glib's strings are C strings: the rest would be cut off). */
int json_nul_escape_check(const char *data, size_t len);

/* Loads data into parser after checking its size (at most max_len bytes,
 * -EFBIG), that it holds no NUL byte, raw or as \u0000 in a string
 * (-EBADMSG), and its depth (JSON_DEPTH_MAX, -ELOOP),
 * and that it parses (-EBADMSG). On failure *ret_message (optional, caller
 * g_frees) says what is wrong in words. */
int json_load_bounded(JsonParser *parser, const char *data, size_t len, size_t max_len, char **ret_message);
