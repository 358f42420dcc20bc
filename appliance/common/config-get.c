/* The typed, range-checked readers of a loaded configuration file
 * (config.h): each value's form and range, and the message that names the
 * file, line, group, key and value when it is wrong. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* The file's name as shown in messages. */
static gchar *shown_path(const config_file *c) {
        return escape_text(config_file_path(c));
}

/* The message for a value that is present but wrong: names the file, line,
 * group, key and the value as written, then why (a printf format). */
static int __attribute__((format(printf, 6, 7)))
value_error(const config_file *c, const char *group, const char *key, const char *raw, gchar **ret_message,
            const char *why_format, ...) {
        g_autofree gchar *file = shown_path(c);
        g_autofree gchar *value = escape_text(raw ? raw : "");
        g_autofree gchar *why = NULL;
        va_list ap;

        va_start(ap, why_format);
        why = g_strdup_vprintf(why_format, ap);
        va_end(ap);
        *ret_message = g_strdup_printf("%s line %u: [%s] %s = \"%s\" %s", file,
                                       config_file_line(c, group, key), group, key, value, why);
        return -EINVAL;
}

/* 1 and *ret_value (unescaped, blanks stripped, possibly empty) when the
 * key is there, 0 when it is not, -EINVAL for a bad escape. */
static int lookup(const config_file *c, const char *group, const char *key, gchar **ret_value,
                  gchar **ret_message) {
        g_autoptr(GError) error = NULL;
        g_autofree gchar *raw = NULL;
        gchar *v;

        if (!config_file_line(c, group, key))
                return 0;
        v = g_key_file_get_string(config_file_keyfile(c), group, key, &error);
        if (!v) {
                raw = g_key_file_get_value(config_file_keyfile(c), group, key, NULL);
                return value_error(c, group, key, raw, ret_message,
                                   "is not a valid string (a backslash starts an escape: write \\\\ for "
                                   "one backslash)");
        }
        *ret_value = g_strstrip(v);
        return 1;
}

static int empty_error(const config_file *c, const char *group, const char *key, gchar **ret_message) {
        return value_error(c, group, key, "", ret_message,
                           "is empty (write a value, or remove the line to get the default)");
}

/* Like lookup, but an empty value is an error. */
static int lookup_nonempty(const config_file *c, const char *group, const char *key, gchar **ret_value,
                           gchar **ret_message) {
        gchar *v = NULL;
        int r = lookup(c, group, key, &v, ret_message);

        if (r <= 0)
                return r;
        if (!*v) {
                g_free(v);
                return empty_error(c, group, key, ret_message);
        }
        *ret_value = v;
        return 1;
}

int config_get_string(const config_file *c, const char *group, const char *key, const char *fallback,
                      gchar **ret, gchar **ret_message) {
        gchar *v = NULL;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        *ret = r ? v : g_strdup(fallback);
        return 0;
}

int config_get_strv(const config_file *c, const char *group, const char *key, gchar ***ret,
                    gchar **ret_message) {
        g_autofree gchar *v = NULL;
        g_auto(GStrv) items = NULL;
        guint n;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        if (r == 0) {
                *ret = NULL;
                return 0;
        }
        items = g_regex_split_simple("[;,]", v, 0, 0);
        n = g_strv_length(items);
        /* GKeyFile lists end with a separator by convention ("a;b;"). */
        if (n > 1 && !*g_strstrip(items[n - 1])) {
                g_free(items[n - 1]);
                items[--n] = NULL;
        }
        for (guint i = 0; i < n; i++)
                if (!*g_strstrip(items[i]))
                        return value_error(c, group, key, v, ret_message,
                                           "has an empty item (separate items with ';' or ',')");
        *ret = TAKE_PTR(items);
        return 0;
}

int config_get_path(const config_file *c, const char *group, const char *key, const char *fallback,
                    gchar **ret, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        if (r == 0) {
                *ret = fallback ? g_canonicalize_filename(fallback, config_file_dir(c)) : NULL;
                return 0;
        }
        *ret = g_canonicalize_filename(v, config_file_dir(c));
        return 0;
}

int config_get_bool(const config_file *c, const char *group, const char *key, bool fallback, bool *ret,
                    gchar **ret_message) {
        static const char *const yes[] = {"true", "yes", "on", "1", NULL};
        static const char *const no[] = {"false", "no", "off", "0", NULL};
        g_autofree gchar *v = NULL;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        if (r == 0) {
                *ret = fallback;
                return 0;
        }
        if (g_strv_contains(yes, v))
                *ret = true;
        else if (g_strv_contains(no, v))
                *ret = false;
        else
                return value_error(c, group, key, v, ret_message,
                                   "is not a yes/no value (write true or false)");
        return 0;
}

int config_get_int(const config_file *c, const char *group, const char *key, int64_t fallback, int64_t min,
                   int64_t max, int64_t *ret, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        gint64 n;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        if (r == 0) {
                *ret = fallback;
                return 0;
        }
        if (!g_ascii_string_to_signed(v, 10, min, max, &n, NULL))
                return value_error(c, group, key, v, ret_message,
                                   "is not a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                                   min, max);
        *ret = n;
        return 0;
}

/* A duration the way util_parse_duration_ns reads it back: "2s", "1500ms". */
static gchar *format_duration(uint64_t ns) {
        static const struct {
                const char *unit;
                uint64_t factor;
        } units[] = {
                {"h", 3600000000000ULL}, {"min", 60000000000ULL}, {"s", 1000000000ULL}, {"ms", 1000000ULL}};

        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (ns >= units[i].factor && ns % units[i].factor == 0)
                        return g_strdup_printf("%" G_GUINT64_FORMAT "%s", ns / units[i].factor,
                                               units[i].unit);
        if (ns == 0)
                return g_strdup("0s");
        return g_strdup_printf("%" G_GUINT64_FORMAT "ns", ns);
}

int config_get_duration(const config_file *c, const char *group, const char *key, uint64_t fallback_ns,
                        uint64_t min_ns, uint64_t max_ns, uint64_t *ret_ns, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        uint64_t ns;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        if (r == 0) {
                *ret_ns = fallback_ns;
                return 0;
        }
        if (util_parse_duration_ns(v, &ns) < 0 || ns < min_ns || ns > max_ns) {
                g_autofree gchar *lo = format_duration(min_ns), *hi = format_duration(max_ns);
                return value_error(c, group, key, v, ret_message,
                                   "is not a duration of %s to %s (write e.g. 2s or 1500ms)", lo, hi);
        }
        *ret_ns = ns;
        return 0;
}

static gchar *format_size(uint64_t n) {
        static const struct {
                const char *unit;
                uint64_t factor;
        } units[] = {{"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}};

        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (n >= units[i].factor && n % units[i].factor == 0)
                        return g_strdup_printf("%" G_GUINT64_FORMAT "%s", n / units[i].factor,
                                               units[i].unit);
        return g_strdup_printf("%" G_GUINT64_FORMAT " bytes", n);
}

int config_get_size(const config_file *c, const char *group, const char *key, uint64_t fallback,
                    uint64_t min, uint64_t max, uint64_t *ret, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        uint64_t n;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        if (r == 0) {
                *ret = fallback;
                return 0;
        }
        if (util_parse_size(v, &n) < 0 || n < min || n > max) {
                g_autofree gchar *lo = format_size(min), *hi = format_size(max);
                return value_error(c, group, key, v, ret_message,
                                   "is not a size of %s to %s (write e.g. 512MiB or 1GiB)", lo, hi);
        }
        *ret = n;
        return 0;
}

int config_get_choice(const config_file *c, const char *group, const char *key, const char *fallback,
                      const char *const *choices, int *ret, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        g_autoptr(GString) known = NULL;
        const char *want;
        int r = lookup_nonempty(c, group, key, &v, ret_message);

        if (r < 0)
                return r;
        want = r ? v : fallback;
        for (int i = 0; want && choices[i]; i++)
                if (strcmp(want, choices[i]) == 0) {
                        *ret = i;
                        return 0;
                }
        if (r == 0 && !fallback) {
                *ret = -1;
                return 0;
        }
        if (r == 0) { /* a fallback that is not a choice is the caller's bug */
                *ret_message =
                        g_strdup_printf("[%s] %s: the default \"%s\" is not a choice", group, key, fallback);
                return -EINVAL;
        }
        known = g_string_new(NULL);
        for (int i = 0; choices[i]; i++)
                g_string_append_printf(known, "%s%s",
                                       i == 0           ? ""
                                       : choices[i + 1] ? ", "
                                                        : " or ",
                                       choices[i]);
        return value_error(c, group, key, v, ret_message, "is not one of %s", known->str);
}
