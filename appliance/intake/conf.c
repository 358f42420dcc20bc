/* studio-intake's configuration: one [intake] section in its own file
 * (docs/intake.md), read with the typed getters of appliance/common, so that
 * every error names the file, the line, the key and the expected form. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "fsutil.h"
#include "intake.h"
#include "log.h"

#define GROUP "intake"

static const char *const intake_keys[] = {
        "vault",       "records",  "endpoint",     "region",         "credentials_file",
        "ca_file",     "registry", "registry_key", "signing_key",    "tsa_url",
        "tsa_ca_file", "index",    "interval",     "retention_days", "log_level",
        "scratch",     NULL,
};

intake_conf *intake_conf_free(intake_conf *c) {
        if (!c)
                return NULL;
        g_free(c->path);
        g_free(c->vault);
        g_free(c->records);
        g_free(c->endpoint);
        g_free(c->region);
        g_free(c->credentials_file);
        g_free(c->ca_file);
        g_free(c->registry);
        g_free(c->registry_key);
        g_free(c->signing_key);
        g_free(c->tsa_url);
        g_free(c->tsa_ca_file);
        g_free(c->index);
        g_free(c->scratch);
        g_free(c);
        return NULL;
}

static int refuse(const config_file *f, const char *key, const char *why, gchar **ret_message) {
        *ret_message = g_strdup_printf("%s line %u: [%s] %s %s", config_file_path(f),
                                       config_file_line(f, GROUP, key), GROUP, key, why);
        return -EINVAL;
}

/* "dir:/absolute/path" or "s3://bucket[/prefix]". */
static int get_address(const config_file *f, const char *key, gchar **ret, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        int r = config_get_string(f, GROUP, key, NULL, &v, ret_message);

        if (r < 0)
                return r;
        if (v && !(g_str_has_prefix(v, "dir:/") || (g_str_has_prefix(v, "s3://") && v[5] && v[5] != '/')))
                return refuse(f, key,
                              "is not a vault address (write dir:/path/to/vault or s3://bucket/prefix)",
                              ret_message);
        *ret = g_steal_pointer(&v);
        return 0;
}

/* A path, or credential:NAME resolved in $CREDENTIALS_DIRECTORY (the unit's
 * LoadCredential=NAME:FILE). */
static int get_secret_path(const config_file *f, const char *key, gchar **ret, gchar **ret_message) {
        g_autofree gchar *v = NULL;
        const char *name, *dir = g_getenv("CREDENTIALS_DIRECTORY");
        int r = config_get_string(f, GROUP, key, NULL, &v, ret_message);

        if (r < 0)
                return r;
        if (!v || !g_str_has_prefix(v, "credential:"))
                return config_get_path(f, GROUP, key, NULL, ret, ret_message);
        name = v + strlen("credential:");
        if (!fs_name_valid(name))
                return refuse(f, key,
                              "does not name a credential (write credential:NAME, NAME as in the "
                              "unit's LoadCredential=NAME:FILE)",
                              ret_message);
        if (!dir || !g_path_is_absolute(dir))
                return refuse(f, key,
                              "names a systemd credential, but CREDENTIALS_DIRECTORY is not set "
                              "(start studio-intake from its unit, see docs/intake.md)",
                              ret_message);
        *ret = g_build_filename(dir, name, NULL);
        return 0;
}

static int get_paths(const config_file *f, intake_conf *c, gchar **msg) {
        static const struct {
                const char *key;
                size_t offset;
                bool secret;
        } paths[] = {
                {"credentials_file", offsetof(intake_conf, credentials_file), true},
                {"signing_key", offsetof(intake_conf, signing_key), true},
                {"ca_file", offsetof(intake_conf, ca_file), false},
                {"registry", offsetof(intake_conf, registry), false},
                {"registry_key", offsetof(intake_conf, registry_key), false},
                {"tsa_ca_file", offsetof(intake_conf, tsa_ca_file), false},
        };
        int r;

        for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
                gchar **field = (gchar **) ((char *) c + paths[i].offset);
                r = paths[i].secret ? get_secret_path(f, paths[i].key, field, msg)
                                    : config_get_path(f, GROUP, paths[i].key, NULL, field, msg);
                if (r < 0)
                        return r;
        }
        r = config_get_path(f, GROUP, "index", INTAKE_INDEX_DEFAULT, &c->index, msg);
        if (r < 0)
                return r;
        /* an s3:// vault's session is fetched here to be verified: beside the index by default */
        g_autofree gchar *dir = g_path_get_dirname(c->index);
        g_autofree gchar *def = g_build_filename(dir, "scratch", NULL);
        return config_get_path(f, GROUP, "scratch", def, &c->scratch, msg);
}

static int check_required(const config_file *f, intake_conf *c, gchar **msg) {
        static const char *const required[] = {"vault", "registry", "registry_key", "signing_key"};
        const gchar *const values[] = {c->vault, c->registry, c->registry_key, c->signing_key};

        for (size_t i = 0; i < G_N_ELEMENTS(required); i++)
                if (!values[i]) {
                        *msg = g_strdup_printf("%s: [%s] %s is missing (see docs/intake.md)",
                                               config_file_path(f), GROUP, required[i]);
                        return -EINVAL;
                }
        if (!c->tsa_url != !c->tsa_ca_file)
                return refuse(f, c->tsa_url ? "tsa_url" : "tsa_ca_file",
                              "needs its partner: give both tsa_url and tsa_ca_file, or neither", msg);
        if (c->tsa_url && !g_str_has_prefix(c->tsa_url, "http://") &&
            !g_str_has_prefix(c->tsa_url, "https://"))
                return refuse(f, "tsa_url", "is not an http:// or https:// address", msg);
        return 0;
}

/* Records default to the vault's folder (dir:) or to s3://BUCKET/intake/PREFIX,
 * a prefix the appliances' credentials cannot write. */
static gchar *default_records(const char *vault) {
        if (g_str_has_prefix(vault, "dir:"))
                return g_strdup(vault);
        const char *bucket = vault + strlen("s3://");
        const char *slash = strchr(bucket, '/');
        if (!slash)
                return g_strdup_printf("%s/intake", vault);
        return g_strdup_printf("s3://%.*s/intake/%s", (int) (slash - bucket), bucket, slash + 1);
}

static int conf_read(const config_file *f, intake_conf *c, gchar **msg) {
        static const char *const groups[] = {GROUP, NULL};
        g_autofree gchar *level = NULL;
        int64_t days = 0;
        int r;

        if ((r = config_file_check_groups(f, groups, msg)) < 0 ||
            (r = config_file_check_keys(f, GROUP, intake_keys, msg)) < 0 ||
            (r = get_address(f, "vault", &c->vault, msg)) < 0 ||
            (r = get_address(f, "records", &c->records, msg)) < 0 ||
            (r = config_get_string(f, GROUP, "endpoint", NULL, &c->endpoint, msg)) < 0 ||
            (r = config_get_string(f, GROUP, "region", "us-east-1", &c->region, msg)) < 0 ||
            (r = config_get_string(f, GROUP, "tsa_url", NULL, &c->tsa_url, msg)) < 0 ||
            (r = config_get_string(f, GROUP, "log_level", "info", &level, msg)) < 0 ||
            (r = get_paths(f, c, msg)) < 0 ||
            (r = config_get_duration(f, GROUP, "interval", 30000000000ull, 1000000000ull,
                                     24ull * 3600 * 1000000000ull, &c->interval_ns, msg)) < 0 ||
            (r = config_get_int(f, GROUP, "retention_days", 3650, 1, 36500, &days, msg)) < 0)
                return r;
        c->retention_days = (int) days;
        c->log_level = log_level_from_string(level);
        if (c->log_level < 0)
                return refuse(f, "log_level", "is not one of error, warning, notice, info, debug", msg);
        if ((r = check_required(f, c, msg)) < 0)
                return r;
        if (!c->records)
                c->records = default_records(c->vault);
        return 0;
}

int intake_conf_load(const char *path, intake_conf **ret, gchar **ret_message) {
        g_autoptr(config_file) f = NULL;
        intake_conf *c;
        int r;

        r = config_file_load(path, &f, ret_message);
        if (r < 0)
                return r;
        config_file_set_help(f, "see docs/intake.md");
        c = g_new0(intake_conf, 1);
        c->path = g_strdup(path);
        r = conf_read(f, c, ret_message);
        if (r < 0)
                return intake_conf_free(c), r;
        *ret = c;
        return 0;
}
