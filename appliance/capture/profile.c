/* Loading and validating room profiles (GKeyFile). */
#include <errno.h>
#include <string.h>

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
        g_free(p);
        return NULL;
}

static gchar *resolve_path(const char *name_or_path) {
        if (strchr(name_or_path, '/') || g_str_has_suffix(name_or_path, ".profile"))
                return g_strdup(name_or_path);
        return g_strdup_printf("%s/%s.profile", capture_profiles_dir(), name_or_path);
}

static gchar *get_string(GKeyFile *kf, const char *group, const char *key, const char *fallback) {
        gchar *v = g_key_file_get_string(kf, group, key, NULL);
        if (v)
                g_strstrip(v);
        if ((!v || !*v) && fallback) {
                g_free(v);
                return g_strdup(fallback);
        }
        return v;
}

/* An integer key within [min, max]; fallback when absent. */
static int get_int(GKeyFile *kf, const char *group, const char *key, int fallback, int min, int max,
                   int *ret, gchar **ret_message, const char *path) {
        g_autofree gchar *v = get_string(kf, group, key, NULL);
        gint64 n;

        if (!v || !*v) {
                *ret = fallback;
                return 0;
        }
        if (!g_ascii_string_to_signed(v, 10, min, max, &n, NULL)) {
                *ret_message = g_strdup_printf("profile %s: [%s] %s=%s is not a whole number from %d to %d",
                                               path, group, key, v, min, max);
                return -EINVAL;
        }
        *ret = (int) n;
        return 0;
}

static capture_layout parse_layout(const char *s) {
        if (!s || !*s || g_str_equal(s, "single"))
                return CAPTURE_LAYOUT_SINGLE;
        if (g_str_equal(s, "side-by-side"))
                return CAPTURE_LAYOUT_SIDE_BY_SIDE;
        if (g_str_equal(s, "picture-in-picture"))
                return CAPTURE_LAYOUT_PICTURE_IN_PICTURE;
        return _CAPTURE_LAYOUT_INVALID;
}

static int read_numbers(GKeyFile *kf, capture_profile *p, gchar **msg) {
        int r = 0;

        r = r ?: get_int(kf, "video", "width", 1280, 160, 7680, &p->width, msg, p->path);
        r = r ?: get_int(kf, "video", "height", 720, 120, 4320, &p->height, msg, p->path);
        r = r ?: get_int(kf, "video", "framerate", 30, 1, 120, &p->framerate, msg, p->path);
        r = r ?: get_int(kf, "video", "bitrate", 4000, 100, 100000, &p->video_bitrate, msg, p->path);
        r = r ?: get_int(kf, "video", "keyframe-interval", 2, 1, 10, &p->keyframe_interval, msg, p->path);
        r = r ?: get_int(kf, "audio", "bitrate", 64, 16, 512, &p->audio_bitrate, msg, p->path);
        return r;
}

static int validate(GKeyFile *kf, capture_profile *p, gchar **msg) {
        g_autofree gchar *layout = get_string(kf, "video", "layout", NULL);

        if (!p->video_source || !p->audio_source) {
                *msg = g_strdup_printf("profile %s: [video] source and [audio] source are both required",
                                       p->path);
                return -EINVAL;
        }
        p->layout = parse_layout(layout);
        if (p->layout < 0) {
                *msg = g_strdup_printf("profile %s: [video] layout=%s is unknown (use side-by-side or "
                                       "picture-in-picture)",
                                       p->path, layout);
                return -EINVAL;
        }
        if (p->video_source2 && p->layout == CAPTURE_LAYOUT_SINGLE)
                p->layout = CAPTURE_LAYOUT_SIDE_BY_SIDE;
        if (!p->video_source2 && p->layout != CAPTURE_LAYOUT_SINGLE) {
                *msg = g_strdup_printf("profile %s: [video] layout=%s needs a second camera (source2)",
                                       p->path, layout);
                return -EINVAL;
        }
        if (!g_str_equal(p->audio_codec, "opus") && !g_str_equal(p->audio_codec, "aac")) {
                *msg = g_strdup_printf("profile %s: [audio] codec=%s is unknown (use opus or aac)", p->path,
                                       p->audio_codec);
                return -EINVAL;
        }
        if (!g_str_equal(p->container, "matroska")) {
                *msg = g_strdup_printf(
                        "profile %s: [container] format=%s is not supported (use matroska: it "
                        "still plays after a power cut)",
                        p->path, p->container);
                return -EINVAL;
        }
        return read_numbers(kf, p, msg);
}

static int parse_profile(capture_profile *p, const char *data, size_t len, gchar **msg) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;

        if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &error)) {
                *msg = g_strdup_printf("profile %s is not a valid profile file: %s", p->path,
                                       error->message);
                return -EINVAL;
        }
        p->description = get_string(kf, "profile", "description", "");
        p->room = get_string(kf, "profile", "room", "Interview Studio");
        p->video_source = get_string(kf, "video", "source", NULL);
        p->video_source2 = get_string(kf, "video", "source2", NULL);
        p->encoder = get_string(kf, "video", "encoder", "auto");
        p->preset = get_string(kf, "video", "preset", "superfast");
        p->audio_source = get_string(kf, "audio", "source", NULL);
        p->audio_codec = get_string(kf, "audio", "codec", "opus");
        p->container = get_string(kf, "container", "format", "matroska");
        if (p->video_source2 && !*p->video_source2)
                g_clear_pointer(&p->video_source2, g_free);
        return validate(kf, p, msg);
}

int capture_profile_load(const char *name_or_path, capture_profile **ret, gchar **ret_message) {
        g_autofree gchar *path = resolve_path(name_or_path);
        g_autofree char *data = NULL;
        gchar *msg = NULL;
        size_t len = 0;
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        capture_profile *p;
        int r;

        r = fs_read_file(path, PROFILE_MAX_BYTES, &data, &len);
        if (r < 0) {
                if (ret_message)
                        *ret_message =
                                g_strdup_printf("profile '%s' could not be read from %s: %s (the built-in "
                                                "profiles are test, "
                                                "usb-1cam and usb-2cam in %s)",
                                                name_or_path, path, g_strerror(-r), capture_profiles_dir());
                return r;
        }
        p = g_new0(capture_profile, 1);
        p->path = g_steal_pointer(&path);
        p->name = g_path_get_basename(p->path);
        if (g_str_has_suffix(p->name, ".profile"))
                p->name[strlen(p->name) - strlen(".profile")] = '\0';
        sha256_buf(data, len, digest);
        sha256_hex(digest, hex);
        p->sha256 = g_strdup(hex);
        r = parse_profile(p, data, len, &msg);
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

const char *capture_profile_name(const capture_profile *p) {
        return p->name;
}
const char *capture_profile_path(const capture_profile *p) {
        return p->path;
}
const char *capture_profile_sha256(const capture_profile *p) {
        return p->sha256;
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

gchar **capture_profile_microphones(const capture_profile *p) {
        return identities(p->audio_source, NULL);
}
