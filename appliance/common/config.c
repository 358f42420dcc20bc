/* Loading GKeyFile configuration files (config.h): the parse, the line
 * index and the check for unknown groups and keys; the typed readers are
 * config-get.c.
 *
 * GKeyFile parses the values; our own pass over the same text finds what it
 * cannot tell us: the line of every group and key, a group or key given
 * twice (GKeyFile silently keeps the last), and a syntax error's line. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "util.h"

typedef struct config_group {
        gchar *name;
        unsigned line;
        GPtrArray *keys;       /* gchar *, in file order */
        GHashTable *key_lines; /* key -> GUINT_TO_POINTER(line) */
} config_group;

struct config_file {
        gchar *path;
        gchar *dir; /* absolute folder of path, for relative paths */
        gchar *help;
        GKeyFile *kf;
        GPtrArray *groups; /* config_group *, in file order */
        GHashTable *group_by_name;
};

static void config_group_free(gpointer p) {
        config_group *g = p;

        g_free(g->name);
        g_ptr_array_unref(g->keys);
        g_hash_table_unref(g->key_lines);
        g_free(g);
}

config_file *config_file_free(config_file *c) {
        if (!c)
                return NULL;
        g_free(c->path);
        g_free(c->dir);
        g_free(c->help);
        if (c->kf)
                g_key_file_unref(c->kf);
        if (c->groups)
                g_ptr_array_unref(c->groups);
        if (c->group_by_name)
                g_hash_table_unref(c->group_by_name);
        g_free(c);
        return NULL;
}

/* The file's name as shown in messages. */
static gchar *shown_path(const config_file *c) {
        return escape_text(c->path);
}

static bool key_char(char ch) {
        return g_ascii_isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

/* "name" or a locale form "name[nl]"; the locale form is indexed under its
 * full spelling, so that it is refused as unknown unless a caller declares it. */
static bool key_name_valid(const char *k, size_t len) {
        size_t i = 0;

        while (i < len && key_char(k[i]))
                i++;
        if (i == 0)
                return false;
        if (i == len)
                return true;
        if (k[i] != '[' || k[len - 1] != ']' || len - i < 3)
                return false;
        for (size_t j = i + 1; j < len - 1; j++)
                if (!key_char(k[j]) && k[j] != '@')
                        return false;
        return true;
}

static bool group_name_valid(const char *g, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) g[i] < 0x20 || g[i] == '[' || g[i] == ']')
                        return false;
        return true;
}

static int syntax_error(const char *path, unsigned line, const char *text, size_t len, const char *why,
                        gchar **ret_message) {
        g_autofree gchar *raw = g_strndup(text, len);
        g_autofree gchar *shown = escape_text(raw);
        g_autofree gchar *file = escape_text(path);

        *ret_message = g_strdup_printf("%s line %u: \"%s\" %s", file, line, shown, why);
        return -EBADMSG;
}

/* A "[group]" header line (blanks allowed after the ']'): the group
 * indexed with its line, becoming the current one. */
static int index_group(config_file *c, const char *line, size_t n, unsigned lineno, config_group **cur,
                       gchar **ret_message) {
        const char *close = memchr(line, ']', n);
        g_autofree gchar *name = NULL;
        config_group *g;
        size_t gl;

        if (!close)
                return syntax_error(c->path, lineno, line, n, "is not a group header (write [name])",
                                    ret_message);
        for (const char *p = close + 1; p < line + n; p++)
                if (*p != ' ' && *p != '\t')
                        return syntax_error(c->path, lineno, line, n,
                                            "has text after the group header's ']'", ret_message);
        gl = (size_t) (close - line - 1);
        if (!group_name_valid(line + 1, gl))
                return syntax_error(c->path, lineno, line, n, "is not a group header (write [name])",
                                    ret_message);
        name = g_strndup(line + 1, gl);
        g = g_hash_table_lookup(c->group_by_name, name);
        if (g) {
                g_autofree gchar *file = shown_path(c);
                g_autofree gchar *shown = escape_text(name);
                *ret_message = g_strdup_printf("%s line %u: group [%s] is given twice (first on line %u; "
                                               "write each group once)",
                                               file, lineno, shown, g->line);
                return -EBADMSG;
        }
        g = g_new0(config_group, 1);
        g->name = TAKE_PTR(name);
        g->line = lineno;
        g->keys = g_ptr_array_new_with_free_func(g_free);
        g->key_lines = g_hash_table_new(g_str_hash, g_str_equal);
        g_ptr_array_add(c->groups, g);
        g_hash_table_insert(c->group_by_name, g->name, g);
        *cur = g;
        return 0;
}

/* A "key = value" line (blanks around the key ignored) in the current group. */
static int index_key(config_file *c, const char *line, size_t n, unsigned lineno, config_group *cur,
                     gchar **ret_message) {
        const char *eq = memchr(line, '=', n);
        size_t kl;
        gchar *key;
        gpointer first;

        if (!eq)
                return syntax_error(c->path, lineno, line, n,
                                    "is neither a [group] header, a key = value line nor a # comment",
                                    ret_message);
        kl = (size_t) (eq - line);
        while (kl > 0 && g_ascii_isspace(line[kl - 1]))
                kl--;
        if (!key_name_valid(line, kl))
                return syntax_error(
                        c->path, lineno, line, n,
                        "does not start with a key name (letters, digits, '-', '_' and '.', then '=')",
                        ret_message);
        if (!cur)
                return syntax_error(c->path, lineno, line, n, "comes before any [group] header",
                                    ret_message);
        key = g_strndup(line, kl);
        first = g_hash_table_lookup(cur->key_lines, key);
        if (first) {
                g_autofree gchar *file = shown_path(c);
                g_autofree gchar *shown = escape_text(key);
                g_autofree gchar *group = escape_text(cur->name);
                *ret_message = g_strdup_printf("%s line %u: [%s] %s is given twice (first on line %u; "
                                               "write each key once)",
                                               file, lineno, group, shown, GPOINTER_TO_UINT(first));
                g_free(key);
                return -EBADMSG;
        }
        g_ptr_array_add(cur->keys, key);
        g_hash_table_insert(cur->key_lines, key, GUINT_TO_POINTER(lineno));
        return 0;
}

/* Indexes groups and keys with their lines, as GKeyFile reads the text:
 * lines split at '\n' with a trailing '\r' dropped, leading blanks skipped,
 * '#' comments, "[group]" headers and "key = value" pairs. */
static int index_text(config_file *c, const char *data, size_t len, gchar **ret_message) {
        config_group *cur = NULL;
        unsigned lineno = 0;
        size_t pos = 0;
        int r;

        while (pos < len) {
                const char *line = data + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - line) : len - pos;

                pos += n + (nl ? 1 : 0);
                lineno++;
                if (n > 0 && line[n - 1] == '\r')
                        n--;
                while (n > 0 && g_ascii_isspace(*line))
                        line++, n--;
                if (n == 0 || line[0] == '#')
                        continue;
                r = line[0] == '[' ? index_group(c, line, n, lineno, &cur, ret_message)
                                   : index_key(c, line, n, lineno, cur, ret_message);
                if (r < 0)
                        return r;
        }
        return 0;
}

static unsigned line_of_offset(const char *data, size_t off) {
        unsigned line = 1;

        for (size_t i = 0; i < off; i++)
                if (data[i] == '\n')
                        line++;
        return line;
}

int config_file_load_data(const char *path, const char *data, size_t len, config_file **ret,
                          gchar **ret_message) {
        g_autoptr(config_file) c = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree gchar *abs = NULL;
        const gchar *end = NULL;
        int r;

        g_return_val_if_fail(path && (data || len == 0) && ret && ret_message, -EINVAL);
        c = g_new0(config_file, 1);
        c->path = g_strdup(path);
        abs = g_canonicalize_filename(path, NULL);
        c->dir = g_path_get_dirname(abs);
        c->groups = g_ptr_array_new_with_free_func(config_group_free);
        c->group_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        if (len > CONFIG_FILE_MAX) {
                g_autofree gchar *file = shown_path(c);
                *ret_message = g_strdup_printf("%s is larger than %u bytes: not a configuration file", file,
                                               (unsigned) CONFIG_FILE_MAX);
                return -EFBIG;
        }
        /* Also refuses a NUL byte, which GKeyFile would take as the end. */
        if (!g_utf8_validate_len(data ? data : "", len, &end)) {
                g_autofree gchar *file = shown_path(c);
                *ret_message =
                        g_strdup_printf("%s line %u: holds a byte that is not UTF-8 text (save the file "
                                        "as UTF-8)",
                                        file, line_of_offset(data, (size_t) (end - data)));
                return -EBADMSG;
        }
        r = index_text(c, data ? data : "", len, ret_message);
        if (r < 0)
                return r;
        c->kf = g_key_file_new();
        if (!g_key_file_load_from_data(c->kf, data ? data : "", len, G_KEY_FILE_NONE, &error)) {
                /* Our index accepts what GKeyFile does; this is a backstop. */
                g_autofree gchar *file = shown_path(c);
                g_autofree gchar *why = escape_text(error->message);
                *ret_message = g_strdup_printf("%s is not a valid configuration file: %s", file, why);
                return -EBADMSG;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int config_file_load(const char *path, config_file **ret, gchar **ret_message) {
        g_auto(fd_owned) fd = -EBADF;
        g_autofree gchar *file = NULL;
        g_autofree char *data = NULL;
        size_t len = 0;
        struct stat st;
        int r;

        g_return_val_if_fail(path && ret && ret_message, -EINVAL);
        file = escape_text(path);
        fd = fs_open_regular(path, &st);
        if (fd < 0) {
                struct stat kind;
                if (fd == -EINVAL && stat(path, &kind) == 0)
                        *ret_message = g_strdup_printf("%s is %s, not a regular file", file,
                                                       fs_kind_name(kind.st_mode));
                else if (fd == -EISDIR)
                        *ret_message = g_strdup_printf("%s is a folder, not a configuration file", file);
                else
                        *ret_message = g_strdup_printf("cannot open %s: %s", file, g_strerror(-fd));
                return fd;
        }
        if (st.st_size > CONFIG_FILE_MAX) {
                *ret_message = g_strdup_printf("%s is larger than %u bytes: not a configuration file", file,
                                               (unsigned) CONFIG_FILE_MAX);
                return -EFBIG;
        }
        r = fs_read_fd(fd, CONFIG_FILE_MAX, &data, &len);
        if (r < 0) {
                if (r == -EFBIG)
                        *ret_message =
                                g_strdup_printf("%s is larger than %u bytes: not a configuration file", file,
                                                (unsigned) CONFIG_FILE_MAX);
                else
                        *ret_message = g_strdup_printf("cannot read %s: %s", file, g_strerror(-r));
                return r;
        }
        return config_file_load_data(path, data, len, ret, ret_message);
}

const char *config_file_path(const config_file *c) {
        return c->path;
}

GKeyFile *config_file_keyfile(const config_file *c) {
        return c->kf;
}

const char *config_file_dir(const config_file *c) {
        return c->dir;
}

void config_file_set_help(config_file *c, const char *help) {
        g_free(c->help);
        c->help = g_strdup(help);
}

bool config_file_has_group(const config_file *c, const char *group) {
        return g_hash_table_contains(c->group_by_name, group);
}

unsigned config_file_line(const config_file *c, const char *group, const char *key) {
        const config_group *g = g_hash_table_lookup(c->group_by_name, group);

        if (!g)
                return 0;
        if (!key)
                return g->line;
        return GPOINTER_TO_UINT(g_hash_table_lookup(g->key_lines, key));
}

static bool in_list(const char *s, const char *const *list) {
        for (; list && *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

static gchar *help_suffix(const config_file *c) {
        return c->help ? g_strdup_printf("; %s", c->help) : g_strdup("");
}

int config_file_check_groups(const config_file *c, const char *const *groups, gchar **ret_message) {
        for (guint i = 0; i < c->groups->len; i++) {
                const config_group *g = c->groups->pdata[i];
                g_autoptr(GString) known = NULL;
                g_autofree gchar *file = NULL, *name = NULL, *help = NULL;

                if (in_list(g->name, groups))
                        continue;
                known = g_string_new(NULL);
                for (const char *const *k = groups; k && *k; k++)
                        g_string_append_printf(known, "%s[%s]", known->len ? ", " : "", *k);
                file = shown_path(c);
                name = escape_text(g->name);
                help = help_suffix(c);
                *ret_message = g_strdup_printf("%s line %u: unknown group [%s] (the groups are: %s%s)", file,
                                               g->line, name, known->str, help);
                return -EBADMSG;
        }
        return 0;
}

int config_file_check_keys(const config_file *c, const char *group, const char *const *keys,
                           gchar **ret_message) {
        const config_group *g = g_hash_table_lookup(c->group_by_name, group);

        if (!g)
                return 0;
        for (guint i = 0; i < g->keys->len; i++) {
                const char *key = g->keys->pdata[i];
                g_autoptr(GString) known = NULL;
                g_autofree gchar *file = NULL, *name = NULL, *gname = NULL, *help = NULL;

                if (in_list(key, keys))
                        continue;
                known = g_string_new(NULL);
                for (const char *const *k = keys; k && *k; k++)
                        g_string_append_printf(known, "%s%s", known->len ? ", " : "", *k);
                file = shown_path(c);
                name = escape_text(key);
                gname = escape_text(group);
                help = help_suffix(c);
                *ret_message =
                        g_strdup_printf("%s line %u: unknown key \"%s\" in [%s] (the keys of [%s] are: "
                                        "%s%s)",
                                        file, GPOINTER_TO_UINT(g_hash_table_lookup(g->key_lines, key)), name,
                                        gname, gname, known->len ? known->str : "none", help);
                return -EBADMSG;
        }
        return 0;
}
