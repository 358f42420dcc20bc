/* Loading and validating room profiles (GKeyFile). */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "fsutil.h"
#include "profile-internal.h"
#include "sha256.h"

#define PROFILE_MAX_BYTES (64 * 1024)

const char *capture_profiles_dir(void) {
        const char *env = g_getenv("STUDIO_PIPELINES_DIR");

        if (env && *env)
                return env;
        if (g_file_test(STUDIO_PIPELINES_INSTALL_DIR, G_FILE_TEST_IS_DIR))
                return STUDIO_PIPELINES_INSTALL_DIR;
        return STUDIO_PIPELINES_SOURCE_DIR;
}

capture_profile *capture_profile_free(capture_profile *p) {
        if (!p)
                return NULL;
        g_free(p->name);
        g_free(p->path);
        g_free(p->sha256);
        g_free(p->description);
        g_free(p->room);
        g_free(p->video_source);
        g_free(p->video_source2);
        g_free(p->encoder);
        g_free(p->preset);
        g_free(p->audio_source);
        g_free(p->audio_codec);
        g_free(p->container);
        capture_profile_free_tracks(p);
        g_free(p);
        return NULL;
}

static gchar *resolve_path(const char *name_or_path) {
        if (strchr(name_or_path, '/') || g_str_has_suffix(name_or_path, ".profile"))
                return g_strdup(name_or_path);
        return g_strdup_printf("%s/%s.profile", capture_profiles_dir(), name_or_path);
}

static const char *const profile_groups[] = {"profile", "video", "audio", "container", NULL};
static const char *const profile_keys[][13] = {
        {"description", "room", NULL},
        {"source", "source2", "layout", "width", "height", "framerate", "bitrate", "encoder", "preset",
         "keyframe-interval", NULL},
        {"source", "codec", "bitrate", "channels", "mix", NULL},
        {"format", NULL},
};
static const char *const track_keys[] = {"role", "label", "language", "source", "channel", "required", NULL};

/* An empty value means the default in a profile, as it always has. */
static bool value_empty(const config_file *c, const char *group, const char *key) {
        g_autofree gchar *v = NULL;

        if (!config_file_line(c, group, key))
                return false;
        v = g_key_file_get_value(config_file_keyfile(c), group, key, NULL);
        return !v || !*g_strstrip(v);
}

static int get_string(const config_file *c, const char *group, const char *key, const char *fallback,
                      gchar **ret, gchar **msg) {
        if (value_empty(c, group, key)) {
                *ret = g_strdup(fallback);
                return 0;
        }
        return config_get_string(c, group, key, fallback, ret, msg);
}

/* An integer key within [min, max]; fallback when absent or empty. */
static int get_int(const config_file *c, const char *group, const char *key, int fallback, int min, int max,
                   int *ret, gchar **msg) {
        int64_t n;
        int r;

        if (value_empty(c, group, key)) {
                *ret = fallback;
                return 0;
        }
        r = config_get_int(c, group, key, fallback, min, max, &n, msg);
        if (r < 0)
                return r;
        *ret = (int) n;
        return 0;
}

static int read_numbers(const config_file *c, capture_profile *p, gchar **msg) {
        int r = 0;

        r = r ?: get_int(c, "video", "width", 1280, 160, 7680, &p->width, msg);
        r = r ?: get_int(c, "video", "height", 720, 120, 4320, &p->height, msg);
        r = r ?: get_int(c, "video", "framerate", 30, 1, 120, &p->framerate, msg);
        r = r ?: get_int(c, "video", "bitrate", 4000, 100, 100000, &p->video_bitrate, msg);
        r = r ?: get_int(c, "video", "keyframe-interval", 2, 1, 10, &p->keyframe_interval, msg);
        r = r ?: get_int(c, "audio", "bitrate", 64, 16, 512, &p->audio_bitrate, msg);
        return r;
}

/* A value the profile refuses for its own reasons, in the config module's
 * form: file, line, group, key, the value as written, and the fix. */
static int refuse(const config_file *c, const char *group, const char *key, const char *value,
                  const char *why, gchar **msg) {
        g_autofree gchar *file = escape_text(config_file_path(c));
        g_autofree gchar *shown = escape_text(value);

        *msg = g_strdup_printf("%s line %u: [%s] %s = \"%s\" %s", file, config_file_line(c, group, key),
                               group, key, shown, why);
        return -EINVAL;
}

static int validate(const config_file *c, capture_profile *p, gchar **msg) {
        static const char *const layouts[] = {"single", "side-by-side", "picture-in-picture", NULL};
        g_autofree gchar *layout = NULL;
        int l = CAPTURE_LAYOUT_SINGLE, r;

        if (!p->video_source) {
                g_autofree gchar *file = escape_text(p->path);
                *msg = g_strdup_printf("profile %s: [video] source is required", file);
                return -EINVAL;
        }
        r = get_string(c, "video", "layout", NULL, &layout, msg);
        if (r < 0)
                return r;
        if (layout) {
                for (l = 0; layouts[l] && !g_str_equal(layout, layouts[l]); l++)
                        ;
                if (!layouts[l])
                        return refuse(c, "video", "layout", layout,
                                      "is unknown (use side-by-side or picture-in-picture)", msg);
        }
        _Static_assert(CAPTURE_LAYOUT_SINGLE == 0 && CAPTURE_LAYOUT_SIDE_BY_SIDE == 1 &&
                               CAPTURE_LAYOUT_PICTURE_IN_PICTURE == 2,
                       "layouts[] follows capture_layout");
        p->layout = (capture_layout) l;
        if (p->video_source2 && p->layout == CAPTURE_LAYOUT_SINGLE)
                p->layout = CAPTURE_LAYOUT_SIDE_BY_SIDE;
        if (!p->video_source2 && p->layout != CAPTURE_LAYOUT_SINGLE)
                return refuse(c, "video", "layout", layout, "needs a second camera (source2)", msg);
        if (!g_str_equal(p->audio_codec, "opus") && !g_str_equal(p->audio_codec, "aac"))
                return refuse(c, "audio", "codec", p->audio_codec, "is unknown (use opus or aac)", msg);
        if (!g_str_equal(p->container, "matroska"))
                return refuse(c, "container", "format", p->container,
                              "is not supported (use matroska: it still plays after a power cut)", msg);
        r = read_numbers(c, p, msg);
        return r ?: capture_profile_read_tracks(c, p, msg);
}

static int check_keys(const config_file *c, gchar **msg) {
        g_autoptr(GPtrArray) groups = g_ptr_array_new();
        int r;

        for (size_t i = 0; profile_groups[i]; i++)
                g_ptr_array_add(groups, (gpointer) profile_groups[i]);
        for (size_t i = 0; capture_track_groups[i]; i++)
                g_ptr_array_add(groups, (gpointer) capture_track_groups[i]);
        g_ptr_array_add(groups, NULL);
        r = config_file_check_groups(c, (const char *const *) groups->pdata, msg);
        for (size_t i = 0; r >= 0 && profile_groups[i]; i++)
                r = config_file_check_keys(c, profile_groups[i], profile_keys[i], msg);
        for (size_t i = 0; r >= 0 && capture_track_groups[i]; i++)
                r = config_file_check_keys(c, capture_track_groups[i], track_keys, msg);
        return r;
}

static int parse_profile(capture_profile *p, const char *data, size_t len, gchar **msg) {
        g_autoptr(config_file) c = NULL;
        g_autofree gchar *m = NULL;
        int r;

        r = config_file_load_data(p->path, data, len, &c, &m);
        if (r < 0) {
                g_autofree gchar *file = escape_text(p->path);
                *msg = g_strdup_printf("profile %s is not a valid profile file: %s", file, m);
                return -EINVAL;
        }
        config_file_set_help(c, "see the comments in pipelines/test.profile");
        r = check_keys(c, msg);
        r = r ?: get_string(c, "profile", "description", "", &p->description, msg);
        r = r ?: get_string(c, "profile", "room", "Interview Studio", &p->room, msg);
        r = r ?: get_string(c, "video", "source", NULL, &p->video_source, msg);
        r = r ?: get_string(c, "video", "source2", NULL, &p->video_source2, msg);
        r = r ?: get_string(c, "video", "encoder", "auto", &p->encoder, msg);
        r = r ?: get_string(c, "video", "preset", "superfast", &p->preset, msg);
        r = r ?: get_string(c, "audio", "source", NULL, &p->audio_source, msg);
        r = r ?: get_string(c, "audio", "codec", "opus", &p->audio_codec, msg);
        r = r ?: get_string(c, "container", "format", "matroska", &p->container, msg);
        if (r < 0)
                return -EINVAL;
        return validate(c, p, msg);
}

static capture_profile *profile_new(gchar *path, const char *data, size_t len) {
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        capture_profile *p = g_new0(capture_profile, 1);

        p->path = path;
        p->name = g_path_get_basename(p->path);
        if (g_str_has_suffix(p->name, ".profile"))
                p->name[strlen(p->name) - strlen(".profile")] = '\0';
        sha256_buf(data, len, digest);
        sha256_hex(digest, hex);
        p->sha256 = g_strdup(hex);
        return p;
}

int capture_profile_parse_data(const char *path, const char *data, size_t len, capture_profile **ret,
                               gchar **ret_message) {
        capture_profile *p = profile_new(g_strdup(path), data, len);
        gchar *msg = NULL;
        int r = parse_profile(p, data, len, &msg);

        if (r < 0) {
                capture_profile_free(p);
                if (ret_message)
                        *ret_message = msg;
                else
                        g_free(msg);
                return r;
        }
        *ret = p;
        return 0;
}

int capture_profile_load(const char *name_or_path, capture_profile **ret, gchar **ret_message) {
        g_autofree gchar *path = resolve_path(name_or_path);
        g_autofree char *data = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(path, PROFILE_MAX_BYTES, &data, &len);
        if (r < 0) {
                if (ret_message)
                        *ret_message = g_strdup_printf(
                                "profile '%s' could not be read from %s: %s (the built-in "
                                "profiles are test, test-3voices, usb-1cam and usb-2cam in %s)",
                                name_or_path, path, g_strerror(-r), capture_profiles_dir());
                return r;
        }
        return capture_profile_parse_data(path, data, len, ret, ret_message);
}

const char *capture_profile_name(const capture_profile *p) {
        return p->name;
}
const char *capture_profile_path(const capture_profile *p) {
        return p->path;
}
const char *capture_profile_sha256(const capture_profile *p) {
        return p->sha256;
}
int capture_profile_bitrate_kbps(const capture_profile *p) {
        return p->video_bitrate + p->audio_bitrate * (int) (p->n_tracks + (p->mix ? 1 : 0));
}

const char *capture_profile_room(const capture_profile *p) {
        return p->room;
}

static gchar **identities(const char *a, const char *b) {
        gchar **v = g_new0(gchar *, 3);
        size_t n = 0;

        if (a)
                v[n++] = capture_source_identity(a, "");
        if (b)
                v[n++] = capture_source_identity(b, "");
        return v;
}

gchar **capture_profile_cameras(const capture_profile *p) {
        return identities(p->video_source, p->video_source2);
}

/* Each source once, in the order the tracks name them. */
gchar **capture_profile_microphones(const capture_profile *p) {
        g_autoptr(GPtrArray) v = g_ptr_array_new();
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        for (size_t i = 0; i < p->n_tracks; i++)
                if (g_hash_table_add(seen, (gpointer) p->tracks[i].source))
                        g_ptr_array_add(v, capture_source_identity(p->tracks[i].source, ""));
        g_ptr_array_add(v, NULL);
        return (gchar **) g_ptr_array_steal(v, NULL);
}
