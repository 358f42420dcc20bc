/* Reading a custody log back: bounded, strict, with the line number of the
 * first fault. Signatures and the chain are checked by the caller. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "custody-internal.h"
#include "fsutil.h"
#include "json-bounded.h"

#define READ_BLOCK (1024 * 1024)

typedef struct parse_state {
        JsonParser *parser;
        JsonGenerator *gen;
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

struct custody_log_reader {
        parse_state st;
        int fd; /* -EBADF for a memory reader */
        const char *mem;
        size_t mem_len;
        char *buf; /* the fd reader's window: [start, end) not yet consumed */
        size_t start, end, cap;
        bool eof;
        uint64_t consumed; /* log offset of buf[start] (of mem[start]) */
        uint64_t bytes;    /* read so far */
        sha256_ctx *hash;
        unsigned line_no;
        custody_entry cur, pending; /* pending: the entry after a fragment */
        bool have_pending;
        const char *trailing;
        size_t trailing_len;
};

static custody_log_reader *reader_new(void) {
        custody_log_reader *r = g_new0(custody_log_reader, 1);
        r->st.parser = json_parser_new_immutable();
        r->st.gen = json_generator_new();
        r->hash = sha256_new();
        r->fd = -EBADF;
        return r;
}

custody_log_reader *custody_log_reader_new(int fd) {
        custody_log_reader *r = reader_new();
        r->fd = fd;
        r->cap = READ_BLOCK + CUSTODY_LINE_MAX + 2;
        r->buf = g_malloc(r->cap);
        return r;
}

custody_log_reader *custody_log_reader_new_mem(const char *data, size_t len) {
        custody_log_reader *r = reader_new();
        r->mem = data;
        r->mem_len = len;
        r->end = len;
        r->eof = true;
        r->bytes = len;
        if (len > 0)
                sha256_update(r->hash, data, len);
        return r;
}

static void drop(custody_entry *e) {
        if (e->obj)
                json_object_unref(e->obj);
        e->obj = NULL;
}

custody_log_reader *custody_log_reader_free(custody_log_reader *r) {
        if (!r)
                return NULL;
        drop(&r->cur);
        drop(&r->pending);
        g_object_unref(r->st.parser);
        g_object_unref(r->st.gen);
        sha256_free(r->hash);
        g_free(r->buf);
        g_free(r);
        return NULL;
}

static const char *window(const custody_log_reader *r) {
        return r->mem ? r->mem : r->buf;
}

/* Fills the fd reader's window after moving what is left to its start. */
static int fill(custody_log_reader *r) {
        if (r->start > 0) {
                memmove(r->buf, r->buf + r->start, r->end - r->start);
                r->end -= r->start;
                r->start = 0;
        }
        while (!r->eof && r->end < r->cap) {
                ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0) {
                        r->eof = true;
                        break;
                }
                sha256_update(r->hash, r->buf + r->end, (size_t) n);
                r->end += (size_t) n;
                r->bytes += (uint64_t) n;
                if (r->bytes > CUSTODY_LOG_MAX)
                        return -EFBIG;
                break; /* one read a call: the window need not be full */
        }
        return 0;
}

/* The next line: 1 and its offset and length in the window, 0 at the end
 * (the rest, if any, is the trailing partial line). */
static int next_line(custody_log_reader *r, const char **ret_line, size_t *ret_len, uint64_t *ret_off) {
        for (;;) {
                const char *w = window(r);
                const char *nl = memchr(w + r->start, '\n', r->end - r->start);
                if (nl) {
                        *ret_line = w + r->start;
                        *ret_len = (size_t) (nl - (w + r->start));
                        *ret_off = r->consumed;
                        r->consumed += *ret_len + 1;
                        r->start += *ret_len + 1;
                        return 1;
                }
                if (r->eof) {
                        r->trailing_len = r->end - r->start;
                        r->trailing = r->trailing_len <= CUSTODY_LINE_MAX ? w + r->start : NULL;
                        return 0;
                }
                if (r->end - r->start > CUSTODY_LINE_MAX) {
                        /* no newline within the longest line allowed */
                        *ret_line = w + r->start;
                        *ret_len = r->end - r->start;
                        *ret_off = r->consumed;
                        return 1;
                }
                int k = fill(r);
                if (k < 0)
                        return k;
        }
}

static bool declares_fragment(const custody_entry *e, size_t frag_len) {
        int64_t n = 0;
        return e->event == CUSTODY_EV_RECOVERY && custody_entry_int(e, "log_partial_bytes", &n) &&
               (uint64_t) n == frag_len;
}

static int reader_fail(char **ret_error, int code, char *text) {
        if (ret_error)
                *ret_error = text;
        else
                g_free(text);
        return code;
}

/* Reads and parses one line into e: 1, 0 at the end, < 0 for a read error;
 * *ret_bad is set when the line does not parse (st.err says why). */
static int read_entry(custody_log_reader *r, custody_entry *e, bool *ret_bad, char **ret_error) {
        const char *line = NULL;
        size_t len = 0;
        uint64_t off = 0;
        int k = next_line(r, &line, &len, &off);

        if (k == -EFBIG)
                return reader_fail(ret_error, k, g_strdup("the log is larger than the limit"));
        if (k < 0)
                return reader_fail(ret_error, k, g_strdup_printf("cannot read the log: %s", g_strerror(-k)));
        if (k == 0)
                return 0;
        if (++r->line_no > CUSTODY_ENTRIES_MAX)
                return reader_fail(
                        ret_error, -EBADMSG,
                        g_strdup_printf("line %u: more than %d entries", r->line_no, CUSTODY_ENTRIES_MAX));
        drop(e);
        *e = (custody_entry){.line_no = r->line_no, .offset = (size_t) off, .len = len, .line = line};
        *ret_bad = parse_line(&r->st, line, len, e) < 0;
        return 1;
}

int custody_log_reader_next(custody_log_reader *r, const custody_entry **ret_entry, char **ret_error) {
        bool bad = false;
        int k;

        if (r->have_pending) {
                r->have_pending = false;
                drop(&r->cur);
                r->cur = r->pending;
                r->pending = (custody_entry){0};
                *ret_entry = &r->cur;
                return 1;
        }
        k = read_entry(r, &r->cur, &bad, ret_error);
        if (k <= 0 || !bad) {
                *ret_entry = k > 0 ? &r->cur : NULL;
                return k;
        }
        /* A line that does not parse is a crash fragment only when the next
         * line is a recovery entry that declares its length. */
        char err[sizeof(r->st.err)];
        bool next_bad = false;
        memcpy(err, r->st.err, sizeof(err));
        r->cur.fragment = true;
        r->cur.line = NULL; /* the window may move while the next line is read */
        k = read_entry(r, &r->pending, &next_bad, ret_error);
        if (k < 0)
                return k;
        if (k == 0 || next_bad || !declares_fragment(&r->pending, r->cur.len))
                return reader_fail(ret_error, -EBADMSG, g_strdup_printf("line %u: %s", r->cur.line_no, err));
        r->have_pending = true;
        *ret_entry = &r->cur;
        return 1;
}

uint64_t custody_log_reader_bytes(const custody_log_reader *r) {
        return r->bytes;
}

void custody_log_reader_sha256(custody_log_reader *r, char out[SHA256_HEX_LEN + 1]) {
        uint8_t d[SHA256_LEN];
        (void) sha256_peek(r->hash, d);
        sha256_hex(d, out);
}

const char *custody_log_reader_trailing(const custody_log_reader *r, size_t *ret_len) {
        *ret_len = r->trailing_len;
        return r->trailing;
}

static custody_entry *add_entry(custody_parsed_log *log) {
        if (log->n_entries % 256 == 0)
                log->entries = g_renew(custody_entry, log->entries, log->n_entries + 256);
        return &log->entries[log->n_entries++];
}

int custody_log_parse(const char *data, size_t len, custody_parsed_log **ret, char **ret_error) {
        custody_log_reader *r = NULL;
        custody_parsed_log *log;
        const custody_entry *e;
        int k;

        if (len > CUSTODY_LOG_MAX)
                return reader_fail(ret_error, -EFBIG, g_strdup("the log is larger than the limit"));
        log = g_new0(custody_parsed_log, 1);
        log->data = g_malloc(len + 1);
        if (len > 0)
                memcpy(log->data, data, len);
        log->data[len] = '\0';
        log->len = len;
        r = custody_log_reader_new_mem(log->data, len);
        while ((k = custody_log_reader_next(r, &e, ret_error)) > 0) {
                custody_entry *copy = add_entry(log);
                *copy = *e;
                if (copy->obj)
                        json_object_ref(copy->obj);
        }
        (void) custody_log_reader_trailing(r, &log->trailing_bytes);
        custody_log_reader_free(r);
        if (k < 0) {
                custody_parsed_log_free(log);
                return k;
        }
        *ret = log;
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
