/* Reading a custody log back: bounded, strict, with the line number of the
 * first fault. Signatures and the chain are checked by the caller. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"
#include "fsutil.h"
#include "json-bounded.h"

typedef struct parse_state {
        JsonParser *parser;
        JsonGenerator *gen;
        custody_parsed_log *log;
        char err[200];
} parse_state;

static const char *const head_names[] = {"seq", "utc", "mono_ns", "event"};

static bool member_order_ok(JsonObject *o) {
        JsonObjectIter it;
        const char *name;
        JsonNode *node;
        guint i = 0, n = json_object_get_size(o);

        if (n < 6)
                return false;
        json_object_iter_init_ordered(&it, o);
        while (json_object_iter_next_ordered(&it, &name, &node)) {
                if (i < 4 && strcmp(name, head_names[i]) != 0)
                        return false;
                if (i == n - 2 && strcmp(name, "prev") != 0)
                        return false;
                if (i == n - 1 && strcmp(name, "sig") != 0)
                        return false;
                i++;
        }
        return true;
}

static bool is_int(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
}

static bool is_str(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

/* The line must be exactly what json-glib writes for its own object: no
 * duplicate members, no other spacing or escaping. */
static bool canonical(parse_state *st, JsonNode *root, const char *line, size_t len) {
        g_autofree char *text = NULL;
        gsize n = 0;

        json_generator_set_root(st->gen, root);
        text = json_generator_to_data(st->gen, &n);
        return n == len && memcmp(text, line, len) == 0;
}

static int common_fields(parse_state *st, JsonObject *o, custody_entry *e) {
        if (!is_int(o, "seq") || json_object_get_int_member(o, "seq") < 1)
                return snprintf(st->err, sizeof(st->err), "\"seq\" must be a positive integer"), -EBADMSG;
        if (!is_str(o, "utc") || !custody_utc_valid(json_object_get_string_member(o, "utc")))
                return snprintf(st->err, sizeof(st->err),
                                "\"utc\" must be like 2026-11-28T14:00:00.123456Z"),
                       -EBADMSG;
        if (!is_int(o, "mono_ns") || json_object_get_int_member(o, "mono_ns") < 0)
                return snprintf(st->err, sizeof(st->err), "\"mono_ns\" must be a non-negative integer"),
                       -EBADMSG;
        if (!is_str(o, "event") || custody_event_from_string(json_object_get_string_member(o, "event")) < 0)
                return snprintf(st->err, sizeof(st->err), "\"event\" is missing or unknown"), -EBADMSG;
        if (!is_str(o, "prev") || !custody_hex64_valid(json_object_get_string_member(o, "prev")))
                return snprintf(st->err, sizeof(st->err), "\"prev\" must be 64 lower-case hex digits"),
                       -EBADMSG;
        if (!is_str(o, "sig"))
                return snprintf(st->err, sizeof(st->err), "\"sig\" is missing"), -EBADMSG;
        e->seq = (uint64_t) json_object_get_int_member(o, "seq");
        e->mono_ns = json_object_get_int_member(o, "mono_ns");
        e->event = custody_event_from_string(json_object_get_string_member(o, "event"));
        memcpy(e->utc, json_object_get_string_member(o, "utc"), CUSTODY_UTC_LEN + 1);
        memcpy(e->prev, json_object_get_string_member(o, "prev"), SHA256_HEX_LEN + 1);
        return 0;
}

static int parse_line(parse_state *st, const char *line, size_t len, custody_entry *e) {
        g_autofree char *msg = NULL, *why = NULL;
        uint8_t sig[MINISIGN_SIG_LEN];
        size_t msg_len = 0;
        JsonNode *root;
        int r;

        if (len == 0)
                return snprintf(st->err, sizeof(st->err), "empty line"), -EBADMSG;
        if (len > CUSTODY_LINE_MAX)
                return snprintf(st->err, sizeof(st->err), "line longer than %d bytes", CUSTODY_LINE_MAX),
                       -EBADMSG;
        if (json_load_bounded(st->parser, line, len, CUSTODY_LINE_MAX, &why) < 0)
                return snprintf(st->err, sizeof(st->err), "%s", why), -EBADMSG;
        root = json_parser_get_root(st->parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return snprintf(st->err, sizeof(st->err), "not a JSON object"), -EBADMSG;
        JsonObject *o = json_node_get_object(root);
        r = common_fields(st, o, e);
        if (r < 0)
                return r;
        if (!member_order_ok(o))
                return snprintf(st->err, sizeof(st->err),
                                "members out of order (seq, utc, mono_ns, event, …, prev, sig)"),
                       -EBADMSG;
        r = custody_schema_check(e->event, o, st->err, sizeof(st->err));
        if (r < 0)
                return r;
        if (custody_line_signed_bytes(line, len, &msg, &msg_len, sig) < 0)
                return snprintf(st->err, sizeof(st->err),
                                "\"sig\" is not 88 base64 characters at the end of the line"),
                       -EBADMSG;
        if (!canonical(st, root, line, len))
                return snprintf(st->err, sizeof(st->err),
                                "not in canonical form (spacing, escaping or duplicate members)"),
                       -EBADMSG;
        e->obj = json_object_ref(o);
        custody_line_hash(line, len, e->hash);
        return 0;
}

static custody_entry *add_entry(custody_parsed_log *log) {
        if (log->n_entries % 256 == 0)
                log->entries = g_renew(custody_entry, log->entries, log->n_entries + 256);
        custody_entry *e = &log->entries[log->n_entries++];
        memset(e, 0, sizeof(*e));
        return e;
}

static bool declares_fragment(const custody_entry *e, size_t frag_len) {
        int64_t n = 0;
        return e->event == CUSTODY_EV_RECOVERY && custody_entry_int(e, "log_partial_bytes", &n) &&
               (uint64_t) n == frag_len;
}

static int parse_all(parse_state *st, char **ret_error) {
        custody_parsed_log *log = st->log;
        const char *p = log->data, *end = log->data + log->len;
        unsigned line_no = 0, bad_line = 0;
        size_t bad_off = 0, bad_len = 0;
        char bad_err[sizeof(st->err)] = "";

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                if (!nl) {
                        log->trailing_bytes = (size_t) (end - p);
                        break;
                }
                size_t len = (size_t) (nl - p);
                if (++line_no > CUSTODY_ENTRIES_MAX) {
                        *ret_error = g_strdup_printf("line %u: more than %d entries", line_no,
                                                     CUSTODY_ENTRIES_MAX);
                        return -EBADMSG;
                }
                custody_entry tmp = {.line_no = line_no, .offset = (size_t) (p - log->data), .len = len};
                int r = parse_line(st, p, len, &tmp);
                if (r < 0 && bad_line == 0) {
                        bad_line = line_no, bad_off = tmp.offset, bad_len = len;
                        memcpy(bad_err, st->err, sizeof(bad_err));
                } else if (r < 0 || (bad_line != 0 && !declares_fragment(&tmp, bad_len))) {
                        if (tmp.obj)
                                json_object_unref(tmp.obj);
                        break;
                } else {
                        if (bad_line != 0) {
                                custody_entry *f = add_entry(log);
                                *f = (custody_entry){.line_no = bad_line,
                                                     .offset = bad_off,
                                                     .len = bad_len,
                                                     .fragment = true};
                                bad_line = 0;
                        }
                        *add_entry(log) = tmp;
                }
                p = nl + 1;
        }
        if (bad_line != 0) {
                *ret_error = g_strdup_printf("line %u: %s", bad_line, bad_err);
                return -EBADMSG;
        }
        return 0;
}

int custody_log_parse(const char *data, size_t len, custody_parsed_log **ret, char **ret_error) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autofree char *err = NULL;
        parse_state st = {.parser = parser, .gen = gen};
        int r;

        if (len > CUSTODY_LOG_MAX) {
                if (ret_error)
                        *ret_error = g_strdup("the log is larger than the limit");
                return -EFBIG;
        }
        st.log = g_new0(custody_parsed_log, 1);
        st.log->data = g_malloc(len + 1);
        if (len > 0)
                memcpy(st.log->data, data, len);
        st.log->data[len] = '\0';
        st.log->len = len;
        r = parse_all(&st, &err);
        if (r < 0) {
                custody_parsed_log_free(st.log);
                if (ret_error)
                        *ret_error = g_steal_pointer(&err);
                return r;
        }
        *ret = st.log;
        return 0;
}

int custody_log_parse_file(const char *path, custody_parsed_log **ret, char **ret_error) {
        char *data = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(path, CUSTODY_LOG_MAX, &data, &len);
        if (r < 0) {
                if (ret_error)
                        *ret_error = g_strdup_printf("cannot read %s: %s", path, g_strerror(-r));
                return r;
        }
        r = custody_log_parse(data, len, ret, ret_error);
        free(data);
        return r;
}

custody_parsed_log *custody_parsed_log_free(custody_parsed_log *log) {
        if (!log)
                return NULL;
        for (size_t i = 0; i < log->n_entries; i++)
                if (log->entries[i].obj)
                        json_object_unref(log->entries[i].obj);
        g_free(log->entries);
        g_free(log->data);
        g_free(log);
        return NULL;
}

const char *custody_entry_str(const custody_entry *e, const char *name) {
        JsonNode *n = e->obj ? json_object_get_member(e->obj, name) : NULL;

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

bool custody_entry_int(const custody_entry *e, const char *name, int64_t *ret) {
        JsonNode *n = e->obj ? json_object_get_member(e->obj, name) : NULL;

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return false;
        *ret = json_node_get_int(n);
        return true;
}
