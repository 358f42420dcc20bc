/* Typed, range-checked reading of GKeyFile configuration files
 * (/etc/studio/studio.conf, room profiles).
 *
 * Every error names the file, the group, the key, its line and the
 * expected form, e.g.
 *   /etc/studio/studio.conf line 12: [recorder] checkpoint_interval = "2 s"
 *   is not a duration of 100ms to 1min (write e.g. 2s or 1500ms)
 * GKeyFile does not keep line numbers, so config_file_load() indexes them
 * itself from the text it parsed.
 *
 * Unknown groups and keys are errors too (a typo must not silently become
 * a default): the caller declares what each group may hold with
 * config_file_check_keys() once it has read it.
 *
 * Functions return 0 (or 1 where said) or -errno; on failure *ret_message
 * (never NULL) gets one sentence, which the caller frees. Outputs are left
 * untouched on failure. A missing key is 0 with *ret = the fallback. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct config_file config_file;

#define CONFIG_FILE_MAX (1024 * 1024) /* a bigger file is refused unread */

/* Reads and parses path (a regular file, at most CONFIG_FILE_MAX bytes;
 * -EFBIG, -EBADMSG for a syntax error with its line, -ENOENT …). */
int config_file_load(const char *path, config_file **ret, gchar **ret_message);
/* The same from memory; path is only used in messages. */
int config_file_load_data(const char *path, const char *data, size_t len, config_file **ret,
                          gchar **ret_message);
config_file *config_file_free(config_file *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(config_file, config_file_free)

const char *config_file_path(const config_file *c);
GKeyFile *config_file_keyfile(const config_file *c);
/* The absolute folder of the file, which relative paths in it start from. */
const char *config_file_dir(const config_file *c);
bool config_file_has_group(const config_file *c, const char *group);
/* The line the key (or, with key NULL, the group header) is on; 0 when absent. */
unsigned config_file_line(const config_file *c, const char *group, const char *key);

/* Where a reader learns the valid groups and keys, appended to the
 * unknown-group and unknown-key messages ("see docs/configuration.md");
 * NULL for none (the default). */
void config_file_set_help(config_file *c, const char *help);

/* Refuses a group not in groups (NULL-terminated) with -EBADMSG. */
int config_file_check_groups(const config_file *c, const char *const *groups, gchar **ret_message);
/* Refuses a key of group not in keys (NULL-terminated) with -EBADMSG. */
int config_file_check_keys(const config_file *c, const char *group, const char *const *keys,
                           gchar **ret_message);

/* ---- typed readers (config-get.c) ---- */

/* A non-empty string (surrounding blanks stripped). */
int config_get_string(const config_file *c, const char *group, const char *key, const char *fallback,
                      gchar **ret, gchar **ret_message);
/* A list separated by ';' or ',' (GKeyFile's list syntax), empty items refused. */
int config_get_strv(const config_file *c, const char *group, const char *key, gchar ***ret,
                    gchar **ret_message);
/* A path; a relative one is taken relative to the configuration file's
 * folder, so that a test's configuration can travel with its folder. */
int config_get_path(const config_file *c, const char *group, const char *key, const char *fallback,
                    gchar **ret, gchar **ret_message);
int config_get_bool(const config_file *c, const char *group, const char *key, bool fallback, bool *ret,
                    gchar **ret_message);
int config_get_int(const config_file *c, const char *group, const char *key, int64_t fallback, int64_t min,
                   int64_t max, int64_t *ret, gchar **ret_message);
/* "20s", "1500ms", "5min" (util_parse_duration_ns) within [min_ns, max_ns]. */
int config_get_duration(const config_file *c, const char *group, const char *key, uint64_t fallback_ns,
                        uint64_t min_ns, uint64_t max_ns, uint64_t *ret_ns, gchar **ret_message);
/* "1GiB", "512MiB" (util_parse_size) within [min, max]. */
int config_get_size(const config_file *c, const char *group, const char *key, uint64_t fallback,
                    uint64_t min, uint64_t max, uint64_t *ret, gchar **ret_message);
/* One of choices (NULL-terminated); *ret is its index (-1 when the key is
 * absent and fallback is NULL). */
int config_get_choice(const config_file *c, const char *group, const char *key, const char *fallback,
                      const char *const *choices, int *ret, gchar **ret_message);
